"""Turn a replication's RunLog into monthly series, wait attribution and milestone dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np

from sim.inputs.energy import Prices, default_prices
from sim.inputs.records import Inputs
from sim.model.policies import Move
from sim.model.rollout import RunLog
from sim.results.accounting import (
    DAYS_PER_MONTH,
    emissions_t,
    idle_gpu_days,
    monthly_energy,
    pue_by_month,
)
from sim.results.critical_path import Why, why_milestone, whys_of
from sim.results.gridview import GridView, grid_view
from sim.results.policy_outcome import site_targets
from sim.results.waits import binding_by_month, gate_waits

MILESTONES_PCT = (25, 50, 90, 100)


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
    #: the dated grid's monthly states (single runs with a dispatched grid)
    grid_view: GridView | None = None
    binding: np.ndarray | None = None          # time x site: cause holding the site, or "none"
    #: what owner policies moved, and the GPUs each site ends up with
    moves: list[Move] = field(default_factory=list)
    site_targets: dict[str, int] = field(default_factory=dict)
    #: why each milestone date: {who: {pct: Why}} (who = total and owners), {site: Why}
    whys: dict[str, dict[int, Why]] = field(default_factory=dict)
    site_whys: dict[str, Why] = field(default_factory=dict)


def month_days(inputs: Inputs) -> np.ndarray:
    """Sample days: the start (day 0), then the first of every month to the horizon end."""
    days, date = [0.0], inputs.start.replace(day=1)
    while (day := inputs.day_of(date)) <= inputs.horizon_days:
        if day > 0:
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
    by_site: dict[str, list[tuple[float, float]]] = {}
    for s, k, day, level in steps:
        if k == kind:
            by_site.setdefault(s, []).append((day, level))
    for j, site in enumerate(sites):
        changes = by_site.get(site)
        if not changes:
            continue
        days = np.array([c[0] for c in changes])
        levels = np.array([c[1] for c in changes])
        slot = np.searchsorted(days, time_days, side="right") - 1
        out[:, j] = np.where(slot >= 0, levels[np.maximum(slot, 0)], 0.0)
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


def idle_months(log: RunLog, inputs: Inputs, sites: list[str], owners: list[str]) -> np.ndarray:
    """GPU-months between arrival and online per site x owner, counted from the run's start
    (in a run from as_of, time idle before as_of is history, not counted)."""
    out = np.zeros((len(sites), len(owners)))
    end = inputs.horizon_days
    site_index = {s: j for j, s in enumerate(sites)}
    owner_index = {o: i for i, o in enumerate(owners)}
    for g in log.energised:
        out[site_index[g.site], owner_index[g.owner]] += idle_gpu_days(
            np.full(len(g.energised_day), max(g.arrival_day, 0.0)),
            g.energised_day + inputs.burn_in_days,
            np.full(len(g.energised_day), g.gpus_per_unit), end)
    for b in log.waiting:
        out[site_index[b.site], owner_index[b.owner]] += idle_gpu_days(
            np.array([max(b.arrival_day, 0.0)]), np.array([np.inf]),
            np.array([b.units * b.gpus_per_unit]), end)
    return out / DAYS_PER_MONTH


def build_series(log: RunLog, inputs: Inputs, prices: Prices | None = None,
                 whole: bool = True) -> Series:
    """The replication's series; `whole`=False leaves out what an ensemble does not keep
    (the grid samples and view, the monthly binding cause, the 'why' of milestones < 100 %)."""
    series = _build_series(log, inputs, prices)
    targets = site_targets(inputs, log.moves)
    site_whys = {site: why_milestone(log, inputs, n, site=site) for site, n in targets.items()}
    if not whole:
        return replace(series, moves=list(log.moves), site_targets=targets,
                       whys=milestone_whys(log, inputs, (100,)), site_whys=site_whys)
    lines, loading, headroom = grid_series(log, series.time_days, len(series.sites))
    view = grid_view(inputs, log.grid_keys, series.time_days, series.sites)
    return replace(series, line_ids=lines, line_loading=loading, bus_headroom_mw=headroom,
                   binding=binding_by_month(log, inputs, series.sites, series.time_days),
                   grid_view=view, moves=list(log.moves), site_targets=targets,
                   whys=milestone_whys(log, inputs), site_whys=site_whys)


def milestone_whys(log: RunLog, inputs: Inputs, pcts: tuple[int, ...] = MILESTONES_PCT
                   ) -> dict[str, dict[int, Why]]:
    """Why each milestone (`pcts` %) of the total and of each owner was reached when it was."""
    targets = {"total": (inputs.target_gpus, None),
               **{o: (inputs.planned_gpus(owner=o), o) for o in inputs.owners}}
    return {who: dict(zip(pcts, whys_of(log, inputs, [n * p / 100 for p in pcts], owner),
                          strict=True))
            for who, (n, owner) in targets.items()}


def _build_series(log: RunLog, inputs: Inputs, prices: Prices | None) -> Series:
    prices = prices or default_prices()
    sites, owners, causes = list(inputs.sites), list(inputs.owners), list(log.causes)
    time_days = month_days(inputs)
    units = units_table(log, sites, owners, inputs.burn_in_days)
    counts = _counts(log, inputs, units, sites, owners, time_days)
    it_load = cumulative(units.energised_day, units.it_mw, units.site, len(sites), time_days)
    pue = pue_by_month(inputs, sites, time_days)
    energy = monthly_energy(inputs, sites, time_days, units.energised_day, units.it_mw,
                            units.site, pue)
    order = np.argsort(units.online_day, kind="stable")
    return Series(
        time_days=time_days, sites=sites, owners=owners, causes=causes, **counts,
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


def _counts(log: RunLog, inputs: Inputs, units: Units, sites: list[str], owners: list[str],
            time_days: np.ndarray) -> dict[str, np.ndarray]:
    """GPUs delivered (time x owner), arrived and online (time x site x owner), cumulative."""
    n_so = len(sites) * len(owners)
    owner_index = {o: i for i, o in enumerate(owners)}
    site_index = {s: j for j, s in enumerate(sites)}
    events = [*(inputs.observed.arrived if inputs.observed else ()), *inputs.deliveries]
    delivered = cumulative(
        np.array([d.day for d in events]),
        np.array([d.gpus for d in events], dtype=float),
        np.array([owner_index[d.owner] for d in events], dtype=int),
        len(owners), time_days)
    arrived = cumulative(
        np.array([b.arrival_day for b in log.arrivals]),
        np.array([b.units * b.gpus_per_unit for b in log.arrivals], dtype=float),
        np.array([site_index[b.site] * len(owners) + owner_index[b.owner]
                  for b in log.arrivals], dtype=int), n_so, time_days)
    so_cell = units.site * len(owners) + units.owner
    online = cumulative(units.online_day, units.gpus.astype(float), so_cell, n_so, time_days)
    shape3 = (len(time_days), len(sites), len(owners))
    return {"gpus_delivered": np.rint(delivered).astype(np.int64),
            "gpus_arrived": np.rint(arrived).astype(np.int64).reshape(shape3),
            "gpus_online": np.rint(online).astype(np.int64).reshape(shape3)}


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
