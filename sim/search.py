"""Recommend a siting plan: local search over moves of blocks of GPUs between allowed sites.

`python -m sim.search +scenario=apex [key=value ...] [--who OWNER] [--stat p50|p90] [--replications
N] [--n-jobs N] [--install NAME]` starts from the run's plan (after `plan=` and `moves=`) and
repeatedly applies the best single move "owner O moves all (or half) of its GPUs at site A to site
B", where sites.csv allows O at B and B's planned IT MW stays within what B can hold (its phases,
capped by `ultimate_it_mw`). The objective is the P50 (or P90) over replications of the day 100 %
of the chosen owner's (or all) GPUs are online, ties broken by the mean of its 25/50/90/100 % days
(so the search also moves on plateaus); a date not reached by the horizon counts as the horizon
plus the missing share of the horizon. Each step screens every neighbour with one central-value run
(~0.1 s), re-scores the best `confirm` with N seeded replications (common random numbers: draws are
keyed by entity name, so plans differ only where they differ) and keeps the best if it beats the
incumbent; it stops when no move helps or after `max_steps`.

Why not the Optuna sweeper (hydra-optuna-sweeper): a plan is a combinatorial object (which
owner's GPUs, from which site, to which allowed site, under owner totals and site capacities),
not a handful of independent config values; encoding it as Optuna parameters would make most
trials infeasible or redundant. Every Optuna trial is also a Hydra job (~0.15 s overhead plus
files), its sweeper pins optuna<3, and its samplers do not exploit common random numbers. The
in-process local search evaluates a neighbour in ~0.1 s, is deterministic for a seed, and its
answer is a short list of moves a planner can read and re-run (`moves=[...]`).

Writes into `--out` (default outputs/search/<timestamp>): `scenario/` (plan.csv with a source
cell per row and the scenario's other tables: run it with `scenario_dir=`), `moves.yaml`,
`comparison.json`, `comparison.csv`, `comparison.txt`; `--install NAME` also writes
`scenarios/NAME/` and `conf/scenario/NAME.yaml` (run with `+scenario=NAME`).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import shutil
import sys
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from sim.catalog import Inputs, PlanRow, apply_moves, site_ceiling_mw, table_path
from sim.config import CONF_DIR, SCENARIOS_DIR, SimConfig
from sim.errors import InputError
from sim.output import atomic_write, write_csv, write_json
from sim.results import MILESTONES_PCT

FRACTIONS = (1.0, 0.5)
QUANTILE = {"p10": 0.1, "p50": 0.5, "p90": 0.9}


@dataclass(frozen=True)
class Objective:
    """What the search minimises: `stat` over replications of the 100 % day of `who`."""

    who: str = "total"
    stat: str = "p50"
    replications: int = 8

    def describe(self) -> str:
        reps = f"{self.replications} replications" if self.replications > 1 else "central values"
        return f"{self.stat.upper()} date of 100 % online ({self.who}), {reps}"


@dataclass(frozen=True)
class Score:
    full_day: float
    mean_day: float

    def better_than(self, other: Score, tol: float = 0.5) -> bool:
        if self.full_day < other.full_day - tol:
            return True
        return abs(self.full_day - other.full_day) <= tol and self.mean_day < other.mean_day - tol


@dataclass
class Evaluation:
    """A plan (the run's moves plus the search's) and its replicate milestone days."""

    moves: list[dict]
    plan: tuple[PlanRow, ...]
    days: np.ndarray          # replicate x who x pct (penalised where not reached)
    who: list[str]
    horizon_days: float
    start: dt.date

    def score(self, objective: Objective) -> Score:
        q = QUANTILE[objective.stat]
        i = self.who.index(objective.who)
        return Score(float(np.quantile(self.days[:, i, -1], q)),
                     float(np.quantile(self.days[:, i, :].mean(axis=1), q)))

    def date(self, who: str, pct: int, stat: str) -> str | None:
        day = float(np.quantile(self.days[:, self.who.index(who), MILESTONES_PCT.index(pct)],
                                QUANTILE[stat]))
        return None if day > self.horizon_days else (self.start
                                                     + dt.timedelta(days=int(day))).isoformat()


@dataclass
class SearchResult:
    objective: Objective
    base: Evaluation
    best: Evaluation
    steps: list[dict] = field(default_factory=list)
    evaluations: int = 0


# ---------------------------------------------------------------- evaluation


def with_moves(cfg: SimConfig, moves: list[dict], replications: int) -> SimConfig:
    return replace(cfg, moves=[*cfg.moves, *moves],
                   mc=replace(cfg.mc, replications=replications, n_jobs=1))


def evaluate(cfg: SimConfig, moves: list[dict], replications: int) -> Evaluation:
    """Simulate the plan `cfg` + `moves` with `replications` (1 = central values)."""
    from sim.montecarlo import run_replications, who_of
    from sim.run import draws_for, inputs_for, prices_for

    run_cfg = with_moves(cfg, moves, replications)
    with warnings.catch_warnings():     # the base plan's warnings are shown once by search()
        warnings.simplefilter("ignore")
        inputs = inputs_for(run_cfg)
    table = draws_for(run_cfg, inputs)
    results = run_replications(inputs, table, progress=False, prices=prices_for(run_cfg))
    who = who_of(inputs)
    targets = np.array([inputs.target_gpus] + [inputs.planned_gpus(owner=o) for o in inputs.owners])
    days = np.stack([_penalised(r.milestone_days, r.online_at_horizon, targets,
                                inputs.horizon_days) for r in results])
    return Evaluation(moves, inputs.plan, days, who, inputs.horizon_days, inputs.start)


def _penalised(days: np.ndarray, online: np.ndarray, targets: np.ndarray,
               horizon: float) -> np.ndarray:
    """Milestone days, NaN (not by the horizon) -> horizon x (1 + missing share)."""
    missing = 1.0 - online / np.maximum(targets, 1)
    return np.where(np.isnan(days), horizon * (1.0 + missing[:, None]), days)


def evaluate_many(cfg: SimConfig, candidates: list[list[dict]], replications: int,
                  n_jobs: int) -> list[Evaluation | None]:
    """Evaluations in order; None where a candidate is rejected by the input checks."""
    if n_jobs == 1 or len(candidates) < 2:
        return [_try(cfg, m, replications) for m in candidates]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=n_jobs)(delayed(_try)(cfg, m, replications) for m in candidates)


def _try(cfg: SimConfig, moves: list[dict], replications: int) -> Evaluation | None:
    try:
        return evaluate(cfg, moves, replications)
    except InputError:
        return None


# ---------------------------------------------------------------- neighbourhood


def block_sizes(rows: list[PlanRow], inputs: Inputs, fractions: tuple[float, ...]) -> list[int]:
    """GPUs to move from these rows (one owner at one site): fractions in whole units."""
    total = sum(r.gpus for r in rows)
    unit = math.lcm(*(inputs.skus[r.sku].gpus_per_unit for r in rows))
    sizes = {total if f >= 1 else round(total * f / unit) * unit for f in fractions}
    return sorted((s for s in sizes if 0 < s <= total), reverse=True)


def neighbours(inputs: Inputs, plan: tuple[PlanRow, ...], owners: list[str],
               sites: list[str] | None, fractions: tuple[float, ...]) -> list[dict]:
    """Every single move of a block of one owner's GPUs to another allowed site with room."""
    base = replace(inputs, plan=plan)
    ceiling = site_ceiling_mw(inputs)
    out = []
    for owner in owners:
        for src in dict.fromkeys(r.site for r in plan if r.owner == owner):
            rows = [r for r in plan if r.owner == owner and r.site == src]
            for dst, site in inputs.sites.items():
                if dst == src or owner not in site.owners or (sites and dst not in sites):
                    continue
                for gpus in block_sizes(rows, inputs, fractions):
                    move = {"owner": owner, "from_site": src, "to_site": dst, "gpus": gpus}
                    moved = replace(base, plan=apply_moves(base, [move]))
                    if moved.planned_it_mw().get(dst, 0.0) <= ceiling[dst] + 1e-9:
                        out.append(move)
    return out


