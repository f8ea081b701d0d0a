"""Outputs of a single (deterministic) run: the result.nc dataset and summary.json."""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.inputs.energy import Prices
from sim.inputs.records import Inputs
from sim.outputs.connections import connections_summary
from sim.outputs.notes import horizon_notes
from sim.outputs.variables import VARIABLES, iso, site_coords, time_coord
from sim.results.accounting import annual_totals, idle_value_krw_bn
from sim.results.critical_path import Why, sentence
from sim.results.online import online_at as online_at_dates
from sim.results.policy_outcome import owner_outcome
from sim.results.series import MILESTONES_PCT, Series, milestone_day
from sim.results.waits import binding_constraint


def to_dataset(series: Series, inputs: Inputs):
    """The replication as an xarray Dataset with units and long names on every variable."""
    import xarray as xr  # lazy: a run that writes nothing never pays for xarray

    data_vars = {name: (dims, getattr(series, name), {"units": units, "long_name": long_name})
                 for name, (dims, units, long_name) in VARIABLES.items()}
    coords = {"time": time_coord(inputs, series.time_days), "site": series.sites,
              "owner": series.owners, "cause": series.causes,
              **site_coords(inputs, series.sites)}
    if series.binding is not None:
        data_vars["binding"] = (("time", "site"), series.binding, {
            "units": "1", "long_name": "limit holding the site's waiting racks at the time "
            "(none: nothing waits)"})
    if series.line_loading is not None:
        coords["line"] = series.line_ids
        data_vars["line_loading"] = (("time", "line"), series.line_loading, {
            "units": "1", "long_name": "line flow as a fraction of rating, worst of N-0 and N-1 "
            "(N-0 alone if grid.n1=false); NaN before the line exists"})
        data_vars["bus_headroom_mw"] = (("time", "site"), series.bus_headroom_mw, {
            "units": "MW", "long_name": "extra load the backbone can take at the site's bus "
            "(N-1 if grid.n1); with the dispatched grid: the site's admitted MW not yet used"})
    if series.grid_view is not None:
        grid_variables(series.grid_view, data_vars, coords, inputs.start.isoformat())
    return xr.Dataset(data_vars, coords=coords)


def grid_variables(view, data_vars: dict, coords: dict, start: str) -> None:
    """The dispatched grid's monthly state and the time-to-power map."""
    coords.update(
        kind=("kind", view.kinds, {"long_name": "kind of generating unit (fuels.csv)"}),
        link=("link", view.links, {"long_name": "HVDC link id (lines.csv, projects.csv)"}),
        bus=("bus", view.buses, {"long_name": "backbone bus id (grid/buses.csv)"}),
        bus_lat=("bus", view.bus_lat, {"units": "degrees_north", "long_name": "bus latitude",
                                       "standard_name": "latitude"}),
        bus_lon=("bus", view.bus_lon, {"units": "degrees_east", "long_name": "bus longitude",
                                       "standard_name": "longitude"}),
        bus_kv=("bus", view.bus_kv, {"units": "kV", "long_name": "bus voltage level"}))
    add = lambda name, dims, values, units, text: data_vars.__setitem__(  # noqa: E731
        name, (dims, values, {"units": units, "long_name": text}))
    add("dispatch_mw", ("time", "kind"), view.dispatch_mw, "MW",
        "output at the summer peak of the month's year, security-constrained dispatch")
    add("hvdc_mw", ("time", "link"), view.hvdc_mw, "MW",
        "HVDC setpoint from bus0 to bus1 in that dispatch (NaN before the link exists)")
    add("site_hosting_mw", ("time", "site"), view.site_hosting_mw, "MW",
        "hosting capacity at the site's bus: extra load the dispatch programme could still "
        "take there, every admitted request held (N-1 if grid.n1)")
    add("competing_firm_mw", "time", view.firm_load_mw, "MW",
        "firm competing load in service (operating or approved)")
    add("competing_queued_mw", "time", view.queued_mw, "MW",
        "queued competing load asking for connection")
    add("competing_admitted_mw", "time", view.admitted_mw, "MW",
        "queued competing load admitted by the grid (the rest waits)")
    add("load_shed_mw", "time", view.shed_mw, "MW",
        "demand the secure dispatch cannot serve (0 in a secure state)")
    add("time_to_power", "bus", view.time_to_power_day, f"days since {start}",
        f"first month the bus can take {view.block_mw:g} MW more (NaN: not within the run)")
    data_vars["time_to_power"][2]["block_mw"] = view.block_mw


def milestones(series: Series, inputs: Inputs) -> dict[str, dict[str, str | None]]:
    """Dates when 25/50/90/100 % of the total and of each owner are online."""
    out = {"total": _milestones_of(series.online_day_total, series.online_gpus_sorted,
                                   inputs.target_gpus, inputs)}
    order = np.argsort(series.units.online_day, kind="stable")
    owner_of = series.units.owner[order]
    for i, owner in enumerate(series.owners):
        mask = owner_of == i
        planned = inputs.planned_gpus(owner=owner)
        out[owner] = _milestones_of(series.online_day_total[mask],
                                    series.online_gpus_sorted[mask], planned, inputs)
    return out


