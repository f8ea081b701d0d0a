"""Rank every grid project and connection step by what bringing it forward would gain.

`python -m sim.rank +scenario=apex --by 2028-12-31 [--months 12] [--replications 20]
[--n-jobs 2] [--ids a,b] [--top 10] [--out DIR] [key=value ...]`

For every id that `grid.shift_days` can move (each grid project of grid/projects.csv and each
connection step with a `step` id in site_connections.csv), the run is repeated with that id
`--months` earlier (months of 30.4375 days) and compared with the base run, replicate by
replicate with the same draws (sim.results.reinforcement): GPU-months online by `--by` gained,
and the idle GPU-months avoided valued at the GPU-hour value of energy.csv (`energy.*`). Runs
end at `--by` (what happens after it cannot change what is online by it). Ids are ranked by the
mean GPU-months gained, then the mean KRW avoided; P10/P50/P90 of the paired differences are
reported beside. `--replications 1`: one run at central values.

Writes into `--out` (default outputs/rank/<timestamp>): `rank.csv` (every id), `rank.json`,
`rank.png` (the ranked gains with P10-P90) and `report.html` (the top entries explained: which
sites gain and what holds them back before and after the shift).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import warnings
from dataclasses import asdict, replace
from pathlib import Path

from sim.app.configs import compose_config
from sim.app.run import inputs_for, prices_for
from sim.core.config import SimConfig
from sim.core.errors import InputError, one_line_warning
from sim.core.paths import locate
from sim.grid.projects import read_projects
from sim.inputs.records import Inputs
from sim.inputs.steps import shiftable_ids
from sim.outputs.names import display_names
from sim.outputs.ranking import console_lines, write_ranking
from sim.results.accounting import DAYS_PER_MONTH
from sim.results.reinforcement import gating_causes, paired_gain, run_variants
from sim.uncertainty.draws import DrawTable, distributions, draw_table, entity_names


def ranking_config(cfg: SimConfig, by: dt.date, replications: int) -> SimConfig:
    """`cfg` ending at `by`, with `replications`, without figures."""
    if by <= cfg.start_date:
        raise InputError(f"--by: expected a date after the run's start {cfg.start_date}, "
                         f"got {by}")
    return replace(cfg, horizon_end=by.isoformat(),
                   mc=replace(cfg.mc, replications=replications, n_jobs=1))


def shifted(cfg: SimConfig, shift_id: str, days: float) -> SimConfig:
    """`cfg` with `shift_id` moved `days` earlier (on top of any shift it already has)."""
    shifts = {**cfg.grid.shift_days}
    shifts[shift_id] = float(shifts.get(shift_id, 0.0)) - days
    return replace(cfg, grid=replace(cfg.grid, shift_days=shifts))


def candidates(cfg: SimConfig, base: Inputs) -> list[dict]:
    """Every shiftable id with what it is: kind, label, the sites whose step it is, date."""
    grid_dir = locate("grid", cfg.resolved_data_dir(), cfg.resolved_scenario_dir())
    projects = read_projects(grid_dir / "projects.csv")
    dated = {p.project: p.day for p in base.grid.projects} if base.grid else {}
    out = []
    for sid in sorted(shiftable_ids(base, set(dated))):   # without the grid: steps only
        steps = [s for s in base.connections if s.step == sid]
        kinds = (["grid project"] if sid in dated else []) + (
            ["connection step"] if steps else [])
        label = "; ".join(dict.fromkeys(
            ([_project_label(projects[sid].line)] if sid in dated else [])
            + [s.project for s in steps]))
        days = [dated[sid]] if sid in dated else [s.day for s in steps]
        out.append({"id": sid, "kind": " + ".join(kinds), "label": label,
                    "sites": sorted({s.site for s in steps}),
                    "planned": base.date_of(min(days)).isoformat() if days else None})
    return out


def _project_label(line: dict) -> str:
    return f"{line['kind']} {line['kv']:g} kV, buses {line['bus0']}-{line['bus1']}"


def shared_draws(cfg: SimConfig, variants: list[Inputs]) -> DrawTable:
    """One draw table over the union of the variants' entities (common random numbers)."""
    names = list(dict.fromkeys(n for v in variants for n in entity_names(v)))
    dists = distributions(asdict(cfg.uncertainty), names, variants[0],
                          cfg.grid.assessment.duration_days)
    return draw_table(dists, cfg.seed, cfg.mc.replications)


