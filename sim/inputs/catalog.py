"""Typed inputs of a run: embedded data tables and scenario tables, loaded and cross-checked.

A scenario directory holds `plan.csv` and `deliveries.csv` and may hold any embedded table
(`sites.csv`, `site_phases.csv`, ...) to replace the default one for that scenario.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import replace
from pathlib import Path

from sim.core import schemas
from sim.core.config import POLICIES, GridConfig, HardwareConfig, OptionsConfig, PolicyConfig
from sim.core.errors import InputError
from sim.core.paths import check_dir, check_file, locate, present
from sim.core.tables import comment_lines
from sim.inputs.checks import check_references, warn_over_ceiling
from sim.inputs.connect import Request
from sim.inputs.gridsetup import assessment_requests, grid_setup
from sim.inputs.halls import read_halls, with_halls, with_named_halls
from sim.inputs.moves import apply_moves
from sim.inputs.observed import hold_observed, read_observed
from sim.inputs.options import any_option, embedded_sites, read_catalogue, with_options
from sim.inputs.plant import build_plants
from sim.inputs.records import (
    ConnectionStep,
    Delivery,
    Inputs,
    Owner,
    Phase,
    PlanRow,
    Policies,
    Site,
    Sku,
)
from sim.inputs.roadmap import read_roadmap
from sim.inputs.site_requests import with_derived
from sim.inputs.steps import resolve_steps

OBSERVED_TABLE = "observed_state.csv"
TABLES = ("hardware.csv", "owners.csv", "sites.csv", "site_phases.csv", "site_connections.csv",
          "deliveries.csv", "plan.csv")
SCENARIO_ONLY = ("deliveries.csv", "plan.csv")


def table_path(name: str, data_dir: Path, scenario_dir: Path, plan: str | None = None) -> Path:
    """The scenario's own copy of a table if it has one, else the data directory's, else the
    embedded default; the plan and deliveries always come from the scenario."""
    if name == "plan.csv" and plan:
        return scenario_dir / "plans" / f"{plan}.csv"
    if name in SCENARIO_ONLY:
        return scenario_dir / name
    return locate(name, data_dir, scenario_dir)


#: folders whose every CSV a run may read
FOLDERS = ("grid", "climate", "options")
#: single tables read besides TABLES
OTHER_TABLES = ("cooling.csv", "site_assessments.csv", "energy.csv", "hardware_roadmap.csv",
                "colocation_halls.csv", "connection_options.csv", "site_requests.csv",
                "site_catalog.csv")
#: a scenario's own owner policies (optional)
POLICY_TABLE = "owner_policies.csv"


def input_files(data_dir: Path, scenario_dir: Path, plan: str | None = None
                ) -> dict[str, Path]:
    """Every file a run of this scenario may read, by its name inside a scenario folder
    (`plan.csv` or `plans/NAME.csv`, `grid/lines.csv`, ...) -> the file the rule picks."""
    check_dir(scenario_dir, "scenario directory")
    check_dir(data_dir, "data directory")
    files = {}
    for name in (*TABLES, *OTHER_TABLES):
        path = table_path(name, data_dir, scenario_dir, plan)
        if name == "plan.csv" and plan:
            _check_named_plan(path, scenario_dir)
        key = f"plans/{plan}.csv" if name == "plan.csv" and plan else name
        files[key] = check_file(path)
    for optional in (OBSERVED_TABLE, POLICY_TABLE):    # only some scenarios have them
        found = locate(optional, data_dir, scenario_dir)
        if present(found):
            files[optional] = check_file(found)
    for folder in FOLDERS:
        located = locate(folder, data_dir, scenario_dir)
        for path in sorted(located.glob("*.csv")):
            files[f"{folder}/{path.name}"] = check_file(path)
    return files


def load_inputs(data_dir: Path, scenario_dir: Path, start: dt.date, horizon_end: dt.date,
                burn_in_days: float, grid: GridConfig | None = None, plan: str | None = None,
                moves: list[dict] | None = None, hardware: HardwareConfig | None = None,
                policy: PolicyConfig | None = None, as_of: bool = False,
                options: OptionsConfig | None = None,
                candidates: list[Request] | None = None) -> Inputs:
    """Load, type and cross-check every table of a run.

    `plan` picks `plans/<plan>.csv` instead of `plan.csv`; `moves` then edit it. In such
    what-ifs an owner may use a site that sites.csv does not list for it (a warning).
    `hardware` scales rack power and sets the roadmap lag; `policy` gives owners' policies
    (None: every owner `fixed`). `candidates`: sites given by coordinates and MW whose
    connections are derived and reported (sim/inputs/site_requests.py).
    `as_of`: the run starts at `start` from the scenario's observed_state.csv (what had
    happened by then, held fixed); deliveries.csv then lists only later arrivals.
    """
    paths = _paths(data_dir, scenario_dir, plan)
    inputs = _records({name: schemas.read(paths[name], name) for name in TABLES}, paths,
                      start, horizon_end, burn_in_days, as_of)
    inputs = with_derived(inputs, locate("grid", data_dir, scenario_dir),
                          locate("connection_options.csv", data_dir, scenario_dir),
                          locate("site_requests.csv", data_dir, scenario_dir),
                          locate("site_catalog.csv", data_dir, scenario_dir), candidates or [])
    inputs = resolve_steps(inputs, locate("grid", data_dir, scenario_dir),
                           paths["site_connections.csv"], dict(grid.shift_days) if grid else {})
    inputs = _with_hardware(inputs, locate("hardware_roadmap.csv", data_dir, scenario_dir),
                            hardware or HardwareConfig())
    inputs = _with_named_halls(inputs, moves or [], paths["plan.csv"], data_dir, scenario_dir)
    if moves:
        inputs = replace(inputs, plan=apply_moves(inputs, moves))
    observed_rows = None
    if as_of:
        observed_path = _observed_path(data_dir, scenario_dir)
        state, observed_rows = read_observed(observed_path, inputs, start, burn_in_days)
        inputs = replace(inputs, observed=state)
    check_references(inputs, paths, strict_owners=not (plan or moves))
    if policy is not None:
        inputs = _with_policies(inputs, policy, data_dir, scenario_dir)
    warn_over_ceiling(inputs, paths["plan.csv"])
    inputs = replace(inputs, plants=build_plants(inputs, data_dir, scenario_dir,
                                                 paths["sites.csv"]))
    if grid is not None and grid.enabled:
        inputs = replace(inputs, grid=grid_setup(inputs, data_dir, scenario_dir, grid))
    if grid is not None and grid.assessment.enabled:
        path = locate("site_assessments.csv", data_dir, scenario_dir)
        inputs = replace(inputs, assessment_requests=assessment_requests(inputs, path, grid))
    if observed_rows is not None:
        inputs = hold_observed(observed_path, inputs, observed_rows,
                               assessment=grid is not None and grid.assessment.enabled)
    if options is not None and any_option(options):
        inputs = with_options(inputs, options, option_catalogue(inputs, data_dir, scenario_dir))
    return inputs


def _with_named_halls(inputs: Inputs, moves: list[dict], plan_path: Path, data_dir: Path,
                      scenario_dir: Path) -> Inputs:
    """Colocation halls that plan rows or moves name as sites join the run's sites."""
    named = [(r.owner, r.site, f"{plan_path}: row {n}, column 'site'")
             for n, r in enumerate(inputs.plan, start=2 + comment_lines(plan_path))]
    named += [(m.get("owner"), m.get("to_site"), f"config key 'moves[{k}]'")
              for k, m in enumerate(moves)]
    if all(site in inputs.sites for _, site, _ in named):
        return inputs
    # the halls' owner lists are checked against the run's owners where a hall is named
    rows = schemas.read(locate("colocation_halls.csv", data_dir, scenario_dir),
                        "colocation_halls.csv")
    return with_named_halls(inputs, named, rows)


