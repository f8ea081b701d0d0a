"""Replay a set of connection applications against one grid state, in filing order: what the
grid admits of each (the programme's priority weights fall with filing order), and the
refusal shares that follow (an application is refused unless all of it is admitted).

Two answers make KEPCO's reply: the local substation at the application's bus must have the
spare capacity (``sim/grid/substations.py``; taken in filing order, a refused application
takes none) and the backbone must carry it (the dispatch programme, for the applications the
substations could take).

Used to calibrate the assessment against KEPCO's published statistics
(``docs/validation.md``): the 2024-25 data-centre applications and the 2027 supply figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from sim.grid.dispatch import Programme, Requests
from sim.grid.grid import Grid
from sim.grid.loads import CompetingLoad
from sim.grid.substations import bus_spare_mw, read_substations

FULL = 0.999
"""Share of its MW an application must get to count as approved."""


@dataclass(frozen=True)
class Replay:
    admitted_mw: dict[str, float]
    requested_mw: dict[str, float]
    #: applications refused because their bus's substation was short
    substation_short: frozenset[str] = frozenset()

    def refused(self, load: str) -> bool:
        return self.admitted_mw[load] < FULL * self.requested_mw[load]

    def refusal_share(self, loads: list[CompetingLoad]) -> float:
        """Share of ``loads`` refused (NaN for none)."""
        return float(np.mean([self.refused(ld.load) for ld in loads])) if loads else np.nan

    @property
    def total_admitted_mw(self) -> float:
        return float(sum(self.admitted_mw.values()))


def local_grants(order: list[CompetingLoad], spare_mw: dict[int, float]) -> dict[str, float]:
    """MW the substation at each application's bus can give it, in filing order: all it asks
    while the spare lasts, then what is left (KEPCO offers part of a request, korea.md §2.6:
    LG U+ Pyeongchon runs at half its MW). A bus without a substation entry is not limited."""
    left = dict(spare_mw)
    out = {}
    for ld in order:
        if ld.bus not in left:
            out[ld.load] = ld.mw
            continue
        out[ld.load] = min(ld.mw, left[ld.bus])
        left[ld.bus] -= out[ld.load]
    return out


def replay(grid: Grid, loads: list[CompetingLoad],
           spare_mw: dict[int, float] | None = None) -> Replay:
    """Admit ``loads`` (full MW, in filing order) on the dispatched state of ``grid``; with
    ``spare_mw`` (substation spare per bus) an application its substation cannot take is
    refused before the backbone is asked."""
    order = sorted(loads, key=lambda ld: (ld.filed_date, ld.load))
    grant = (local_grants(order, spare_mw) if spare_mw is not None
             else {ld.load: ld.mw for ld in order})
    short = frozenset(ld.load for ld in order if grant[ld.load] < FULL * ld.mw)
    refused_locally = {ld.load: 0.0 for ld in order if grant[ld.load] <= 0}
    order = [ld for ld in order if grant[ld.load] > 0]
    requested = {ld.load: ld.mw for ld in loads}
    n = len(order)
    weight = 2.0 - np.arange(n) / max(n - 1, 1)
    base = grid.programme
    requests = Requests(np.array([grid.index(ld.bus) for ld in order], int),
                        np.array([grant[ld.load] for ld in order], float), weight,
                        tuple(ld.load for ld in order))
    prog = Programme(grid.dc, base.fleet, base.load_mw, base.limit_mw, base.n1, requests)
    admitted = dict(prog.admitted()) if order else {}
    return Replay({**admitted, **refused_locally}, requested, short)


def by_region(loads: list[CompetingLoad]) -> dict[str, list[CompetingLoad]]:
    """Loads grouped as KEPCO reported them: national, capital region, each province."""
    out: dict[str, list[CompetingLoad]] = defaultdict(list)
    for ld in loads:
        out["national"].append(ld)
        out["capital_region" if ld.capital_region else "non_capital"].append(ld)
        out[ld.province].append(ld)
    return dict(out)


def substation_spare_mw(grid: Grid, year: int) -> dict[int, float]:
    """Spare substation capacity at each bus of a dated grid in ``year`` (its operation's
    demand: the provincial spread plus firm competing loads)."""
    op = grid.operation
    demand = op.demand_mw(year)
    return bus_spare_mw(read_substations(op.system.grid_dir),
                        {b: float(demand[i]) for b, i in op.index.items()})
