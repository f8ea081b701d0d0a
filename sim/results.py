"""Turn a replication's RunLog into monthly series, wait attribution and milestone dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np

from sim.accounting import Prices, emissions_t, idle_gpu_days, monthly_energy, pue_by_month
from sim.catalog import Inputs
from sim.energy import load_defaults
from sim.model import RunLog

MILESTONES_PCT = (25, 50, 90, 100)
#: Mean month length (365.25 / 12), for GPU-months.
DAYS_PER_MONTH = 30.4375
#: Causes that gate a rack; install and burn-in are fixed stages, not binding constraints.
GATING = ("space", "power", "local_power", "grid", "assessment", "cooling")


@dataclass(frozen=True)
class Units:
    """One entry per rack/server that passed the gate."""

    site: np.ndarray
    owner: np.ndarray
    gpus: np.ndarray
    it_mw: np.ndarray
    energised_day: np.ndarray
    online_day: np.ndarray


@dataclass(frozen=True)
class Series:
    """Everything a replication yields, as arrays indexed by the coordinate lists."""

    time_days: np.ndarray
    sites: list[str]
    owners: list[str]
    causes: list[str]
    gpus_delivered: np.ndarray   # time x owner
    gpus_arrived: np.ndarray     # time x site x owner
    gpus_online: np.ndarray      # time x site x owner
    it_load_mw: np.ndarray       # time x site
    facility_load_mw: np.ndarray  # time x site
    power_limit_mw: np.ndarray   # time x site
    cooling_limit_mw: np.ndarray  # time x site
    it_capacity_mw: np.ndarray   # time x site
    wait_days: np.ndarray        # site x owner x cause (rack-days)
    pue: np.ndarray              # time x site, PUE of the month
    energy_mwh: np.ndarray       # time x site, facility energy in the month from the sample
    cost_krw: np.ndarray         # time x site
    emissions_tco2: np.ndarray   # time x site
    idle_gpu_months: np.ndarray  # site x owner, GPU-months between arrival and online
    online_day_total: np.ndarray  # exact online days of each unit, sorted
    online_gpus_sorted: np.ndarray
    units: Units
    line_ids: list[str] = field(default_factory=list)
    line_loading: np.ndarray | None = None     # time x line (NaN before a line exists)
    bus_headroom_mw: np.ndarray | None = None  # time x site
    binding_lines: dict[str, dict[str, int]] = field(default_factory=dict)
    binding: np.ndarray | None = None          # time x site: cause holding the site, or "none"


def month_days(inputs: Inputs) -> np.ndarray:
    """Sample days: the first of every month from start to the horizon end."""
    days, date = [], inputs.start.replace(day=1)
    while (day := inputs.day_of(date)) <= inputs.horizon_days:
        if day >= 0:
            days.append(day)
        date = (date + dt.timedelta(days=32)).replace(day=1)
    return np.asarray(days, dtype=float)


def units_table(log: RunLog, sites: list[str], owners: list[str], burn_in_days: float) -> Units:
    site_index = {s: i for i, s in enumerate(sites)}
    owner_index = {o: i for i, o in enumerate(owners)}
    groups = log.energised
    sizes = np.array([len(g.energised_day) for g in groups], dtype=int)
    energised = (np.concatenate([g.energised_day for g in groups]) if groups
                 else np.zeros(0))
    return Units(
        site=np.repeat([site_index[g.site] for g in groups], sizes).astype(int),
        owner=np.repeat([owner_index[g.owner] for g in groups], sizes).astype(int),
        gpus=np.repeat([g.gpus_per_unit for g in groups], sizes).astype(np.int64),
        it_mw=np.repeat([g.unit_it_mw for g in groups], sizes).astype(float),
        energised_day=energised,
        online_day=energised + burn_in_days,
    )


def cumulative(days: np.ndarray, weights: np.ndarray, cells: np.ndarray, n_cells: int,
               time_days: np.ndarray) -> np.ndarray:
    """time x cell totals of `weights` whose event day is <= each sample day."""
    slot = np.searchsorted(time_days, days, side="left")
    keep = slot < len(time_days)
    flat = np.bincount(slot[keep] * n_cells + cells[keep], weights=weights[keep],
                       minlength=len(time_days) * n_cells)
    return np.cumsum(flat.reshape(len(time_days), n_cells), axis=0)


def step_levels(steps: list[tuple[str, str, float, float]], kind: str, sites: list[str],
                time_days: np.ndarray) -> np.ndarray:
    """time x site level of a step function recorded as (site, kind, day, level) changes."""
    out = np.zeros((len(time_days), len(sites)))
    for j, site in enumerate(sites):
        changes = [(day, level) for s, k, day, level in steps if s == site and k == kind]
        if not changes:
            continue
        days = np.array([c[0] for c in changes])
        levels = np.array([c[1] for c in changes])
        slot = np.searchsorted(days, time_days, side="right") - 1
        out[:, j] = np.where(slot >= 0, levels[np.maximum(slot, 0)], 0.0)
    return out


def binding_timeline(timeline: list[tuple[float, tuple[str, ...]]], end_day: float,
                     causes: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per interval of the site's blocked/unblocked timeline, the binding cause.

    When several limits hold the head block at once, the binding one is the limit that stays
    in the way longest from that moment: lifting the others alone would not have helped.
    Returns breakpoints (n+1), cumulative days per cause at breakpoints (cause x n+1), and the
    binding cause name per interval ('' when nothing waited).
    """
    starts = np.array([day for day, _ in timeline] + [end_day], dtype=float)
    starts = np.minimum(starts, end_day)
    failing = [set(f) for _, f in timeline]
    run_end: dict[str, float] = {}
    binding = [""] * len(failing)
    for i in range(len(failing) - 1, -1, -1):
        for cause in list(run_end):
            if cause not in failing[i]:
                del run_end[cause]
        for cause in failing[i]:
            run_end.setdefault(cause, starts[i + 1])
        if failing[i]:
            order = [c for c in causes if c in failing[i]]
            binding[i] = max(order, key=lambda c: run_end[c])
    widths = np.diff(starts)
    cum = np.zeros((len(causes), len(starts)))
    for k, cause in enumerate(causes):
        cum[k, 1:] = np.cumsum(np.where([b == cause for b in binding], widths, 0.0))
    return starts, cum, binding


