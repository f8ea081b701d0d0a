"""Choosing a way to buy time: each option (a bridge, a zone contract or a flexible connection
at one site) compared with the run without it, per owner: GPU-months online gained by the
user date, how much earlier the owner's 50 % and 90 % milestones come, the option's KRW and
tCO2e, and the curtailment it accepts. The best option of an owner gains the most GPU-months
(ties: the cheaper). KRW: a bridge's capex and fuel less the tariff of the MWh it supplied; a
zone contract's discount (negative); a flexible connection's curtailed GPU-hours at the
GPU-hour value. tCO2e: a bridge's own emissions; a contract's plant emissions less the grid's
for the same MWh.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from sim.inputs.energy import Prices
from sim.inputs.records import Inputs
from sim.model.rollout import RunLog
from sim.results.accounting import DAYS_PER_MONTH
from sim.results.options_outcome import (
    bridge_cost,
    direct_cost,
    flexible_curtailment,
    gpu_months_by,
)
from sim.results.series import Series, milestone_day

KINDS = ("bridge", "direct", "flexible")


@dataclass(frozen=True)
class OptionResult:
    owner: str
    site: str
    kind: str
    option: str
    gpu_months_gained: float
    #: days the owner's 50 % / 90 % milestone comes earlier (None: not reached in one run)
    days_earlier_50: float | None
    days_earlier_90: float | None
    krw: float
    tco2e: float
    curtailed_hours_per_yr: float = 0.0
    curtailed_gpu_hours: float = 0.0

    @property
    def krw_per_gpu_month(self) -> float | None:
        return self.krw / self.gpu_months_gained if self.gpu_months_gained > 0 else None

    def row(self) -> dict:
        return {**asdict(self), "krw_per_gpu_month": self.krw_per_gpu_month}


def owner_milestone(series: Series, inputs: Inputs, owner: str, pct: int) -> float | None:
    units = series.units
    mask = units.owner == series.owners.index(owner)
    order = np.argsort(units.online_day[mask], kind="stable")
    target = inputs.planned_gpus(owner) * pct / 100.0
    return milestone_day(units.online_day[mask][order], units.gpus[mask][order], target,
                         inputs.horizon_days)


def _earlier(base: float | None, variant: float | None) -> float | None:
    """Days earlier (None unless both runs reach the milestone by the horizon)."""
    return None if base is None or variant is None else base - variant


def option_result(owner: str, site: str, kind: str, option: str, base: Series,
                  variant: Series, log: RunLog, inputs: Inputs, prices: Prices,
                  user_day: float) -> OptionResult:
    """Compare the run with the option (`variant`, `log`, `inputs`) with the base run."""
    gained = gpu_months_by(variant, owner, user_day) - gpu_months_by(base, owner, user_day)
    earlier = [_earlier(owner_milestone(base, inputs, owner, p),
                        owner_milestone(variant, inputs, owner, p)) for p in (50, 90)]
    krw = tco2e = hours = gpu_hours = 0.0
    if kind == "bridge":
        krw, tco2e = bridge_cost(log, inputs, prices)[site]
    elif kind == "direct":
        krw, tco2e = direct_cost(variant, inputs, prices)[site]
    else:
        _, hours, gpu_hours = flexible_curtailment(log, inputs).get(site, (0.0, 0.0, 0.0))
        krw = gpu_hours * prices.gpu_hour_value_krw   # the compute lost to curtailment
    return OptionResult(owner, site, kind, option, gained, earlier[0], earlier[1], krw, tco2e,
                        hours, gpu_hours)


def best_per_owner(results: list[OptionResult], owners: list[str]
                   ) -> dict[str, OptionResult | None]:
    """Each owner's option with the most GPU-months gained (> 0.5), ties to the cheaper."""
    best: dict[str, OptionResult | None] = {}
    for owner in owners:
        mine = [r for r in results if r.owner == owner and r.gpu_months_gained > 0.5]
        best[owner] = max(mine, key=lambda r: (round(r.gpu_months_gained, 3), -r.krw),
                          default=None)
    return best


def gpu_months_value_krw(gpu_months: float, prices: Prices) -> float:
    """Value of GPU-months at the GPU-hour value (energy.csv)."""
    return gpu_months * DAYS_PER_MONTH * 24.0 * prices.gpu_hour_value_krw
