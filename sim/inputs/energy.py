"""Prices and carbon parameters: the tariff, the grid emission factor's trend and the value of
an idle GPU-hour (sim/data/energy.csv, every row sourced)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

import numpy as np

from sim.core import numbers as n
from sim.core import schemas
from sim.core.errors import InputError
from sim.core.paths import DATA_DIR

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
    #: price of one GPU and the yearly carrying cost of capital (deferred orders)
    gpu_price_krw: float
    cost_of_capital_per_yr: float


@dataclass(frozen=True)
class Prices:
    """What a run charges: tariff, GPU-hour value and the grid-factor trend."""

    tariff_krw_per_kwh: float
    gpu_hour_value_krw: float
    grid: EnergyDefaults


#: the documented range of each parameter (sim.core.numbers rules)
RANGES = {"tariff_krw_per_kwh": n.NONNEG, "grid_factor_t_per_mwh": n.NONNEG,
          "grid_factor_base_year": n.Rule(lambda x: 1950 <= x <= 2100 and x == int(x),
                                          "a year 1950-2100"),
          "grid_factor_decline_per_yr": n.Rule(lambda x: 0 <= x < 1,
                                               "a yearly decline >= 0 and < 1"),
          "krw_per_usd": n.POSITIVE, "gpu_hour_value_krw": n.NONNEG}


@cache
def load_defaults(path: Path = DATA_DIR / "energy.csv") -> EnergyDefaults:
    """The parameter table (sim/data/energy.csv by default), read once per process."""
    rows = schemas.read(path, "energy.csv")
    values = {row["parameter"]: row["value"] for row in rows}
    missing = [f.name for f in fields(EnergyDefaults) if f.name not in values]
    if missing:
        raise InputError(f"{path}: missing parameter row(s) {', '.join(missing)}")
    for number, row in zip(rows.lines, rows, strict=True):
        rule = RANGES.get(row["parameter"])
        try:
            if rule is not None:
                rule.check(row["value"])
        except ValueError as err:
            raise InputError(f"{path}: row {number}, column 'value': {err} for "
                             f"{row['parameter']} (got {row['value']!r})") from None
    kwargs = {f.name: values[f.name] for f in fields(EnergyDefaults)}
    kwargs["grid_factor_base_year"] = int(kwargs["grid_factor_base_year"])
    return EnergyDefaults(**kwargs)


def default_prices() -> Prices:
    return prices_from(DATA_DIR / "energy.csv")


def prices_from(path: Path) -> Prices:
    """The tariff, GPU-hour value and grid-factor trend of an energy.csv."""
    defaults = load_defaults(path)
    return Prices(defaults.tariff_krw_per_kwh, defaults.gpu_hour_value_krw, defaults)


def grid_factor_t_per_mwh(year: FloatOrArray, defaults: EnergyDefaults | None = None
                          ) -> FloatOrArray:
    """Grid emission factor: base-year value declining geometrically per year."""
    d = defaults or load_defaults()
    years = np.asarray(year, dtype=float) - d.grid_factor_base_year
    factor = d.grid_factor_t_per_mwh * (1.0 - d.grid_factor_decline_per_yr) ** years
    return float(factor) if factor.ndim == 0 else factor