def _milestones_of(days, gpus, target, inputs: Inputs) -> dict[str, str | None]:
    return {str(p): iso(inputs, milestone_day(days, gpus, target * p / 100,
                                              inputs.horizon_days))
            for p in MILESTONES_PCT}


def online_at(series: Series, inputs: Inputs, day: float) -> dict[str, int]:
    done = series.units.online_day <= day
    out = {"total": int(series.units.gpus[done].sum())}
    for i, owner in enumerate(series.owners):
        out[owner] = int(series.units.gpus[done & (series.units.owner == i)].sum())
    return out


def site_full_day(series: Series, j: int, planned: int, horizon_days: float) -> float | None:
    """Exact day all `planned` GPUs of site `j` are online, None if not by the horizon."""
    mask = series.units.site == j
    order = np.argsort(series.units.online_day[mask], kind="stable")
    return milestone_day(series.units.online_day[mask][order], series.units.gpus[mask][order],
                         planned, horizon_days)


def site_summary(series: Series, inputs: Inputs) -> dict[str, dict]:
    """Per site with GPUs bound for it (after re-siting): its date of full operation and the
    cause that set it."""
    out = {}
    done = series.units.online_day <= inputs.horizon_days
    for j, site in enumerate(series.sites):
        target = series.site_targets.get(site, 0)
        if not target:
            continue
        waits = series.wait_days[j].sum(axis=0)
        why = series.site_whys[site]
        out[site] = {
            "gpus_planned": inputs.planned_gpus(site=site),
            "gpus_assigned": target,
            "gpus_online_at_horizon": int(series.units.gpus[done & (series.units.site == j)]
                                          .sum()),
            "binding_constraint": why.cause,
            "full_operation": iso(inputs, site_full_day(series, j, target,
                                                        inputs.horizon_days)),
            "why": why_entry(why, site, 100, inputs),
            "most_waited": binding_constraint(dict(zip(series.causes, waits, strict=True))),
            "wait_rack_days": {c: round(float(w), 3) for c, w in
                               zip(series.causes, waits, strict=True)},
            "binding_lines": sorted(series.binding_lines.get(site, {}),
                                    key=lambda line: -series.binding_lines[site][line]),
        }
    return out


def why_entry(why: Why, who: str, pct: int, inputs: Inputs) -> dict:
    return {"cause": why.cause, "site": why.site, "event": why.event,
            "cleared": iso(inputs, why.cleared_day),
            "sentence": sentence(why, who, pct, inputs),
            "waits_gpu_days": {c: round(w, 1) for c, w in why.waits_gpu_days.items()}}


def whys(series: Series, inputs: Inputs) -> dict[str, dict[str, dict]]:
    """For the total and each owner, per milestone: the cause that set its date and why."""
    return {who: {str(p): why_entry(w, who, p, inputs) for p, w in by_pct.items()}
            for who, by_pct in series.whys.items()}


def energy_summary(series: Series, inputs: Inputs, gpu_hour_value_krw: float) -> dict:
    """Energy, cost and emissions per calendar year; idle GPU-months per owner and value."""
    years = np.array([inputs.date_of(day).year for day in series.time_days])
    idle = series.idle_gpu_months.sum(axis=0)
    return {
        "annual": annual_totals(years, series.energy_mwh, series.cost_krw,
                                series.emissions_tco2),
        "idle_gpu_months": {o: round(float(v), 1) for o, v in zip(series.owners, idle,
                                                                  strict=True)},
        "idle_value_krw_bn": idle_value_krw_bn(idle, gpu_hour_value_krw),
        "gpu_hour_value_krw": gpu_hour_value_krw,
    }


def summary(series: Series, inputs: Inputs, meta: dict, prices: Prices,
            dates: list[dt.date] | None = None) -> dict:
    """summary.json of one run; `dates`: when to count GPUs online (`online_at_dates`)."""
    miles = milestones(series, inputs)
    horizon_end = iso(inputs, inputs.horizon_days)
    units = series.units
    return {
        **meta,
        "replications": 1,
        "start": inputs.start.isoformat(),
        "horizon_end": horizon_end,
        "target_gpus": inputs.target_gpus,
        "owner_gpus_planned": {o: inputs.planned_gpus(owner=o) for o in inputs.owners},
        "milestones": miles,
        "notes": horizon_notes(miles, horizon_end),
        "online_at_dates": online_at_dates(units.online_day, units.gpus, units.owner,
                                           series.owners, dates or [], inputs.start),
        "why": whys(series, inputs),
        "online_at_horizon": online_at(series, inputs, inputs.horizon_days),
        "sites": site_summary(series, inputs),
        "connections": connections_summary(inputs),
        "policies": owner_outcome(inputs, series.moves, prices),
        "energy": energy_summary(series, inputs, prices.gpu_hour_value_krw),
    }
