"""The national grid as a shared, dated queue: each year's demand and fleet are dispatched by
a security-constrained LP together with every connection request in filing order (competing
loads and the plan's sites); a site may energise up to what that programme admits for it.

The state depends only on (completed grid projects, year). It changes on 1 January (demand
path, fleet, loads that came due) and when a grid project completes; every state is solved once
per process and shared by all replications (``sim.grid.grid.cached_dated_grid``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

import numpy as np

from sim.core.causes import GRID
from sim.grid.curtailment import Exposure, max_load_mw, outage_probability
from sim.grid.grid import Grid, cached_dated_grid
from sim.inputs.records import FlexibleRules, GridSetup
from sim.model.power import Action, units_within

GRANT_TOL_MW = 1e-6
"""A site sized exactly to its grant admits its last rack despite rounding."""


class GridQueue:
    """Power check: a site's energised facility MW stays within its admitted share."""

    causes = (GRID,)

    def __init__(self, setup: GridSetup, start: dt.date, horizon_days: float,
                 flexible: frozenset[str] = frozenset(), rules: FlexibleRules | None = None):
        """`flexible` sites may use their N-0 limit above the firm grant, within the
        curtailment tolerance of `rules` (sim/grid/curtailment.py)."""
        self.setup, self.start = setup, start
        self.flexible, self.flex_rules = flexible, rules
        self._flex_mw: dict[tuple, tuple[float, float, float]] = {}
        #: the day now (the rollout sets it) and each flexible site's (site, day, used MW,
        #: firm MW, N-0 MW, outage probability) whenever its load or its state changed
        self.clock: Callable[[], float] = lambda: 0.0
        self.flex_log: list[tuple[str, float, float, float, float, float]] = []
        self.grid = cached_dated_grid(setup.grid_dir, setup.rules).fresh(year=start.year)
        self.request_mw = {s.site: s.mw for s in setup.rules.sites}
        self.existing_mw = {s.site: s.existing_mw for s in setup.rules.sites}
        self.used_mw: dict[str, float] = defaultdict(float)
        self.granted: dict[str, float] = {}
        self.done: set[str] = set()
        self.history: list[tuple[str, float, float]] = []
        self.binding_lines: dict[str, Counter] = defaultdict(Counter)
        self.horizon_days = horizon_days
        self.version = 0
        self._last_sample: tuple[int, tuple] | None = None

    # -- the check -----------------------------------------------------------------------
    def admitted_mw(self, site: str, grid: Grid | None = None) -> float:
        """MW the state's programme admits for ``site`` (0 if it has not filed yet)."""
        return admitted_of(grid or self.grid).get(f"site:{site}", 0.0)

    def granted_mw(self, site: str) -> float:
        """What the site may use: the most any state of this run has admitted for it (an
        approved supply is honoured when later demand tightens the grid)."""
        now = self.admitted_mw(site) + self.existing_mw.get(site, 0.0)
        if site in self.flexible and self.flex_rules is not None:
            now += self.flexible_mw(site, now)[0]
        if now > self.granted.get(site, 0.0):
            self.granted[site] = now
        return self.granted.get(site, 0.0)

    def max_units(self, site: str, unit_mw: float, units: int) -> dict[str, int]:
        if site not in self.request_mw:
            return {GRID: units}
        room = self.granted_mw(site) - self.used_mw[site] + GRANT_TOL_MW
        fits = units_within(room, unit_mw, units)
        if fits < units:
            self.binding_lines[site][self.grid.binding_line_of(f"site:{site}")] += 1
        return {GRID: fits}

    def commit(self, site: str, mw: float) -> None:
        self.used_mw[site] += mw
        self.version += 1
        self._log_flex(site)

    def flexible_mw(self, site: str, firm_mw: float) -> tuple[float, float, float]:
        """(MW a flexible site may take above `firm_mw` in this state, its N-0 limit, the
        outage probability at its bus): up to the N-0 margin at the bus (DC hosting N-0 minus
        N-1), within the tolerance. Computed once per state."""
        key = (self.grid.key, site, round(firm_mw, 6))
        if key not in self._flex_mw:
            bus = self.setup.site_bus[site]
            margin = max(0.0, self.grid.hosting_mw(bus, n1=False)
                         - self.grid.hosting_mw(bus, n1=True))
            exposure = self.exposure(bus)
            extra = max_load_mw(firm_mw, firm_mw + margin, exposure,
                                self.flex_rules.tolerance) - firm_mw
            self._flex_mw[key] = (extra, firm_mw + margin, exposure.p_out)
        return self._flex_mw[key]

    def _log_flex(self, site: str) -> None:
        """Record a flexible site's load against its firm and N-0 limits now."""
        if site not in self.flexible or self.flex_rules is None:
            return
        firm = self.admitted_mw(site) + self.existing_mw.get(site, 0.0)
        _, n0, p_out = self.flexible_mw(site, firm)
        self.flex_log.append((site, self.clock(), self.used_mw[site], firm, n0, p_out))

    def exposure(self, bus: int) -> Exposure:
        """Outage probability of the lines at `bus` and the national load shape."""
        rules = self.flex_rules
        km = sum(float(d.get("length_km", 0.0)) * float(d.get("circuits", 1))
                 for _, _, d in self.grid.graph.edges(bus, data=True))
        return Exposure(outage_probability(km, rules.faults_per_100km_yr, rules.outage_hours),
                        rules.share_of_peak, rules.share_of_hours)

    def approvable(self, site: str) -> tuple[bool, str]:
        """KEPCO's verdict now: approve if the state admits the whole request, or would once
        the next grid project completes (approval tied to it); else refuse."""
        need = self.request_mw.get(site, 0.0) - 1e-6
        if self.admitted_mw(site) >= need:
            return True, ""
        project = next_project(self.setup, self.done)
        if project is None:
            return False, ""
        tied = self.grid.fresh(year=self.grid.year)
        tied.apply_projects(self.done | {project})
        if self.admitted_mw(site, tied) >= need:
            return True, project
        return False, ""

    # -- time ----------------------------------------------------------------------------
    def actions(self) -> Iterable[Action]:
        for project in self.setup.projects:
            yield project.day, None, self._completer(project.project)
        year = self.start.year + 1
        while (day := float((dt.date(year, 1, 1) - self.start).days)) <= self.horizon_days:
            yield day, None, self._new_year(year)
            year += 1

    def _completer(self, project: str):
        def complete() -> None:
            self.done.add(project)
            self.grid.apply_projects(self.done)
            self.version += 1
            for site in self.flexible:
                self._log_flex(site)
        return complete

    def _new_year(self, year: int):
        def turn() -> None:
            self.grid.set_year(year)
            self.version += 1
            for site in self.flexible:
                self._log_flex(site)
        return turn

    # -- reporting -----------------------------------------------------------------------
    def state_key(self) -> tuple:
        """(completed projects, year) of the state in force."""
        return self.grid.key

    def headroom_mw(self, site: str) -> float:
        return self.granted_mw(site) - self.used_mw[site]

    def sample(self, sites: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Line ids, loading of the state's dispatch as a share of the planning limit, and
        each site's admitted MW not yet used (NaN: the site does not ask the grid)."""
        if self._last_sample and self._last_sample[0] == self.version:
            return self._last_sample[1]
        headroom = np.array([self.headroom_mw(s) if s in self.request_mw else np.nan
                             for s in sites])
        sample = (list(self.grid.line_ids), self.grid.dispatch_loading(), headroom)
        self._last_sample = (self.version, sample)
        return sample


def next_project(setup: GridSetup, done: set[str] | frozenset[str]) -> str | None:
    """The grid project due next (earliest day) among those not yet completed."""
    pending = sorted((p.day, p.project) for p in setup.projects if p.project not in done)
    return pending[0][1] if pending else None


def admitted_of(grid: Grid) -> dict[str, float]:
    """Admitted MW per request name of the grid's state."""
    return grid.summary.admitted
