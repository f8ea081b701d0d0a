"""Climate -> heat-rejection capacity and PUE of a cooling plant (pure functions).

Public API
----------
Data
    load_technologies(path=None) -> dict[str, Technology]      # sim/data/cooling.csv
    load_stations(directory=None) -> dict[str, Station]        # sim/data/climate/*.csv
Ambient
    design_ambient_c(tech, station) -> float                   # WB, DB or sea temp per tech
    monthly_ambient_c(tech, station) -> ndarray[12]
Capacity
    capacity_fraction(tech, ambient_c) -> float | ndarray      # monotone, in [min_fraction, 1]
    design_capacity_mw(tech, station, liquid_mw, air_mw) -> (liquid_mw, air_mw)
PUE
    pue_at(tech, ambient_c, liquid_share=0.85) -> float | ndarray   # instantaneous
    monthly_pue(tech, station, liquid_share=0.85) -> ndarray[12]
    design_pue(tech, station, liquid_share=0.85) -> float           # for grid checks

Model (per kW of IT heat; parameters and sources in sim/data/cooling.csv)
    PUE = 1 + fan_pump(T) + sum_loops share * mech_fraction(T) / COP(T) + overhead_fraction
    mech_fraction = clip((T + approach - loop_supply) / loop_range, 0, 1)   (series economiser)
    COP = clip(carnot_eff * T_supply_K / (T + approach + condenser_lift - T_supply), 1, cop_max)
    fan_pump = fan_pump_fraction * (min_share + (1 - min_share) * ramp over fan_span_c to rated)
    capacity_fraction = clip(1 - derate_per_c * max(T - rated_ambient, 0), min_fraction, 1)
T is the tech's driving ambient (wet-bulb for towers, dry-bulb for dry coolers and air-cooled
chillers, sea temperature for seawater). Monthly PUE averages pue_at over a normal spread of hourly
ambient (sd = ambient_spread_c) about the monthly mean with Gauss-Hermite quadrature.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from sim.core import schemas
from sim.core.errors import InputError
from sim.core.paths import DATA_DIR

KELVIN = 273.15
DEFAULT_LIQUID_SHARE = 0.85  # korea.md s8: NVL72 liquid share of heat 0.85 [UNVERIFIED]
_QUAD_NODES, _QUAD_WEIGHTS = np.polynomial.hermite_e.hermegauss(9)
_QUAD_WEIGHTS = _QUAD_WEIGHTS / _QUAD_WEIGHTS.sum()
_AMBIENT_COLUMNS = {
    "wetbulb": ("wetbulb_mean_c", "design_wetbulb_c"),
    "drybulb": ("t_mean_c", "design_drybulb_c"),
    "sea": ("sea_proxy_c", "design_sea_c"),
}

FloatOrArray = float | np.ndarray


@dataclass(frozen=True)
class Technology:
    """Defaults of one cooling technology (one row of cooling.csv)."""

    technology: str
    ambient: str
    facility_water_supply_c: float
    air_loop_supply_c: float
    loop_range_c: float
    approach_c: float
    condenser_lift_c: float
    chiller_carnot_eff: float
    chiller_cop_max: float
    rated_ambient_c: float
    derate_per_c: float
    min_capacity_fraction: float
    fan_pump_fraction: float
    fan_pump_min_share: float
    fan_span_c: float
    overhead_fraction: float
    ambient_spread_c: float
    water_l_per_kwh: float
    pue_annual_low: float
    pue_annual_high: float
    source: str


@dataclass(frozen=True)
class Station:
    """Monthly climatology (12 values each) and design conditions of one station."""

    station: str
    t_mean_c: np.ndarray
    wetbulb_mean_c: np.ndarray
    sea_proxy_c: np.ndarray
    design_wetbulb_c: float
    design_drybulb_c: float
    design_sea_c: float
    annual_mean_t_c: float


def _technology(path: Path, number: int, row: dict) -> Technology:
    """Build a Technology from a parsed cooling.csv row."""
    if row["ambient"] not in _AMBIENT_COLUMNS:
        raise InputError(f"{path}: row {number}, column 'ambient': expected one of "
                         f"{', '.join(_AMBIENT_COLUMNS)} (got {row['ambient']!r})")
    return Technology(**{f.name: row[f.name] for f in fields(Technology)})


def load_technologies(path: Path | None = None) -> dict[str, Technology]:
    """Cooling technologies keyed by name, from sim/data/cooling.csv by default."""
    path = path or DATA_DIR / "cooling.csv"
    rows = schemas.read(path, "cooling.csv")
    return {row["technology"]: _technology(path, n, row) for n, row in enumerate(rows, start=2)}


def _monthly_column(rows: list[dict], column: str) -> np.ndarray:
    """One column of a station's 12 monthly rows, ordered by month."""
    ordered = sorted(rows, key=lambda r: r["month"])
    return np.array([r[column] for r in ordered], dtype=float)


