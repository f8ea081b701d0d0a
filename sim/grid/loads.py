"""Every other large load on the grid (``competing_loads.csv``): fabs, battery zones, data
centres outside the 260k, the unnamed 2027 request pool.

* ``firm`` loads (operating, or approved: a KEPCO supply contract, a passed assessment or a
  site under construction) are part of the demand the system is dispatched for, from their
  date. Loads marked ``in_base_2024 = likely`` are already in the 2024 base and skipped.
* The others (applied, speculative) queue for connection in filing order beside the 260k's
  sites and materialise with ``p_materialise`` (KEPCO audit: 35.2 % of noticed MW genuine;
  README of ``sim/data/grid``).
* A load given only by province is placed on that province's buses [EST rule]: blocks in
  filing order, each to the bus with the least MW assigned per MW of its 2024 base load.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from sim.core import schemas
from sim.core.errors import InputError

FIRM = ("operating", "approved")
FILE = "competing_loads.csv"


@dataclass(frozen=True)
class CompetingLoad:
    """One block of another customer's load at a bus."""

    load: str
    kind: str
    province: str
    bus: int
    mw: float
    date: dt.date
    status: str
    p_materialise: float
    filed_date: dt.date

    @property
    def firm(self) -> bool:
        return self.status in FIRM

    @property
    def capital_region(self) -> bool:
        return self.province in ("Seoul", "Gyeonggi", "Incheon")


def read_loads(grid_dir: Path, graph: nx.MultiGraph) -> tuple[CompetingLoad, ...]:
    """Mainland competing loads in filing order, each on a bus."""
    path = grid_dir / FILE
    rows = schemas.read(path, f"grid/{FILE}")
    provinces = {d["province"] for _, d in graph.nodes(data=True)}
    for i, r in enumerate(rows, start=2):
        _check(path, i, r, graph, provinces)
    keep = [r for r in rows if r["province"] != "Jeju" and r["in_base_2024"] == "no"]
    keep.sort(key=lambda r: (r["filed_date"] or r["date"], r["load"]))
    assigned: dict[int, float] = defaultdict(float)
    out = []
    for r in keep:
        bus = r["bus"] if r["bus"] is not None else _spread(graph, r["province"], assigned)
        assigned[bus] += r["mw"]
        out.append(CompetingLoad(r["load"], r["kind"], r["province"], bus, r["mw"], r["date"],
                                 r["status"], r["p_materialise"], r["filed_date"] or r["date"]))
    return tuple(out)


def _check(path: Path, i: int, r: dict, graph: nx.MultiGraph, provinces: set[str]) -> None:
    if r["province"] != "Jeju" and r["province"] not in provinces:
        raise InputError(f"{path}: row {i}, column 'province': unknown province "
                         f"{r['province']!r} (not in buses.csv)")
    if r["bus"] is not None and r["bus"] not in graph:
        raise InputError(f"{path}: row {i}, column 'bus': unknown bus {r['bus']}")


def _spread(graph: nx.MultiGraph, province: str, assigned: dict[int, float]) -> int:
    pool = sorted(b for b, d in graph.nodes(data=True)
                  if d["province"] == province and d["load_mw"] > 0)
    return min(pool, key=lambda b: (assigned[b] / graph.nodes[b]["load_mw"], b))


def firm_load_mw(loads: tuple[CompetingLoad, ...], on: dt.date) -> dict[int, float]:
    """MW of firm competing load per bus in service on ``on``."""
    out: dict[int, float] = defaultdict(float)
    for load in loads:
        if load.firm and load.date <= on:
            out[load.bus] += load.mw
    return dict(out)
