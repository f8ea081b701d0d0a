"""Display names of sites, owners and provinces (English, Korean where sourced) for what people
read: summary.json `names`, the report, the figures, the console and sim.compare. Ids without
a row in display_names.csv fall back to the inputs' own names, shortened."""

from __future__ import annotations

from pathlib import Path

from sim.core.paths import locate
from sim.core.schemas import read
from sim.inputs.records import Inputs

#: what each wait cause means, for people (README: wait causes)
CAUSE_LABELS = {"space": "building space", "power": "grid connection",
                "local_power": "local grid connection", "grid": "national backbone (N-1)",
                "assessment": "KEPCO impact assessment", "cooling": "cooling",
                "install": "install crews", "burn_in": "burn-in", "none": "nothing held it"}

#: longest fallback name (the start of sites.csv `name`, cut at the first comma or bracket)
FALLBACK_WIDTH = 32


def _fallback(name: str) -> str:
    for stop in (",", " ("):
        name = name.split(stop)[0]
    return name[:FALLBACK_WIDTH].strip()


def display_names(inputs: Inputs, data_dir: Path, scenario_dir: Path | None) -> dict:
    """{"sites": {id: {name, province, province_ko}}, "owners": {id: {name}}}: every site and
    owner of the run."""
    rows = read(locate("display_names.csv", data_dir, scenario_dir), "display_names.csv")
    table = {(r["kind"], r["id"]): r for r in rows}

    def en(kind: str, key: str, fallback: str) -> str:
        row = table.get((kind, key))
        return row["name_en"] if row else fallback

    def ko(kind: str, key: str) -> str | None:
        row = table.get((kind, key))
        return row["name_ko"] if row else None

    return {
        "sites": {s.site: {"name": en("site", s.site, _fallback(s.name)),
                           "name_ko": ko("site", s.site),
                           "province": en("province", s.province, s.province.title()),
                           "province_ko": ko("province", s.province)}
                  for s in inputs.sites.values()},
        "owners": {o: {"name": en("owner", o, _fallback(rec.name)), "name_ko": ko("owner", o)}
                   for o, rec in inputs.owners.items()},
    }


def site_label(summary: dict, site: str) -> str:
    """A site's display name from a summary's `names` (its id if absent)."""
    return summary.get("names", {}).get("sites", {}).get(site, {}).get("name") or site


def owner_label(summary: dict, who: str) -> str:
    """An owner's display name ('Total' for the total)."""
    if who == "total":
        return "Total"
    return summary.get("names", {}).get("owners", {}).get(who, {}).get("name") or who


def cause_label(cause: str) -> str:
    return CAUSE_LABELS.get(cause, cause.replace("_", " "))
