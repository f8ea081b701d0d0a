"""Why a date: the limit that set when an owner's (or a site's) milestone was reached.

The GPUs that complete a milestone are "the last GPUs". Their time from due date to online is
split into waits, in GPU-days: `delivery` (due to arrival: a deferral or a transfer), each
gating limit at the site gate (space, power, grid, assessment, cooling; clears-last rule of
`waits.binding_timeline`), `install` (gate to energised) and `burn_in`. The cause that set the
date is the gating limit they waited for longest; with no gate wait, `install` if the crews
were still on earlier work when the GPUs were admitted, otherwise `delivery` (the site was
ready, the date followed the GPUs' arrival and their own installation). GPUs still waiting
at the horizon name what they wait for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.causes import BURN_IN, COOLING, GRID, INSTALL, SPACE, STAGES
from sim.inputs.records import Inputs
from sim.model.rollout import RunLog, UnitsEnergised
from sim.results.waits import site_binding

DELIVERY = "delivery"
#: a gate wait shorter than this (days) counts as none
EPS_DAYS = 1e-6


@dataclass(frozen=True)
class Why:
    """What set one date: the cause, the waits of the last GPUs and the event that cleared."""

    cause: str
    site: str
    day: float | None
    waits_gpu_days: dict[str, float]
    cleared_day: float
    event: str
    install_days: float


def _gate_waits(log: RunLog, inputs: Inputs, site: str, arrival: float, admit: float,
                gpus: int) -> dict[str, float]:
    gating = [c for c in log.causes if c not in STAGES]
    starts, cum, _ = site_binding(log, site, inputs.horizon_days, gating)
    return {c: gpus * float(np.interp(admit, starts, cum[k]) - np.interp(arrival, starts,
                                                                           cum[k]))
            for k, c in enumerate(gating)}


def event_at(inputs: Inputs, site: str, cause: str, day: float) -> str:
    """The scheduled change at `site` on `day` that a wait for `cause` ended with."""
    def near(d: float) -> bool:
        return abs(d - day) < 1e-6

    if cause in (SPACE, COOLING):
        names = [p.phase for p in inputs.phases if p.site == site and near(p.ready_day)]
        return f"building phase {names[0]}" if names else "building capacity"
    if cause == GRID and inputs.grid is not None:
        names = [p.project for p in inputs.grid.projects if near(p.day)]
        return names[0] if names else "backbone headroom"
    names = [c.project for c in inputs.connections if c.site == site and near(c.day)]
    if names and cause not in (GRID,):
        return names[0]
    return {GRID: "backbone headroom"}.get(cause, cause.replace("_", " "))


def why_group(log: RunLog, inputs: Inputs, group: UnitsEnergised, k: int) -> Why:
    """Why unit `k` of an energised group came online when it did."""
    gpus = group.gpus_per_unit
    energised = float(group.energised_day[k])
    waits = {DELIVERY: gpus * max(0.0, group.arrival_day - group.planned_day),
             **_gate_waits(log, inputs, group.site, group.arrival_day, group.admit_day, gpus),
             INSTALL: gpus * (energised - group.admit_day), BURN_IN: gpus * inputs.burn_in_days}
    gate = {c: w for c, w in waits.items() if c not in (DELIVERY, INSTALL, BURN_IN)}
    install_days = energised - group.admit_day
    if sum(gate.values()) > EPS_DAYS * gpus:
        cause = max(gate, key=gate.get)
        cleared = group.admit_day
        event = event_at(inputs, group.site, cause, cleared)
    elif _crews_were_busy(inputs, group):
        cause, cleared, event = INSTALL, group.admit_day, "installation crews"
    else:
        cause, cleared, event = DELIVERY, group.arrival_day, "arrival of the GPUs"
    return Why(cause, group.site, energised + inputs.burn_in_days, waits, cleared, event,
               install_days)


def _crews_were_busy(inputs: Inputs, group: UnitsEnergised) -> bool:
    """The group's first unit finished later than one unit's install time after admission:
    the crews were still on earlier work."""
    days_per_unit = 1.0 / inputs.sites[group.site].racks_per_crew_per_day
    return float(group.energised_day.min()) - group.admit_day > days_per_unit + EPS_DAYS


def why_waiting(log: RunLog, inputs: Inputs, owner: str | None, site: str | None) -> Why:
    """Why GPUs of `owner` (or at `site`) are not all online by the horizon."""
    blocks = _waiting_of(log, owner, site)
    if not blocks:
        return Why(DELIVERY, site or "", None, {}, inputs.horizon_days,
                   "deliveries deferred beyond the horizon", 0.0)
    block = max(blocks, key=lambda b: b.arrival_day)
    timeline = log.timelines.get(block.site, [(0.0, ())])
    causes = timeline[-1][1] if timeline else ()
    gating = [c for c in log.causes if c not in STAGES]
    _, _, binding = site_binding(log, block.site, inputs.horizon_days, gating)
    cause = binding[-1] if binding and binding[-1] else (causes[0] if causes else SPACE)
    waits = _gate_waits(log, inputs, block.site, block.arrival_day, inputs.horizon_days,
                        block.gpus)
    held = [b for b in blocks if b.site == block.site]
    skus = ", ".join(sorted({b.sku for b in held if b.sku}))
    return Why(cause, block.site, None, waits, inputs.horizon_days,
               f"{sum(b.gpus for b in held):,} GPUs ({skus}) still wait for "
               f"{cause.replace('_', ' ')} at the horizon", 0.0)


def _by_site(log: RunLog, what: str) -> dict[str, list]:
    """`log.energised` or `log.waiting` by site, in log order (memoised per log)."""
    key = ("by_site", what)
    if key not in log.memo:
        out: dict[str, list] = {}
        for item in getattr(log, what):
            out.setdefault(item.site, []).append(item)
        log.memo[key] = out
    return log.memo[key]


def _groups_of(log: RunLog, owner: str | None, site: str | None) -> list:
    """Energised groups of `owner` (None: all) at `site` (None: all), in log order."""
    pool = log.energised if site is None else _by_site(log, "energised").get(site, [])
    return [g for g in pool if owner in (None, g.owner)]


def _waiting_of(log: RunLog, owner: str | None, site: str | None) -> list:
    """Blocks still waiting of `owner` (None: all) at `site` (None: all), in log order."""
    pool = log.waiting if site is None else _by_site(log, "waiting").get(site, [])
    return [b for b in pool if owner in (None, b.owner)]


def why_milestone(log: RunLog, inputs: Inputs, target: float, owner: str | None = None,
                  site: str | None = None) -> Why:
    """Why the `target`-th GPU of `owner` / at `site` came online when it did."""
    return whys_of(log, inputs, [target], owner, site)[0]


def whys_of(log: RunLog, inputs: Inputs, targets: list[float], owner: str | None = None,
            site: str | None = None) -> list[Why]:
    """`why_milestone` for several targets of the same owner / site (units sorted once)."""
    groups = _groups_of(log, owner, site)
    counts = np.array([len(g.energised_day) for g in groups], dtype=int)
    group_of = np.repeat(np.arange(len(groups)), counts)
    unit_of = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    days = np.concatenate([g.energised_day for g in groups]) if groups else np.zeros(0)
    gpus = np.repeat(np.array([g.gpus_per_unit for g in groups], dtype=float), counts)
    order = np.argsort(days, kind="stable")
    reached = np.cumsum(gpus[order])
    out = []
    for target in targets:
        i = int(np.searchsorted(reached, target - 1e-9, side="left"))
        if i < len(order) and days[order[i]] + inputs.burn_in_days <= inputs.horizon_days:
            j = order[i]
            out.append(why_group(log, inputs, groups[group_of[j]], int(unit_of[j])))
        else:
            out.append(why_waiting(log, inputs, owner, site))
    return out


def sentence(why: Why, who: str, pct: int, inputs: Inputs) -> str:
    """One sentence: 'Hyundai 100 % on 2031-05: at hyundai_saemangeum, ...'."""
    when = "not by the horizon" if why.day is None else f"on {inputs.date_of(why.day):%Y-%m}"
    cleared = f"{inputs.date_of(why.cleared_day):%Y-%m}"
    if why.day is None:
        return f"{who} {pct} % {when}: at {why.site}, {why.event}."
    if why.cause == DELIVERY:
        head = f"at {why.site} the last GPUs went straight in after arriving {cleared}"
    elif why.cause == INSTALL:
        head = f"at {why.site} the installation crews were the limit"
    else:
        head = (f"at {why.site} the last GPUs waited for {why.cause.replace('_', ' ')} "
                f"({why.event}) until {cleared}")
    return (f"{who} {pct} % {when}: {head}, then {why.install_days:.0f} days of installation "
            f"and {inputs.burn_in_days:.0f} of burn-in.")
