"""Colocation halls (colocation_halls.csv) as sites of a run, for owners whose policy is
`resite`: each hall is a built phase of its free IT MW on an existing feed from the day it is
available, cooled by liquid only if the hall states a liquid loop."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sim.core import schemas
from sim.core.errors import InputError
from sim.core.tables import comment_lines
from sim.inputs.records import ConnectionStep, Hall, Inputs, Phase, Site

#: name of the phase and connection step a hall adds
HALL_STEP = "colocation"


def read_halls(path: Path, owners: set[str]) -> list[dict]:
    rows = schemas.read(path, "colocation_halls.csv")
    for number, row in enumerate(rows, start=2 + comment_lines(path)):
        for owner in row["eligible_owners"]:
            if owner not in owners:
                raise InputError(f"{path}: row {number}, column 'eligible_owners': unknown "
                                 f"owner {owner!r}")
    return rows


def with_halls(inputs: Inputs, rows: list[dict], resite_owners: set[str]) -> Inputs:
    """`inputs` with every hall that has free IT MW and takes one of `resite_owners` (owners
    that re-site, or that a plan move takes there); a hall already in `inputs` also opens to
    the new owners."""
    sites, phases, steps, halls = dict(inputs.sites), list(inputs.phases), \
        list(inputs.connections), dict(inputs.halls)
    for row in rows:
        owners = tuple(o for o in row["eligible_owners"] if o in resite_owners)
        if owners and row["hall_id"] in inputs.halls:     # a moved plan already uses it
            known = inputs.halls[row["hall_id"]].owners
            merged = (*known, *(o for o in owners if o not in known))
            sites[row["hall_id"]] = replace(sites[row["hall_id"]], owners=merged)
            halls[row["hall_id"]] = replace(inputs.halls[row["hall_id"]], owners=merged)
            continue
        if not owners or row["it_mw_available"] <= 0 or row["hall_id"] in sites:
            continue
        name, mw = row["hall_id"], row["it_mw_available"]
        day = max(0.0, inputs.day_of(row["available_from"]))
        sites[name] = Site(name, row["name"], row["lat"], row["lon"], row["province"],
                           row["capital_region"], owners, "operating", row["climate_station"],
                           row["crews"], row["racks_per_crew_per_day"], row["it_mw_total"],
                           None, row["design_pue"])
        phases.append(Phase(name, HALL_STEP, mw, mw if row["liquid_capable"] else 0.0, mw,
                            day, 0.0, 0.0))
        steps.append(ConnectionStep(name, day, mw * row["design_pue"], HALL_STEP))
        halls[name] = Hall(name, owners, row["transfer_days"],
                           row["colocation_cost_krw_per_kw_month"], row["max_rack_kw"],
                           row["replaces_site"])
    return replace(inputs, sites=sites, phases=tuple(phases), connections=tuple(steps),
                   halls=halls)


def hall_owners(rows: list[dict]) -> dict[str, tuple[str, ...]]:
    """hall id -> the owners it takes, for halls with free IT MW."""
    return {r["hall_id"]: tuple(r["eligible_owners"]) for r in rows if r["it_mw_available"] > 0}


def with_named_halls(inputs: Inputs, named: list[tuple[str, str, str]],
                     rows: list[dict]) -> Inputs:
    """`inputs` with the halls that plan rows or moves name as a site: `named` holds (owner,
    site, where the name is) and a hall is not a row of the site table, so it becomes a site
    of the run first, open to the owners that name it."""
    takes = hall_owners(rows)
    wanted: dict[str, set[str]] = {}
    for owner, hall, where in named:
        if hall in inputs.sites or hall not in takes:
            continue
        if owner not in takes[hall]:
            raise InputError(f"{where}: colocation hall {hall!r} does not take owner {owner!r}"
                             f" (colocation_halls.csv eligible_owners: {';'.join(takes[hall])})")
        wanted.setdefault(hall, set()).add(owner)
    for hall, owners in wanted.items():
        inputs = with_halls(inputs, [r for r in rows if r["hall_id"] == hall], owners)
    return inputs
