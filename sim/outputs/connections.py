"""Derived connections for the planner: for each site (and candidate site), which substation,
which option, when and why (summary.json `connections`, the console and the report)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.inputs.connect import DAYS_PER_MONTH
from sim.inputs.records import DerivedConnection, Inputs

QS = (0.1, 0.5, 0.9)


def triangular_quantile(low: float, mode: float, high: float, q: float) -> float:
    """Quantile ``q`` of a triangular(low, mode, high) distribution, in closed form: the
    same values as the replications' scipy-backed distribution (sim/uncertainty, tested),
    without importing scipy.stats (~0.8 s) into a deterministic run that draws nothing."""
    if high <= low:
        return low
    cut = (mode - low) / (high - low)
    if q <= cut:
        return low + np.sqrt(q * (high - low) * (mode - low))
    return high - np.sqrt((1 - q) * (high - low) * (high - mode))


def date_quantiles(d: DerivedConnection) -> dict[str, str]:
    """P10/P50/P90 of the connection date (lead time drawn, never before the floor)."""
    out = {}
    for q in QS:
        months = triangular_quantile(*d.lead_months, q)
        date = max(d.filed + dt.timedelta(days=round(months * DAYS_PER_MONTH)), d.floor)
        out[f"p{round(q * 100)}"] = date.isoformat()
    return out


def connection_entry(d: DerivedConnection, candidate: bool) -> dict:
    return {
        "site": d.site, "step": d.step, "candidate": candidate, "lat": d.lat, "lon": d.lon,
        "mw": d.mw,
        "target_mw": d.target_mw, "filed": d.filed.isoformat(),
        "substation": d.substation, "substation_name": d.substation_name,
        "distance_km": d.distance_km, "spare_mw": d.spare_mw, "option": d.option,
        "option_label": d.option_label, "date": d.date.isoformat(),
        "date_quantiles": date_quantiles(d), "lead_months": list(d.lead_months),
        "cost_bn_krw": d.cost_bn_krw, "why": d.why,
    }


def connections_summary(inputs: Inputs) -> dict[str, dict]:
    """summary.json `connections`: every derived connection of the run, by its step id
    (`conn_<site>`, or `conn_<site>_<k>` for a site's k-th request) or, for a candidate
    site, by the candidate's name."""
    return {d.step or d.site: connection_entry(d, not d.step) for d in inputs.derived}


def connections_table(result: dict):
    """Console table of the derived connections (None when there are none)."""
    from rich.table import Table

    conns = result.get("connections") or {}
    if not conns:
        return None
    table = Table(title="Connections derived from the network (site: substation, option, when)")
    for column in ("site", "MW", "substation", "option", "date", "P10..P90"):
        table.add_column(column)
    for c in conns.values():
        q = c["date_quantiles"]
        table.add_row(c["site"] + (" *" if c["candidate"] else ""), f"{c['mw']:.0f}",
                      c["substation"], c["option"], c["date"],
                      f"{q['p10'][:7]}..{q['p90'][:7]}")
    table.caption = ("* candidate site; the sentence of each (why, cost) is in "
                     "summary.json `connections` and the report")
    return table
