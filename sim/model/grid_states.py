"""Solve every dated grid state a set of replications will visit, once, in parallel, and hand
the compact summaries to the workers (so no worker solves the same programme again).

A replication's states follow from its drawn grid-project days alone: the state changes on
1 January (year) and when a project completes. Assessment decisions may also ask about a
state with one more project done; those few are solved on demand where needed.
"""

from __future__ import annotations

import datetime as dt

from sim.grid.grid import StateSummary, cached_dated_grid
from sim.inputs.records import GridSetup
from sim.model.grid_queue import next_project


def visited_keys(setup: GridSetup, start: dt.date, horizon_days: float) -> set[tuple]:
    """(completed projects, year) of every state from ``start`` to the horizon, and of each
    state with the next project done too (what an assessment verdict may ask about)."""
    days = sorted((max(0.0, p.day), p.project) for p in setup.projects)
    end = start + dt.timedelta(days=horizon_days)
    keys = set()
    for year in range(start.year, end.year + 1):
        first = max(0.0, float((dt.date(year, 1, 1) - start).days))
        last = float((dt.date(year + 1, 1, 1) - start).days)
        done = frozenset(p for d, p in days if d <= first)
        keys.add((done, year))
        for d, p in days:
            if first < d < last:
                done = done | {p}
                keys.add((done, year))
    for done, year in list(keys):
        project = next_project(setup, done)
        if project is not None:
            keys.add((done | {project}, year))
    return keys


def solve_states(setup: GridSetup, keys: list[tuple]) -> dict[tuple, StateSummary]:
    """Summaries of ``keys`` solved in this process (summaries only are kept)."""
    base = cached_dated_grid(setup.grid_dir, setup.rules)
    base.keep_full_states = False
    out = {}
    for done, year in keys:
        grid = base.fresh(year=year)
        grid.apply_projects(set(done))
        out[(done, year)] = grid.summary
    return out


def install_states(setup: GridSetup, summaries: dict[tuple, StateSummary]) -> None:
    """Make this process use ``summaries`` (and keep only summaries from now on)."""
    base = cached_dated_grid(setup.grid_dir, setup.rules)
    base.keep_full_states = False
    base.install(summaries)


def replicate_setups(setup: GridSetup, project_draws: dict[str, list[float]]
                     ) -> list[GridSetup]:
    """The grid setup of each replicate: projects moved by their drawn delays."""
    from dataclasses import replace

    n = len(next(iter(project_draws.values()))) if project_draws else 1
    return [replace(setup, projects=tuple(
        replace(p, day=p.day + float(project_draws.get(p.project, [0.0] * n)[r]))
        for p in setup.projects)) for r in range(n)]


def prepare_states(setup: GridSetup, start: dt.date, horizon_days: float,
                   project_draws: dict[str, list[float]], n_jobs: int = 1
                   ) -> dict[tuple, StateSummary]:
    """Summaries of every state the replicates visit, solved in ``n_jobs`` processes."""
    return solve_keys(setup, replicate_keys(setup, start, horizon_days, project_draws), n_jobs)


def replicate_keys(setup: GridSetup, start: dt.date, horizon_days: float,
                   project_draws: dict[str, list[float]]) -> set[tuple]:
    """Keys of every state the replicates of ``setup`` visit (see `visited_keys`)."""
    keys: set[tuple] = set()
    for drawn in replicate_setups(setup, project_draws):
        keys |= visited_keys(drawn, start, horizon_days)
    return keys


def solve_keys(setup: GridSetup, keys: set[tuple], n_jobs: int = 1
               ) -> dict[tuple, StateSummary]:
    """Summaries of ``keys``, solved in ``n_jobs`` processes."""
    ordered = sorted(keys, key=lambda k: (k[1], sorted(k[0])))
    if n_jobs <= 1 or len(ordered) < 2:
        return solve_states(setup, ordered)
    from joblib import Parallel, delayed

    parts = by_year(ordered, n_jobs)
    out: dict[tuple, StateSummary] = {}
    for part in Parallel(n_jobs=n_jobs, backend="loky")(
            delayed(solve_states)(setup, p) for p in parts if p):
        out.update(part)
    return out


def by_year(ordered: list[tuple], n_parts: int) -> list[list[tuple]]:
    """``ordered`` keys dealt to ``n_parts`` parts a whole year at a time (largest year first,
    to the part with fewest keys), in their order: every state with projects needs its
    year's state without them first (`Grid._seed`), so a year split across processes would
    solve that one in each."""
    years: dict[int, list[tuple]] = {}
    for key in ordered:
        years.setdefault(key[1], []).append(key)
    parts: list[list[tuple]] = [[] for _ in range(n_parts)]
    for year in sorted(years, key=lambda y: (-len(years[y]), y)):
        min(parts, key=len).extend(years[year])
    return [sorted(p, key=lambda k: (k[1], sorted(k[0]))) for p in parts]