# ---------------------------------------------------------------- search


def search(cfg: SimConfig, objective: Objective, owners: list[str] | None = None,
           sites: list[str] | None = None, fractions: tuple[float, ...] = FRACTIONS,
           max_steps: int = 10, confirm: int = 3, n_jobs: int = 1,
           log=print) -> SearchResult:
    """Steepest-descent local search over block moves (see the module docstring)."""
    from sim.run import inputs_for

    inputs = inputs_for(cfg)
    if objective.who != "total" and objective.who not in inputs.owners:
        raise InputError(f"--who: unknown owner {objective.who!r} (known: total, "
                         f"{', '.join(inputs.owners)})")
    movable = owners or ([objective.who] if objective.who != "total" else list(inputs.owners))
    base = evaluate(cfg, [], objective.replications)
    result = SearchResult(objective, base, base, evaluations=1)
    log(f"search: base plan {_fmt(base.score(objective))}")
    for step in range(1, max_steps + 1):
        moves = neighbours(inputs, result.best.plan, movable, sites, fractions)
        chosen = _step(cfg, result, moves, objective, confirm, n_jobs)
        if chosen is None:
            log(f"search: step {step}: no improving move among {len(moves)}; stop")
            break
        result.best = chosen
        result.steps.append({"step": step, "move": chosen.moves[-1], "neighbours": len(moves),
                             "score": _fmt(chosen.score(objective))})
        log(f"search: step {step}: {_describe(chosen.moves[-1])} -> "
            f"{_fmt(chosen.score(objective))} ({len(moves)} neighbours)")
    return result


