"""What the plan search writes: the recommended scenario folder, comparison tables and text,
and optionally an installed scenario runnable as `+scenario=NAME`."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

from sim.app.search_options import overrides, split_moves
from sim.app.search_result import SearchResult, describe_move, fmt_score
from sim.core import schemas
from sim.core.config import SimConfig
from sim.core.errors import InputError
from sim.core.paths import CONF_DIR, SCENARIOS_DIR, present, relative_to_cwd
from sim.inputs.catalog import table_path
from sim.outputs.files import write_csv, write_json, write_text
from sim.results.series import MILESTONES_PCT


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
    sources = {(r["owner"], r["site"], r["sku"]): r["source"]
               for r in schemas.read(path, "plan.csv")}
    base = {(r.owner, r.site, r.sku): r.gpus for r in result.base.plan}
    note = f"[EST] what-if found by `python -m sim.search` ({result.objective.describe()})"
    rows = []
    for r in result.best.plan:
        key = (r.owner, r.site, r.sku)
        moved = [m for m in result.best.moves if m["owner"] == r.owner and "from_site" in m
                 and r.site in (m["from_site"], m["to_site"])]
        if base.get(key) == r.gpus and not moved:
            source = sources.get(key, "as the base plan")
        else:
            was = f"{base[key]:,} in the base plan" if key in base else "new row"
            source = (f"{note}: {'; '.join(describe_move(m) for m in moved)} ({was}); "
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
             f"Base plan: {fmt_score(base)}; recommended: {fmt_score(best)} "
             f"({best.full_day - base.full_day:+.0f} days); {result.evaluations} evaluations.",
             "Moves (apply in order):"]
    lines += ([f"  {i}. {describe_move(m)}" for i, m in enumerate(result.best.moves, 1)]
              or ["  none"])
    lines.append("Milestones, P50 (base -> recommended):")
    for row in comparison_rows(result):
        if row["pct"] in (90, 100):
            lines.append(f"  {row['who']:>8} {row['pct']:>3} %: {row['base_p50']} -> "
                         f"{row['best_p50']} ({row['delta_days_p50']} days)")
    plan = f" plan={cfg.plan}" if cfg.plan else ""
    plan_moves, option_moves = split_moves(result.best.moves)
    extra = "".join(f" {o}" for o in overrides(option_moves))
    lines += ["Run it:",
              f"  python -m sim +scenario={cfg.scenario} "
              f"scenario_dir={relative_to_cwd(out_dir) / 'scenario'}"
              f"{extra}",
              f"  python -m sim +scenario={cfg.scenario}{plan} "
              f"'moves={hydra_moves([*cfg.moves, *plan_moves])}'{extra}"]
    return "\n".join(lines) + "\n"


def hydra_moves(moves: list[dict]) -> str:
    """Moves in Hydra override syntax: [{owner:a,from_site:b,to_site:c,gpus:1}]."""
    items = [",".join(f"{k}:{m[k]}" for k in ("owner", "from_site", "to_site", "gpus"))
             for m in moves]
    return "[" + ",".join("{" + i + "}" for i in items) + "]"


def write_outputs(cfg: SimConfig, result: SearchResult, out_dir: Path, command: str,
                  install: str | None = None, force: bool = False) -> list[Path]:
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
    write_text(out_dir / "comparison.txt", text)
    written += [out_dir / n for n in ("comparison.csv", "comparison.json", "comparison.txt")]
    if install:
        written += install_scenario(cfg, result, install, command, force)
    return written


#: a scenario name: a letter, then letters, digits, '_' or '-' (no path, no dots)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


def check_install_name(name: str, force: bool = False) -> tuple[Path, Path]:
    """The folder and overlay `--install NAME` would write; one InputError line if NAME is
    not a plain scenario name, or names an existing scenario and `force` is not set."""
    if not _NAME.match(name):
        raise InputError(f"--install {name!r}: expected a scenario name (a letter, then "
                         "letters, digits, '_' or '-'; no paths)")
    folder, overlay = SCENARIOS_DIR / name, CONF_DIR / "scenario" / f"{name}.yaml"
    for path, root in ((folder, SCENARIOS_DIR), (overlay, CONF_DIR / "scenario")):
        if path.resolve().parent != root.resolve():
            raise InputError(f"--install {name!r}: {path} is outside {root}")
    taken = [str(p) for p in (folder, overlay) if present(p)]
    if taken and not force:
        raise InputError(f"--install {name!r}: scenario exists ({', '.join(taken)}); choose "
                         "a new name or add --force to replace it")
    return folder, overlay


def install_scenario(cfg: SimConfig, result: SearchResult, name: str, command: str,
                     force: bool = False) -> list[Path]:
    """`scenarios/NAME/` and `conf/scenario/NAME.yaml`, runnable as `+scenario=NAME`."""
    folder, overlay = check_install_name(name, force)
    folder = write_scenario(cfg, result, folder)
    title = f"{cfg.title or cfg.scenario}: plan recommended by sim.search ({result.objective.who})"
    text = (f"# @package _global_\n# Recommended plan from `{command}`\n"
            f"# ({result.objective.describe()}, seed {cfg.seed}); tables in scenarios/{name}/.\n"
            f"scenario: {name}\ntitle: {json.dumps(title)}\n")
    option_moves = split_moves(result.best.moves)[1]
    if option_moves:
        text += "options:\n" + "".join(
            f"  {kind}:\n" + "".join(f"    {m['site']}: {str(m['value']).lower()}\n"
                                     for m in option_moves if m["option"] == kind)
            for kind in ("bridging", "flexible") if any(m["option"] == kind
                                                       for m in option_moves))
    write_text(overlay, text)
    return [folder, overlay]
