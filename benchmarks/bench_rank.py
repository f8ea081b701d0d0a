"""Benchmark of `python -m sim.rank` (issue 15): prints figures, asserts nothing.

    python benchmarks/bench_rank.py                      # apex by 2028-12-31, 20 replications
    python benchmarks/bench_rank.py --replications 8 --n-jobs 2 --out outputs/rank/bench

Ranks every grid project and connection step of apex (bringing each 12 months forward) and
prints: the number ranked, wall time of the whole ranking (config, inputs, grid states, runs,
outputs), CPU seconds of this process and its workers, the dated grid states solved once and
shared by all variants against the sum of each variant's own states (what a variant-by-variant
solve would need), and the seconds spent solving and running. The machine's load average is
printed too: the machine may be shared.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its live children (loky workers)."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += sum(child.cpu_times()[:2])
    return total


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--by", default="2028-12-31")
    p.add_argument("--replications", type=int, default=20)
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--out", type=Path, help="keep rank.csv, rank.png, ... here")
    args = p.parse_args()
    import warnings

    from sim.app.configs import compose_config
    from sim.app.rank import rank
    from sim.outputs.ranking import write_ranking

    warnings.simplefilter("ignore")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    t0, c0 = time.perf_counter(), cpu_seconds()
    ranking = rank(compose_config(["+scenario=apex"]), dt.date.fromisoformat(args.by), 12.0,
                   args.replications, args.n_jobs, log=lambda _m: None)
    c1 = cpu_seconds()
    with tempfile.TemporaryDirectory() as out:
        write_ranking(args.out or Path(out), ranking, 10)
    wall = time.perf_counter() - t0
    states = ranking["grid_states"]
    per_state = states["solve_seconds"] / max(states["solved"], 1)
    print(f"ranked {len(ranking['rows'])} projects and steps x {ranking['replications']} "
          f"replications (+ the base) with n_jobs={args.n_jobs}")
    print(f"wall time {wall:.1f} s (ranking {ranking['seconds']} s + outputs); CPU "
          f"{c1 - c0:.1f} s in this process and its workers   target <= 120 s on 2 cores")
    print(f"grid states: {states['solved']} solved once and shared, against "
          f"{states['separate']} if each variant solved its own ({per_state:.2f} s wall per "
          f"state here: ~{(states['separate'] - states['solved']) * per_state:.0f} s saved)")
    print(f"solving {states['solve_seconds']} s, running {states['run_seconds']} s")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    for i, row in enumerate(ranking["rows"][:5], start=1):
        g = row["gpu_months"]
        print(f"  {i}. {row['id']}: {g['mean']:,.0f} GPU-months (P10 {g['p10']:,.0f}, P50 "
              f"{g['p50']:,.0f}, P90 {g['p90']:,.0f}), "
              f"{row['idle_avoided_krw']['mean'] / 1e9:,.1f} bn KRW")


if __name__ == "__main__":
    main()