def _step(cfg: SimConfig, result: SearchResult, moves: list[dict], objective: Objective,
          confirm: int, n_jobs: int) -> Evaluation | None:
    """The best confirmed neighbour if it beats the incumbent, else None."""
    current = result.best.moves
    candidates = [[*current, m] for m in moves]
    screened = evaluate_many(cfg, candidates, 1, n_jobs)
    result.evaluations += len(candidates)
    central = replace(objective, replications=1)
    ranked = sorted((e for e in screened if e is not None),
                    key=lambda e: (e.score(central).full_day, e.score(central).mean_day))
    if objective.replications > 1:
        ranked = [e for e in evaluate_many(cfg, [e.moves for e in ranked[:confirm]],
                                           objective.replications, n_jobs) if e is not None]
        result.evaluations += len(ranked)
        ranked.sort(key=lambda e: (e.score(objective).full_day, e.score(objective).mean_day))
    if ranked and ranked[0].score(objective).better_than(result.best.score(objective)):
        return ranked[0]
    return None


def _fmt(score: Score) -> str:
    return f"100 % on day {score.full_day:.0f} (mean milestone day {score.mean_day:.0f})"


def _describe(move: dict) -> str:
    return f"{move['owner']}: {move['gpus']:,} GPUs {move['from_site']} -> {move['to_site']}"


# ---------------------------------------------------------------- outputs


def comparison_rows(result: SearchResult) -> list[dict]:
    """Per owner (and total) and milestone: base vs best dates at P10/P50/P90 (or the date)."""
    rows = []
    stats = ("p10", "p50", "p90") if result.objective.replications > 1 else ("p50",)
    for who in result.base.who:
        for pct in MILESTONES_PCT:
            row = {"who": who, "pct": pct}
            for stat in stats:
                row[f"base_{stat}"] = result.base.date(who, pct, stat)
                row[f"best_{stat}"] = result.best.date(who, pct, stat)
            row["delta_days_p50"] = _delta(row["base_p50"], row["best_p50"])
            rows.append(row)
    return rows


