"""Which limit held each site back, and for how long: the clears-last wait attribution."""

from __future__ import annotations

import numpy as np

from sim.core.causes import BURN_IN, GATING, INSTALL, STAGES
from sim.inputs.records import Inputs
from sim.model.rollout import RunLog


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
    names = np.array(binding, dtype=object)
    for k, cause in enumerate(causes):
        cum[k, 1:] = np.cumsum(np.where(names == cause, widths, 0.0))
    return starts, cum, binding


def site_binding(log: RunLog, site: str, end_day: float, causes: list[str]
                 ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """`binding_timeline` of a site's timeline in ``log``, computed once per log."""
    key = ("binding_timeline", site, end_day, tuple(causes))
    if key not in log.memo:
        log.memo[key] = binding_timeline(log.timelines.get(site, [(0.0, ())]), end_day,
                                         causes)
    return log.memo[key]


def gate_waits(log: RunLog, inputs: Inputs, sites: list[str], owners: list[str],
               causes: list[str]) -> np.ndarray:
    """Rack-days waited per site x owner x cause."""
    out = np.zeros((len(sites), len(owners), len(causes)))
    end = inputs.horizon_days
    site_index = {s: j for j, s in enumerate(sites)}
    owner_index = {o: i for i, o in enumerate(owners)}
    cause_index = {c: i for i, c in enumerate(causes)}
    gating = [c for c in causes if c not in STAGES]
    records = [(g.site, g.owner, g.arrival_day, g.admit_day, len(g.energised_day))
               for g in log.energised]
    records += [(b.site, b.owner, b.arrival_day, end, b.units) for b in log.waiting]
    by_site: dict[str, list] = {}
    for rec in records:
        by_site.setdefault(rec[0], []).append(rec)
    for site, recs in by_site.items():
        starts, cum, _ = site_binding(log, site, end, gating)
        owner = np.array([owner_index[r[1]] for r in recs])
        arrival, admit, n = (np.array([r[k] for r in recs], dtype=float) for k in (2, 3, 4))
        for k, cause in enumerate(gating):
            waited = n * (np.interp(admit, starts, cum[k]) - np.interp(arrival, starts, cum[k]))
            out[site_index[site], :, cause_index[cause]] += np.bincount(
                owner, weights=waited, minlength=len(owners))
    for g in log.energised:
        j, i = site_index[g.site], owner_index[g.owner]
        done = np.minimum(g.energised_day, end)
        out[j, i, cause_index[INSTALL]] += float(np.sum(done - min(g.admit_day, end)))
        burn = np.clip(end - g.energised_day, 0.0, inputs.burn_in_days)
        out[j, i, cause_index[BURN_IN]] += float(np.sum(burn))
    return out


def binding_by_month(log: RunLog, inputs: Inputs, sites: list[str],
                     time_days: np.ndarray) -> np.ndarray:
    """time x site: the cause holding each site's queue at each sample ('none' if nothing
    waits), by the same clears-last rule as the wait attribution."""
    gating = [c for c in log.causes if c not in STAGES]
    out = np.full((len(time_days), len(sites)), "none", dtype=object)
    for j, site in enumerate(sites):
        starts, _, binding = site_binding(log, site, inputs.horizon_days, gating)
        slot = np.searchsorted(starts[:-1], time_days, side="right") - 1
        for t, k in enumerate(slot):
            if k >= 0 and binding[k]:
                out[t, j] = binding[k]
    return out.astype(str)


def binding_constraint(waits_by_cause: dict[str, float]) -> str:
    """The gating cause with the most waiting, or 'none' when nothing gated."""
    gating = {c: w for c, w in waits_by_cause.items() if c in GATING}
    worst = max(gating, key=gating.get) if gating else None
    return worst if worst and gating[worst] > 0 else "none"
