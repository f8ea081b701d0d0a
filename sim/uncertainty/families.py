"""The distribution families: fixed, uniform, triangular, PERT, lognormal, empirical."""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any, ClassVar

import numpy as np

from sim.uncertainty.distributions import (
    Z90,
    Distribution,
    Ranged,
    Sample,
    ScipyBacked,
    Size,
    as_sample,
    fmt,
    need,
    q_levels,
)


@dataclass(frozen=True)
class Fixed(Distribution):
    """Always ``value``; consumes no random draws."""

    value: float
    family: ClassVar[str] = "fixed"

    def sample(self, rng: np.random.Generator, size: Size = None) -> Sample:
        return self.value if size is None else np.full(size, self.value, dtype=float)

    def central(self) -> float:
        return self.value

    mean = central

    def quantile(self, q: float | np.ndarray) -> Sample:
        return as_sample(np.full_like(q_levels(q), self.value), q)

    def support(self) -> tuple[float, float]:
        return (self.value, self.value)


@dataclass(frozen=True)
class Uniform(Ranged):
    """Uniform on [low, high]; central value is the midpoint."""

    low: float
    high: float
    family: ClassVar[str] = "uniform"

    def __post_init__(self) -> None:
        msg = f"uniform needs low <= high, got low={fmt(self.low)}, high={fmt(self.high)}"
        need(self.low <= self.high, msg)

    def freeze(self, stats: ModuleType) -> Any:
        return stats.uniform(loc=self.low, scale=self.high - self.low)

    def central(self) -> float:
        return 0.5 * (self.low + self.high)


class _LowModeHigh(Ranged):
    """A family on [low, high] peaking at ``mode``, its central value."""

    mode: float

    def __post_init__(self) -> None:
        low, mode, high = (fmt(v) for v in (self.low, self.mode, self.high))
        msg = f"{self.family} needs low <= mode <= high, got low={low}, mode={mode}, high={high}"
        need(self.low <= self.mode <= self.high, msg)

    def central(self) -> float:
        return self.mode


@dataclass(frozen=True)
class Triangular(_LowModeHigh):
    """Triangular on [low, high] peaking at ``mode``; central value is the mode."""

    low: float
    mode: float
    high: float
    family: ClassVar[str] = "triangular"

    def freeze(self, stats: ModuleType) -> Any:
        width = self.high - self.low
        return stats.triang((self.mode - self.low) / width, loc=self.low, scale=width)


@dataclass(frozen=True)
class Pert(_LowModeHigh):
    """Beta-PERT: ``low + (high - low) * Beta(a, b)``, a = 1 + lamb (mode - low) / (high - low).

    Sampled with ``rng.beta(a, b, size)`` (not inverse transform); central value is the mode.
    """

    low: float
    mode: float
    high: float
    lamb: float = 4.0
    family: ClassVar[str] = "pert"

    def __post_init__(self) -> None:
        super().__post_init__()
        need(self.lamb > 0, f"pert needs lamb > 0 (4 is classic PERT), got {fmt(self.lamb)}")

    def shape(self) -> tuple[float, float]:
        """Beta shape parameters (a, b); (1, 1) for a degenerate range."""
        width = self.high - self.low
        if width == 0.0:
            return (1.0, 1.0)
        a = 1.0 + self.lamb * (self.mode - self.low) / width
        return (a, 2.0 + self.lamb - a)

    def freeze(self, stats: ModuleType) -> Any:
        return stats.beta(*self.shape(), loc=self.low, scale=self.high - self.low)

    def sample(self, rng: np.random.Generator, size: Size = None) -> Sample:
        x = rng.beta(*self.shape(), size)
        return as_sample(self.low + (self.high - self.low) * np.asarray(x), x)


@dataclass(frozen=True)
class LogNormal(ScipyBacked):
    """``shift + LogNormal``, set by the median and 90th percentile of the shifted variable.

    ``sigma = ln((p90 - shift) / (median - shift)) / z_0.9``; central value is the median.
    """

    median: float
    p90: float
    shift: float = 0.0
    family: ClassVar[str] = "lognormal"

    def __post_init__(self) -> None:
        shift, median, p90 = (fmt(v) for v in (self.shift, self.median, self.p90))
        msg = f"lognormal needs shift < median < p90, got shift={shift}, median={median}, p90={p90}"
        need(self.shift < self.median < self.p90, msg)

    @property
    def sigma(self) -> float:
        """Log-scale standard deviation."""
        return math.log((self.p90 - self.shift) / (self.median - self.shift)) / Z90

    def freeze(self, stats: ModuleType) -> Any:
        return stats.lognorm(s=self.sigma, loc=self.shift, scale=self.median - self.shift)

    def sample(self, rng: np.random.Generator, size: Size = None) -> Sample:
        """lognorm's own map ``loc + scale * exp(s * z)`` of one standard normal per draw."""
        z = rng.standard_normal(size)
        scale = self.median - self.shift
        return as_sample(self.shift + scale * np.exp(self.sigma * np.asarray(z)), z)

    def central(self) -> float:
        return self.median

    def support(self) -> tuple[float, float]:
        return (self.shift, math.inf)


@dataclass(frozen=True)
class Empirical(Distribution):
    """Resample ``values`` with replacement (stored sorted, so draws are monotone in the uniform).

    Central value is ``np.median(values)``; ``quantile`` is the exact inverse CDF of the
    resampling distribution (always one of the values). Plain numpy: scipy's ``rv_discrete``
    rejects repeated values and its ``ppf(0)`` lies below the support.
    """

    values: tuple[float, ...]
    family: ClassVar[str] = "empirical"

    def __post_init__(self) -> None:
        need(bool(self.values), "empirical needs a non-empty list 'values'")
        object.__setattr__(self, "values", tuple(sorted(self.values)))

    def sample(self, rng: np.random.Generator, size: Size = None) -> Sample:
        u = rng.random(size)
        idx = np.minimum((np.asarray(u) * len(self.values)).astype(np.int64), len(self.values) - 1)
        return as_sample(np.asarray(self.values)[idx], u)

    def central(self) -> float:
        return float(np.median(self.values))

    def mean(self) -> float:
        return float(np.mean(self.values))

    def quantile(self, q: float | np.ndarray) -> Sample:
        n = len(self.values)
        idx = np.clip(np.ceil(q_levels(q) * n).astype(np.int64) - 1, 0, n - 1)
        return as_sample(np.asarray(self.values)[idx], q)

    def support(self) -> tuple[float, float]:
        return (self.values[0], self.values[-1])

    def describe(self) -> str:
        v = self.values
        return (
            f"empirical(n={len(v)}, min={fmt(v[0])}, max={fmt(v[-1])}); "
            f"central={fmt(self.central())}, mean={fmt(self.mean())}"
        )


FAMILIES: dict[str, type[Distribution]] = {
    cls.family: cls for cls in (Fixed, Uniform, Triangular, Pert, LogNormal, Empirical)
}
DURATION_FAMILIES: frozenset[str] = frozenset(FAMILIES)
"""Families allowed for durations, delays and rates (today: all of them)."""
