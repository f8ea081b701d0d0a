"""Dated grid projects (sim/data/grid/projects.csv) with lognormal completion delays.

Each project adds one branch. HVDC projects are controllable transfers (withdrawal at bus0,
injection at bus1); generation and load are unchanged, so a link re-routes AC flow and frees
AC transfer capability. ``Grid`` sets each new link to the largest setpoint up to its rating
that keeps the network N-1 secure (operators dispatch links to relieve, not to overload).

Delays are lognormal with the given median and 90th percentile (days after ``planned_date``),
drawn by sim.uncertainty like every other uncertain entity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from sim.grid.network import DATA_DIR, add_line, line_attrs, read_rows, validate


@dataclass(frozen=True)
class Project:
    """One dated grid reinforcement."""

    project: str
    line: dict
    planned_date: dt.date
    delay_median_days: float
    delay_p90_days: float
    source: str


def read_projects(path: Path = DATA_DIR / "projects.csv") -> dict[str, Project]:
    """Projects by id."""
    return {r["project"]: Project(
        project=r["project"], line=line_attrs(r), planned_date=r["planned_date"],
        delay_median_days=r["delay_median_days"], delay_p90_days=r["delay_p90_days"],
        source=r["source"])
        for r in read_rows(path)}


def with_projects(g: nx.MultiGraph, projects: dict[str, Project], done: set[str]) -> nx.MultiGraph:
    """Copy of ``g`` with the branches of the ``done`` projects added."""
    unknown = set(done) - set(projects)
    if unknown:
        raise ValueError(f"unknown projects {sorted(unknown)}")
    out = g.copy()
    for pid in sorted(done):
        line = dict(projects[pid].line)
        if line["kind"] == "hvdc":
            line["setpoint_mw"] = 0.0  # dispatched by Grid to the secure maximum
        add_line(out, line)
    validate(out)
    return out
