"""Typed inputs of a run: embedded data tables and scenario tables, loaded and cross-checked.

A scenario directory holds `plan.csv` and `deliveries.csv` and may hold any embedded table
(`sites.csv`, `site_phases.csv`, ...) to replace the default one for that scenario.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from sim import tables as t
from sim.assessment import Application, AssessmentRequest
from sim.backbone import GridProject, GridSetup
from sim.config import DATA_DIR, GridConfig
from sim.errors import InputError


@dataclass(frozen=True)
class Sku:
    sku: str
    gpus_per_unit: int
    it_kw_per_unit: float
    liquid_heat_share: float


@dataclass(frozen=True)
class Plant:
    """A site's cooling plant at its climate: PUE by month and at design, design derate."""

    design_pue: float
    monthly_pue: tuple[float, ...]   # January..December
    liquid_fraction: float           # share of liquid nameplate available at design conditions
    air_fraction: float


@dataclass(frozen=True)
class Owner:
    owner: str
    name: str
    allocation_gpus: int


@dataclass(frozen=True)
class Site:
    site: str
    name: str
    lat: float
    lon: float
    province: str
    capital_region: bool
    owners: tuple[str, ...]
    status: str
    climate_station: str
    crews: int
    racks_per_crew_per_day: float
    ultimate_it_mw: float
    #: cooling technology (cooling.csv) whose model gives PUE and derate; None: a stated PUE
    cooling_tech: str | None
    #: stated design PUE, used only when no cooling technology is given
    design_pue: float | None


@dataclass(frozen=True)
class Phase:
    site: str
    phase: str
    it_mw: float
    #: nameplate heat rejection of the liquid (DLC) loop and of the air side, MW of heat
    liquid_cooling_mw: float
    air_cooling_mw: float
    start_day: float
    permit_days: float
    construction_days: float

    @property
    def ready_day(self) -> float:
        return max(0.0, self.start_day + self.permit_days + self.construction_days)


@dataclass(frozen=True)
class ConnectionStep:
    site: str
    day: float
    capacity_mw: float
    project: str


@dataclass(frozen=True)
class Delivery:
    owner: str
    day: float
    gpus: int


@dataclass(frozen=True)
class PlanRow:
    owner: str
    site: str
    sku: str
    gpus: int


@dataclass(frozen=True)
class Inputs:
    """Everything one replication needs, in days from `start`."""

    start: dt.date
    horizon_days: float
    skus: dict[str, Sku]
    owners: dict[str, Owner]
    sites: dict[str, Site]
    phases: tuple[Phase, ...]
    connections: tuple[ConnectionStep, ...]
    deliveries: tuple[Delivery, ...]
    plan: tuple[PlanRow, ...]
    burn_in_days: float
    plants: dict[str, Plant]
    #: the national backbone check, or None to check local connections only
    grid: GridSetup | None = None
    #: sites that must pass KEPCO's impact assessment; drawn into `applications`
    assessment_requests: tuple[AssessmentRequest, ...] = ()
    applications: tuple[Application, ...] = ()

    @property
    def target_gpus(self) -> int:
        return sum(row.gpus for row in self.plan)

    def planned_gpus(self, owner: str | None = None, site: str | None = None) -> int:
        """GPUs the plan puts with `owner` and/or at `site` (all of them if neither)."""
        return sum(row.gpus for row in self.plan
                   if owner in (None, row.owner) and site in (None, row.site))

    def planned_it_mw(self) -> dict[str, float]:
        """IT MW the plan puts at each site."""
        out: dict[str, float] = defaultdict(float)
        for row in self.plan:
            sku = self.skus[row.sku]
            out[row.site] += row.gpus * sku.it_kw_per_unit / sku.gpus_per_unit / 1000.0
        return dict(out)

    @property
    def plan_sites(self) -> list[str]:
        """Sites that receive GPUs, in sites-table order."""
        used = {row.site for row in self.plan}
        return [s for s in self.sites if s in used]

    def day_of(self, date: dt.date) -> float:
        return float((date - self.start).days)

    def date_of(self, day: float) -> dt.date:
        return self.start + dt.timedelta(days=int(day))


