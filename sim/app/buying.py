"""The "buying time" table of a run (`options.evaluate=true`): every option at every site of
each owner's plan, each simulated once on the run's central draws next to the same run
without it (sim/results/buying_time.py). The grid states are solved once per process, so each
variant costs one rollout."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sim.core.config import SimConfig
from sim.inputs.catalog import option_catalogue
from sim.inputs.energy import Prices
from sim.inputs.options import GAS_FUELS, Catalogue, make_bridge, make_direct
from sim.inputs.records import Inputs
from sim.model.rollout import Rollout
from sim.results.buying_time import OptionResult, best_per_owner, option_result
from sim.results.series import build_series


def candidates(inputs: Inputs, cat: Catalogue) -> list[tuple[str, str, str, str]]:
    """(owner, site, kind, option) of every option the tables allow at an owner's sites."""
    out = []
    dispatched = inputs.grid is not None and inputs.grid.rules is not None
    for owner in inputs.owners:
        for site in dict.fromkeys(r.site for r in inputs.plan if r.owner == owner):
            if site not in inputs.sites:
                continue
            for option, plant in cat.options.items():
                if plant.fuel not in GAS_FUELS or cat.gas.get(site, False):
                    out.append((owner, site, "bridge", option))
            for contract, row in cat.contracts.items():
                if row["site"] == site:
                    out.append((owner, site, "direct", contract))
            if dispatched and site not in inputs.flexible:
                out.append((owner, site, "flexible", "to_n0_limit"))
    return out


def with_option(inputs: Inputs, cat: Catalogue, site: str, kind: str, option: str) -> Inputs:
    if kind == "bridge":
        others = tuple(b for b in inputs.bridges if b.site != site)
        return replace(inputs, bridges=(*others, make_bridge(inputs, cat, site, option)))
    if kind == "direct":
        others = tuple(c for c in inputs.direct if c.site != site)
        return replace(inputs, direct=(*others, make_direct(inputs, cat, site, option)))
    return replace(inputs, flexible=inputs.flexible | {site}, flexible_rules=cat.flexible)


def evaluate(cfg: SimConfig, central: Inputs, prices: Prices) -> list[OptionResult]:
    """Every candidate option against the central run."""
    run_cfg = cfg
    cat = option_catalogue(central, run_cfg.resolved_data_dir(), run_cfg.resolved_scenario_dir())
    base = build_series(Rollout(central).run(), central, prices)
    user = dt.date.fromisoformat(cfg.options.user_date) if cfg.options.user_date \
        else cfg.horizon_date
    user_day = float((user - central.start).days)
    results = []
    for owner, site, kind, option in candidates(central, cat):
        variant_inputs = with_option(central, cat, site, kind, option)
        log = Rollout(variant_inputs).run()
        variant = build_series(log, variant_inputs, prices)
        results.append(option_result(owner, site, kind, option, base, variant, log,
                                     variant_inputs, prices, user_day))
    return results


def buying_time_summary(results: list[OptionResult], owners: list[str],
                        user_date: dt.date) -> dict:
    """The summary.json block: the best option per owner and every row."""
    best = best_per_owner(results, owners)
    return {"user_date": user_date.isoformat(),
            "best": {o: (r.row() if r else None) for o, r in best.items()},
            "options": [r.row() for r in results]}
