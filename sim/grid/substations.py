"""The local substation layer: each 154 kV substation (and the 345/154 kV transformation of each
345 kV substation) with its firm capacity (N-1 of its transformer banks) and the load it
already serves, so the spare capacity a new customer can take at a bus or near a point.

Data and rules: ``sim/data/grid/substations.csv`` (derived by ``tools/derive_grid.py``; every
estimate is labelled in its ``source`` column). Transformer MVA is not in OpenStreetMap: an OSM
154 kV substation is the standard 4 x 60 MVA one of korea.md §2.4, a 345 kV one has 3 x 500 MVA
of 345/154 kV banks; served load follows the provincial demand spread of ``system.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.core import schemas

FILE = "substations.csv"
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Substation:
    substation: str
    name: str
    #: bus id of the grid model (OSM), None for substations OSM lacks
    bus: int | None
    kv: int
    lat: float
    lon: float
    province: str
    #: osm (in the 2024 network), observed (energised since) or planned
    status: str
    #: the day it entered or enters service (None: in the 2024 network)
    in_service: dt.date | None
    firm_mw: float
    served_2024_mw: float

    @property
    def label(self) -> str:
        return self.name or f"{self.kv} kV S/S at OSM bus {self.bus}"


def read_substations(grid_dir: Path) -> tuple[Substation, ...]:
    """Every substation of ``grid/substations.csv``."""
    rows = schemas.read(grid_dir / FILE, f"grid/{FILE}")
    return tuple(Substation(r["substation"], r["name"] or "", r["bus"], int(r["kv"]),
                            r["lat"], r["lon"], r["province"], r["status"], r["in_service"],
                            r["firm_mw"], r["served_2024_mw"]) for r in rows)


def distance_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distance (haversine) from one point to many, km."""
    p0, p1 = np.radians(lat), np.radians(lats)
    dp, dl = p1 - p0, np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p0) * np.cos(p1) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def spare_mw(firm_mw: float, served_mw: float, taken_mw: float = 0.0) -> float:
    """Spare capacity of a substation: firm (N-1) capacity less the load it serves and what
    new customers already took, never below 0."""
    return max(0.0, firm_mw - served_mw - taken_mw)


def served_mw(sub: Substation, demand_scale: float) -> float:
    """Load a substation serves in a year whose provincial demand is ``demand_scale`` times
    2024's (a substation added after 2024 starts empty: its ``served_2024_mw`` is 0)."""
    return sub.served_2024_mw * demand_scale


def bus_spare_mw(subs: tuple[Substation, ...], bus_demand_mw: dict[int, float]
                 ) -> dict[int, float]:
    """Spare capacity of the substation at each network bus that has one: its firm capacity
    less the bus's demand of the year (the provincial spread plus firm competing loads), i.e.
    what a customer connected at that bus can still take locally."""
    return {s.bus: spare_mw(s.firm_mw, bus_demand_mw[s.bus]) for s in subs
            if s.bus is not None and s.in_service is None and s.bus in bus_demand_mw}