def load_stations(directory: Path | None = None) -> dict[str, Station]:
    """Station climates keyed by name, from sim/data/climate/ by default."""
    directory = directory or DATA_DIR / "climate"
    monthly_path = directory / "stations_monthly.csv"
    monthly = schemas.read(monthly_path, "climate/stations_monthly.csv")
    stations: dict[str, Station] = {}
    for d in schemas.read(directory / "stations_design.csv", "climate/stations_design.csv"):
        rows = [r for r in monthly if r["station"] == d["station"]]
        if len(rows) != 12:
            raise InputError(f"{monthly_path}: station {d['station']!r} has {len(rows)} "
                             "monthly rows, expected 12 (months 1-12)")
        stations[d["station"]] = Station(
            station=d["station"],
            t_mean_c=_monthly_column(rows, "t_mean_c"),
            wetbulb_mean_c=_monthly_column(rows, "wetbulb_mean_c"),
            sea_proxy_c=_monthly_column(rows, "sea_proxy_c"),
            design_wetbulb_c=d["design_wetbulb_c"],
            design_drybulb_c=d["design_drybulb_c"],
            design_sea_c=d["design_sea_c"],
            annual_mean_t_c=d["annual_mean_t_c"],
        )
    return stations


def design_ambient_c(tech: Technology, station: Station) -> float:
    """Design value of the ambient that drives this technology at this station."""
    return float(getattr(station, _AMBIENT_COLUMNS[tech.ambient][1]))


def monthly_ambient_c(tech: Technology, station: Station) -> np.ndarray:
    """Twelve monthly means of the ambient that drives this technology."""
    return np.asarray(getattr(station, _AMBIENT_COLUMNS[tech.ambient][0]), dtype=float)


def capacity_fraction(tech: Technology, ambient_c: FloatOrArray) -> FloatOrArray:
    """Fraction of nameplate heat rejection available at an ambient (monotone non-increasing)."""
    excess_c = np.maximum(np.asarray(ambient_c, dtype=float) - tech.rated_ambient_c, 0.0)
    fraction = np.clip(1.0 - tech.derate_per_c * excess_c, tech.min_capacity_fraction, 1.0)
    return float(fraction) if fraction.ndim == 0 else fraction


def design_capacity_mw(tech: Technology, station: Station, liquid_mw: float, air_mw: float
                       ) -> tuple[float, float]:
    """Liquid- and air-side heat rejection (MW) available at the station's design ambient.

    Nameplates are rated at `tech.rated_ambient_c`; both sides reject through the same plant and
    take the same derate.
    """
    fraction = capacity_fraction(tech, design_ambient_c(tech, station))
    return liquid_mw * fraction, air_mw * fraction


def _mech_fraction(tech: Technology, supply_c: float, ambient_c: np.ndarray) -> np.ndarray:
    """Share of a loop's heat that needs compressors (series economiser)."""
    return np.clip((ambient_c + tech.approach_c - supply_c) / tech.loop_range_c, 0.0, 1.0)


def _chiller_cop(tech: Technology, supply_c: float, ambient_c: np.ndarray) -> np.ndarray:
    """Chiller COP as a fixed fraction of the Carnot COP for the lift, capped."""
    lift_k = np.maximum(ambient_c + tech.approach_c + tech.condenser_lift_c - supply_c, 1e-6)
    cop = tech.chiller_carnot_eff * (supply_c + KELVIN) / lift_k
    return np.clip(cop, 1.0, tech.chiller_cop_max)


def _fan_pump_kw_per_kw(tech: Technology, ambient_c: np.ndarray) -> np.ndarray:
    """Fans and pumps per kW heat: full at rated ambient, min_share fan_span_c colder."""
    ramp = np.clip((ambient_c - tech.rated_ambient_c) / tech.fan_span_c + 1.0, 0.0, 1.0)
    return tech.fan_pump_fraction * (tech.fan_pump_min_share + (1 - tech.fan_pump_min_share) * ramp)


def _loop_kw_per_kw(tech: Technology, supply_c: float, ambient_c: np.ndarray) -> np.ndarray:
    """Compressor power per kW of a loop's heat."""
    return _mech_fraction(tech, supply_c, ambient_c) / _chiller_cop(tech, supply_c, ambient_c)


def pue_at(tech: Technology, ambient_c: FloatOrArray,
           liquid_share: float = DEFAULT_LIQUID_SHARE) -> FloatOrArray:
    """Instantaneous PUE at a driving ambient: 1 + cooling(ambient) + fixed overheads."""
    t_c = np.asarray(ambient_c, dtype=float)
    chillers = (liquid_share * _loop_kw_per_kw(tech, tech.facility_water_supply_c, t_c)
                + (1.0 - liquid_share) * _loop_kw_per_kw(tech, tech.air_loop_supply_c, t_c))
    pue = 1.0 + _fan_pump_kw_per_kw(tech, t_c) + chillers + tech.overhead_fraction
    return float(pue) if pue.ndim == 0 else pue


def monthly_pue(tech: Technology, station: Station,
                liquid_share: float = DEFAULT_LIQUID_SHARE) -> np.ndarray:
    """Twelve monthly PUEs, averaging hourly ambient spread about each monthly mean."""
    means_c = monthly_ambient_c(tech, station)[:, None]
    hourly_c = means_c + tech.ambient_spread_c * _QUAD_NODES[None, :]
    return np.asarray(pue_at(tech, hourly_c, liquid_share)) @ _QUAD_WEIGHTS


def design_pue(tech: Technology, station: Station,
               liquid_share: float = DEFAULT_LIQUID_SHARE) -> float:
    """PUE at the station's design ambient: use for peak grid demand (IT MW x design PUE)."""
    return float(pue_at(tech, design_ambient_c(tech, station), liquid_share))
