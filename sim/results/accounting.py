"""Energy, money, carbon and idle GPUs of a replication, from exact energisation times.

Energy in a month is the integral of the IT load over the month times that month's PUE. With
racks switched on at days e_i with IT w_i, F(t) = sum_{e_i <= t} w_i (t - e_i) is the IT
MW-days up to t, so a month's IT energy is F(end) - F(start): exact, no sampling error.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.inputs.energy import Prices, grid_factor_t_per_mwh
from sim.inputs.records import Inputs

#: Mean month length (365.25 / 12), for GPU-months.
DAYS_PER_MONTH = 30.4375


def month_ends(inputs: Inputs, starts: np.ndarray) -> np.ndarray:
    """Day each sampled month ends (the next month's first day)."""
    ends = []
    for day in starts:
        first = inputs.date_of(day).replace(day=1)
        ends.append(inputs.day_of((first + dt.timedelta(days=32)).replace(day=1)))
    return np.asarray(ends, dtype=float)


def it_mw_days(days: np.ndarray, it_mw: np.ndarray, site: np.ndarray, n_sites: int,
               edges: np.ndarray) -> np.ndarray:
    """F(edge) per site: IT MW-days delivered up to each edge day (edges x site)."""
    out = np.zeros((len(edges), n_sites))
    order = np.argsort(days, kind="stable")
    days, it_mw, site = days[order], it_mw[order], site[order]
    by_site = np.argsort(site, kind="stable")     # each site's units, still in day order
    bounds = np.searchsorted(site[by_site], np.arange(n_sites + 1), side="left")
    for j in range(n_sites):
        mine = by_site[bounds[j]:bounds[j + 1]]
        d, w = days[mine], it_mw[mine]
        cum_w, cum_wd = np.concatenate([[0], np.cumsum(w)]), np.concatenate([[0],
                                                                             np.cumsum(w * d)])
        k = np.searchsorted(d, edges, side="right")
        out[:, j] = edges * cum_w[k] - cum_wd[k]
    return out


def pue_by_month(inputs: Inputs, sites: list[str], starts: np.ndarray) -> np.ndarray:
    months = np.array([inputs.date_of(day).month - 1 for day in starts])
    table = np.array([inputs.plants[s].monthly_pue for s in sites]).T   # 12 x site
    return table[months]


def monthly_energy(inputs: Inputs, sites: list[str], starts: np.ndarray, days: np.ndarray,
                   it_mw: np.ndarray, site: np.ndarray, pue: np.ndarray) -> np.ndarray:
    """Facility MWh per sampled month and site (the month that begins at each sample)."""
    ends = month_ends(inputs, starts)
    f_start = it_mw_days(days, it_mw, site, len(sites), starts)
    f_end = it_mw_days(days, it_mw, site, len(sites), ends)
    return (f_end - f_start) * 24.0 * pue


def emissions_t(energy_mwh: np.ndarray, inputs: Inputs, starts: np.ndarray,
                prices: Prices) -> np.ndarray:
    years = np.array([inputs.date_of(day).year for day in starts], dtype=float)
    return energy_mwh * np.asarray(grid_factor_t_per_mwh(years, prices.grid))[:, None]


def idle_gpu_days(arrival: np.ndarray, online: np.ndarray, gpus: np.ndarray,
                  horizon_days: float) -> float:
    """GPU-days between arrival at the site and online (or the horizon)."""
    stop = np.minimum(online, horizon_days)
    return float(np.sum(gpus * np.clip(stop - arrival, 0.0, None)))


def annual_totals(years: np.ndarray, energy_mwh: np.ndarray, cost_krw: np.ndarray,
                  emissions_tco2: np.ndarray) -> dict[str, dict[str, float]]:
    """Per calendar year of the monthly samples: TWh, bn KRW and kt CO2e, rounded."""
    return {str(year): {
        "energy_twh": round(float(energy_mwh[years == year].sum()) / 1e6, 6),
        "cost_krw_bn": round(float(cost_krw[years == year].sum()) / 1e9, 3),
        "emissions_kt_co2": round(float(emissions_tco2[years == year].sum()) / 1e3, 3)}
        for year in np.unique(years)}


def idle_value_krw_bn(idle_gpu_months: np.ndarray, gpu_hour_value_krw: float) -> float:
    """Value of idle GPU-months at the GPU-hour value, bn KRW, rounded."""
    hours = float(np.sum(idle_gpu_months)) * DAYS_PER_MONTH * 24
    return round(hours * gpu_hour_value_krw / 1e9, 3)
