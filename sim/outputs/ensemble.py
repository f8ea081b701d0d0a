"""Outputs of a Monte Carlo run: a `replicate` dimension on the series, P10/P50/P90 dates and
the probability of full operation by the end of each year."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np

from sim.inputs.records import Inputs
from sim.outputs.connections import connections_summary
from sim.outputs.notes import horizon_notes
from sim.outputs.variables import VARIABLES, iso, site_coords, time_coord
from sim.results.accounting import annual_totals, idle_value_krw_bn
from sim.results.montecarlo import ReplicateResult, stacked, who_of
from sim.results.percentiles import prob_by, quantiles
from sim.results.series import MILESTONES_PCT, month_days
from sim.results.waits import binding_constraint

QS = (0.1, 0.5, 0.9)
#: variables no draw changes (PUE depends on the site's plant and the month only)
SHARED_VARIABLES = ("pue",)


def ensemble_dataset(results: list[ReplicateResult], inputs: Inputs, causes: list[str]):
    """All replicates' series, stacked along `replicate`."""
    import xarray as xr  # lazy: a run that writes nothing never pays for xarray

    times = time_coord(inputs, month_days(inputs))
    data_vars = {}
    for name in results[0].arrays:
        dims, units, long_name = VARIABLES[name]
        attrs = {"units": units, "long_name": long_name}
        if name in SHARED_VARIABLES:     # the same in every replicate: stored once
            data_vars[name] = (dims, results[0].arrays[name], attrs)
            continue
        data_vars[name] = (("replicate", *dims), stacked(results, name), attrs)
    data_vars["full_operation_day"] = (
        ("replicate", "site"), np.stack([r.site_full_day for r in results]),
        {"units": "day", "long_name": "day after the run's start when all planned GPUs of the "
         "site are online (NaN: not by the horizon)"})
    ds = xr.Dataset(data_vars, coords={
        "replicate": [r.replicate for r in results], "time": times, "site": list(inputs.sites),
        "owner": list(inputs.owners), "cause": causes,
        **site_coords(inputs, list(inputs.sites))})
    return ds


def _dates(inputs: Inputs, days: np.ndarray) -> dict[str, str | None]:
    q = quantiles(days, QS)
    return {f"p{round(x * 100)}": (None if not np.isfinite(v) else iso(inputs, float(v)))
            for x, v in zip(QS, q, strict=True)}


def milestones(results: list[ReplicateResult], inputs: Inputs) -> dict:
    days = np.stack([r.milestone_days for r in results])    # rep x who x pct
    return {who: {str(p): _dates(inputs, days[:, i, k]) for k, p in enumerate(MILESTONES_PCT)}
            for i, who in enumerate(who_of(inputs))}


def probability_full_by_year(results: list[ReplicateResult], inputs: Inputs) -> dict:
    """P(100 % online by 31 Dec of each year) for the total and each owner."""
    full = np.stack([r.milestone_days for r in results])[:, :, -1]    # rep x who
    years = range(inputs.start.year, inputs.date_of(inputs.horizon_days).year + 1)
    deadlines = np.array([inputs.day_of(dt.date(y, 12, 31)) for y in years])
    return {who: {str(y): float(p) for y, p in zip(years, prob_by(full[:, i], deadlines),
                                                    strict=True)}
            for i, who in enumerate(who_of(inputs))}


def online_at_dates(results: list[ReplicateResult], inputs: Inputs,
                    dates: list[dt.date]) -> dict:
    """P10/P50/P90 of GPUs online at the end of each date, total and per owner."""
    if not dates:
        return {}
    counts = np.stack([r.online_at_days for r in results])     # rep x who x date
    q = np.quantile(counts, QS, axis=0, method="lower")       # q x who x date
    return {d.isoformat(): {who: {f"p{round(x * 100)}": int(q[k, i, j])
                                  for k, x in enumerate(QS)}
                            for i, who in enumerate(who_of(inputs))}
            for j, d in enumerate(dates)}


def online_at_horizon(results: list[ReplicateResult], inputs: Inputs) -> dict:
    online = np.stack([r.online_at_horizon for r in results])
    return {who: {f"p{int(x * 100)}": int(v) for x, v in
                  zip(QS, np.quantile(online[:, i], QS, method="lower"), strict=True)}
            for i, who in enumerate(who_of(inputs))}


