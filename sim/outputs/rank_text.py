"""The words of a ranking (python -m sim.rank): the date an id is brought forward to, the
sites that gain, what holds them back, and the one-paragraph explanation of an entry."""

from __future__ import annotations

import datetime as dt
import math

from sim.inputs.steps import FIRST_SHIFTED_DAY
from sim.outputs.names import cause_label, site_label

#: sites named in an explanation, and causes named per site
TOP_SITES, TOP_CAUSES = 3, 2


def brought_to(row: dict, start: str | None = None) -> str | None:
    """The date the id is brought forward to: its planned date less the shift, not before
    the run's first day after `start` (sim.inputs.steps.FIRST_SHIFTED_DAY)."""
    if not row.get("planned"):
        return None
    shift = math.ceil(row["brought_forward_days"] - 1e-9)   # the day the shifted date falls in
    day = (dt.date.fromisoformat(row["planned"]) - dt.timedelta(days=shift)).isoformat()
    first = first_day(start)
    return max(day, first) if first else day


def first_day(start: str | None) -> str | None:
    """The earliest date a shift brings anything to."""
    return ((dt.date.fromisoformat(start) + dt.timedelta(days=FIRST_SHIFTED_DAY)).isoformat()
            if start else None)


def gaining_sites(row: dict) -> list[tuple[str, float]]:
    """(site, mean GPU-months gained) of the sites that gain most, largest first."""
    gains = sorted(((s, g) for s, g in row["site_gpu_months"].items() if g > 0.5),
                   key=lambda x: -x[1])
    return gains[:TOP_SITES]


def losing_sites(row: dict) -> list[tuple[str, float]]:
    """(site, mean GPU-months lost) of the sites that lose most (GPUs an owner's policy no
    longer sends there, or that another site's grid admission displaces), largest loss first."""
    losses = sorted(((s, g) for s, g in row["site_gpu_months"].items() if g < -0.5),
                    key=lambda x: x[1])
    return losses[:TOP_SITES]


def held_by(waits: list[float] | None, causes: list[str]) -> str:
    """'local grid connection 70 %, national backbone (N-1) 30 %' (the largest causes)."""
    if not waits or sum(waits) <= 0:
        return "nothing"
    total = sum(waits)
    top = sorted(zip(causes, waits, strict=True), key=lambda x: -x[1])[:TOP_CAUSES]
    return ", ".join(f"{cause_label(c)} {round(100 * w / total)} %" for c, w in top
                     if round(100 * w / total) > 0)


def site_story(site: str, row: dict, ranking: dict) -> str:
    """What held the site's GPUs back in the base and with the shift."""
    name, by = site_label(ranking, site), ranking["by"]
    before = row["waits_before"].get(site)
    after = held_by(row["waits_after"].get(site), ranking["causes"])
    if before:
        return (f"{name} was held by {held_by(before, ranking['causes'])}; with the shift, "
                f"by {after}.")
    if site not in ranking.get("plan_sites", [site]):
        return (f"{name} is not in the plan: owners' re-siting policies send GPUs there once "
                "it is forecast ready, so an earlier supply draws GPUs there earlier.")
    return (f"No GPUs waited at {name} by {by} in the base: the owner's policy held them back "
            "until the site was forecast ready.")


def explain(row: dict, ranking: dict) -> str:
    """One paragraph: the gain, the sites that gain and what holds them back."""
    by, months = ranking["by"], ranking["months"]
    what = f"{row['id']} ({row['kind']}: {row['label']})"
    when = (f", planned {row['planned']} -> {brought_to(row, ranking.get('start'))}"
            if row.get("planned") else "")
    g, k = row["gpu_months"], row["idle_avoided_krw"]
    sites = gaining_sites(row)
    if not sites:
        text = f"{what}{when}: {months:g} months earlier gains nothing by {by}."
        stories = [site_story(s, row, ranking) for s in row["sites"][:2]
                   if s in row["waits_before"]]
        if row["sites"] and not stories:
            stories = [f"No GPUs wait at {', '.join(site_label(ranking, s) for s in row['sites'])}"
                       f" by {by}."]
        if not row["sites"]:
            stories = [f"No site's GPUs are held back by what it relieves before {by}."]
        return " ".join([text, *stories])
    if row.get("planned") and brought_to(row, ranking.get("start")) == first_day(
            ranking.get("start")):
        when += (" (the run's first day: not earlier, since supply in place at the start was "
                 "connected before the run; it still queues on the backbone)")
    verb, gain = ("gains", g["mean"]) if g["mean"] >= 0 else ("loses", -g["mean"])
    idle = (f"avoids {k['mean'] / 1e9:,.1f}" if k["mean"] >= 0
            else f"adds {-k['mean'] / 1e9:,.1f}")
    text = (f"{what}{when}: {months:g} months earlier {verb} {gain:,.0f} GPU-months by "
            f"{by} on average (P10-P90 {g['p10']:,.0f} to {g['p90']:,.0f}) and {idle} bn KRW "
            "of idle GPUs. Gains at "
            + ", ".join(f"{site_label(ranking, s)} (+{v:,.0f})" for s, v in sites) + ".")
    if losses := losing_sites(row):
        text += (" Less at " + ", ".join(f"{site_label(ranking, s)} ({v:,.0f})"
                                         for s, v in losses)
                 + " (GPUs the owners' policies no longer send there, or displaced).")
    return " ".join([text, *(site_story(s, row, ranking) for s, _ in sites[:2])])