SCHEMAS: dict[str, dict[str, t.Parser]] = {
    "hardware.csv": {"sku": t.text, "gpus_per_unit": t.positive_count,
                     "it_kw_per_unit": t.positive, "liquid_heat_share": t.fraction,
                     "source": t.text},
    "owners.csv": {"owner": t.text, "name": t.text, "allocation_gpus": t.positive_count,
                   "source": t.text},
    "sites.csv": {"site": t.text, "name": t.text, "lat": t.real, "lon": t.real,
                  "province": t.text, "capital_region": t.boolean, "owners": t.name_list,
                  "status": t.text, "climate_station": t.text, "crews": t.positive_count,
                  "racks_per_crew_per_day": t.positive, "ultimate_it_mw": t.positive,
                  "cooling_tech": t.optional(t.text), "design_pue": t.optional(t.at_least_one),
                  "source": t.text},
    "site_phases.csv": {"site": t.text, "phase": t.text, "it_mw": t.positive,
                        "liquid_cooling_mw": t.nonneg, "air_cooling_mw": t.nonneg,
                        "start_date": t.iso_date,
                        "permit_days": t.nonneg, "construction_days": t.nonneg,
                        "source": t.text},
    "site_connections.csv": {"site": t.text, "date": t.iso_date, "capacity_mw": t.nonneg,
                             "project": t.text, "source": t.text},
    "deliveries.csv": {"owner": t.text, "quarter": t.text, "gpus": t.count, "source": t.text},
    "plan.csv": {"owner": t.text, "site": t.text, "sku": t.text, "gpus": t.positive_count,
                 "source": t.text},
}
SCENARIO_ONLY = ("deliveries.csv", "plan.csv")


def table_path(name: str, data_dir: Path, scenario_dir: Path, plan: str | None = None) -> Path:
    """The scenario's own copy of a table if it has one, else the embedded default."""
    if name == "plan.csv" and plan:
        return scenario_dir / "plans" / f"{plan}.csv"
    own = scenario_dir / name
    if own.is_file() or name in SCENARIO_ONLY:
        return own
    return data_dir / name


def load_inputs(data_dir: Path, scenario_dir: Path, start: dt.date, horizon_end: dt.date,
                burn_in_days: float, grid: GridConfig | None = None, plan: str | None = None,
                moves: list[dict] | None = None) -> Inputs:
    """Load, type and cross-check every table of a run.

    `plan` picks `plans/<plan>.csv` instead of `plan.csv`; `moves` then edit it. In such
    what-ifs an owner may use a site that sites.csv does not list for it (a warning).
    """
    if not scenario_dir.is_dir():
        raise InputError(f"{scenario_dir}: scenario directory not found")
    paths = {name: table_path(name, data_dir, scenario_dir, plan) for name in SCHEMAS}
    if plan and not paths["plan.csv"].is_file():
        found = sorted(p.stem for p in (scenario_dir / "plans").glob("*.csv"))
        raise InputError(f"config key 'plan': {paths['plan.csv']} not found (plans of this "
                         f"scenario: {', '.join(found) or 'none'})")
    raw = {name: _read(paths[name], name) for name in SCHEMAS}
    horizon_days = float((horizon_end - start).days)
    day = _day_converter(start)
    inputs = Inputs(
        start=start,
        horizon_days=horizon_days,
        skus={r["sku"]: Sku(r["sku"], r["gpus_per_unit"], r["it_kw_per_unit"],
                            r["liquid_heat_share"]) for r in raw["hardware.csv"]},
        owners={r["owner"]: Owner(r["owner"], r["name"], r["allocation_gpus"])
                for r in raw["owners.csv"]},
        sites={r["site"]: Site(**{k: r[k] for k in Site.__dataclass_fields__})
               for r in raw["sites.csv"]},
        phases=tuple(Phase(r["site"], r["phase"], r["it_mw"], r["liquid_cooling_mw"],
                           r["air_cooling_mw"], day(r["start_date"]), r["permit_days"],
                           r["construction_days"])
                     for r in raw["site_phases.csv"]),
        connections=tuple(ConnectionStep(r["site"], max(0.0, day(r["date"])),
                                         r["capacity_mw"], r["project"])
                          for r in raw["site_connections.csv"]),
        deliveries=_deliveries(paths["deliveries.csv"], raw["deliveries.csv"], start,
                               horizon_days),
        plan=tuple(PlanRow(r["owner"], r["site"], r["sku"], r["gpus"])
                   for r in raw["plan.csv"]),
        burn_in_days=burn_in_days,
        plants={},
    )
    if moves:
        inputs = replace(inputs, plan=apply_moves(inputs, moves))
    check_references(inputs, paths, strict_owners=not (plan or moves))
    from sim.plant import build_plants

    inputs = replace(inputs, plants=build_plants(inputs, data_dir, scenario_dir,
                                                 paths["sites.csv"]))
    if grid is not None and grid.enabled:
        inputs = replace(inputs, grid=grid_setup(inputs, data_dir, scenario_dir, grid))
    if grid is not None and grid.assessment.enabled:
        inputs = replace(inputs, assessment_requests=assessment_requests(
            inputs, first_existing("site_assessments.csv", data_dir, scenario_dir), grid))
    return inputs


