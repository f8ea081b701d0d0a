"""Engine-facing grid state: sensitivities of the current topology plus added loads."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import networkx as nx
import numpy as np

from sim.grid.build import dcgrid_of, ordered
from sim.grid.dcflow import DCGrid
from sim.grid.dispatch import Programme
from sim.grid.network import DATA_DIR, load_graph, read_sites
from sim.grid.operating import OperatingRules, Operation
from sim.grid.projects import Project, read_projects, with_projects


@dataclass(frozen=True)
class StateSummary:
    """What the simulation needs of a dated state (small, picklable)."""

    #: MW admitted per request name
    admitted: dict[str, float]
    #: for each site request admitted short of its ask: the binding line (and outage)
    binding: dict[str, str]
    shed_mw: float


def summarise(programme: Programme, line_ids: list[str]) -> StateSummary:
    """The summary of a solved programme."""
    admitted = dict(programme.admitted())
    binding = {}
    for name, mw in zip(programme.requests.names, programme.requests.mw, strict=True):
        if name.startswith("site:") and admitted[name] < mw - 1e-6:
            pair = programme.binding_pair(name)
            if pair is not None:
                row, outage = pair
                binding[name] = (line_ids[row] if outage < 0 else
                                 f"{line_ids[row]} | outage of {line_ids[outage]}")
    return StateSummary(admitted, binding, programme.base.shed_total_mw)


SUPPLY = "national peak supply"
"""Label of a request held back by generation, not by any line."""
NOT_FILED = "not yet in the queue"


class Grid:
    """Backbone grid: hosting capacity, incremental loads, dated projects and, with an
    ``operation``, the dispatch of each year's demand and fleet.

    Bus arguments are bus ids (see ``bus_of_site``). Loads added with :meth:`add_load` are
    kept across :meth:`apply_projects` and :meth:`set_year`, which rebuild the state only when
    the (completed projects, year) pair changes; built states are cached per pair and shared
    by `fresh()` copies. Without an operation (or before a year is set) generation is the fixed
    2024 dispatch of ``buses.csv``.
    """

    def __init__(self, graph: nx.MultiGraph, bus_of_site: dict[str, int],
                 projects: dict[str, Project], cache: dict | None = None,
                 operation: Operation | None = None, year: int | None = None) -> None:
        self.base_graph = graph
        self.bus_of_site = dict(bus_of_site)
        self.projects = projects
        self.operation = operation
        self.done: frozenset[str] = frozenset()
        self.year = year if operation is not None else None
        self.added_mw: dict[int, float] = {}
        self._cache = {} if cache is None else cache
        self._build()

    def fresh(self, year: int | None = None) -> Grid:
        """The same grid with no added loads and no projects, reusing built states."""
        return Grid(self.base_graph, self.bus_of_site, self.projects, self._cache,
                    self.operation, year)

    @property
    def key(self) -> tuple[frozenset[str], int | None]:
        """What the built state depends on: completed projects and year."""
        return self.done, self.year

    def _graph(self) -> nx.MultiGraph:
        key = ("graph", self.done)
        if key not in self._cache:
            self._cache[key] = (self.base_graph if not self.done else
                                with_projects(self.base_graph, self.projects, set(self.done)))
        return self._cache[key]

    def _build(self) -> None:
        if self.year is not None:
            self._point_at_dated_state()
            return
        if self.key not in self._cache:
            graph = self._graph()
            dc, bus_ids, line_ids = dcgrid_of(graph)
            self.graph, self._dc, self.bus_ids, self.line_ids = graph, dc, bus_ids, line_ids
            self._index = {b: i for i, b in enumerate(bus_ids)}
            self._dispatch_hvdc_projects()
            self._dc.set_participation(self._participation())
            self._cache[self.key] = (graph, dc, bus_ids, line_ids)
        graph, dc, self.bus_ids, self.line_ids = self._cache[self.key]
        self.graph, self._dc, self._programme = graph, copy.deepcopy(dc), None
        self._index = {b: i for i, b in enumerate(self.bus_ids)}
        for bus, mw in self.added_mw.items():
            self._dc.add_load(self._index[bus], mw)

    # -- the dated state: a compact summary always, the full state (dispatched network and
    # -- its programme) only when asked for (single-run outputs, export, hosting queries)
    def _point_at_dated_state(self) -> None:
        self.graph = self._graph()
        ids = ("ids", self.done)
        if ids not in self._cache:
            bus_ids, lines = ordered(self.graph)
            self._cache[ids] = (bus_ids, [d["line"] for d in lines])
        self.bus_ids, self.line_ids = self._cache[ids]
        self._index = {b: i for i, b in enumerate(self.bus_ids)}
        self._dc = self._programme = None

    def _full_state(self) -> tuple:
        key = ("full", self.done, self.year)
        if key not in self._cache:
            seed = self._seed() if self.done else []
            dc, _, _ = dcgrid_of(self.graph)
            programme = self.operation.programme(dc, self.year, seed)
            self.operation.operate(dc, programme)
            self._cache[key] = (dc, programme)
            self._cache.setdefault(("summary", self.done, self.year),
                                   summarise(programme, self.line_ids))
            self._cache.setdefault(("binding", self.done, self.year), [
                (self.line_ids[b], self.line_ids[k] if k >= 0 else None)
                for b, k in programme.binding_pairs()])
        return self._cache[key]

    def _seed(self) -> list[tuple[int, int]]:
        """The pairs that bind in the same year without projects, in this topology's
        indices. Always that one state (solved first if need be), so that a state's answer
        does not depend on which states were solved before it."""
        key = ("binding", frozenset(), self.year)
        if key not in self._cache:
            self.fresh(self.year)._full_state()
            if not self.keep_full_states:
                self._cache.pop(("full", frozenset(), self.year), None)
        index = {line: i for i, line in enumerate(self.line_ids)}
        return [(index[b], index[k] if k is not None else -1)
                for b, k in self._cache[key] if b in index and (k is None or k in index)]

    @property
    def keep_full_states(self) -> bool:
        """Keep each dated state's network and programme once built (single runs); Monte Carlo
        keeps only the summaries. Shared by `fresh()` copies."""
        return self._cache.get(("keep_full",), True)

    @keep_full_states.setter
    def keep_full_states(self, keep: bool) -> None:
        self._cache[("keep_full",)] = keep

    @property
    def summary(self) -> StateSummary:
        """Admitted MW per request and what binds the short ones, in this dated state."""
        key = ("summary", self.done, self.year)
        if key not in self._cache:
            self._full_state()
            if not self.keep_full_states:
                self._cache.pop(("full", self.done, self.year))
        return self._cache[key]

    def install(self, summaries: dict[tuple, StateSummary]) -> None:
        """Adopt summaries solved elsewhere (e.g. by the parent of parallel workers)."""
        for (done, year), summary in summaries.items():
            self._cache[("summary", frozenset(done), year)] = summary

    @property
    def dc(self) -> DCGrid:
        if self._dc is None:
            dc = self._full_state()[0]
            self._dc = copy.deepcopy(dc)
            for bus, mw in self.added_mw.items():
                self._dc.add_load(self._index[bus], mw)
        return self._dc

    @property
    def programme(self) -> Programme | None:
        if self.year is None:
            return None
        if self._programme is None:
            self._programme = self._full_state()[1]
        return self._programme

    def _participation(self) -> np.ndarray:
        """Reserve headroom per bus plus spare HVDC capacity at receiving converters."""
        weights = np.array([self.graph.nodes[b]["reserve_mw"] for b in self.bus_ids])
        for k in np.flatnonzero(self.dc.br.is_hvdc):
            spare = self.dc.rating_mw[k] - abs(self.dc.setpoint_mw[k])
            weights[self.dc.br.bus1[k]] += max(spare, 0.0)
        return weights if weights.sum() > 0 else np.ones(len(self.bus_ids))

    def _dispatch_hvdc_projects(self) -> None:
        """Completed HVDC projects run at the setpoint (up to rating) that minimises the worst
        N-0/N-1 loading, set one link at a time in project-id order."""
        for pid in sorted(self.done):
            line = self.projects[pid].line
            if line["kind"] == "hvdc":
                k = self.line_ids.index(line["line"])
                self.dc.set_hvdc(k, self.dc.best_hvdc_mw(k, line["setpoint_mw"]))

    def index(self, bus: int) -> int:
        """Row/column index of a bus id."""
        try:
            return self._index[bus]
        except KeyError:
            raise KeyError(f"unknown bus {bus}") from None

    def hosting_mw(self, bus: int, n1: bool = True) -> float:
        """Largest extra load (MW) at ``bus`` within all ratings (N-0, and N-1 if ``n1``)."""
        return self.dc.hosting_mw(self.index(bus), n1)

    def can_host(self, bus: int, mw: float, n1: bool = True) -> bool:
        """Whether ``mw`` more load at ``bus`` stays within all ratings (exact)."""
        return self.dc.can_host(self.index(bus), mw, n1)

    def binding_line(self, bus: int, n1: bool = True) -> str:
        """The line that limits extra load at ``bus`` ('line' or 'line | outage of other')."""
        row, outage = self.dc.binding_branch(self.index(bus), n1)
        name = self.line_ids[row]
        return name if outage < 0 else f"{name} | outage of {self.line_ids[outage]}"

    def add_load(self, bus: int, mw: float) -> None:
        """Add ``mw`` of load at ``bus`` (rank-one update, no re-solve)."""
        self.dc.add_load(self.index(bus), mw)
        self.added_mw[bus] = self.added_mw.get(bus, 0.0) + mw

    def apply_projects(self, done: set[str]) -> None:
        """Make the topology the base plus the projects in ``done``."""
        done = frozenset(done)
        if done != self.done:
            self.done = done
            self._build()

    def set_year(self, year: int) -> None:
        """Dispatch the demand and fleet of ``year`` (needs an operation)."""
        if self.operation is not None and year != self.year:
            self.year = year
            self._build()

    def lp_hosting_mw(self, bus: int) -> float:
        """Hosting capacity by the dispatch programme (full redispatch) at ``bus``, on top of
        the loads added so far (requires a year)."""
        if self.programme is None:
            raise ValueError("lp_hosting_mw needs a dated grid (operation and year)")
        if not self.added_mw:
            return self.programme.hosting_mw(self.index(bus))
        load = self.programme.load_mw.copy()
        for b, mw in self.added_mw.items():
            load[self.index(b)] += mw
        prog = Programme(self.dc, self.programme.fleet, load, self.programme.limit_mw,
                         self.programme.n1)
        return prog.hosting_mw(self.index(bus))

    def binding_line_of(self, request: str) -> str:
        """What holds request ``request`` back in this state: a line (and the outage) or, if
        no line binds it, the system's peak supply."""
        summary = self.summary
        if request not in summary.admitted:
            return NOT_FILED
        return summary.binding.get(request, SUPPLY)

    def dispatch_loading(self) -> np.ndarray:
        """Worst of N-0/N-1 |flow| / rating per line at the state's operating point."""
        return self.dc.line_loading()

    def line_loading(self) -> np.ndarray:
        """Worst of N-0/N-1 |flow| / rating per line (order of ``line_ids``)."""
        return self.dc.line_loading()

    def buses_in(self, provinces: set[str]) -> list[int]:
        """Bus ids located in the given provinces."""
        return [b for b in self.bus_ids if self.graph.nodes[b]["province"] in provinces]


def load_default_grid(data_dir: Path = DATA_DIR) -> Grid:
    """The default Korean backbone (2024 summer peak dispatch, no future projects)."""
    return Grid(load_graph(data_dir), read_sites(data_dir / "site_buses.csv"),
                read_projects(data_dir / "projects.csv"))


def dated_grid(data_dir: Path = DATA_DIR, rules: OperatingRules | None = None,
               year: int | None = None) -> Grid:
    """The backbone with its dated demand, fleet and firm loads, dispatched each year."""
    rules = rules or OperatingRules()
    graph = load_graph(data_dir)
    operation = Operation(data_dir, graph, sorted(graph.nodes), rules)
    return Grid(graph, read_sites(data_dir / "site_buses.csv"),
                read_projects(data_dir / "projects.csv"), operation=operation, year=year)


@cache
def cached_grid(data_dir: Path) -> Grid:
    """The backbone of `data_dir`, loaded once per process (copy it with `fresh()`)."""
    return load_default_grid(data_dir)


@cache
def cached_dated_grid(data_dir: Path, rules: OperatingRules) -> Grid:
    """The dated backbone of `data_dir` under `rules`, once per process; states built by any
    `fresh()` copy are shared."""
    return dated_grid(data_dir, rules)
