"""Recommend a siting plan: local search over moves of blocks of GPUs between allowed sites.

`python -m sim.search +scenario=apex [key=value ...] [--who OWNER] [--stat p50|p90] [--replications
N] [--n-jobs N] [--placement RULE] [--install NAME [--force]]` starts from the run's plan (after
`plan=` and `moves=`) and repeatedly applies the best single move "owner O moves all (or half) of
its GPUs at site A to site B", where O's placement rule allows B (default: sites.csv allows O at B)
and B's planned IT MW stays within what B can hold (its phases, capped by `ultimate_it_mw`). The
objective is the P50 (or P90) over replications of the day 100 % of the chosen owner's (or all)
GPUs are online, ties broken by the mean of its 25/50/90/100 % days (so the search also moves on
plateaus); a date not reached by the horizon counts as the horizon plus the missing share of the
horizon. Each step screens every neighbour with one central-value run (~0.1 s), re-scores the best
`confirm` with N seeded replications (common random numbers: draws are keyed by entity name, so
plans differ only where they differ) and keeps the best if it beats the incumbent; it stops when no
move helps or after `max_steps`. `--placement` sets where each owner's GPUs may go
(sim/app/search_placement.py): `own` (default, the sites.csv rows listing the owner), `colocation`
(also the colocation halls that take it) or `anywhere` (every row of the site table, and those
halls), for all owners or per owner (`anywhere,hyundai=own`).

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
`scenarios/NAME/` and `conf/scenario/NAME.yaml` (run with `+scenario=NAME`): NAME must be a
plain new scenario name (checked before the search starts); `--force` replaces an existing one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

from sim.app.configs import compose_config
from sim.app.run import draws_for, inputs_for, prices_for
from sim.app.search_files import check_install_name, write_outputs
from sim.app.search_options import option_neighbours, split_moves, with_options
from sim.app.search_placement import Placement, parse_placement, placement_inputs
from sim.app.search_result import (
    Evaluation,
    Objective,
    SearchResult,
    describe_move,
    fmt_score,
)
from sim.core.config import SimConfig
from sim.core.errors import InputError, one_line_warning
from sim.inputs.catalog import option_catalogue
from sim.inputs.checks import site_ceiling_mw
from sim.inputs.moves import allowed_sites, apply_moves
from sim.inputs.records import Inputs, PlanRow
from sim.inputs.roadmap import gpus_per_unit, planned_it_mw
from sim.results.montecarlo import run_replications, who_of

FRACTIONS = (1.0, 0.5)


# ---------------------------------------------------------------- evaluation


def with_moves(cfg: SimConfig, moves: list[dict], replications: int) -> SimConfig:
    """`cfg` with the plan moves and the option moves (sim/app/search_options.py)."""
    plan_moves, option_moves = split_moves(moves)
    return replace(with_options(cfg, option_moves), moves=[*cfg.moves, *plan_moves],
                   mc=replace(cfg.mc, replications=replications, n_jobs=1))


def evaluate(cfg: SimConfig, moves: list[dict], replications: int) -> Evaluation:
    """Simulate the plan `cfg` + `moves` with `replications` (1 = central values)."""
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
    from joblib import Parallel, delayed  # lazy: only parallel searches need it

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
    unit = math.lcm(*(gpus_per_unit(inputs, r.sku) for r in rows))
    sizes = {total if f >= 1 else round(total * f / unit) * unit for f in fractions}
    return sorted((s for s in sizes if 0 < s <= total), reverse=True)


def neighbours(inputs: Inputs, plan: tuple[PlanRow, ...], owners: list[str],
               sites: list[str] | None, fractions: tuple[float, ...],
               placement: Placement | None = None) -> list[dict]:
    """Every single move of a block of one owner's GPUs to another site its placement rule
    allows (default: its own sites) with room. Halls a rule allows must be sites of `inputs`
    (`placement_inputs`) for their room to count."""
    placement = placement or Placement()
    base = replace(inputs, plan=plan)
    ceiling = site_ceiling_mw(inputs)
    out = []
    for owner in owners:
        allowed = [s for s in allowed_sites(inputs, owner, placement.of(owner), placement.halls)
                   if s in inputs.sites]
        for src in dict.fromkeys(r.site for r in plan if r.owner == owner):
            rows = [r for r in plan if r.owner == owner and r.site == src]
            for dst in allowed:
                if dst == src or (sites and dst not in sites):
                    continue
                for gpus in block_sizes(rows, inputs, fractions):
                    move = {"owner": owner, "from_site": src, "to_site": dst, "gpus": gpus}
                    moved = replace(base, plan=apply_moves(base, [move]))
                    if planned_it_mw(moved).get(dst, 0.0) <= ceiling[dst] + 1e-9:
                        out.append(move)
    return out


# ---------------------------------------------------------------- search


def search(cfg: SimConfig, objective: Objective, owners: list[str] | None = None,
           sites: list[str] | None = None, fractions: tuple[float, ...] = FRACTIONS,
           max_steps: int = 10, confirm: int = 3, n_jobs: int = 1,
           log=print, placement: str = "own", options: bool = False) -> SearchResult:
    """Steepest-descent local search over block moves (see the module docstring);
    `placement`: the owners' rule (`parse_placement`); with `options`, switching on a
    bridging plant or a flexible connection is a move too."""
    inputs = inputs_for(cfg)
    cat = (option_catalogue(inputs, cfg.resolved_data_dir(), cfg.resolved_scenario_dir())
           if options else None)
    if objective.who != "total" and objective.who not in inputs.owners:
        raise InputError(f"--who: unknown owner {objective.who!r} (known: total, "
                         f"{', '.join(inputs.owners)})")
    movable = owners or ([objective.who] if objective.who != "total" else list(inputs.owners))
    inputs, rules = placement_inputs(cfg, inputs, movable,
                                     *parse_placement(placement, list(inputs.owners)))
    base = evaluate(cfg, [], objective.replications)
    result = SearchResult(objective, base, base, evaluations=1)
    log(f"search: base plan {fmt_score(base.score(objective))}")
    for step in range(1, max_steps + 1):
        moves = neighbours(inputs, result.best.plan, movable, sites, fractions, rules)
        if cat is not None:
            moves += option_neighbours(inputs, cat, movable,
                                       with_moves(cfg, result.best.moves, 1))
        chosen = _step(cfg, result, moves, objective, confirm, n_jobs)
        if chosen is None:
            log(f"search: step {step}: no improving move among {len(moves)}; stop")
            break
        result.best = chosen
        result.steps.append({"step": step, "move": chosen.moves[-1], "neighbours": len(moves),
                             "score": fmt_score(chosen.score(objective))})
        log(f"search: step {step}: {describe_move(chosen.moves[-1])} -> "
            f"{fmt_score(chosen.score(objective))} ({len(moves)} neighbours)")
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
    p.add_argument("--placement", default="own", help="where owners' GPUs may go: own (the "
                   "sites.csv rows listing the owner; default), colocation (also the "
                   "colocation halls that take it), anywhere (every sites.csv row, and those "
                   "halls); for all owners, or per owner: anywhere,hyundai=own")
    p.add_argument("--fractions", default="1,0.5", help="block sizes as shares of an owner's "
                   "GPUs at a site (default 1,0.5)")
    p.add_argument("--options", action="store_true", help="also try switching on an on-site "
                   "bridging plant or a flexible connection at a site (docs/buying_time.md)")
    p.add_argument("--max-steps", type=int, default=10)
    p.add_argument("--confirm", type=int, default=3, help="neighbours re-scored with replications")
    p.add_argument("--n-jobs", type=int, default=1)
    p.add_argument("--out", type=Path, help="default outputs/search/<timestamp>")
    p.add_argument("--install", metavar="NAME", help="also write scenarios/NAME and "
                   "conf/scenario/NAME.yaml (a new name; see --force)")
    p.add_argument("--force", action="store_true", help="let --install replace an existing "
                   "scenario of that name")
    return p.parse_known_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args, overrides = parse_args(argv)
    warnings.showwarning = one_line_warning
    try:
        if args.install:
            check_install_name(args.install, args.force)
        cfg = compose_config(overrides)
        objective = Objective(args.who, args.stat, max(1, args.replications))
        result = search(cfg, objective, _list(args.owners), _list(args.sites),
                        tuple(float(f) for f in args.fractions.split(",")), args.max_steps,
                        args.confirm, args.n_jobs, placement=args.placement,
                        options=args.options)
    except InputError as err:
        print(f"error: {str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    out_dir = args.out or Path("outputs/search") / dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    command = "python -m sim.search " + " ".join(argv)
    try:
        write_outputs(cfg, result, out_dir.resolve(), command, args.install, args.force)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print((out_dir / "comparison.txt").read_text(encoding="utf-8"), end="")
    print(f"outputs: {out_dir}")
    return 0


def _list(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None

