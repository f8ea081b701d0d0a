"""Named distributions for uncertain durations, delays and rates, backed by ``scipy.stats``:
the base classes here, the families in `families`, spec parsing in `specs`.

Specs are plain mappings as they come from YAML/Hydra, e.g.
``{"dist": "triangular", "low": 10, "mode": 20, "high": 40}``. :func:`parse_distribution`
validates a spec and returns a frozen dataclass; invalid specs raise a one-line ``ValueError``
that starts with the config key (``where``). A bare number is shorthand for ``fixed``.

Families, keys ([optional]) and the scipy distribution behind ``mean()`` and ``quantile()``::

    fixed       value                       point mass (no scipy)
    uniform     low, high                   uniform(loc=low, scale=high - low)
    triangular  low, mode, high             triang(c, loc=low, scale=high - low)
    pert        low, mode, high, [lamb=4]   beta(a, b, loc=low, scale=high - low)   Beta-PERT
    lognormal   median, p90, [shift=0]      lognorm(s=sigma, loc=shift, scale=median - shift)
    empirical   values                      resample with replacement (no scipy)

Every distribution has ``sample(rng, size=None)`` (a Python scalar if ``size`` is None, else an
ndarray), ``central()``, ``mean()``, ``quantile(q)``, ``support()``, ``describe()`` and
``to_spec()``. A zero-width range is a point mass (scipy needs ``scale > 0``). ``support()`` is
read off the parameters (it equals scipy's), and ``scipy.stats`` is imported lazily on first use,
so parsing, validation and ``central()`` never load scipy.

``central()`` is the deterministic value used when Monte Carlo is off: the value the config states
as "typical" -- ``value`` (fixed), ``mode`` (triangular, PERT), ``median`` (lognormal),
``np.median(values)`` (empirical; the midpoint of the two middle values for an even count), the
midpoint (uniform). It is NOT the mean: right-skewed delays have a mean above their central value,
so deterministic runs are optimistic relative to the MC mean.

Common random numbers: the number of underlying draws ``sample`` consumes never depends on the
parameters, and every family except PERT maps each draw monotonically (scipy's ``ppf`` of
``rng.random``, or lognorm's location-scale map of ``rng.standard_normal``), so scenarios that
change parameters on a shared stream stay coupled draw by draw. PERT uses numpy's (rejection)
beta sampler: reproducible, but not coupled across parameter changes. ``fixed`` consumes no draws.
"""

from __future__ import annotations

import functools
import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass, fields
from statistics import NormalDist
from types import ModuleType
from typing import Any, ClassVar

import numpy as np

Size = int | tuple[int, ...] | None
Sample = float | np.ndarray

Z90 = NormalDist().inv_cdf(0.9)
"""Standard normal 90th percentile (1.2815515655446004)."""


class SpecError(ValueError):
    """Invalid parameters; :func:`parse_distribution` prefixes the config key."""


def need(ok: bool, message: str) -> None:
    if not ok:
        raise SpecError(message)


@functools.cache
def _stats() -> ModuleType:
    """``scipy.stats``, imported on first use."""
    import scipy.stats

    return scipy.stats


@functools.lru_cache(maxsize=1024)
def _frozen(dist: ScipyBacked) -> Any:
    """The scipy frozen distribution of ``dist``, built once per parameter set."""
    return dist.freeze(_stats())


def fmt(x: float) -> str:
    return str(x) if isinstance(x, bool) else f"{x:g}"


def q_levels(q: float | np.ndarray) -> np.ndarray:
    arr = np.asarray(q, dtype=float)
    if not np.all((arr >= 0.0) & (arr <= 1.0)):
        raise ValueError(f"quantile levels must be in [0, 1], got {q!r}")
    return arr


def as_sample(arr: np.ndarray, like: float | np.ndarray) -> Sample:
    """Return a Python float when the input was a scalar."""
    return float(arr) if np.ndim(like) == 0 else arr


@dataclass(frozen=True)
class Distribution(ABC):
    """Base class: a named, validated distribution (required keys: fields without default)."""

    family: ClassVar[str]

    @abstractmethod
    def sample(self, rng: np.random.Generator, size: Size = None) -> Sample:
        """Draw ``size`` values (a Python scalar when ``size`` is None)."""

    @abstractmethod
    def central(self) -> float:
        """Deterministic value used when Monte Carlo is off (see module docstring)."""

    @abstractmethod
    def mean(self) -> float:
        """Analytic mean."""

    @abstractmethod
    def quantile(self, q: float | np.ndarray) -> Sample:
        """Inverse CDF at level(s) ``q`` in [0, 1]."""

    @abstractmethod
    def support(self) -> tuple[float, float]:
        """Lowest and highest possible values."""

    def to_spec(self) -> dict[str, Any]:
        """Plain dict that :func:`parse_distribution` turns back into this object."""
        spec: dict[str, Any] = {"dist": self.family}
        for f in fields(self):
            value = getattr(self, f.name)
            spec[f.name] = list(value) if isinstance(value, tuple) else value
        return spec

    def describe(self) -> str:
        """One-line summary for reports."""
        params = ", ".join(f"{k}={fmt(v)}" for k, v in self.to_spec().items() if k != "dist")
        return f"{self.family}({params}); central={fmt(self.central())}, mean={fmt(self.mean())}"


class ScipyBacked(Distribution):
    """``mean()`` and ``quantile()`` from the scipy frozen distribution built by ``freeze``."""

    @abstractmethod
    def freeze(self, stats: ModuleType) -> Any:
        """The frozen distribution, built from the ``scipy.stats`` module ``stats``."""

    def point(self) -> float | None:
        """The only value of a zero-width range (scipy needs ``scale > 0``), else None."""
        return None

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        point = self.point()
        if point is not None:
            return np.full(np.shape(u), point)
        with warnings.catch_warnings():  # boost's beta inverse gives up (nan) below q ~ 1e-150;
            warnings.simplefilter("ignore", RuntimeWarning)  # there the bound is the quantile
            x = np.asarray(_frozen(self).ppf(u), dtype=float)
        return np.where(np.isnan(x), np.where(u < 0.5, *self.support()), x)

    def mean(self) -> float:
        point = self.point()
        return point if point is not None else float(_frozen(self).mean())

    def quantile(self, q: float | np.ndarray) -> Sample:
        return as_sample(self._ppf(q_levels(q)), q)


class Ranged(ScipyBacked):
    """A family on [low, high], sampled by inverse transform of ``rng.random(size)``."""

    low: float
    high: float

    def sample(self, rng: np.random.Generator, size: Size = None) -> Sample:
        u = rng.random(size)
        return as_sample(self._ppf(np.asarray(u)), u)

    def point(self) -> float | None:
        return self.low if self.high == self.low else None

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)