def option_catalogue(inputs: Inputs, data_dir: Path, scenario_dir: Path):
    """The run's option tables (sim/data/options/ or the scenario's copy)."""
    return read_catalogue(locate("options", data_dir, scenario_dir),
                          set(inputs.sites) | embedded_sites())


def _observed_path(data_dir: Path, scenario_dir: Path) -> Path:
    path = locate(OBSERVED_TABLE, data_dir, scenario_dir)
    if not path.is_file():
        raise InputError(f"config key 'as_of': {scenario_dir / OBSERVED_TABLE} not found (a "
                         "run from as_of starts from the scenario's observed state)")
    return path


def _with_hardware(inputs: Inputs, roadmap_path: Path, hardware: HardwareConfig) -> Inputs:
    skus = {name: replace(sku, it_kw_per_unit=sku.it_kw_per_unit * hardware.rack_power_factor)
            for name, sku in inputs.skus.items()}
    return replace(inputs, skus=skus, roadmap=read_roadmap(roadmap_path),
                   korea_lag_quarters=hardware.korea_lag_quarters)


def _with_policies(inputs: Inputs, policy: PolicyConfig, data_dir: Path,
                   scenario_dir: Path) -> Inputs:
    """Owners' policies (the scenario's owner_policies.csv, then config `policy.owners`); the
    colocation halls join the run's sites when an owner re-sites."""
    for owner in policy.owners:
        if owner not in inputs.owners:
            raise InputError(f"config key 'policy.owners.{owner}': unknown owner {owner!r} "
                             f"(known: {', '.join(inputs.owners)})")
    stated = scenario_policies(scenario_dir / POLICY_TABLE, set(inputs.owners))
    by_owner = {owner: policy.all or policy.owners.get(owner, stated.get(owner, policy.default))
                for owner in inputs.owners}
    inputs = replace(inputs, policies=Policies(
        by_owner, policy.defer.window_days, policy.defer.max_deferral_days,
        policy.resite.idle_threshold_days))
    resiting = {o for o, p in by_owner.items() if p == "resite"}
    if not (resiting and policy.resite.colocation):
        return inputs
    path = locate("colocation_halls.csv", data_dir, scenario_dir)
    return with_halls(inputs, read_halls(path, set(inputs.owners)), resiting)


