"""Facility energy, national TWh, electricity cost, grid emissions and idle-GPU value.

Pure functions on plain numpy arrays shaped (time, site, ...) with `time` a datetime64 vector of
monthly samples (axis 0). Each sample is taken as the average over its calendar month.

Public API
----------
    load_defaults(path=None) -> EnergyDefaults                   # sim/data/energy.csv
    DEFAULTS: EnergyDefaults
    hours_in_month(time) -> ndarray[T]
    pue_series(monthly_pue, time) -> ndarray[T, ...]             # (12, S) climatology -> (T, S)
    facility_energy_mwh(it_mw, pue, time) -> ndarray[T, ...]     # IT MW x hours x PUE
    annual_twh(energy_mwh, time) -> (years ndarray[Y], twh ndarray[Y])   # summed over sites
    cost_krw(energy_mwh, tariff_krw_per_kwh=None) -> ndarray
    grid_factor_t_per_mwh(year, defaults=None) -> float | ndarray
    emissions_t(energy_mwh, time, defaults=None) -> ndarray      # tCO2e
    idle_gpu_months(gpus_delivered, gpus_online) -> ndarray      # per monthly sample
    idle_value_krw(gpus_delivered, gpus_online, time, krw_per_gpu_hour=None) -> ndarray
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_PATH = Path(__file__).resolve().parent / "data" / "energy.csv"
KWH_PER_MWH = 1000.0
MWH_PER_TWH = 1e6

FloatOrArray = float | np.ndarray


@dataclass(frozen=True)
class EnergyDefaults:
    """Default tariff, grid-factor trend and GPU-hour value (sources in energy.csv)."""

    tariff_krw_per_kwh: float
    grid_factor_t_per_mwh: float
    grid_factor_base_year: int
    grid_factor_decline_per_yr: float
    krw_per_usd: float
    gpu_hour_value_krw: float


def load_defaults(path: Path | None = None) -> EnergyDefaults:
    """Read the parameter table (sim/data/energy.csv by default)."""
    with (path or DATA_PATH).open(newline="", encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        values = {row["parameter"]: float(row["value"]) for row in rows}
    values["grid_factor_base_year"] = int(values["grid_factor_base_year"])
    return EnergyDefaults(**values)


DEFAULTS = load_defaults()


def _months(time: np.ndarray) -> np.ndarray:
    """Time vector truncated to calendar months."""
    return np.asarray(time).astype("datetime64[M]")


def _years(time: np.ndarray) -> np.ndarray:
    """Calendar year of each sample."""
    return _months(time).astype("datetime64[Y]").astype(int) + 1970


def _along_time(values: np.ndarray, ndim: int) -> np.ndarray:
    """Reshape a (T,) vector to broadcast against an array with `ndim` dims, time first."""
    return np.reshape(values, (-1,) + (1,) * (ndim - 1))


def hours_in_month(time: np.ndarray) -> np.ndarray:
    """Hours in the calendar month of each sample."""
    start = _months(time)
    span = (start + np.timedelta64(1, "M")).astype("datetime64[h]") - start.astype("datetime64[h]")
    return span.astype(float)


def pue_series(monthly_pue: np.ndarray, time: np.ndarray) -> np.ndarray:
    """Pick the calendar-month row of a (12, ...) PUE climatology for each sample."""
    month_index = _months(time).astype(int) % 12
    return np.asarray(monthly_pue, dtype=float)[month_index]


def facility_energy_mwh(it_mw: np.ndarray, pue: np.ndarray, time: np.ndarray) -> np.ndarray:
    """Facility energy per sample: IT MW x hours in month x PUE."""
    it_mw = np.asarray(it_mw, dtype=float)
    hours = _along_time(hours_in_month(time), it_mw.ndim)
    return it_mw * hours * np.asarray(pue, dtype=float)


def annual_twh(energy_mwh: np.ndarray, time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Energy summed over all sites and months of each calendar year (partial years as is)."""
    energy = np.asarray(energy_mwh, dtype=float)
    per_sample = energy.reshape(energy.shape[0], -1).sum(axis=1)
    years, index = np.unique(_years(time), return_inverse=True)
    totals = np.zeros(years.size)
    np.add.at(totals, index, per_sample)
    return years, totals / MWH_PER_TWH


def cost_krw(energy_mwh: np.ndarray, tariff_krw_per_kwh: float | None = None) -> np.ndarray:
    """Electricity cost at a flat tariff (default 185 KRW/kWh)."""
    tariff = DEFAULTS.tariff_krw_per_kwh if tariff_krw_per_kwh is None else tariff_krw_per_kwh
    return np.asarray(energy_mwh, dtype=float) * KWH_PER_MWH * tariff


def grid_factor_t_per_mwh(year: FloatOrArray, defaults: EnergyDefaults | None = None
                          ) -> FloatOrArray:
    """Grid emission factor: base-year value declining geometrically per year."""
    d = defaults or DEFAULTS
    years = np.asarray(year, dtype=float) - d.grid_factor_base_year
    factor = d.grid_factor_t_per_mwh * (1.0 - d.grid_factor_decline_per_yr) ** years
    return float(factor) if factor.ndim == 0 else factor


def emissions_t(energy_mwh: np.ndarray, time: np.ndarray,
                defaults: EnergyDefaults | None = None) -> np.ndarray:
    """Emissions (tCO2e) of each sample at that calendar year's grid factor."""
    energy = np.asarray(energy_mwh, dtype=float)
    factor = np.asarray(grid_factor_t_per_mwh(_years(time), defaults))
    return energy * _along_time(factor, energy.ndim)


def idle_gpu_months(gpus_delivered: np.ndarray, gpus_online: np.ndarray) -> np.ndarray:
    """GPUs delivered but not online in each monthly sample (= GPU-months idle that month)."""
    idle = np.asarray(gpus_delivered, dtype=float) - np.asarray(gpus_online, dtype=float)
    return np.maximum(idle, 0.0)


def idle_value_krw(gpus_delivered: np.ndarray, gpus_online: np.ndarray, time: np.ndarray,
                   krw_per_gpu_hour: float | None = None) -> np.ndarray:
    """Value of idle GPU time per sample: idle GPUs x hours in month x KRW per GPU-hour."""
    rate = DEFAULTS.gpu_hour_value_krw if krw_per_gpu_hour is None else krw_per_gpu_hour
    idle = idle_gpu_months(gpus_delivered, gpus_online)
    return idle * _along_time(hours_in_month(time), idle.ndim) * rate
