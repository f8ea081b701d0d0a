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
from sim.inputs.options import (
    Catalogue,
    bridges_allowed,
    flexible_possible,
    make_bridge,
    make_direct,
    planned_sites,
)
from sim.inputs.records import Inputs
from sim.model.rollout import Rollout
from sim.results.buying_time import OptionResult, best_per_owner, option_result
from sim.results.series import build_series


def candidates(inputs: Inputs, cat: Catalogue) -> list[tuple[str, str, str, str]]:
    """(owner, site, kind, option) of every option the tables allow at an owner's sites."""
    out = []
    for owner in inputs.owners:
        for site in planned_sites(inputs, owner):
            out += [(owner, site, "bridge", option) for option in bridges_allowed(cat, site)]
            out += [(owner, site, "direct", contract)
                    for contract, row in cat.contracts.items() if row["site"] == site]
            if flexible_possible(inputs) and site not in inputs.flexible:
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


def user_date(cfg: SimConfig) -> dt.date:
    """The date up to which GPU-months are counted (`options.user_date`, else the horizon)."""
    return (dt.date.fromisoformat(cfg.options.user_date) if cfg.options.user_date
            else cfg.horizon_date)


def evaluate(cfg: SimConfig, central: Inputs, prices: Prices) -> list[OptionResult]:
    """Every candidate option against the central run."""
    cat = option_catalogue(central, cfg.resolved_data_dir(), cfg.resolved_scenario_dir())
    base = build_series(Rollout(central).run(), central, prices)
    user_day = float((user_date(cfg) - central.start).days)
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