def _delta(a: str | None, b: str | None) -> int | None:
    if a is None or b is None:
        return None
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days


def plan_rows_with_sources(cfg: SimConfig, result: SearchResult) -> list[dict]:
    """The best plan as plan.csv rows; unchanged rows keep the base row's source cell."""
    path = table_path("plan.csv", cfg.resolved_data_dir(), cfg.resolved_scenario_dir(), cfg.plan)
    with path.open(newline="", encoding="utf-8") as handle:
        sources = {(r["owner"], r["site"], r["sku"]): r["source"] for r in csv.DictReader(handle)}
    base = {(r.owner, r.site, r.sku): r.gpus for r in result.base.plan}
    note = f"[EST] what-if found by `python -m sim.search` ({result.objective.describe()})"
    rows = []
    for r in result.best.plan:
        key = (r.owner, r.site, r.sku)
        moved = [m for m in result.best.moves if m["owner"] == r.owner
                 and r.site in (m["from_site"], m["to_site"])]
        if base.get(key) == r.gpus and not moved:
            source = sources.get(key, "as the base plan")
        else:
            was = f"{base[key]:,} in the base plan" if key in base else "new row"
            source = (f"{note}: {'; '.join(_describe(m) for m in moved)} ({was}); "
                      f"base source: {sources.get(key, 'none')}")
        rows.append({"owner": r.owner, "site": r.site, "sku": r.sku, "gpus": r.gpus,
                     "source": source})
    return rows


