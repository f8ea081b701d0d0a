"""What an option did in a replication: GPU-months online by a user date, and the option's
own KRW and tCO2e (docs/buying_time.md).

- bridge: capex + fuel for the MWh it supplied - the grid tariff those MWh would have cost;
  tCO2e = its MWh x the plant's factor (the brief charges the plant's CO2, ~0.36-0.50 t/MWh).
- direct contract (special zone): the supplier serves the site's load up to mw / 70 % (its
  self-supply rule), its plant at most `mw`; KRW = - discount x tariff x served MWh;
  tCO2e = plant MWh x (plant factor - grid factor of the year). Load above mw / 70 % stays
  with KEPCO [EST simplification].
"""

from __future__ import annotations

import numpy as np

from sim.grid.curtailment import (
    HOURS_PER_YEAR,
    Exposure,
    curtailed_mwh_per_yr,
    curtailed_share,
)
from sim.inputs.energy import Prices, grid_factor_t_per_mwh
from sim.inputs.records import Inputs
from sim.model.rollout import RunLog
from sim.results.accounting import DAYS_PER_MONTH, month_ends
from sim.results.series import Series


def gpu_months_by(series: Series, owner: str | None, day: float) -> float:
    """GPU-months online from each unit's online day to `day` (an owner's, or all)."""
    units = series.units
    mask = (np.ones(len(units.gpus), bool) if owner is None
            else units.owner == series.owners.index(owner))
    span = np.clip(day - units.online_day[mask], 0.0, None)
    return float(np.sum(units.gpus[mask] * span) / DAYS_PER_MONTH)


def bridge_cost(log: RunLog, inputs: Inputs, prices: Prices) -> dict[str, tuple[float, float]]:
    """site -> (KRW, tCO2e) of its bridge."""
    tariff_krw_per_mwh = prices.tariff_krw_per_kwh * 1000.0
    out = {}
    for bridge in inputs.bridges:
        mwh, _ = log.bridges.get(bridge.site, (0.0, None))
        krw = bridge.capex_krw + mwh * (bridge.fuel_krw_per_mwh - tariff_krw_per_mwh)
        out[bridge.site] = (krw, mwh * bridge.t_co2e_per_mwh)
    return out


def served_and_plant(energy_mwh: np.ndarray, hours: np.ndarray, mw: float,
                     self_supply_share: float) -> tuple[np.ndarray, np.ndarray]:
    """MWh the zone supplier serves (up to mw / share of the load) and MWh its plant makes
    (up to mw), per month."""
    served = np.minimum(energy_mwh, mw / self_supply_share * hours)
    return served, np.minimum(served, mw * hours)


def direct_cost(series: Series, inputs: Inputs, prices: Prices
                ) -> dict[str, tuple[float, float]]:
    """site -> (KRW, tCO2e) of its direct contract, from the monthly energy of the run."""
    starts = series.time_days
    hours = (month_ends(inputs, starts) - starts) * 24.0
    years = np.array([inputs.date_of(d).year for d in starts], dtype=float)
    grid_factor = np.asarray(grid_factor_t_per_mwh(years, prices.grid))
    out = {}
    for contract in inputs.direct:
        energy = series.energy_mwh[:, series.sites.index(contract.site)]
        live = starts >= contract.start_day
        served, plant = served_and_plant(energy * live, hours, contract.mw,
                                         contract.min_self_supply_share)
        krw = -contract.price_discount * prices.tariff_krw_per_kwh * 1000.0 * served.sum()
        tco2e = float(np.sum(plant * (contract.t_co2e_per_mwh - grid_factor)))
        out[contract.site] = (float(krw), tco2e)
    return out


def flexible_curtailment(log: RunLog, inputs: Inputs) -> dict[str, tuple[float, float, float]]:
    """site -> (expected curtailed MWh, curtailed hours a year averaged over the time the site
    used flexible MW, curtailed GPU-hours), integrating the flexible log piecewise."""
    rules = inputs.flexible_rules
    out: dict[str, tuple[float, float, float]] = {}
    if rules is None:
        return out
    for site in inputs.flexible:
        rows = [r for r in log.flex_history if r[0] == site]
        mwh = share_days = over_days = 0.0
        ends = [r[1] for r in rows[1:]] + [inputs.horizon_days]
        for (_, day, used, firm, n0, p_out), end in zip(rows, ends, strict=True):
            days = max(0.0, min(end, inputs.horizon_days) - day)
            if used <= firm or days <= 0:
                continue
            exp = Exposure(p_out, rules.share_of_peak, rules.share_of_hours)
            mwh += curtailed_mwh_per_yr(used, firm, n0, exp) * days / 365.25
            share_days += curtailed_share(used, firm, n0, exp) * days
            over_days += days
        hours_per_yr = share_days / over_days * HOURS_PER_YEAR if over_days else 0.0
        out[site] = (mwh, hours_per_yr, mwh / _mw_per_gpu(log, inputs, site))
    return out


def _mw_per_gpu(log: RunLog, inputs: Inputs, site: str) -> float:
    """Facility MW of one GPU at `site` (its racks at design PUE)."""
    gpus = sum(g.gpus_per_unit * len(g.energised_day) for g in log.energised if g.site == site)
    it_mw = sum(g.unit_it_mw * len(g.energised_day) for g in log.energised if g.site == site)
    pue = inputs.plants[site].design_pue if site in inputs.plants else 1.0
    return it_mw * pue / gpus if gpus else 1.0
