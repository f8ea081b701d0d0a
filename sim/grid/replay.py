"""Replay a set of connection applications against one grid state, in filing order: what the
grid admits of each (the programme's priority weights fall with filing order), and the
refusal shares that follow (an application is refused unless all of it is admitted).

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

FULL = 0.999
"""Share of its MW an application must get to count as approved."""


@dataclass(frozen=True)
class Replay:
    admitted_mw: dict[str, float]
    requested_mw: dict[str, float]

    def refused(self, load: str) -> bool:
        return self.admitted_mw[load] < FULL * self.requested_mw[load]

    def refusal_share(self, loads: list[CompetingLoad]) -> float:
        """Share of ``loads`` refused (NaN for none)."""
        return float(np.mean([self.refused(ld.load) for ld in loads])) if loads else np.nan

    @property
    def total_admitted_mw(self) -> float:
        return float(sum(self.admitted_mw.values()))


def replay(grid: Grid, loads: list[CompetingLoad]) -> Replay:
    """Admit ``loads`` (full MW, in filing order) on the dispatched state of ``grid``."""
    order = sorted(loads, key=lambda ld: (ld.filed_date, ld.load))
    n = len(order)
    weight = 2.0 - np.arange(n) / max(n - 1, 1)
    base = grid.programme
    requests = Requests(np.array([grid.index(ld.bus) for ld in order], int),
                        np.array([ld.mw for ld in order], float), weight,
                        tuple(ld.load for ld in order))
    prog = Programme(grid.dc, base.fleet, base.load_mw, base.limit_mw, base.n1, requests)
    return Replay(dict(prog.admitted()), {ld.load: ld.mw for ld in order})


def by_region(loads: list[CompetingLoad]) -> dict[str, list[CompetingLoad]]:
    """Loads grouped as KEPCO reported them: national, capital region, each province."""
    out: dict[str, list[CompetingLoad]] = defaultdict(list)
    for ld in loads:
        out["national"].append(ld)
        out["capital_region" if ld.capital_region else "non_capital"].append(ld)
        out[ld.province].append(ld)
    return dict(out)
