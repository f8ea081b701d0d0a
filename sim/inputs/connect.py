"""Connections derived from the network: for a site given by coordinates and facility MW, the
options a utility weighs (``connection_options.csv``: feeders, a 154 kV line to a substation
with spare capacity, a new 154 kV or 345 kV substation) at the substations near it
(``grid/substations.csv``, ``sim/grid/substations.py``), and the earliest feasible one.

Rules [EST, each option's source is in its row]:
* an option that uses an existing substation needs its spare capacity (firm N-1 capacity less
  the load it serves in the connection year, less what sites derived before it in this run
  took); the tier follows the MW (korea-connections-options.md A.1); a substation that is
  observed or planned after 2024 is usable from its ``in_service`` date;
* a new substation is always feasible up to its firm capacity; pre-funding by the customer
  picks the pre-funded lead time (korea.md §8, §2.4 Solaseado);
* the route is the straight line between site and substation (route length, costs per km:
  A.2); the chosen option is the one with the earliest central date (then the cheapest).
The lead time is a triangular distribution (low, mode, high months): the deterministic run
takes the mode, a replication draws it (``sim/uncertainty/draws.py``, entity
``connection_lead/site=S/step=ID``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.core import schemas
from sim.core.errors import InputError
from sim.grid.substations import Substation, distance_km, read_substations, served_mw, spare_mw
from sim.inputs.records import DerivedConnection

DAYS_PER_MONTH = 365.25 / 12
#: mainland Korea and its islands (Jeju to Dokdo) [EST bounding box read from a map]
KOREA_LAT = (33.0, 38.7)
KOREA_LON = (124.5, 132.0)
#: distributed-energy special zones (korea.md §10: Nov 2025 and later)
ZONES = ("jeonnam", "jeju", "busan_gangseo", "uiwang", "ulsan", "pohang", "seosan")
DEMAND_PATH = "basic_plan_11"
BASE_YEAR = 2024
NEAREST = 8
"""Substations of each voltage considered per site (the nearest ones)."""


@dataclass(frozen=True)
class Option:
    option: str
    label: str
    kv: float
    min_mw: float
    max_mw: float
    max_km: float
    builds: str
    prefunded: bool
    lead_months: tuple[float, float, float]
    cost_fixed_bn_krw: float
    cost_bn_krw_per_km: float


@dataclass(frozen=True)
class Request:
    """A site asking for ``mw`` more facility MW (to a level of ``target_mw``) from ``filed``."""

    site: str
    lat: float
    lon: float
    mw: float
    target_mw: float
    filed: dt.date
    prefund: bool = False
    #: where the request came from, for error messages (file and row, or config key)
    where: str = ""


@dataclass(frozen=True)
class Network:
    """What the derivation reads once per run: substations, options, demand growth."""

    subs: tuple[Substation, ...]
    lats: np.ndarray
    lons: np.ndarray
    options: tuple[Option, ...]
    peak_mw: dict[int, float]
    bus_load_mw: dict[int, float]

    def scale(self, year: int) -> float:
        """National peak of ``year`` over 2024's (provincial shares are held, system.py)."""
        year = min(max(year, min(self.peak_mw)), max(self.peak_mw))
        return self.peak_mw[year] / self.peak_mw[BASE_YEAR]

    def served(self, sub: Substation, year: int) -> float:
        if sub.kv == 345 and sub.bus is not None and sub.status == "osm":
            return self.bus_load_mw.get(sub.bus, 0.0) * self.scale(year)
        return served_mw(sub, self.scale(year))


def read_network(grid_dir: Path, options_path: Path) -> Network:
    """The substations, connection options and demand path of a run."""
    subs = read_substations(grid_dir)
    peaks = {r["year"]: r["peak_mw"] for r in schemas.read(grid_dir / "demand_national.csv",
                                                           "grid/demand_national.csv")
             if r["path"] == DEMAND_PATH}
    loads = {r["bus"]: r["load_mw"] for r in schemas.read(grid_dir / "buses.csv",
                                                          "grid/buses.csv")}
    options = tuple(Option(r["option"], r["label"], r["kv"], r["min_mw"], r["max_mw"],
                           r["max_km"], r["builds"], r["prefunded"],
                           (r["lead_low_months"], r["lead_mode_months"], r["lead_high_months"]),
                           r["cost_fixed_bn_krw"], r["cost_bn_krw_per_km"])
                    for r in schemas.read(options_path, "connection_options.csv"))
    for i, o in enumerate(options, start=2):
        low, mode, high = o.lead_months
        if not low <= mode <= high:
            raise InputError(f"{options_path}: row {i}, column 'lead_mode_months': expected "
                             f"lead_low_months <= lead_mode_months <= lead_high_months")
    return Network(subs, np.array([s.lat for s in subs]), np.array([s.lon for s in subs]),
                   options, peaks, loads)


def check_request(req: Request, zone: str | None = None) -> None:
    """One line naming the field for a point outside Korea, a MW that is not positive or an
    unknown special zone."""
    if not KOREA_LAT[0] <= req.lat <= KOREA_LAT[1]:
        raise InputError(f"{req.where}, field 'lat': {req.lat} is outside Korea (expected "
                         f"{KOREA_LAT[0]}..{KOREA_LAT[1]} degrees north)")
    if not KOREA_LON[0] <= req.lon <= KOREA_LON[1]:
        raise InputError(f"{req.where}, field 'lon': {req.lon} is outside Korea (expected "
                         f"{KOREA_LON[0]}..{KOREA_LON[1]} degrees east)")
    if not req.mw > 0:
        raise InputError(f"{req.where}, field 'mw': expected a positive facility MW, "
                         f"got {req.mw}")
    if zone is not None and zone not in ZONES:
        raise InputError(f"{req.where}, field 'zone': unknown special zone {zone!r} "
                         f"(known: {', '.join(ZONES)})")