def gate_waits(log: RunLog, inputs: Inputs, sites: list[str], owners: list[str],
               causes: list[str]) -> np.ndarray:
    """Rack-days waited per site x owner x cause."""
    out = np.zeros((len(sites), len(owners), len(causes)))
    end = inputs.horizon_days
    site_index = {s: j for j, s in enumerate(sites)}
    owner_index = {o: i for i, o in enumerate(owners)}
    cause_index = {c: i for i, c in enumerate(causes)}
    gating = [c for c in causes if c not in ("install", "burn_in")]
    records = [(g.site, g.owner, g.arrival_day, g.admit_day, len(g.energised_day))
               for g in log.energised]
    records += [(b.site, b.owner, b.arrival_day, end, b.units) for b in log.waiting]
    by_site: dict[str, list] = {}
    for rec in records:
        by_site.setdefault(rec[0], []).append(rec)
    for site, recs in by_site.items():
        starts, cum, _ = binding_timeline(log.timelines.get(site, [(0.0, ())]), end, gating)
        owner = np.array([owner_index[r[1]] for r in recs])
        arrival, admit, n = (np.array([r[k] for r in recs], dtype=float) for k in (2, 3, 4))
        for k, cause in enumerate(gating):
            waited = n * (np.interp(admit, starts, cum[k]) - np.interp(arrival, starts, cum[k]))
            out[site_index[site], :, cause_index[cause]] += np.bincount(
                owner, weights=waited, minlength=len(owners))
    for g in log.energised:
        j, i = site_index[g.site], owner_index[g.owner]
        done = np.minimum(g.energised_day, end)
        out[j, i, cause_index["install"]] += float(np.sum(done - min(g.admit_day, end)))
        burn = np.clip(end - g.energised_day, 0.0, inputs.burn_in_days)
        out[j, i, cause_index["burn_in"]] += float(np.sum(burn))
    return out


def grid_series(log: RunLog, time_days: np.ndarray, n_sites: int
                ) -> tuple[list[str], np.ndarray | None, np.ndarray | None]:
    """Monthly backbone samples as time x line and time x site arrays (None if not taken)."""
    if not log.grid_samples:
        return [], None, None
    lines = sorted({line for _, ids, _, _ in log.grid_samples for line in ids})
    index = {line: k for k, line in enumerate(lines)}
    loading = np.full((len(time_days), len(lines)), np.nan)
    headroom = np.full((len(time_days), n_sites), np.nan)
    slot = {day: t for t, day in enumerate(time_days)}
    for day, ids, values, room in log.grid_samples:
        t = slot[day]
        loading[t, [index[i] for i in ids]] = values
        headroom[t] = room
    return lines, loading, headroom


def default_prices() -> Prices:
    defaults = load_defaults()
    return Prices(defaults.tariff_krw_per_kwh, defaults.gpu_hour_value_krw, defaults)


def idle_months(log: RunLog, inputs: Inputs, sites: list[str], owners: list[str]) -> np.ndarray:
    out = np.zeros((len(sites), len(owners)))
    end = inputs.horizon_days
    for g in log.energised:
        out[sites.index(g.site), owners.index(g.owner)] += idle_gpu_days(
            np.full(len(g.energised_day), g.arrival_day), g.energised_day + inputs.burn_in_days,
            np.full(len(g.energised_day), g.gpus_per_unit), end)
    for b in log.waiting:
        out[sites.index(b.site), owners.index(b.owner)] += idle_gpu_days(
            np.array([b.arrival_day]), np.array([np.inf]),
            np.array([b.units * b.gpus_per_unit]), end)
    return out / DAYS_PER_MONTH