def write_scenario(cfg: SimConfig, result: SearchResult, folder: Path) -> Path:
    """A scenario folder: the scenario's own tables (plans/ excluded) with the best plan.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    for table in cfg.resolved_scenario_dir().glob("*.csv"):
        if table.name != "plan.csv":
            shutil.copy2(table, folder / table.name)
    write_csv(folder / "plan.csv", plan_rows_with_sources(cfg, result))
    return folder


def summary_text(cfg: SimConfig, result: SearchResult, out_dir: Path, command: str) -> str:
    obj = result.objective
    base, best = result.base.score(obj), result.best.score(obj)
    lines = [f"Plan search for scenario {cfg.scenario}: minimise the {obj.describe()}.",
             f"Command: {command}",
             f"Base plan: {_fmt(base)}; recommended: {_fmt(best)} "
             f"({best.full_day - base.full_day:+.0f} days); {result.evaluations} evaluations.",
             "Moves (apply in order):"]
    lines += [f"  {i}. {_describe(m)}" for i, m in enumerate(result.best.moves, 1)] or ["  none"]
    lines.append("Milestones, P50 (base -> recommended):")
    for row in comparison_rows(result):
        if row["pct"] in (90, 100):
            lines.append(f"  {row['who']:>8} {row['pct']:>3} %: {row['base_p50']} -> "
                         f"{row['best_p50']} ({row['delta_days_p50']} days)")
    plan = f" plan={cfg.plan}" if cfg.plan else ""
    lines += ["Run it:",
              f"  python -m sim +scenario={cfg.scenario} scenario_dir={out_dir / 'scenario'}",
              f"  python -m sim +scenario={cfg.scenario}{plan} "
              f"'moves={hydra_moves([*cfg.moves, *result.best.moves])}'"]
    return "\n".join(lines) + "\n"


def hydra_moves(moves: list[dict]) -> str:
    """Moves in Hydra override syntax: [{owner:a,from_site:b,to_site:c,gpus:1}]."""
    items = [",".join(f"{k}:{m[k]}" for k in ("owner", "from_site", "to_site", "gpus"))
             for m in moves]
    return "[" + ",".join("{" + i + "}" for i in items) + "]"


def write_outputs(cfg: SimConfig, result: SearchResult, out_dir: Path, command: str,
                  install: str | None = None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_scenario(cfg, result, out_dir / "scenario")]
    rows = comparison_rows(result)
    write_csv(out_dir / "comparison.csv", rows)
    obj = result.objective
    write_json(out_dir / "comparison.json", {
        "scenario": cfg.scenario, "plan": cfg.plan, "command": command,
        "objective": {"who": obj.who, "stat": obj.stat, "replications": obj.replications,
                      "seed": cfg.seed, "text": obj.describe()},
        "base_score": vars(result.base.score(obj)), "best_score": vars(result.best.score(obj)),
        "moves": result.best.moves, "steps": result.steps, "evaluations": result.evaluations,
        "milestones": rows})
    text = summary_text(cfg, result, out_dir, command)
    atomic_write(out_dir / "comparison.txt", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    written += [out_dir / n for n in ("comparison.csv", "comparison.json", "comparison.txt")]
    if install:
        written += install_scenario(cfg, result, install, command)
    return written


def install_scenario(cfg: SimConfig, result: SearchResult, name: str, command: str) -> list[Path]:
    """`scenarios/NAME/` and `conf/scenario/NAME.yaml`, runnable as `+scenario=NAME`."""
    folder = write_scenario(cfg, result, SCENARIOS_DIR / name)
    overlay = CONF_DIR / "scenario" / f"{name}.yaml"
    title = f"{cfg.title or cfg.scenario}: plan recommended by sim.search ({result.objective.who})"
    text = (f"# @package _global_\n# Recommended plan from `{command}`\n"
            f"# ({result.objective.describe()}, seed {cfg.seed}); tables in scenarios/{name}/.\n"
            f"scenario: {name}\ntitle: {json.dumps(title)}\n")
    atomic_write(overlay, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return [folder, overlay]


# ---------------------------------------------------------------- command line


def compose_config(overrides: list[str]) -> SimConfig:
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    from sim.config import register_schemas

    register_schemas()
    with initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR)):
        cfg = compose("config", overrides=overrides)
    if OmegaConf.is_missing(cfg, "scenario"):
        raise InputError("choose a scenario with +scenario=NAME")
    return OmegaConf.to_object(cfg)


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    p = argparse.ArgumentParser(prog="python -m sim.search",
                                description=__doc__.split("\n")[0],
                                epilog="Other arguments: config overrides as for python -m sim.")
    p.add_argument("--who", default="total", help="total (default) or an owner")
    p.add_argument("--stat", choices=("p50", "p90"), default="p50")
    p.add_argument("--replications", type=int, default=8, help="1 = central values only")
    p.add_argument("--owners", help="comma list of owners whose GPUs may move "
                   "(default: --who, or all for total)")
    p.add_argument("--sites", help="comma list of sites GPUs may move to (default: all allowed)")
    p.add_argument("--fractions", default="1,0.5", help="block sizes as shares of an owner's "
                   "GPUs at a site (default 1,0.5)")
    p.add_argument("--max-steps", type=int, default=10)
    p.add_argument("--confirm", type=int, default=3, help="neighbours re-scored with replications")
    p.add_argument("--n-jobs", type=int, default=1)
    p.add_argument("--out", type=Path, help="default outputs/search/<timestamp>")
    p.add_argument("--install", metavar="NAME", help="also write scenarios/NAME and "
                   "conf/scenario/NAME.yaml")
    return p.parse_known_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args, overrides = parse_args(argv)
    try:
        cfg = compose_config(overrides)
        objective = Objective(args.who, args.stat, max(1, args.replications))
        result = search(cfg, objective, _list(args.owners), _list(args.sites),
                        tuple(float(f) for f in args.fractions.split(",")), args.max_steps,
                        args.confirm, args.n_jobs)
    except InputError as err:
        print(f"error: {str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    out_dir = args.out or Path("outputs/search") / dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    command = "python -m sim.search " + " ".join(argv)
    write_outputs(cfg, result, out_dir.resolve(), command, args.install)
    print((out_dir / "comparison.txt").read_text(encoding="utf-8"), end="")
    print(f"outputs: {out_dir}")
    return 0


def _list(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


if __name__ == "__main__":
    sys.exit(main())
