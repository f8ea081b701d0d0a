"""The grid side of a run's inputs: the backbone with its dated projects, and the sites that
must pass KEPCO's impact assessment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from sim.core import schemas
from sim.core.config import GridConfig
from sim.core.errors import InputError
from sim.core.paths import DATA_DIR, locate
from sim.grid.grid import cached_dated_grid, cached_grid
from sim.grid.operating import OperatingRules, SiteRequest
from sim.grid.projects import read_projects
from sim.grid.system import SystemOptions
from sim.inputs.records import AssessmentRequest, GridProject, GridSetup, Inputs
from sim.inputs.roadmap import planned_it_mw


def grid_setup(inputs: Inputs, data_dir: Path, scenario_dir: Path,
               grid: GridConfig) -> GridSetup:
    """The backbone of the run: buses of planned sites checked, projects dated."""
    grid_dir = locate("grid", data_dir, scenario_dir)
    try:
        network = cached_grid(grid_dir)
        projects = read_projects(grid_dir / "projects.csv")
    except InputError:
        raise
    except (ValueError, KeyError, OSError) as err:
        raise InputError(f"{grid_dir}: {err}") from None
    buses = set(network.bus_ids)
    for site in inputs.plan_sites:
        bus = network.bus_of_site.get(site)
        if bus is None or bus not in buses:
            raise InputError(f"{grid_dir / 'site_buses.csv'}: planned site {site!r} is on "
                             f"bus {bus} which is not in the grid (buses.csv)")
    hvdc_shift = 365.25 * grid.hvdc_delay_years
    dated = tuple(GridProject(
        p.project, p.line["kind"],
        inputs.day_of(p.planned_date) + (hvdc_shift if p.line["kind"] == "hvdc" else 0.0)
        + float(grid.shift_days.get(p.project, 0.0)),
        p.delay_median_days, p.delay_p90_days)
        for p in projects.values())
    rules = _rules(inputs, network.bus_of_site, grid) if grid.dispatch else None
    if rules is not None:  # read and check the dated tables now, not mid-run
        try:
            cached_dated_grid(grid_dir, rules)
        except InputError:
            raise
        except (ValueError, KeyError, OSError) as err:
            raise InputError(f"{grid_dir}: {err}") from None
    return GridSetup(grid_dir, grid.n1, dict(network.bus_of_site), dated, rules,
                     grid.reference_block_mw)


def _rules(inputs: Inputs, site_bus: dict[str, int], grid: GridConfig) -> OperatingRules:
    """Dated operation of the run: paths chosen, and the plan's sites in the queue, each
    asking its planned facility MW from its first planned phase start (filing date)."""
    first: dict[str, float] = {}
    for phase in inputs.phases:
        first[phase.site] = min(first.get(phase.site, np.inf), phase.start_day)
    it_mw = planned_it_mw(inputs)
    facility = {s: it_mw.get(s, 0.0) * inputs.plants[s].design_pue for s in inputs.plan_sites}
    existing: dict[str, float] = {}
    for step in inputs.connections:
        if step.day <= 0:
            existing[step.site] = max(existing.get(step.site, 0.0), step.capacity_mw)
    sites = tuple(SiteRequest(s, site_bus[s], max(0.0, facility[s] - existing.get(s, 0.0)),
                              inputs.start + dt.timedelta(days=max(0.0, first.get(s, 0.0))),
                              min(existing.get(s, 0.0), facility[s]))
                  for s in inputs.plan_sites if facility[s] > 0)
    options = SystemOptions(grid.demand_path, grid.renewables, grid.competing_loads)
    return OperatingRules(options, grid.planning_margin, grid.n1, sites)


def assessment_requests(inputs: Inputs, path: Path,
                        grid: GridConfig) -> tuple[AssessmentRequest, ...]:
    """Sites that must still pass the impact assessment before their first load.

    A row must name a site of the run's sites.csv or of the embedded one (a scenario that
    replaces sites.csv keeps the embedded assessments of the other sites).
    """
    rows = schemas.read(path, "site_assessments.csv")
    known = set(inputs.sites) | {r["site"] for r in schemas.read(DATA_DIR / "sites.csv",
                                                                 "sites.csv")}
    for number, row in zip(rows.lines, rows, strict=True):
        if row["site"] not in known:
            raise InputError(f"{path}: row {number}, column 'site': unknown site "
                             f"{row['site']!r}")
    passed = {r["site"] for r in rows if r["status"] == "passed"}
    first_start: dict[str, float] = {}
    for phase in inputs.phases:
        first_start[phase.site] = min(first_start.get(phase.site, np.inf), phase.start_day)
    out = []
    for site in inputs.plan_sites:
        info = inputs.sites[site]
        peak_mw = _planned_facility_mw(inputs, site)
        if info.status == "operating" or site in passed or peak_mw < grid.assessment.threshold_mw:
            continue
        p = (grid.assessment.approval_capital_region if info.capital_region
             else grid.assessment.approval_elsewhere)
        out.append(AssessmentRequest(site, max(0.0, first_start.get(site, 0.0)), p))
    return tuple(out)


def _planned_facility_mw(inputs: Inputs, site: str) -> float:
    return planned_it_mw(inputs).get(site, 0.0) * inputs.plants[site].design_pue
