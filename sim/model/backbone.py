"""The national backbone as a power check: a site's new load is energised only if, with every
other energised data-center load, all backbone lines stay within rating (N-1 by default).

Dated grid projects (HVDC links, substations) change the topology at their completion day and
wake every site. Sensitivities are rebuilt only when the set of completed projects changes and
are cached per set, so replications after the first only copy them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy as np

from sim.core.causes import GRID
from sim.grid.grid import cached_grid
from sim.inputs.records import GridSetup
from sim.model.power import EPS_MW, Action, units_within


class Backbone:
    causes = (GRID,)

    def __init__(self, setup: GridSetup):
        self.setup = setup
        self.grid = cached_grid(setup.grid_dir).fresh()
        self.done: set[str] = set()
        self.history: list[tuple[str, float, float]] = []
        #: per site, how often each line held it back (only when the grid was the limit)
        self.binding_lines: dict[str, Counter] = defaultdict(Counter)
        #: bumped whenever load or topology changes; a sample reuses the last one otherwise
        self.version = 0
        self._last_sample: tuple[int, tuple] | None = None

    def max_units(self, site: str, unit_mw: float, units: int) -> dict[str, int]:
        """A site without a bus (a colocation hall on its existing feed) is not checked."""
        bus = self.setup.site_bus.get(site)
        if bus is None:
            return {GRID: units}
        if self.grid.can_host(bus, units * unit_mw - EPS_MW, self.setup.n1):
            return {GRID: units}
        hosting = self.grid.hosting_mw(bus, self.setup.n1)
        fits = units_within(hosting, unit_mw, units)
        if fits < units:
            self.binding_lines[site][self.grid.binding_line(bus, self.setup.n1)] += 1
        return {GRID: fits}

    def sample(self, sites: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Line ids, their loading as a fraction of rating under the criterion in force (worst
        of N-0 and N-1, or N-0 alone) and each site's backbone headroom (MW; NaN: no bus)."""
        if self._last_sample and self._last_sample[0] == self.version:
            return self._last_sample[1]
        headroom = np.array([self.headroom_mw(s) if s in self.setup.site_bus else np.nan
                             for s in sites])
        dc = self.grid.dc
        loading = (self.grid.line_loading() if self.setup.n1
                   else np.abs(dc.flow0) / dc.rating_mw)
        sample = (list(self.grid.line_ids), loading, headroom)
        self._last_sample = (self.version, sample)
        return sample

    def commit(self, site: str, mw: float) -> None:
        if site not in self.setup.site_bus:
            return
        self.grid.add_load(self.setup.site_bus[site], mw)
        self.version += 1

    def headroom_mw(self, site: str) -> float:
        return self.grid.hosting_mw(self.setup.site_bus[site], self.setup.n1)

    def actions(self) -> Iterable[Action]:
        for project in self.setup.projects:
            yield project.day, None, self._completer(project.project)

    def _completer(self, project: str):
        def complete() -> None:
            self.done.add(project)
            self.grid.apply_projects(self.done)
            self.version += 1
        return complete
