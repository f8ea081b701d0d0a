"""Dated grid projects (sim/data/grid/projects.csv) with lognormal completion delays.

Each project adds one branch. HVDC projects are controllable transfers (withdrawal at bus0,
injection at bus1); generation and load are unchanged, so a link re-routes AC flow and frees
AC transfer capability. ``Grid`` sets each new link to the largest setpoint up to its rating
that keeps the network N-1 secure (operators dispatch links to relieve, not to overload).

Delays are lognormal with the given median and 90th percentile (days after ``planned_date``):
``mu = ln(median)``, ``sigma = ln(p90 / median) / 1.2816``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np

from sim.grid.network import DATA_DIR, add_line, line_attrs, read_rows, validate

Z90 = 1.2815515655446004
"""Standard-normal 90th percentile."""


@dataclass(frozen=True)
class Project:
    """One dated grid reinforcement."""

    project: str
    line: dict
    planned_date: dt.date
    delay_median_days: float
    delay_p90_days: float
    source: str
    #: the site connection step (site_connections.csv `project`) this project also brings
    local_project: str = ""

    @property
    def sigma(self) -> float:
        return float(np.log(self.delay_p90_days / self.delay_median_days) / Z90)

    def sample_delay_days(self, rng: np.random.Generator) -> float:
        """One lognormal delay draw (days)."""
        return float(rng.lognormal(np.log(self.delay_median_days), self.sigma))

    def completion_date(self, delay_days: float) -> dt.date:
        """Planned date plus a delay."""
        return self.planned_date + dt.timedelta(days=round(delay_days))


def read_projects(path: Path = DATA_DIR / "projects.csv") -> dict[str, Project]:
    """Projects by id."""
    out = {}
    for r in read_rows(path):
        out[r["project"]] = Project(
            project=r["project"], line=line_attrs(r),
            planned_date=dt.date.fromisoformat(r["planned_date"]),
            delay_median_days=float(r["delay_median_days"]),
            delay_p90_days=float(r["delay_p90_days"]), source=r["source"],
            local_project=r.get("local_project", "") or "")
    return out


def done_by(projects: dict[str, Project], date: dt.date,
            delays_days: dict[str, float] | None = None) -> set[str]:
    """Ids completed by ``date`` (median delays unless ``delays_days`` given)."""
    delays = delays_days or {p: pr.delay_median_days for p, pr in projects.items()}
    return {p for p, pr in projects.items() if pr.completion_date(delays[p]) <= date}


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
