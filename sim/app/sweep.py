"""Merge and rank the runs of a Hydra multirun from their job directories.

`python -m sim.sweep merge SWEEP_DIR [--who OWNER]` (also run by the Hydra callback
`sim.app.sweep_callback.SweepCallback` at the end of every multirun) writes into SWEEP_DIR:

- `sweep.nc`: the runs' `gpus_online(time, site, owner)`, `gpus_delivered(time, owner)`,
  `facility_load_mw(time, site)` and `power_limit_mw(time, site)`, with one dimension per swept
  parameter when the jobs form a full grid, else a `run` dimension (the job number) with the
  parameters as coordinates along it; a `replicate` dimension when runs are replicated;
- `sweep.csv`: the runs ranked by the date of 100 % online (P50 when replicated), then 90 %;
  failed jobs listed last with their error;
- `comparison.png`: GPUs online vs date for the runs (sim/outputs/figures/comparison.py).

A swept parameter is an override whose value differs between jobs (read from each job's
`.hydra/overrides.yaml`, never from memory). A job is failed when its status.json says so or its
result.nc / summary.json is missing; it is reported and the rest are merged (its grid cell
stays NaN).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sim.app.sweep_cube import cube, write_cube
from sim.app.sweep_jobs import Job, find_jobs, is_grid, param_text, param_values, swept_params
from sim.outputs.figures.comparison import write_comparison
from sim.outputs.files import write_csv
from sim.outputs.provenance import created_stamp


@dataclass
class Merged:
    """What a merge produced."""

    sweep_dir: Path
    jobs: list[Job]
    params: list[str]
    grid: bool
    ranking: list[dict] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> list[Job]:
        return [j for j in self.jobs if not j.ok]


# ---------------------------------------------------------------- ranking


def milestone(summary: dict, who: str, pct: str) -> str | None:
    """The date of `pct` % online for `who`: the date itself, or its P50 when replicated."""
    value = summary.get("milestones", {}).get(who, {}).get(pct)
    return value.get("p50") if isinstance(value, dict) else value


def _spread(summary: dict, who: str, pct: str, q: str) -> str | None:
    value = summary.get("milestones", {}).get(who, {}).get(pct)
    return value.get(q) if isinstance(value, dict) else None


def _online(summary: dict, who: str) -> int | None:
    value = summary.get("online_at_horizon", {}).get(who)
    return value.get("p50") if isinstance(value, dict) else value


def rank(jobs: list[Job], params: list[str], who: str = "total") -> list[dict]:
    """Rows of sweep.csv: completed runs by (100 % date, 90 % date, -online), failed last."""
    rows = []
    for job in jobs:
        row = {"rank": None, "job": job.num, **{p: param_text(job, p) for p in params}}
        if job.ok:
            s = json.loads((job.path / "summary.json").read_text(encoding="utf-8"))
            row |= {"status": "complete", "who": who, "replications": s.get("replications", 1),
                    "full_p50": milestone(s, who, "100"), "p90pct_p50": milestone(s, who, "90"),
                    "full_p10": _spread(s, who, "100", "p10"),
                    "full_p90": _spread(s, who, "100", "p90"),
                    "online_at_horizon": _online(s, who), "error": ""}
        else:
            row |= {"status": "failed", "who": who, "error": job.error}
        row["run_dir"] = str(job.path)
        rows.append(row)
    done = sorted((r for r in rows if r["status"] == "complete"), key=_rank_key)
    for i, row in enumerate(done, start=1):
        row["rank"] = i
    return done + [r for r in rows if r["status"] != "complete"]


def _rank_key(row: dict) -> tuple:
    return (row["full_p50"] or "9999-12-31", row["p90pct_p50"] or "9999-12-31",
            -(row["online_at_horizon"] or 0), row["job"])


RANK_COLUMNS = ("rank", "job", "status", "who", "full_p50", "p90pct_p50", "full_p10", "full_p90",
                "online_at_horizon", "replications", "error", "run_dir")


def write_ranking(rows: list[dict], params: list[str], path: Path) -> None:
    write_csv(path, rows, [*RANK_COLUMNS[:2], *params, *RANK_COLUMNS[2:]])


# ---------------------------------------------------------------- merge


def merge(sweep_dir: Path, who: str = "total", figure: bool = True) -> Merged:
    """Merge the job directories of `sweep_dir` into sweep.nc, sweep.csv and comparison.png."""
    sweep_dir = Path(sweep_dir)
    jobs = find_jobs(sweep_dir)
    params = swept_params(jobs)
    out = Merged(sweep_dir, jobs, params, is_grid(jobs, params))
    out.ranking = rank(jobs, params, who)
    write_ranking(out.ranking, params, sweep_dir / "sweep.csv")
    out.written.append(sweep_dir / "sweep.csv")
    ds = cube(jobs, params, out.grid)
    if ds is not None:
        write_cube(ds, sweep_dir / "sweep.nc", _attrs(out, who))
        out.written.append(sweep_dir / "sweep.nc")
        if figure:
            out.written.append(write_comparison(sweep_dir, out.ranking, params, who))
    return out


def _attrs(out: Merged, who: str) -> dict:
    return {"title": "sweep of sim runs", "sweep": out.sweep_dir.name,   # no machine path
            "layout": "grid" if out.grid else "run", "swept_params": out.params,
            "ranked_by": f"{who}: date of 100 % online (P50), then 90 %",
            "failed_jobs": {j.num: j.error for j in out.failed},
            "created": created_stamp()}


def report(out: Merged) -> str:
    """A few lines for the terminal: layout, best runs, failed jobs, files."""
    done = [r for r in out.ranking if r["status"] == "complete"]
    shape = (" x ".join(f"{p}[{len(set(param_values(out.jobs, p)))}]" for p in out.params)
             if out.grid else f"run[{len(done)}]")
    lines = [f"sweep: {len(done)} of {len(out.jobs)} jobs merged ({shape}) in {out.sweep_dir}"]
    for row in done[:5]:
        label = ", ".join(f"{p}={row[p]}" for p in out.params) or f"job {row['job']}"
        lines.append(f"  #{row['rank']} {label}: 100 % {row['full_p50'] or 'not by horizon'}, "
                     f"90 % {row['p90pct_p50'] or 'not by horizon'}")
    lines += [f"  FAILED job {j.num} ({j.path}): {j.error}" for j in out.failed]
    lines.append("  wrote " + ", ".join(p.name for p in out.written))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.sweep", description=__doc__.split(
        "\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("merge", help="merge a multirun directory into sweep.nc and sweep.csv")
    m.add_argument("sweep_dir", type=Path)
    m.add_argument("--who", default="total", help="rank by this owner's dates (default total)")
    m.add_argument("--no-figure", action="store_true", help="skip comparison.png")
    args = parser.parse_args(argv)
    if not args.sweep_dir.is_dir():
        print(f"error: {args.sweep_dir}: not a directory", file=sys.stderr)
        return 2
    out = merge(args.sweep_dir, args.who, figure=not args.no_figure)
    print(report(out))
    return 1 if out.failed else 0

