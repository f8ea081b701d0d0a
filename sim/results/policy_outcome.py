"""What owner policies did in a replication: GPUs deferred and re-sited, their costs, and the
GPUs each site ends up with."""

from __future__ import annotations

from collections import defaultdict

from sim.inputs.energy import Prices
from sim.inputs.records import Inputs
from sim.model.policies import Move
from sim.results.accounting import DAYS_PER_MONTH

DAYS_PER_YEAR = 365.25


def site_targets(inputs: Inputs, moves: list[Move]) -> dict[str, int]:
    """GPUs bound for each site after re-siting (planned, less moved out, plus moved in)."""
    out: dict[str, int] = defaultdict(int)
    for row in inputs.plan:
        out[row.site] += row.gpus
    for move in moves:
        if move.policy == "resite":
            out[move.from_site] -= move.gpus
            out[move.to_site] += move.gpus
    return {site: n for site, n in out.items() if n > 0}


def owner_outcome(inputs: Inputs, moves: list[Move], prices: Prices) -> dict[str, dict]:
    """Per owner: its policy, GPUs deferred (mean days, cost of capital), GPUs re-sited (by
    destination, colocation rent to the horizon), in KRW bn."""
    out = {}
    for owner in inputs.owners:
        mine = [m for m in moves if m.owner == owner]
        deferred = [m for m in mine if m.policy == "defer"]
        resited = [m for m in mine if m.policy == "resite"]
        gpu_years = sum(m.gpus * (m.arrival_day - m.planned_day) for m in deferred) \
            / DAYS_PER_YEAR
        where: dict[str, int] = defaultdict(int)
        for m in resited:
            where[m.to_site] += m.gpus
        out[owner] = {
            "policy": inputs.policies.of(owner),
            "gpus_deferred": sum(m.gpus for m in deferred),
            "mean_deferral_days": round(gpu_years * DAYS_PER_YEAR
                                        / max(1, sum(m.gpus for m in deferred)), 1),
            "deferral_cost_krw_bn": round(gpu_years * prices.grid.gpu_price_krw
                                          * prices.grid.cost_of_capital_per_yr / 1e9, 3),
            "gpus_resited": sum(m.gpus for m in resited),
            "resited_to": dict(sorted(where.items())),
            "colocation_cost_krw_bn": round(_rent_krw(inputs, resited) / 1e9, 3),
        }
    return out


def _rent_krw(inputs: Inputs, resited: list[Move]) -> float:
    """Rent of the IT kW moved into halls, from arrival to the horizon."""
    total = 0.0
    for m in resited:
        hall = inputs.halls.get(m.to_site)
        if hall is None:
            continue
        months = max(0.0, inputs.horizon_days - m.arrival_day) / DAYS_PER_MONTH
        total += m.it_mw * 1000.0 * hall.cost_krw_per_kw_month * months
    return total


def moves_table(inputs: Inputs, moves: list[Move]) -> list[dict]:
    """Each move as a row: owner, policy, from, to, SKU, GPUs, due and arrival dates."""
    return [{"owner": m.owner, "policy": m.policy, "from_site": m.from_site,
             "to_site": m.to_site, "sku": m.sku, "gpus": m.gpus,
             "due": inputs.date_of(m.planned_day).isoformat(),
             "arrival": inputs.date_of(m.arrival_day).isoformat()} for m in moves]
