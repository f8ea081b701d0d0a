"""Column schemas of every table the simulator reads, with the key columns that must be unique.

One place for all of them: catalog tables (sites, phases, plan, ...), the grid, cooling,
climate and energy parameters. `read(path, name)` reads, parses and checks uniqueness.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.core import tables as t

_LINE = {"line": t.text, "bus0": t.count, "bus1": t.count, "kv": t.positive_count,
         "circuits": t.positive_count, "length_km": t.nonneg,
         "rating_mw": t.positive, "x_pu": t.nonneg, "setpoint_mw": t.real,
         "kind": t.choice("ac", "transformer", "hvdc")}
_C = t.celsius  # a temperature, deg C
#: what a site is today (sites.csv `status`)
SITE_STATUSES = ("concept", "planned", "under_construction", "operating")
#: KEPCO impact assessment outcomes a scenario may state (site_assessments.csv `status`)
ASSESSMENT_STATUSES = ("passed",)

SCHEMAS: dict[str, dict[str, t.Parser]] = {
    "hardware.csv": {"sku": t.text, "gpus_per_unit": t.positive_count,
                     "it_kw_per_unit": t.positive, "liquid_heat_share": t.fraction,
                     "network_storage_overhead_share": t.nonneg, "source": t.text},
    "owner_policies.csv": {"owner": t.text, "policy": t.text, "source": t.text},
    "hardware_roadmap.csv": {"family": t.text, "sku": t.text, "first_quarter": t.quarter,
                             "last_quarter": t.quarter, "source": t.text},
    "colocation_halls.csv": {"hall_id": t.text, "operator": t.text, "name": t.text,
                             "lat": t.real, "lon": t.real, "province": t.text,
                             "capital_region": t.boolean, "it_mw_total": t.positive,
                             "it_mw_available": t.nonneg, "available_from": t.iso_date,
                             "liquid_capable": t.boolean, "max_rack_kw": t.optional(t.positive),
                             "transfer_days": t.nonneg,
                             "colocation_cost_krw_per_kw_month": t.nonneg,
                             "eligible_owners": t.name_list, "design_pue": t.at_least_one,
                             "climate_station": t.text, "crews": t.positive_count,
                             "racks_per_crew_per_day": t.positive,
                             "replaces_site": t.optional(t.text), "source": t.text},
    "owners.csv": {"owner": t.text, "name": t.text, "allocation_gpus": t.positive_count,
                   "source": t.text},
    "sites.csv": {"site": t.text, "name": t.text, "lat": t.latitude,
                  "lon": t.longitude, "province": t.text, "capital_region": t.boolean,
                  "owners": t.name_list, "status": t.choice(*SITE_STATUSES),
                  "climate_station": t.text, "crews": t.positive_count,
                  "racks_per_crew_per_day": t.positive, "ultimate_it_mw": t.positive,
                  "cooling_tech": t.optional(t.text), "design_pue": t.optional(t.at_least_one),
                  "source": t.text},
    "site_phases.csv": {"site": t.text, "phase": t.text, "it_mw": t.positive,
                        "liquid_cooling_mw": t.nonneg, "air_cooling_mw": t.nonneg,
                        "start_date": t.iso_date,
                        "permit_days": t.nonneg, "construction_days": t.nonneg,
                        "source": t.text},
    "site_connections.csv": {"site": t.text, "date": t.optional(t.iso_date),
                             "capacity_mw": t.nonneg, "project": t.text,
                             "step": t.optional(t.text), "source": t.text},
    "site_assessments.csv": {"site": t.text, "status": t.choice(*ASSESSMENT_STATUSES),
                             "source": t.text},
    "deliveries.csv": {"owner": t.text, "quarter": t.text, "gpus": t.count, "source": t.text},
    "plan.csv": {"owner": t.text, "site": t.text, "sku": t.text, "gpus": t.positive_count,
                 "source": t.text},
    #: what had happened by a run's `as_of` (sim/inputs/observed.py); `item` names the phase,
    #: connection step or grid project a row is about ("-" when none)
    "observed_state.csv": {"state_id": t.text, "kind": t.text, "site": t.text,
                           "owner": t.text, "item": t.text, "value": t.nonneg,
                           "unit": t.text, "date": t.iso_date, "source": t.text},
    #: observations a forecast is scored against (tools/validate.py, forecast skill)
    "observations.csv": {"obs_id": t.text, "quantity": t.text, "site": t.text,
                         "owner": t.text, "item": t.text, "date_observed": t.iso_date,
                         "value": t.text,
                         "unit": t.text, "label": t.text, "depends_on": t.text,
                         "source": t.text},
    "grid/buses.csv": {"bus": t.count, "kv": t.positive_count, "lon": t.longitude,
                       "lat": t.latitude,
                       "province": t.text, "load_mw": t.nonneg, "gen_mw": t.nonneg,
                       "pmax_mw": t.nonneg, "reserve_mw": t.nonneg},
    "grid/lines.csv": _LINE,
    "grid/projects.csv": {"project": t.text, **_LINE, "planned_date": t.iso_date,
                          "delay_median_days": t.positive, "delay_p90_days": t.positive,
                          "source": t.text},
    "grid/site_buses.csv": {"site": t.text, "bus": t.count},
    "grid/generators.csv": {"bus": t.count, "kind": t.text, "installed_mw": t.nonneg,
                            "source": t.text},
    "grid/fuels.csv": {"kind": t.text, "pmin_share": t.fraction, "pmax_share": t.fraction,
                       "pmax_share_new": t.fraction, "merit_cost": t.nonneg, "source": t.text},
    "grid/demand_national.csv": {"path": t.text, "year": t.positive_count,
                                 "peak_mw": t.positive, "source": t.text},
    "grid/demand_provinces.csv": {"province": t.text, "year": t.positive_count,
                                  "peak_share": t.fraction, "mainland": t.boolean,
                                  "source": t.text},
    "grid/plan_allowances.csv": {"component": t.text, "year": t.positive_count,
                                 "mw": t.nonneg, "source": t.text},
    "grid/fleet_changes.csv": {"unit": t.text, "kind": t.text,
                               "province": t.optional(t.text),
                               "bus": t.optional(t.count), "change": t.choice("add", "retire"),
                               "mw": t.nonneg, "date": t.iso_date,
                               "commissioned_year": t.optional(t.positive_count),
                               "status": t.choice("O", "C", "D", "P"),
                               "scenario": t.text, "source": t.text},
    "grid/competing_loads.csv": {"load": t.text, "kind": t.text, "province": t.text,
                                 "bus": t.optional(t.count), "mw": t.nonneg,
                                 "date": t.iso_date,
                                 "status": t.choice("operating", "approved", "applied",
                                                    "speculative"),
                                 "p_materialise": t.fraction,
                                 "filed_date": t.optional(t.iso_date),
                                 "in_base_2024": t.choice("no", "likely"), "source": t.text},
    "cooling.csv": {"technology": t.text, "ambient": t.text,
                    **{c: _C for c in ("facility_water_supply_c", "air_loop_supply_c",
                                       "rated_ambient_c")},
                    **{c: t.positive for c in ("loop_range_c", "chiller_carnot_eff",
                                               "chiller_cop_max", "fan_span_c")},
                    **{c: t.nonneg for c in ("approach_c", "condenser_lift_c", "derate_per_c",
                                             "fan_pump_fraction", "overhead_fraction",
                                             "ambient_spread_c", "water_l_per_kwh")},
                    "min_capacity_fraction": t.fraction, "fan_pump_min_share": t.fraction,
                    "pue_annual_low": t.at_least_one, "pue_annual_high": t.at_least_one,
                    "source": t.text},
    "climate/stations_monthly.csv": {"station": t.text, "month": t.month, "t_mean_c": _C,
                                     "wetbulb_mean_c": _C, "sea_proxy_c": _C},
    "climate/stations_design.csv": {"station": t.text, "design_wetbulb_c": _C,
                                    "design_drybulb_c": _C, "design_sea_c": _C,
                                    "annual_mean_t_c": _C},
    "energy.csv": {"parameter": t.text, "value": t.real, "unit": t.text, "source": t.text},
    "geo/rings": {"lon": t.longitude, "lat": t.latitude, "ring": t.text},
    "display_names.csv": {"kind": t.text, "id": t.text, "name_en": t.text,
                          "name_ko": t.optional(t.text), "source": t.text},
}

KEYS: dict[str, tuple[str, ...]] = {
    "hardware.csv": ("sku",), "hardware_roadmap.csv": ("sku",), "owner_policies.csv": ("owner",),
    "colocation_halls.csv": ("hall_id",), "owners.csv": ("owner",), "sites.csv": ("site",),
    "site_phases.csv": ("site", "phase"), "site_connections.csv": ("site", "project"),
    "site_assessments.csv": ("site",),
    "deliveries.csv": ("owner", "quarter"), "plan.csv": ("owner", "site", "sku"),
    "observed_state.csv": ("state_id",), "observations.csv": ("obs_id",),
    "grid/buses.csv": ("bus",), "grid/lines.csv": ("line",), "grid/projects.csv": ("project",),
    "grid/site_buses.csv": ("site",), "grid/generators.csv": ("bus", "kind"),
    "grid/fuels.csv": ("kind",), "grid/demand_national.csv": ("path", "year"),
    "grid/demand_provinces.csv": ("province", "year"),
    "grid/plan_allowances.csv": ("component", "year"), "grid/competing_loads.csv": ("load",),
    "cooling.csv": ("technology",),
    "climate/stations_monthly.csv": ("station", "month"),
    "climate/stations_design.csv": ("station",), "energy.csv": ("parameter",),
    "display_names.csv": ("kind", "id"),
}


def read(path: Path, name: str) -> list[dict[str, Any]]:
    """Rows of table `name` (a key of SCHEMAS) read from `path`, keys checked unique."""
    rows = t.read_table(path, SCHEMAS[name])
    if name in KEYS:
        t.unique(path, rows, *KEYS[name])
    return rows