def rank(cfg: SimConfig, by: dt.date, months: float, replications: int, n_jobs: int = 1,
         ids: list[str] | None = None, log=print) -> dict:
    """The ranking (see the module docstring) as a dict: `rows` best first, plus settings."""
    t0 = time.perf_counter()
    cfg = ranking_config(cfg, by, replications)
    with warnings.catch_warnings():     # the plan's warnings are the base run's; shown once
        base = inputs_for(cfg)
        found = candidates(cfg, base)
        unknown = sorted(set(ids or ()) - {c["id"] for c in found})
        if unknown:
            raise InputError(f"--ids: unknown project or step {unknown[0]!r} (known: "
                             f"{', '.join(c['id'] for c in found)})")
        chosen = [c for c in found if not ids or c["id"] in ids]
        warnings.simplefilter("ignore")
        days = months * DAYS_PER_MONTH
        variants = [inputs_for(shifted(cfg, c["id"], days)) for c in chosen]
    table = shared_draws(cfg, [base, *variants])
    by_day = base.day_of(by)
    log(f"rank: {len(chosen)} projects and steps x {table.replications} replications "
        f"(+ the base), {n_jobs} job(s)")
    outcomes, states = run_variants([base, *variants], table, by_day, n_jobs)
    prices = prices_for(cfg)
    krw_per_gpu_month = DAYS_PER_MONTH * 24.0 * prices.gpu_hour_value_krw
    sites = list(base.sites)
    rows = []
    for cand, outcome in zip(chosen, outcomes[1:], strict=True):
        gain = paired_gain(outcomes[0], outcome, krw_per_gpu_month)
        site_gain = gain.pop("site_gpu_months")
        rows.append({**cand, **gain, "brought_forward_days": round(days, 2),
                     "site_gpu_months": {s: float(g) for s, g in zip(sites, site_gain,
                                                                     strict=True) if g != 0},
                     "waits_before": _waits(outcomes[0].waits, sites),
                     "waits_after": _waits(outcome.waits, sites)})
    rows.sort(key=lambda r: (-r["gpu_months"]["mean"], -r["idle_avoided_krw"]["mean"], r["id"]))
    return {"scenario": cfg.scenario, "by": by.isoformat(), "months": months,
            "replications": table.replications, "seed": cfg.seed,
            "start": cfg.start_date.isoformat(), "causes": gating_causes(base),
            "plan_sites": base.plan_sites,
            "gpu_hour_value_krw": prices.gpu_hour_value_krw,
            "base_gpu_months": _spread_total(outcomes[0].online),
            "base_idle_gpu_months": _spread_total(outcomes[0].idle),
            "grid_states": states, "seconds": round(time.perf_counter() - t0, 1),
            "names": display_names(base, cfg.resolved_data_dir(), cfg.resolved_scenario_dir()),
            "rows": rows}


def _waits(waits, sites: list[str]) -> dict[str, list[float]]:
    """site -> rack-days per gating cause (only sites that waited)."""
    return {s: [round(float(x), 1) for x in w] for s, w in zip(sites, waits, strict=True)
            if w.sum() > 0}


def _spread_total(per_site) -> float:
    return float(per_site.sum(axis=1).mean())


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    p = argparse.ArgumentParser(prog="python -m sim.rank", description=__doc__.split("\n")[0],
                                epilog="Other arguments: config overrides as for python -m sim.")
    p.add_argument("--by", required=True, help="the date gains are counted by (YYYY-MM-DD)")
    p.add_argument("--months", type=float, default=12.0,
                   help="how far each project or step is brought forward (default 12)")
    p.add_argument("--replications", type=int, default=20, help="1 = central values only")
    p.add_argument("--n-jobs", type=int, default=1)
    p.add_argument("--ids", help="comma list of projects and steps to rank (default: all)")
    p.add_argument("--top", type=int, default=10, help="entries explained (default 10)")
    p.add_argument("--out", type=Path, help="default outputs/rank/<timestamp>")
    return p.parse_known_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args, overrides = parse_args(argv)
    warnings.showwarning = one_line_warning
    try:
        by = _date(args.by)
        for key, value, low in (("--months", args.months, 0), ("--replications",
                                args.replications, 1), ("--n-jobs", args.n_jobs, 1),
                                ("--top", args.top, 1)):
            if not value >= low or (key == "--months" and value == 0):
                raise InputError(f"{key}: expected a number {'> 0' if low == 0 else '>= 1'}, "
                                 f"got {value}")
        ranking = rank(compose_config(overrides), by, args.months, args.replications,
                       args.n_jobs, _list(args.ids))
        out_dir = args.out or Path("outputs/rank") / dt.datetime.now().strftime(
            "%Y%m%d-%H%M%S-%f")
        ranking["command"] = "python -m sim.rank " + " ".join(argv)
        write_ranking(out_dir.resolve(), ranking, args.top)
    except InputError as err:
        print(f"error: {str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    print("\n".join(console_lines(ranking, args.top)))
    print(f"outputs: {out_dir}")
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--by: expected a date YYYY-MM-DD, got {text!r}") from None


def _list(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


if __name__ == "__main__":
    sys.exit(main())