def first_existing(name: str, data_dir: Path, scenario_dir: Path) -> Path:
    """The scenario's copy, else the data directory's, else the embedded one."""
    for folder in (scenario_dir, data_dir):
        if (folder / name).exists():
            return folder / name
    return DATA_DIR / name


def grid_setup(inputs: Inputs, data_dir: Path, scenario_dir: Path,
               grid: GridConfig) -> GridSetup:
    """The backbone of the run: buses of planned sites checked, projects dated."""
    from sim.backbone import base_grid
    from sim.grid.projects import read_projects

    grid_dir = first_existing("grid", data_dir, scenario_dir)
    try:
        network = base_grid(grid_dir)
        projects = read_projects(grid_dir / "projects.csv")
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
        inputs.day_of(p.planned_date) + (hvdc_shift if p.line["kind"] == "hvdc" else 0.0),
        p.delay_median_days, p.delay_p90_days, p.local_project)
        for p in projects.values())
    return GridSetup(grid_dir, grid.n1, dict(network.bus_of_site), dated)


def assessment_requests(inputs: Inputs, path: Path,
                        grid: GridConfig) -> tuple[AssessmentRequest, ...]:
    """Sites that must still pass the impact assessment before their first load."""
    passed = {r["site"] for r in t.read_table(path, {"site": t.text, "status": t.text,
                                                     "source": t.text})
              if r["status"] == "passed"}
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
    return inputs.planned_it_mw().get(site, 0.0) * inputs.plants[site].design_pue


def _read(path: Path, name: str) -> list[dict]:
    rows = t.read_table(path, SCHEMAS[name])
    keys = {"hardware.csv": ("sku",), "owners.csv": ("owner",), "sites.csv": ("site",),
            "site_phases.csv": ("site", "phase"), "site_connections.csv": ("site", "date"),
            "deliveries.csv": ("owner", "quarter"), "plan.csv": ("owner", "site", "sku")}
    t.unique(path, rows, *keys[name])
    return rows


def _day_converter(start: dt.date):
    return lambda date: float((date - start).days)


_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def delivery_months(period: str) -> list[dt.date]:
    """First days of the months a delivery period covers: `2026Q1` (three) or `2026-02` (one)."""
    if match := _QUARTER.match(period):
        year, quarter = int(match[1]), int(match[2])
        return [dt.date(year, 3 * quarter - 2 + i, 1) for i in range(3)]
    if (match := _MONTH.match(period)) and 1 <= int(match[2]) <= 12:
        return [dt.date(int(match[1]), int(match[2]), 1)]
    raise ValueError("expected a quarter like 2026Q1 or a month like 2026-02")


