"""The words of a ranking (python -m sim.rank): the date an id is brought forward to, the
sites that gain, what holds them back, and the one-paragraph explanation of an entry."""

from __future__ import annotations

import datetime as dt

from sim.outputs.names import cause_label, site_label

#: sites named in an explanation, and causes named per site
TOP_SITES, TOP_CAUSES = 3, 2


def brought_to(row: dict) -> str | None:
    """The date the id is brought forward to (its planned date less the shift)."""
    if not row.get("planned"):
        return None
    day = dt.date.fromisoformat(row["planned"]) - dt.timedelta(days=row["brought_forward_days"])
    return day.isoformat()


def gaining_sites(row: dict) -> list[tuple[str, float]]:
    """(site, mean GPU-months gained) of the sites that gain most, largest first."""
    gains = sorted(((s, g) for s, g in row["site_gpu_months"].items() if g > 0.5),
                   key=lambda x: -x[1])
    return gains[:TOP_SITES]


def held_by(waits: list[float] | None, causes: list[str]) -> str:
    """'local grid connection 70 %, national backbone (N-1) 30 %' (the largest causes)."""
    if not waits or sum(waits) <= 0:
        return "nothing"
    total = sum(waits)
    top = sorted(zip(causes, waits, strict=True), key=lambda x: -x[1])[:TOP_CAUSES]
    return ", ".join(f"{cause_label(c)} {round(100 * w / total)} %" for c, w in top if w > 0)


def explain(row: dict, ranking: dict) -> str:
    """One paragraph: the gain, the sites that gain and what holds them back."""
    by, months = ranking["by"], ranking["months"]
    what = f"{row['id']} ({row['kind']}: {row['label']})"
    when = (f", planned {row['planned']} -> {brought_to(row)}" if row.get("planned") else "")
    g, k = row["gpu_months"], row["idle_avoided_krw"]
    sites = gaining_sites(row)
    if not sites:
        where = (f" at {', '.join(site_label(ranking, s) for s in row['sites'])}"
                 if row["sites"] else "")
        return (f"{what}{when}: {months:g} months earlier gains nothing by {by}: no GPUs"
                f"{where} wait for it before that date.")
    text = (f"{what}{when}: {months:g} months earlier gains {g['mean']:,.0f} GPU-months by "
            f"{by} (P10-P90 {g['p10']:,.0f} to {g['p90']:,.0f}) and avoids "
            f"{k['mean'] / 1e9:,.1f} bn KRW of idle GPUs. Gains at "
            + ", ".join(f"{site_label(ranking, s)} (+{v:,.0f})" for s, v in sites) + ".")
    causes = ranking["causes"]
    for site, _ in sites[:2]:
        text += (f" {site_label(ranking, site)} was held by "
                 f"{held_by(row['waits_before'].get(site), causes)}; brought forward, by "
                 f"{held_by(row['waits_after'].get(site), causes)}.")
    return text
