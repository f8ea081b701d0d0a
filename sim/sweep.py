"""Merge and rank the runs of a Hydra multirun from their job directories.

`python -m sim.sweep merge SWEEP_DIR [--who OWNER]` (also run by the Hydra callback
`sim.sweep_callback.SweepCallback` at the end of every multirun) writes into SWEEP_DIR:

- `sweep.nc`: the runs' `gpus_online(time, site, owner)`, `gpus_delivered(time, owner)`,
  `facility_load_mw(time, site)` and `power_limit_mw(time, site)`, with one dimension per swept
  parameter when the jobs form a full grid, else a `run` dimension (the job number) with the
  parameters as coordinates along it; a `replicate` dimension when runs are replicated;
- `sweep.csv`: the runs ranked by the date of 100 % online (P50 when replicated), then 90 %;
  failed jobs listed last with their error;
- `comparison.png`: GPUs online vs date for the runs (sim/compare.py).

A swept parameter is an override whose value differs between jobs (read from each job's
`.hydra/overrides.yaml`, never from memory). A job is failed when its status.json says so or its
result.nc / summary.json is missing; it is reported and the rest are merged (its grid cell
stays NaN).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import numpy as np

from sim.output import atomic_write, write_csv

#: Variables of result.nc carried into sweep.nc.
CUBE_VARIABLES = ("gpus_online", "gpus_delivered", "facility_load_mw", "power_limit_mw")
MISSING_VALUE = "(default)"


@dataclass(frozen=True)
class Job:
    """One job directory of a sweep."""

    num: int
    path: Path
    overrides: dict[str, str]
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


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


# ---------------------------------------------------------------- jobs


def override_pairs(lines: list[str]) -> dict[str, str]:
    """`key=value` overrides as {key: value}, `+`/`++`/`~` prefixes stripped."""
    out = {}
    for line in lines:
        key, _, value = str(line).partition("=")
        out[key.lstrip("+~")] = value
    return out


def job_error(path: Path) -> str | None:
    """None if the job completed with its files, else why it counts as failed."""
    status_path = path / "status.json"
    if not status_path.is_file():
        return "no status.json (job did not start or was killed)"
    status = json.loads(status_path.read_text(encoding="utf-8"))
    if status.get("status") != "complete":
        return f"{status.get('status', '?')}: {status.get('error', 'no error recorded')}"
    for name in ("result.nc", "summary.json"):
        if not (path / name).is_file():
            return f"{name} missing"
    return None


def find_jobs(sweep_dir: Path) -> list[Job]:
    """Every job directory under `sweep_dir` (those holding .hydra/overrides.yaml)."""
    from omegaconf import OmegaConf

    jobs = []
    for overrides in sorted(sweep_dir.glob("**/.hydra/overrides.yaml")):
        path = overrides.parent.parent
        lines = OmegaConf.to_container(OmegaConf.load(overrides))
        jobs.append(Job(_job_num(path), path, override_pairs(lines), job_error(path)))
    return sorted(jobs, key=lambda j: j.num)


def _job_num(path: Path) -> int:
    from omegaconf import OmegaConf

    hydra_yaml = path / ".hydra" / "hydra.yaml"
    if hydra_yaml.is_file():
        num = OmegaConf.select(OmegaConf.load(hydra_yaml), "hydra.job.num")
        if isinstance(num, int):
            return num
    return int(path.name) if path.name.isdigit() else -1


def swept_params(jobs: list[Job]) -> list[str]:
    """Override keys whose value differs between jobs, in first-seen order."""
    keys: list[str] = []
    for job in jobs:
        keys += [k for k in job.overrides if k not in keys]
    return [k for k in keys if len({j.overrides.get(k) for j in jobs}) > 1]


def param_values(jobs: list[Job], key: str) -> list:
    """The typed value of `key` per job: all ints, else all floats, else all strings."""
    texts = [j.overrides.get(key, MISSING_VALUE) for j in jobs]
    for kind in (int, float):
        try:
            return [kind(t) for t in texts]
        except ValueError:
            continue
    return texts


def is_grid(jobs: list[Job], params: list[str]) -> bool:
    """True when the jobs are exactly the Cartesian product of the swept values."""
    if not params:
        return False
    cells = list(zip(*(param_values(jobs, p) for p in params), strict=True))
    axes = [list(dict.fromkeys(c[i] for c in cells)) for i in range(len(params))]
    return len(cells) == len(set(cells)) == math.prod(len(a) for a in axes) and \
        set(cells) == set(product(*axes))


# ---------------------------------------------------------------- cube


def load_job(job: Job):
    """The cube variables of one job, in memory, encodings dropped, `replicate` always present."""
    import xarray as xr

    with xr.open_dataset(job.path / "result.nc", engine="h5netcdf") as ds:
        data = ds[[v for v in CUBE_VARIABLES if v in ds]].load()
    if "replicate" not in data.dims:
        data = data.expand_dims(replicate=[0])
    return data.drop_encoding().drop_attrs(deep=False)


def cube(jobs: list[Job], params: list[str], grid: bool):
    """All completed jobs on one grid (or along `run`), outer-joined on time, site and owner."""
    import xarray as xr

    done = [j for j in jobs if j.ok]
    if not done:
        return None
    pieces = [load_job(j).expand_dims(run=[j.num]) for j in done]
    ds = xr.concat(pieces, dim="run", join="outer", combine_attrs="drop", coords="minimal",
                   compat="override")
    ds["job"] = ("run", np.array([j.num for j in done]),
                 {"long_name": "Hydra job number (sub-directory of the sweep)"})
    if "replicate" in ds.dims and ds.sizes["replicate"] == 1:
        ds = ds.squeeze("replicate", drop=True)
    for p in params:
        ds = ds.assign_coords({p: ("run", param_values(done, p))})
    if grid and len(params) == 1:
        ds = ds.swap_dims(run=params[0]).drop_vars("run")
    elif grid:
        ds = _grid(ds, jobs, params)
    return ds.transpose(*(params if grid else ["run"]), ...).drop_encoding()


def _grid(ds, jobs: list[Job], params: list[str]):
    """Unstack `run` into one dimension per parameter, with every value of every job (failed
    cells NaN)."""
    ds = ds.set_index(run=params).unstack("run")
    axes = {p: list(dict.fromkeys(param_values(jobs, p))) for p in params}
    return ds.reindex({p: sorted(v) for p, v in axes.items()})


def write_cube(ds, path: Path, attrs: dict) -> None:
    ds = ds.drop_encoding()
    ds.attrs = {k: (v if isinstance(v, (int, float, str)) else json.dumps(v))
                for k, v in attrs.items()}
    encoding = {n: {"zlib": True, "complevel": 4} for n in ds.data_vars}
    atomic_write(path, lambda tmp: ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding))


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
        row = {"rank": None, "job": job.num, **{p: job.overrides.get(p, MISSING_VALUE)
                                                 for p in params}}
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
            from sim.compare import write_comparison

            out.written.append(write_comparison(sweep_dir, out.ranking, params, who))
    return out


def _attrs(out: Merged, who: str) -> dict:
    return {"title": "sweep of sim runs", "sweep_dir": str(out.sweep_dir),
            "layout": "grid" if out.grid else "run", "swept_params": out.params,
            "ranked_by": f"{who}: date of 100 % online (P50), then 90 %",
            "failed_jobs": {j.num: j.error for j in out.failed},
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


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


if __name__ == "__main__":
    sys.exit(main())