def _deliveries(path: Path, rows: list[dict], start: dt.date,
                horizon_days: float) -> tuple[Delivery, ...]:
    """Spread each period's GPUs evenly over its months (remainder to the earliest months).

    A month that began before `start` arrives on day 0 (already in the country at start).
    """
    out = []
    for number, row in enumerate(rows, start=2):
        try:
            months = delivery_months(row["quarter"])
        except ValueError as err:
            raise InputError(f"{path}: row {number}, column 'quarter': {err} "
                             f"(got {row['quarter']!r})") from None
        base, extra = divmod(row["gpus"], len(months))
        for i, month in enumerate(months):
            day = max(0.0, float((month - start).days))
            if day > horizon_days:
                raise InputError(f"{path}: row {number}, column 'quarter': delivery "
                                 f"{row['quarter']} is after the horizon end")
            gpus = base + (1 if i < extra else 0)
            if gpus:
                out.append(Delivery(row["owner"], day, gpus))
    return tuple(sorted(out, key=lambda d: (d.day, d.owner)))


MOVE_KEYS = {"owner", "from_site", "to_site", "gpus"}


def apply_moves(inputs: Inputs, moves: list[dict]) -> tuple[PlanRow, ...]:
    """The plan with each move applied in order: GPUs leave the owner's rows at `from_site`
    (in row order) and join a row of the same SKU at `to_site` (new rows go after the
    owner's last row, so they are filled last)."""
    plan = list(inputs.plan)
    for k, move in enumerate(moves):
        plan = _move(plan, dict(move), f"config key 'moves[{k}]'", inputs)
    return tuple(row for row in plan if row.gpus > 0)


def _move(plan: list[PlanRow], move: dict, where: str, inputs: Inputs) -> list[PlanRow]:
    if set(move) != MOVE_KEYS:
        raise InputError(f"{where}: expected keys {', '.join(sorted(MOVE_KEYS))}, got "
                         f"{', '.join(sorted(move))}")
    owner, src, dst, gpus = move["owner"], move["from_site"], move["to_site"], move["gpus"]
    for key, value, known in (("owner", owner, inputs.owners), ("from_site", src, inputs.sites),
                              ("to_site", dst, inputs.sites)):
        if value not in known:
            raise InputError(f"{where}: unknown {key} {value!r}")
    if not isinstance(gpus, int) or gpus <= 0:
        raise InputError(f"{where}: 'gpus' expected a whole number > 0, got {gpus!r}")
    available = sum(r.gpus for r in plan if r.owner == owner and r.site == src)
    if gpus > available:
        raise InputError(f"{where}: owner {owner!r} has {available} GPUs at {src!r}, cannot "
                         f"move {gpus}")
    left, moved = gpus, []
    for i, row in enumerate(plan):
        if left and row.owner == owner and row.site == src:
            take = min(left, row.gpus)
            plan[i] = replace(row, gpus=row.gpus - take)
            moved.append((row.sku, take))
            left -= take
    for sku, take in moved:
        plan = _add(plan, PlanRow(owner, dst, sku, take))
    return plan


def _add(plan: list[PlanRow], new: PlanRow) -> list[PlanRow]:
    for i, row in enumerate(plan):
        if (row.owner, row.site, row.sku) == (new.owner, new.site, new.sku):
            plan[i] = replace(row, gpus=row.gpus + new.gpus)
            return plan
    last = max(i for i, row in enumerate(plan) if row.owner == new.owner)
    return [*plan[:last + 1], new, *plan[last + 1:]]


def check_references(inputs: Inputs, paths: dict[str, Path], strict_owners: bool = True) -> None:
    """Cross-table checks: names exist, totals add up, every planned site can be reached."""
    _check_names(inputs, paths, strict_owners)
    _check_totals(inputs, paths)
    _check_capacity(inputs, paths)