def sites(results: list[ReplicateResult], inputs: Inputs, causes: list[str]) -> dict:
    """Planned sites and halls that took GPUs in any replicate."""
    waits = stacked(results, "wait_days").mean(axis=0).sum(axis=1)
    full = np.stack([r.site_full_day for r in results])
    used = {s for r in results for s in r.site_gpus}
    out = {}
    for j, site in enumerate(inputs.sites):
        planned = inputs.planned_gpus(site=site)
        if not planned and site not in used:
            continue
        set_by = Counter(r.site_cause[site] for r in results if site in r.site_cause)
        out[site] = {
            "gpus_planned": planned,
            "gpus_assigned": int(np.median([r.site_gpus.get(site, 0) for r in results])),
            "full_operation": _dates(inputs, np.nan_to_num(full[:, j], nan=np.inf)),
            "binding_constraint": set_by.most_common(1)[0][0],
            "set_by_share": {c: round(n / len(results), 3) for c, n in set_by.most_common()},
            "most_waited": binding_constraint(dict(zip(causes, waits[j], strict=True))),
            "wait_rack_days_mean": {c: round(float(w), 3) for c, w in
                                    zip(causes, waits[j], strict=True)},
        }
    return out


def whys(results: list[ReplicateResult], inputs: Inputs) -> dict:
    """Per who: the replicate at the median 100 % date explains it; causes by frequency."""
    full = np.stack([r.milestone_days for r in results])[:, :, -1]    # rep x who
    out = {}
    for i, who in enumerate(who_of(inputs)):
        days = np.nan_to_num(full[:, i], nan=np.inf)
        p50 = quantiles(days, (0.5,))[0]
        gap = np.abs(days - p50) if np.isfinite(p50) else np.where(np.isinf(days), 0.0, 1.0)
        median = results[int(np.argmin(np.nan_to_num(gap, nan=0.0)))]
        counts = Counter(r.why_cause[i] for r in results)
        out[who] = {"100": {"cause": median.why_cause[i], "sentence":
                            f"{median.why_sentence[i]} (median replicate)",
                            "cause_share": {c: round(n / len(results), 3)
                                            for c, n in counts.most_common()}}}
    return out


def policies(results: list[ReplicateResult], inputs: Inputs) -> dict:
    """Replicate means of what owner policies did."""
    out = {}
    for owner in inputs.owners:
        rows = [r.outcome[owner] for r in results]
        out[owner] = {"policy": rows[0]["policy"], **{
            key: round(float(np.mean([row[key] for row in rows])), 3)
            for key in ("gpus_deferred", "mean_deferral_days", "deferral_cost_krw_bn",
                        "gpus_resited", "colocation_cost_krw_bn")}}
    return out


def energy(results: list[ReplicateResult], inputs: Inputs, gpu_hour_value_krw: float) -> dict:
    """Replicate means of annual energy, cost and emissions, and of idle GPU-months."""
    years = np.array([inputs.date_of(d).year for d in month_days(inputs)])
    mean = {k: stacked(results, k).mean(axis=0)
            for k in ("energy_mwh", "cost_krw", "emissions_tco2", "idle_gpu_months")}
    annual = annual_totals(years, mean["energy_mwh"], mean["cost_krw"],
                           mean["emissions_tco2"])
    idle = mean["idle_gpu_months"].sum(axis=0)
    return {"annual_mean": annual,
            "idle_gpu_months_mean": {o: round(float(v), 1)
                                     for o, v in zip(inputs.owners, idle, strict=True)},
            "idle_value_krw_bn_mean": idle_value_krw_bn(idle, gpu_hour_value_krw),
            "gpu_hour_value_krw": gpu_hour_value_krw}


def ensemble_summary(results: list[ReplicateResult], inputs: Inputs, causes: list[str],
                     meta: dict, gpu_hour_value_krw: float,
                     dates: list[dt.date] | None = None) -> dict:
    """summary.json of a replicated run; `dates`: when to count GPUs online (as run)."""
    miles = milestones(results, inputs)
    horizon_end = iso(inputs, inputs.horizon_days)
    return {
        **meta,
        "replications": len(results),
        "start": inputs.start.isoformat(),
        "horizon_end": horizon_end,
        "target_gpus": inputs.target_gpus,
        "owner_gpus_planned": {o: inputs.planned_gpus(owner=o) for o in inputs.owners},
        "milestones": miles,
        "notes": horizon_notes(miles, horizon_end),
        "online_at_dates": online_at_dates(results, inputs, dates or []),
        "why": whys(results, inputs),
        "policies": policies(results, inputs),
        "probability_full_by_year": probability_full_by_year(results, inputs),
        "online_at_horizon": online_at_horizon(results, inputs),
        "sites": sites(results, inputs, causes),
        "connections": connections_summary(inputs),
        "energy": energy(results, inputs, gpu_hour_value_krw),
    }