@dataclass(frozen=True)
class Choice:
    option: Option
    sub: Substation | None
    distance_km: float
    spare_mw: float
    day_floor: dt.date
    cost_bn_krw: float

    def date(self, filed: dt.date) -> dt.date:
        return max(filed + _days(self.option.lead_months[1]), self.day_floor)


def _days(months: float) -> dt.timedelta:
    return dt.timedelta(days=round(months * DAYS_PER_MONTH))


def choices(net: Network, req: Request, taken: dict[str, float], dist: np.ndarray
            ) -> list[Choice]:
    """Every feasible (option, substation) pair for the request (``dist``: km from the
    request to each substation of ``net``)."""
    order = np.argsort(dist)
    nearest = {kv: [i for i in order if net.subs[i].kv == kv
                    and net.subs[i].status != "planned"][:NEAREST] for kv in (154, 345)}
    planned = [i for i in order if net.subs[i].status == "planned"][:NEAREST]
    out = []
    for o in net.options:
        if not o.min_mw <= req.mw <= o.max_mw or (o.prefunded and not req.prefund):
            continue
        if o.builds == "substation":
            kv = 154 if o.kv < 345 else 345
            i = nearest[kv][0]
            if dist[i] <= o.max_km:
                out.append(Choice(o, None, float(dist[i]), o.max_mw, req.filed,
                                  o.cost_fixed_bn_krw + o.cost_bn_krw_per_km * float(dist[i])))
            continue
        for i in nearest[154] + nearest[345] + planned:
            out += _existing(net, req, o, net.subs[i], float(dist[i]), taken)
    return out


def _existing(net: Network, req: Request, o: Option, sub: Substation, d: float,
              taken: dict[str, float]) -> list[Choice]:
    if d > o.max_km:
        return []
    floor = max(req.filed, sub.in_service or req.filed)
    year = max(floor, req.filed + _days(o.lead_months[1])).year
    spare = spare_mw(sub.firm_mw, net.served(sub, year), taken.get(sub.substation, 0.0))
    if spare < req.mw:
        return []
    return [Choice(o, sub, d, spare, floor, o.cost_fixed_bn_krw + o.cost_bn_krw_per_km * d)]


def derive(net: Network, req: Request, taken: dict[str, float]) -> DerivedConnection:
    """The earliest feasible connection of ``req`` (``taken`` MW per substation is updated)."""
    dist = distance_km(req.lat, req.lon, net.lats, net.lons)
    reach_km = max(o.max_km for o in net.options)
    if float(dist.min()) > reach_km:
        raise InputError(f"{req.where}, fields 'lat'/'lon': the site is {dist.min():.0f} km "
                         f"from the nearest substation of the grid model (at most "
                         f"{reach_km:.0f} km is connectable)")
    found = choices(net, req, taken, dist)
    if not found:
        raise InputError(f"{req.where}, field 'mw': no connection option carries {req.mw:.0f} "
                         f"MW (largest: {max(o.max_mw for o in net.options):.0f} MW)")
    found.sort(key=lambda c: (c.date(req.filed), c.cost_bn_krw))
    best = found[0]
    if best.sub is not None:
        taken[best.sub.substation] = taken.get(best.sub.substation, 0.0) + req.mw
    return _explain(req, best, found[1:])


def _explain(req: Request, best: Choice, rest: list[Choice]) -> DerivedConnection:
    date = best.date(req.filed)
    where = (f"{best.sub.label} ({best.distance_km:.1f} km, spare {best.spare_mw:.0f} MW of "
             f"{best.sub.firm_mw:.0f} MW firm)" if best.sub is not None else
             f"a new substation {best.distance_km:.1f} km from the nearest existing one")
    low, mode, high = best.option.lead_months
    wait = (f"; the substation is in service from {best.day_floor}"
            if best.sub is not None and best.day_floor > req.filed else "")
    others = [f"{c.option.label} at {c.sub.label if c.sub else 'a new site'} by "
              f"{c.date(req.filed)}" for c in rest[:2]]
    why = (f"{req.mw:.0f} MW asked from {req.filed}: {best.option.label} from {where}, "
           f"{low:.0f}-{high:.0f} months (central {mode:.0f}){wait}; "
           f"{best.cost_bn_krw:.1f} bn KRW"
           + (" (route only: a bay's cost was not found)"
              if best.option.cost_fixed_bn_krw == 0 else "")
           + (f"; next best: {'; '.join(others)}" if others else "; no other option feasible"))
    return DerivedConnection(
        site=req.site, mw=req.mw, target_mw=req.target_mw, lat=req.lat, lon=req.lon,
        filed=req.filed, substation=best.sub.substation if best.sub else "new",
        substation_name=best.sub.label if best.sub else "new substation",
        distance_km=round(best.distance_km, 2), spare_mw=round(best.spare_mw, 1),
        option=best.option.option, option_label=best.option.label, date=date,
        lead_months=best.option.lead_months, floor=best.day_floor,
        cost_bn_krw=round(best.cost_bn_krw, 2), why=why)


