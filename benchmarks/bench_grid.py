"""Microbenchmarks of the grid module: PTDF/LODF build and one N-1 security check.

Run: /work/venv/bin/python benchmarks/bench_grid.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.grid import load_default_grid
from sim.grid.dcflow import lodf_matrix, ptdf_matrix


def per_call_us(fn, repeat: int = 7, number: int = 200) -> float:
    """Median microseconds per call over ``repeat`` rounds of ``number`` calls."""
    rounds = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - t0) / number * 1e6)
    return statistics.median(rounds)


def main() -> None:
    grid = load_default_grid()
    dc = grid.dc
    bus = grid.bus_of_site["sk_aws_ulsan"]
    i = grid.index(bus)
    n, m = dc.n_bus, dc.br.n
    print(f"network: {n} buses, {m} branches")
    ptdf_us = per_call_us(lambda: ptdf_matrix(n, dc.br), number=20)
    lodf_us = per_call_us(lambda: lodf_matrix(dc.ptdf, dc.br), number=20)
    print(f"PTDF build          {ptdf_us:9.1f} us")
    print(f"LODF build          {lodf_us:9.1f} us")
    print(f"hosting N-0         {per_call_us(lambda: dc.hosting_mw(i, n1=False)):9.1f} us")
    print(f"hosting N-1 (exact) {per_call_us(lambda: dc.hosting_mw(i)):9.1f} us")
    print(f"can_host N-1 5 MW   {per_call_us(lambda: dc.can_host(i, 5.0)):9.1f} us"
          "   (the gate's check per energisation when the block fits)")
    print(f"add_load (update)   {per_call_us(lambda: dc.add_load(i, 0.0)):9.1f} us")
    print(f"N-1 flows full      {per_call_us(lambda: dc.n1_flows(dc.flow0)):9.1f} us")
    print(f"apply_projects      {per_call_us(lambda: rebuild(grid), number=2):9.1f} us")
    energisation_loop(grid)


def energisation_loop(grid, steps: int = 400, block_mw: float = 5.0) -> None:
    """Engine pattern: check hosting at a site, then add a block of load; all sites."""
    sites = list(grid.bus_of_site.values())
    check, add = [], []
    for step in range(steps):
        bus = sites[step % len(sites)]
        t0 = time.perf_counter()
        ok = grid.can_host(bus, block_mw) or grid.hosting_mw(bus) >= block_mw
        t1 = time.perf_counter()
        if ok:
            grid.add_load(bus, block_mw)
        add.append((time.perf_counter() - t1) * 1e6)
        check.append((t1 - t0) * 1e6)
    print(f"energisation loop ({steps} steps, {len(sites)} sites, {block_mw} MW blocks): "
          f"check median {statistics.median(check):.1f} us (p90 "
          f"{sorted(check)[int(0.9 * steps)]:.1f}), "
          f"add_load median {statistics.median(add):.1f} us")


def rebuild(grid) -> None:
    grid.apply_projects({"solaseado_154"})
    grid.apply_projects(set())


if __name__ == "__main__":
    main()