def build_series(log: RunLog, inputs: Inputs, prices: Prices | None = None) -> Series:
    series = _build_series(log, inputs, prices)
    lines, loading, headroom = grid_series(log, series.time_days, len(series.sites))
    return replace(series, line_ids=lines, line_loading=loading, bus_headroom_mw=headroom,
                   binding=binding_by_month(log, inputs, series.sites, series.time_days))


def binding_by_month(log: RunLog, inputs: Inputs, sites: list[str],
                     time_days: np.ndarray) -> np.ndarray:
    """time x site: the cause holding each site's queue at each sample ('none' if nothing
    waits), by the same clears-last rule as the wait attribution."""
    gating = [c for c in log.causes if c not in ("install", "burn_in")]
    out = np.full((len(time_days), len(sites)), "none", dtype=object)
    for j, site in enumerate(sites):
        timeline = log.timelines.get(site, [(0.0, ())])
        starts, _, binding = binding_timeline(timeline, inputs.horizon_days, gating)
        slot = np.searchsorted(starts[:-1], time_days, side="right") - 1
        for t, k in enumerate(slot):
            if k >= 0 and binding[k]:
                out[t, j] = binding[k]
    return out.astype(str)


def _build_series(log: RunLog, inputs: Inputs, prices: Prices | None) -> Series:
    prices = prices or default_prices()
    sites, owners, causes = list(inputs.sites), list(inputs.owners), list(log.causes)
    time_days = month_days(inputs)
    units = units_table(log, sites, owners, inputs.burn_in_days)
    n_so = len(sites) * len(owners)
    owner_index = {o: i for i, o in enumerate(owners)}
    delivered = cumulative(
        np.array([d.day for d in inputs.deliveries]),
        np.array([d.gpus for d in inputs.deliveries], dtype=float),
        np.array([owner_index[d.owner] for d in inputs.deliveries], dtype=int),
        len(owners), time_days)
    arrivals = log.arrivals
    arrived = cumulative(
        np.array([b.arrival_day for b in arrivals]),
        np.array([b.units * b.gpus_per_unit for b in arrivals], dtype=float),
        np.array([sites.index(b.site) * len(owners) + owner_index[b.owner] for b in arrivals],
                 dtype=int), n_so, time_days)
    so_cell = units.site * len(owners) + units.owner
    online = cumulative(units.online_day, units.gpus.astype(float), so_cell, n_so, time_days)
    it_load = cumulative(units.energised_day, units.it_mw, units.site, len(sites), time_days)
    pue = pue_by_month(inputs, sites, time_days)
    energy = monthly_energy(inputs, sites, time_days, units.energised_day, units.it_mw,
                            units.site, pue)
    order = np.argsort(units.online_day, kind="stable")
    shape3 = (len(time_days), len(sites), len(owners))
    return Series(
        time_days=time_days, sites=sites, owners=owners, causes=causes,
        gpus_delivered=np.rint(delivered).astype(np.int64),
        gpus_arrived=np.rint(arrived).astype(np.int64).reshape(shape3),
        gpus_online=np.rint(online).astype(np.int64).reshape(shape3),
        it_load_mw=it_load,
        facility_load_mw=it_load * pue,
        power_limit_mw=step_levels(log.capacity_steps, "power", sites, time_days),
        cooling_limit_mw=step_levels(log.capacity_steps, "cooling", sites, time_days),
        it_capacity_mw=step_levels(log.capacity_steps, "it", sites, time_days),
        wait_days=gate_waits(log, inputs, sites, owners, causes),
        pue=pue,
        energy_mwh=energy,
        cost_krw=energy * 1000.0 * prices.tariff_krw_per_kwh,
        emissions_tco2=emissions_t(energy, inputs, time_days, prices),
        idle_gpu_months=idle_months(log, inputs, sites, owners),
        binding_lines=dict(log.binding_lines),
        online_day_total=units.online_day[order],
        online_gpus_sorted=units.gpus[order],
        units=units,
    )


def milestone_day(online_days: np.ndarray, gpus: np.ndarray, target: float,
                  horizon_days: float) -> float | None:
    """Exact day when cumulative online GPUs first reach `target`; None if not by horizon."""
    if target <= 0:
        return 0.0
    reached = np.cumsum(gpus)
    k = int(np.searchsorted(reached, target - 1e-9, side="left"))
    if k >= len(online_days) or online_days[k] > horizon_days:
        return None
    return float(online_days[k])