def scenario_policies(path: Path, owners: set[str]) -> dict[str, str]:
    """owner -> policy from a scenario's owner_policies.csv (empty if it has none)."""
    if not path.is_file():
        return {}
    out = {}
    for number, row in enumerate(schemas.read(path, "owner_policies.csv"),
                                 start=2 + comment_lines(path)):
        if row["owner"] not in owners:
            raise InputError(f"{path}: row {number}, column 'owner': unknown owner "
                             f"{row['owner']!r}")
        if row["policy"] not in POLICIES:
            raise InputError(f"{path}: row {number}, column 'policy': unknown policy "
                             f"{row['policy']!r} (expected one of {', '.join(POLICIES)})")
        out[row["owner"]] = row["policy"]
    return out


def _paths(data_dir: Path, scenario_dir: Path, plan: str | None) -> dict[str, Path]:
    check_dir(scenario_dir, "scenario directory")
    check_dir(data_dir, "data directory")
    paths = {name: table_path(name, data_dir, scenario_dir, plan) for name in TABLES}
    if plan:
        _check_named_plan(paths["plan.csv"], scenario_dir)
    return paths


def _check_named_plan(path: Path, scenario_dir: Path) -> None:
    if not present(path):
        found = sorted(p.stem for p in (scenario_dir / "plans").glob("*.csv"))
        raise InputError(f"config key 'plan': {path} not found (plans of this "
                         f"scenario: {', '.join(found) or 'none'})")


def _records(raw: dict[str, list[dict]], paths: dict[str, Path], start: dt.date,
             horizon_end: dt.date, burn_in_days: float, as_of: bool = False) -> Inputs:
    """Typed records of the tables (plants, grid and assessment come later)."""
    horizon_days = float((horizon_end - start).days)

    def day(date: dt.date) -> float:
        return float((date - start).days)

    return Inputs(
        start=start, horizon_days=horizon_days,
        skus={r["sku"]: Sku(r["sku"], r["gpus_per_unit"], r["it_kw_per_unit"],
                            r["liquid_heat_share"], r["network_storage_overhead_share"])
              for r in raw["hardware.csv"]},
        owners={r["owner"]: Owner(r["owner"], r["name"], r["allocation_gpus"])
                for r in raw["owners.csv"]},
        sites={r["site"]: Site(**{k: r[k] for k in Site.__dataclass_fields__})
               for r in raw["sites.csv"]},
        phases=tuple(Phase(r["site"], r["phase"], r["it_mw"], r["liquid_cooling_mw"],
                           r["air_cooling_mw"], day(r["start_date"]), r["permit_days"],
                           r["construction_days"]) for r in raw["site_phases.csv"]),
        connections=tuple(ConnectionStep(r["site"], max(0.0, day(r["date"]))
                                         if r["date"] else math.nan,
                                         r["capacity_mw"], r["project"], r["step"] or "")
                          for r in raw["site_connections.csv"]),
        deliveries=_deliveries(paths["deliveries.csv"], raw["deliveries.csv"], start, as_of),
        plan=tuple(PlanRow(r["owner"], r["site"], r["sku"], r["gpus"])
                   for r in raw["plan.csv"]),
        burn_in_days=burn_in_days, plants={})


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
                as_of: bool = False) -> tuple[Delivery, ...]:
    """Spread each period's GPUs evenly over its months (remainder to the earliest months).

    A month that began before `start` arrives on day 0 (already in the country at start);
    in a run from `as_of` (= start) that is an error: what arrived is in the observed state.
    A month after the horizon is kept and simply never arrives within the run (any horizon is
    valid).
    """
    out = []
    for number, row in enumerate(rows, start=2):
        try:
            months = delivery_months(row["quarter"])
        except ValueError as err:
            raise InputError(f"{path}: row {number}, column 'quarter': {err} "
                             f"(got {row['quarter']!r})") from None
        if as_of and months[0] <= start:
            raise InputError(f"{path}: row {number}, column 'quarter': {row['quarter']} begins "
                             f"by as_of {start}; a run from as_of lists only later arrivals "
                             "(what arrived by then goes in observed_state.csv)")
        base, extra = divmod(row["gpus"], len(months))
        for i, month in enumerate(months):
            day = max(0.0, float((month - start).days))
            gpus = base + (1 if i < extra else 0)
            if gpus:
                out.append(Delivery(row["owner"], day, gpus, day))
    return tuple(sorted(out, key=lambda d: (d.day, d.owner)))
