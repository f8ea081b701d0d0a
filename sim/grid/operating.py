"""How the grid is operated in a given year: the security-constrained dispatch of that year's
demand (with the firm competing loads) by that year's fleet, within a planning margin.

The dispatch sets the operating point (bus injections and HVDC setpoints) on which new loads
are screened; the spare output of the dispatched units (pmax - output, per bus) supplies
extra load in the screen. The screen (PTDF/LODF, exact for that supply) can only admit less
than the programme itself, which may redispatch any unit: ``Programme.hosting_mw`` gives the
programme's answer where it matters (reported hosting capacity, the time-to-power map).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np

from sim.grid.dcflow import DCGrid
from sim.grid.dispatch import Programme, Requests
from sim.grid.loads import CompetingLoad, firm_load_mw, read_loads
from sim.grid.system import System, SystemOptions, peak_date

PLANNING_MARGIN = 1.0
"""Share of a rating that planning (connections, assessments) may use, N-0 and N-1 [EST]: the
full rating. (The 2024 base was derived at 0.90, sim/data/grid/README.md; with the merit-order
dispatch of this module that margin leaves the observed 2024 peak 1.3 GW short, the full
rating serves it securely.)"""


@dataclass(frozen=True)
class SiteRequest:
    """A site of the plan asking the grid for its facility MW from its filing date."""

    site: str
    bus: int
    #: new facility MW asked of the grid (planned, less what the site is already supplied)
    mw: float
    filed: dt.date
    #: facility MW the site is already supplied at the start (not queued)
    existing_mw: float = 0.0


@dataclass(frozen=True)
class OperatingRules:
    """Options of the dated operation (from the run's `grid` config)."""

    options: SystemOptions = field(default_factory=SystemOptions)
    margin: float = PLANNING_MARGIN
    n1: bool = True
    sites: tuple[SiteRequest, ...] = field(default_factory=tuple)


class Operation:
    """The dated system of one network, able to dispatch any topology of it in any year."""

    def __init__(self, grid_dir: Path, graph: nx.MultiGraph, bus_ids: list[int],
                 rules: OperatingRules = OperatingRules()):
        self.rules = rules
        self.system = System(grid_dir, graph, bus_ids, rules.options)
        self.loads: tuple[CompetingLoad, ...] = (
            read_loads(grid_dir, graph) if rules.options.explicit_loads else ())
        self.index = self.system.index

    def demand_mw(self, year: int) -> np.ndarray:
        """Bus demand of the year's peak: the path plus firm competing loads in service."""
        load = self.system.load_mw(year)
        for bus, mw in firm_load_mw(self.loads, peak_date(year)).items():
            load[self.index[bus]] += mw
        return load

    def queue(self, year: int) -> list[tuple[str, int, float, dt.date]]:
        """Requests in the year's state, in filing order: (who, bus, MW, filed).

        Sites that filed by the year's end ask their facility MW. An *applied* competing load
        holds its full MW from filing until the date it needs power (an application reserves
        what it asks for, genuine or not), then its expected MW (p x MW: the speculative
        share never connects). A *speculative* load (MOU or concept, no application) joins
        only once it needs power, with its expected MW."""
        peak, end = peak_date(year), dt.date(year, 12, 31)
        out = []
        for ld in self.loads:
            due = ld.date <= peak
            if ld.firm or ld.filed_date > end or (ld.status == "speculative" and not due):
                continue
            out.append((f"load:{ld.load}", ld.bus,
                        ld.mw * (ld.p_materialise if due else 1.0), ld.filed_date))
        out += [(f"site:{s.site}", s.bus, s.mw, s.filed) for s in self.rules.sites
                if s.filed <= end and s.mw > 0]
        return sorted(out, key=lambda q: (q[3], q[0]))

    def programme(self, dc: DCGrid, year: int, seed: list[tuple[int, int]] = ()
                  ) -> Programme:
        """The year's dispatch programme on this topology with its queue (solved), starting
        from the (branch, outage) pairs of ``seed``. Priority weights fall linearly from 2
        (first filed) to 1 (last)."""
        queue = self.queue(year)
        n = len(queue)
        weight = 2.0 - np.arange(n) / max(n - 1, 1) if n else np.zeros(0)
        requests = Requests(np.array([self.index[q[1]] for q in queue], int),
                            np.array([q[2] for q in queue], float), weight,
                            tuple(q[0] for q in queue))
        return Programme(dc, self.system.fleet(peak_date(year)), self.demand_mw(year),
                         dc.rating_mw * self.rules.margin, self.rules.n1, requests, seed)

    def operate(self, dc: DCGrid, programme: Programme) -> None:
        """Put ``dc`` at the programme's dispatch; spare output supplies extra load."""
        base, fleet = programme.base, programme.fleet
        spare = np.zeros(dc.n_bus)
        np.add.at(spare, fleet.bus, np.maximum(fleet.pmax_mw - base.gen_mw, 0.0))
        dc.set_operating_point(base.injection_mw, base.hvdc_mw, spare, self.rules.margin)