def _check_names(inputs: Inputs, paths: dict[str, Path], strict_owners: bool) -> None:
    for number, row in enumerate(inputs.plan, start=2):
        where = f"{paths['plan.csv']}: row {number}"
        if row.owner not in inputs.owners:
            raise InputError(f"{where}, column 'owner': unknown owner {row.owner!r} "
                             f"(known: {', '.join(inputs.owners)})")
        if row.site not in inputs.sites:
            raise InputError(f"{where}, column 'site': unknown site {row.site!r}")
        if row.sku not in inputs.skus:
            raise InputError(f"{where}, column 'sku': unknown SKU {row.sku!r} "
                             f"(known: {', '.join(inputs.skus)})")
        if row.owner not in inputs.sites[row.site].owners:
            message = (f"{where}: owner {row.owner!r} may not use site {row.site!r} "
                       f"(sites.csv allows {';'.join(inputs.sites[row.site].owners)})")
            if strict_owners:
                raise InputError(message)
            warnings.warn(message + "; allowed in this what-if", stacklevel=2)
    for name, records in (("site_phases.csv", inputs.phases),
                          ("site_connections.csv", inputs.connections)):
        for number, rec in enumerate(records, start=2):
            if rec.site not in inputs.sites:
                raise InputError(f"{paths[name]}: row {number}, column 'site': unknown site "
                                 f"{rec.site!r}")
    for number, site in enumerate(inputs.sites.values(), start=2):
        for owner in site.owners:
            if owner not in inputs.owners:
                raise InputError(f"{paths['sites.csv']}: row {number}, column 'owners': "
                                 f"unknown owner {owner!r}")


def _check_totals(inputs: Inputs, paths: dict[str, Path]) -> None:
    planned: dict[str, int] = defaultdict(int)
    delivered: dict[str, int] = defaultdict(int)
    for row in inputs.plan:
        planned[row.owner] += row.gpus
    for delivery in inputs.deliveries:
        if delivery.owner not in inputs.owners:
            raise InputError(f"{paths['deliveries.csv']}: unknown owner {delivery.owner!r} "
                             f"(known: {', '.join(inputs.owners)})")
        delivered[delivery.owner] += delivery.gpus
    for owner in inputs.owners.values():
        if planned[owner.owner] != owner.allocation_gpus:
            raise InputError(f"{paths['plan.csv']}: owner {owner.owner!r} plans "
                             f"{planned[owner.owner]} GPUs, expected its allocation "
                             f"{owner.allocation_gpus} (owners.csv)")
        if delivered[owner.owner] != owner.allocation_gpus:
            raise InputError(f"{paths['deliveries.csv']}: owner {owner.owner!r} receives "
                             f"{delivered[owner.owner]} GPUs, expected its allocation "
                             f"{owner.allocation_gpus} (owners.csv)")


def _check_connection_steps(inputs: Inputs, path: Path) -> None:
    """A site's connection level may only grow: energised racks are never switched off."""
    last: dict[str, float] = {}
    for number, step in sorted(enumerate(inputs.connections, start=2),
                               key=lambda item: (item[1].site, item[1].day)):
        if step.capacity_mw < last.get(step.site, 0.0):
            raise InputError(f"{path}: row {number}, column 'capacity_mw': the level of site "
                             f"{step.site!r} falls to {step.capacity_mw} MW from "
                             f"{last[step.site]} MW; levels must not decrease over time")
        last[step.site] = step.capacity_mw


def site_ceiling_mw(inputs: Inputs) -> dict[str, float]:
    """IT MW each site can ever hold: its phases, capped by `ultimate_it_mw`; 0 without a
    connection row."""
    built: dict[str, float] = defaultdict(float)
    for phase in inputs.phases:
        built[phase.site] += phase.it_mw
    connected = {step.site for step in inputs.connections}
    return {name: min(built[name], site.ultimate_it_mw) if name in connected else 0.0
            for name, site in inputs.sites.items()}


def _check_capacity(inputs: Inputs, paths: dict[str, Path]) -> None:
    """Planned sites need a connection row; more IT than the site can ever hold is a warning."""
    _check_connection_steps(inputs, paths["site_connections.csv"])
    connected = {step.site for step in inputs.connections}
    ceilings = site_ceiling_mw(inputs)
    for site, it_mw in inputs.planned_it_mw().items():
        if site not in connected:
            raise InputError(f"{paths['site_connections.csv']}: planned site {site!r} has no "
                             "connection rows (add at least its capacity at start, maybe 0)")
        ceiling = ceilings[site]
        if it_mw > ceiling + 1e-9:
            warnings.warn(f"{paths['plan.csv']}: site {site!r} is planned for {it_mw:.1f} MW "
                          f"IT but can hold {ceiling:.1f} MW (phases/ultimate_it_mw); the excess "
                          "waits to the horizon", stacklevel=2)
