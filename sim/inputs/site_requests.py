"""The sites of a run whose connection is derived from the network (``site_requests.csv``) and
a planner's candidate sites given by coordinates and MW (config ``candidates`` or a
``candidates.csv`` file): each gets its derived connection (``sim/inputs/connect.py``); the
run's sites also get it as a dated connection step with a step id (``conn_<site>``), so
``grid.shift_days.conn_<site>`` and the replications move it like any other step.

Observed facts win: a site's sourced rows in ``site_connections.csv`` stay, and a request only
asks for the MW above the highest sourced level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from sim.core import schemas
from sim.core.errors import InputError
from sim.inputs.connect import (
    DAYS_PER_MONTH,
    ZONES,
    Request,
    check_request,
    derive,
    read_network,
)
from sim.inputs.records import ConnectionStep, DerivedConnection, Inputs

STEP_PREFIX = "conn_"


def site_requests(inputs: Inputs, path: Path, catalog: dict[str, dict[str, Any]]
                  ) -> list[Request]:
    """Requests of the run's sites in filing order (rows of sites not in the run are
    skipped; a site in neither the run nor the catalog is an error)."""
    out = []
    level: dict[str, float] = {}
    rows = schemas.read(path, "site_requests.csv")
    # first come, first served: in filing order (KEPCO's queue), later requests see what
    # earlier ones took
    for i, r in sorted(enumerate(rows, start=2),
                       key=lambda x: (x[1]["filed"], x[1]["site"], x[1]["mw"])):
        if r["site"] not in inputs.sites:
            if r["site"] not in catalog:
                raise InputError(f"{path}: row {i}, column 'site': unknown site "
                                 f"{r['site']!r} (not in sites.csv nor site_catalog.csv)")
            continue
        site = inputs.sites[r["site"]]
        existing = level.get(r["site"], max(
            (s.capacity_mw for s in inputs.connections if s.site == r["site"]), default=0.0))
        if r["mw"] > existing:
            out.append(Request(r["site"], site.lat, site.lon, r["mw"] - existing, r["mw"],
                               r["filed"], r["prefund"], f"{path}: row {i}"))
            level[r["site"]] = r["mw"]
    return out


def step_ids(requests: list[Request]) -> list[str]:
    """`conn_<site>` for a site's only request, `conn_<site>_<k>` (k = 1, 2, ... by MW) for
    a site with several."""
    count: dict[str, int] = {}
    for r in requests:
        count[r.site] = count.get(r.site, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for r in requests:
        seen[r.site] = seen.get(r.site, 0) + 1
        out.append(STEP_PREFIX + r.site + (f"_{seen[r.site]}" if count[r.site] > 1 else ""))
    return out


def read_catalog(path: Path) -> dict[str, dict[str, Any]]:
    """The candidate-site catalog by site (``site_catalog.csv``); zones checked."""
    rows = schemas.read(path, "site_catalog.csv")
    for i, r in enumerate(rows, start=2):
        if r["zone"] is not None and r["zone"] not in ZONES:
            raise InputError(f"{path}: row {i}, column 'zone': unknown special zone "
                             f"{r['zone']!r} (known: {', '.join(ZONES)})")
    return {r["site"]: r for r in rows}


def candidate_requests(rows: list[dict[str, Any]], where: str, start: dt.date,
                       catalog: dict[str, dict[str, Any]] | None = None) -> list[Request]:
    """Candidate sites (coordinates and MW; filed at the run's start unless given). A row
    naming only a catalog site takes its coordinates, MW and zone from the catalog."""
    out = []
    for i, r in enumerate(rows):
        here = f"{where}[{i}]" if where.startswith("config") else f"{where}: row {i + 2}"
        known = (catalog or {}).get(str(r.get("site")))
        if known is not None:
            r = {**{k: known[k] for k in ("lat", "lon", "mw", "zone")},
                 **{k: v for k, v in r.items() if v is not None}}
        for key in ("site", "lat", "lon", "mw"):
            if r.get(key) is None:
                raise InputError(f"{here}, field '{key}': missing (a candidate needs site, "
                                 "lat, lon and mw, or a site of site_catalog.csv with its MW)")
        try:
            lat, lon, mw = float(r["lat"]), float(r["lon"]), float(r["mw"])
        except (TypeError, ValueError):
            raise InputError(f"{here}, fields 'lat'/'lon'/'mw': expected numbers") from None
        filed = r.get("filed") or start
        filed = dt.date.fromisoformat(str(filed)) if not isinstance(filed, dt.date) else filed
        req = Request(str(r["site"]), lat, lon, mw, mw, filed, bool(r.get("prefund")), here)
        check_request(req, r.get("zone"))
        out.append(req)
    return out


def read_candidates(path: Path, start: dt.date,
                    catalog: dict[str, dict[str, Any]] | None = None) -> list[Request]:
    return candidate_requests(schemas.read(path, "candidates.csv"), str(path), start, catalog)


def with_derived(inputs: Inputs, grid_dir: Path, options_path: Path, requests_path: Path,
                 catalog_path: Path, candidates: list[Request]) -> Inputs:
    """Derive the run's requested sites (as connection steps) and the candidates (reported)."""
    own = site_requests(inputs, requests_path, read_catalog(catalog_path))
    if not own and not candidates:
        return inputs
    net = read_network(grid_dir, options_path)
    taken: dict[str, float] = {}
    derived = []
    for req in [*own, *candidates]:
        check_request(req)
        derived.append(derive(net, req, taken))
    derived[:len(own)] = [replace(d, step=sid)
                          for d, sid in zip(derived[:len(own)], step_ids(own), strict=True)]
    steps = tuple(_step(inputs, d) for d in derived[:len(own)])
    return replace(inputs, connections=inputs.connections + steps, derived=tuple(derived))


def _step(inputs: Inputs, d: DerivedConnection) -> ConnectionStep:
    start, floor = inputs.day_of(d.filed), inputs.day_of(d.floor)
    lead = tuple(float(round(m * DAYS_PER_MONTH)) for m in d.lead_months)  # whole days,
    # as the explained date (connect.py)
    day = max(floor, start + lead[1])
    return ConnectionStep(d.site, max(0.0, day), d.target_mw,
                          f"{d.option_label} from {d.substation_name}", d.step,
                          lead_days=lead, start_day=start, floor_day=floor)
