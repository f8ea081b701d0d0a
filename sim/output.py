"""Result files of a run: result.nc (xarray/NetCDF4), summary.json, status.json; all atomic."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sim.catalog import Inputs
from sim.results import DAYS_PER_MONTH, GATING, MILESTONES_PCT, Series, milestone_day

VARIABLES = {
    "gpus_delivered": (("time", "owner"), "GPU", "GPUs delivered to Korea (cumulative)"),
    "gpus_arrived": (("time", "site", "owner"), "GPU", "GPUs arrived at the site as racks"),
    "gpus_online": (("time", "site", "owner"), "GPU", "GPUs online (past burn-in)"),
    "it_load_mw": (("time", "site"), "MW", "IT load of energised racks"),
    "facility_load_mw": (("time", "site"), "MW", "facility load (IT x PUE)"),
    "power_limit_mw": (("time", "site"), "MW", "local connection capacity (facility MW)"),
    "cooling_limit_mw": (("time", "site"), "MW", "built heat-rejection capacity (MW of heat)"),
    "it_capacity_mw": (("time", "site"), "MW", "built IT space (MW of racks)"),
    "wait_days": (("site", "owner", "cause"), "rack-day", "rack-days waited, by cause"),
    "pue": (("time", "site"), "1", "power usage effectiveness of the month (cooling model)"),
    "energy_mwh": (("time", "site"), "MWh", "facility energy in the month beginning at time"),
    "cost_krw": (("time", "site"), "KRW", "electricity cost in the month beginning at time"),
    "emissions_tco2": (("time", "site"), "tCO2e", "grid emissions in the month (location-based)"),
    "idle_gpu_months": (("site", "owner"), "GPU-month",
                        "GPU-months between arrival at the site and online (or the horizon)"),
}


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write via a temporary file in the same directory, then rename over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> None:
    """Rows as CSV, atomically; None is written as an empty cell, unknown keys are dropped."""
    def write(tmp: Path) -> None:
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns or list(rows[0]),
                                    extrasaction="ignore")
            writer.writeheader()
            writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
    atomic_write(path, write)


def write_json(path: Path, payload: dict) -> None:
    text = json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def to_dataset(series: Series, inputs: Inputs, attrs: dict):
    """The replication as an xarray Dataset with units and long names on every variable."""
    import xarray as xr

    times = np.datetime64(inputs.start, "ns") + (series.time_days * 86400e9).astype(
        "timedelta64[ns]")
    data_vars = {}
    for name, (dims, units, long_name) in VARIABLES.items():
        data_vars[name] = (dims, getattr(series, name), {"units": units, "long_name": long_name})
    coords = {"time": times, "site": series.sites, "owner": series.owners,
              "cause": series.causes}
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
            "(N-1 if grid.n1)"})
    ds = xr.Dataset(
        data_vars,
        coords=coords,
        attrs={k: (v if isinstance(v, (int, float, str)) else json.dumps(v))
               for k, v in attrs.items()},
    )
    return ds


def write_dataset(ds, path: Path, encoding: dict | None = None) -> None:
    atomic_write(path, lambda tmp: ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding))


def iso(inputs: Inputs, day: float | None) -> str | None:
    return None if day is None else inputs.date_of(day).isoformat()


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
    out = {}
    done = series.units.online_day <= inputs.horizon_days
    for j, site in enumerate(series.sites):
        planned = inputs.planned_gpus(site=site)
        if not planned:
            continue
        waits = series.wait_days[j].sum(axis=0)
        gating = {c: float(w) for c, w in zip(series.causes, waits, strict=True)
                  if c in GATING}
        worst = max(gating, key=gating.get) if gating else None
        out[site] = {
            "gpus_planned": planned,
            "gpus_online_at_horizon": int(series.units.gpus[done & (series.units.site == j)]
                                          .sum()),
            "binding_constraint": worst if worst and gating[worst] > 0 else "none",
            "full_operation": iso(inputs, site_full_day(series, j, planned,
                                                        inputs.horizon_days)),
            "wait_rack_days": {c: round(float(w), 3) for c, w in
                               zip(series.causes, waits, strict=True)},
            "binding_lines": sorted(series.binding_lines.get(site, {}),
                                    key=lambda line: -series.binding_lines[site][line]),
        }
    return out


def energy_summary(series: Series, inputs: Inputs, gpu_hour_value_krw: float) -> dict:
    """Energy, cost and emissions per calendar year; idle GPU-months per owner and value."""
    years = np.array([inputs.date_of(day).year for day in series.time_days])
    annual = {}
    for year in np.unique(years):
        rows = years == year
        annual[str(year)] = {
            "energy_twh": round(float(series.energy_mwh[rows].sum()) / 1e6, 6),
            "cost_krw_bn": round(float(series.cost_krw[rows].sum()) / 1e9, 3),
            "emissions_kt_co2": round(float(series.emissions_tco2[rows].sum()) / 1e3, 3)}
    idle = series.idle_gpu_months.sum(axis=0)
    return {
        "annual": annual,
        "idle_gpu_months": {o: round(float(v), 1) for o, v in zip(series.owners, idle,
                                                                  strict=True)},
        "idle_value_krw_bn": round(float(idle.sum()) * DAYS_PER_MONTH * 24
                                   * gpu_hour_value_krw / 1e9, 3),
        "gpu_hour_value_krw": gpu_hour_value_krw,
    }


def summary(series: Series, inputs: Inputs, meta: dict, gpu_hour_value_krw: float) -> dict:
    return {
        **meta,
        "replications": 1,
        "start": inputs.start.isoformat(),
        "horizon_end": iso(inputs, inputs.horizon_days),
        "target_gpus": inputs.target_gpus,
        "milestones": milestones(series, inputs),
        "online_at_horizon": online_at(series, inputs, inputs.horizon_days),
        "sites": site_summary(series, inputs),
        "energy": energy_summary(series, inputs, gpu_hour_value_krw),
    }


def created_stamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
