"""Named distributions for uncertain durations, delays, rates and approvals.

Specs are plain mappings as they come from YAML/Hydra, e.g.
``{"dist": "triangular", "low": 10, "mode": 20, "high": 40}``. :func:`parse_distribution`
validates a spec and returns a frozen dataclass; invalid specs raise a one-line ``ValueError``
that starts with the config key (``where``). A bare number is shorthand for ``fixed``.

Families and keys (optional keys in brackets)::

    fixed       value
    uniform     low, high
    triangular  low, mode, high
    pert        low, mode, high, [lamb=4]       Beta-PERT
    lognormal   median, p90, [shift=0]          quantiles of the *shifted* variable
    empirical   values                          resample with replacement
    bernoulli   p                               True with probability p (approvals)

Every distribution has ``sample(rng, size=None)`` (a Python scalar if ``size`` is None, else an
ndarray), ``central()``, ``mean()``, ``quantile(q)``, ``support()``, ``describe()`` and
``to_spec()``.

``central()`` is the deterministic value used when Monte Carlo is off: the value the config states
as "typical" -- ``value`` (fixed), ``mode`` (triangular, PERT), ``median`` (lognormal),
``np.median(values)`` (empirical; the midpoint of the two middle values for an even count),
the midpoint (uniform), ``p >= 0.5`` (bernoulli). It is NOT the mean: right-skewed delays have a
mean above their central value, so deterministic runs are optimistic relative to the MC mean.

Common random numbers: the number of underlying draws ``sample`` consumes never depends on the
parameters, and every family except PERT maps each draw monotonically (inverse transform, or a
location-scale map of a standard normal), so scenarios that change parameters on a shared stream
stay coupled draw by draw. PERT uses numpy's (rejection) beta sampler: reproducible, but not
coupled across parameter changes. ``fixed`` consumes no draws.
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, fields
from statistics import NormalDist
from typing import Any, ClassVar, NoReturn

import numpy as np

Size = int | tuple[int, ...] | None
Sample = float | np.ndarray

Z90 = NormalDist().inv_cdf(0.9)
"""Standard normal 90th percentile (1.2815515655446004)."""

_PERT_GRID = 20_001


class _SpecError(ValueError):
    """Invalid parameters; :func:`parse_distribution` prefixes the config key."""


def _fmt(x: float) -> str:
    return str(x) if isinstance(x, bool) else f"{x:g}"


def _q_array(q: float | np.ndarray) -> np.ndarray:
    arr = np.asarray(q, dtype=float)
    if not np.all((arr >= 0.0) & (arr <= 1.0)):
        raise ValueError(f"quantile levels must be in [0, 1], got {q!r}")
    return arr


def _out(arr: np.ndarray, like: float | np.ndarray) -> Sample:
    """Return a Python float when the input was a scalar."""
    return float(arr) if np.ndim(like) == 0 else arr


@dataclass(frozen=True)
class Distribution(ABC):
    """Base class: a named, validated distribution."""

    family: ClassVar[str]
    required: ClassVar[tuple[str, ...]]
    optional: ClassVar[tuple[str, ...]] = ()

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
        params = ", ".join(f"{k}={_fmt(v)}" for k, v in self.to_spec().items() if k != "dist")
        return f"{self.family}({params}); central={_fmt(self.central())}, mean={_fmt(self.mean())}"


@dataclass(frozen=True)
class Fixed(Distribution):
    """Always ``value``; consumes no random draws."""

    value: float
    family: ClassVar[str] = "fixed"
    required: ClassVar[tuple[str, ...]] = ("value",)

    def sample(self, rng: np.random.Generator, size: Size = None) -> Sample:
        return self.value if size is None else np.full(size, self.value, dtype=float)

    def central(self) -> float:
        return self.value

    def mean(self) -> float:
        return self.value

    def quantile(self, q: float | np.ndarray) -> Sample:
        return _out(np.full_like(_q_array(q), self.value), q)

    def support(self) -> tuple[float, float]:
        return (self.value, self.value)


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform on [low, high]; central value is the midpoint."""

    low: float
    high: float
    family: ClassVar[str] = "uniform"
    required: ClassVar[tuple[str, ...]] = ("low", "high")

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise _SpecError(
                f"uniform needs low <= high, got low={_fmt(self.low)}, high={_fmt(self.high)}"
            )

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * u

    def sample(self, rng: np.random.Generator, size: Size = None) -> Sample:
        u = rng.random(size)
        return _out(self._ppf(np.asarray(u)), u)

    def central(self) -> float:
        return 0.5 * (self.low + self.high)

    def mean(self) -> float:
        return self.central()

    def quantile(self, q: float | np.ndarray) -> Sample:
        return _out(self._ppf(_q_array(q)), q)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


def _check_low_mode_high(family: str, low: float, mode: float, high: float) -> None:
    if not low <= mode <= high:
        raise _SpecError(
            f"{family} needs low <= mode <= high, "
            f"got low={_fmt(low)}, mode={_fmt(mode)}, high={_fmt(high)}"
        )


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular on [low, high] peaking at ``mode``; central value is the mode."""

    low: float
    mode: float
    high: float
    family: ClassVar[str] = "triangular"
    required: ClassVar[tuple[str, ...]] = ("low", "mode", "high")

    def __post_init__(self) -> None:
        _check_low_mode_high(self.family, self.low, self.mode, self.high)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        width = self.high - self.low
        if width == 0.0:
            return np.full_like(u, self.low)
        split = (self.mode - self.low) / width
        left = self.low + np.sqrt(u * width * (self.mode - self.low))
        right = self.high - np.sqrt((1.0 - u) * width * (self.high - self.mode))
        return np.where(u <= split, left, right)

    def sample(self, rng: np.random.Generator, size: Size = None) -> Sample:
        u = rng.random(size)
        return _out(self._ppf(np.asarray(u)), u)

    def central(self) -> float:
        return self.mode

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    def quantile(self, q: float | np.ndarray) -> Sample:
        return _out(self._ppf(_q_array(q)), q)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


@dataclass(frozen=True)
class Pert(Distribution):
    """Beta-PERT: ``low + (high - low) * Beta(a, b)``, a = 1 + lamb (mode - low) / (high - low).

    Central value is the mode. ``quantile`` is numeric (CDF on a 20,001-point grid, error
    ~1e-6 of the range) since numpy has no beta inverse CDF.
    """

    low: float
    mode: float
    high: float
    lamb: float = 4.0
    family: ClassVar[str] = "pert"
    required: ClassVar[tuple[str, ...]] = ("low", "mode", "high")
    optional: ClassVar[tuple[str, ...]] = ("lamb",)

    def __post_init__(self) -> None:
        _check_low_mode_high(self.family, self.low, self.mode, self.high)
        if not self.lamb > 0:
            raise _SpecError(f"pert needs lamb > 0 (4 is classic PERT), got {_fmt(self.lamb)}")

    def shape(self) -> tuple[float, float]:
        """Beta shape parameters (a, b); (1, 1) for a degenerate range."""
        width = self.high - self.low
        if width == 0.0:
            return (1.0, 1.0)
        a = 1.0 + self.lamb * (self.mode - self.low) / width
        return (a, 2.0 + self.lamb - a)

    def sample(self, rng: np.random.Generator, size: Size = None) -> Sample:
        a, b = self.shape()
        x = rng.beta(a, b, size)
        return _out(self.low + (self.high - self.low) * np.asarray(x), x)

    def central(self) -> float:
        return self.mode

    def mean(self) -> float:
        return (self.low + self.lamb * self.mode + self.high) / (self.lamb + 2.0)

    def quantile(self, q: float | np.ndarray) -> Sample:
        qa = _q_array(q)
        x = np.linspace(0.0, 1.0, _PERT_GRID)
        a, b = self.shape()
        with np.errstate(divide="ignore"):
            logpdf = (a - 1.0) * np.log(x) if a > 1.0 else np.zeros_like(x)
            logpdf = logpdf + ((b - 1.0) * np.log1p(-x) if b > 1.0 else 0.0)
        pdf = np.exp(logpdf - logpdf.max())
        cdf = np.concatenate(([0.0], np.cumsum(0.5 * (pdf[1:] + pdf[:-1]))))
        u = np.interp(qa, cdf / cdf[-1], x)
        return _out(self.low + (self.high - self.low) * u, q)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


@dataclass(frozen=True)
class LogNormal(Distribution):
    """``shift + LogNormal``, set by the median and 90th percentile of the shifted variable.

    ``sigma = ln((p90 - shift) / (median - shift)) / z_0.9``; central value is the median.
    """

    median: float
    p90: float
    shift: float = 0.0
    family: ClassVar[str] = "lognormal"
    required: ClassVar[tuple[str, ...]] = ("median", "p90")
    optional: ClassVar[tuple[str, ...]] = ("shift",)

    def __post_init__(self) -> None:
        if not self.shift < self.median < self.p90:
            raise _SpecError(
                f"lognormal needs shift < median < p90, got shift={_fmt(self.shift)}, "
                f"median={_fmt(self.median)}, p90={_fmt(self.p90)}"
            )

    @property
    def sigma(self) -> float:
        """Log-scale standard deviation."""
        return math.log((self.p90 - self.shift) / (self.median - self.shift)) / Z90

    def sample(self, rng: np.random.Generator, size: Size = None) -> Sample:
        z = rng.standard_normal(size)
        return _out(self.shift + (self.median - self.shift) * np.exp(self.sigma * np.asarray(z)), z)

    def central(self) -> float:
        return self.median

    def mean(self) -> float:
        return self.shift + (self.median - self.shift) * math.exp(0.5 * self.sigma**2)

    def quantile(self, q: float | np.ndarray) -> Sample:
        qa = _q_array(q)
        inner = np.clip(qa, 1e-300, 1.0 - 1e-16)
        z = np.vectorize(NormalDist().inv_cdf, otypes=[float])(inner)
        x = self.shift + (self.median - self.shift) * np.exp(self.sigma * z)
        x = np.where(qa == 0.0, self.shift, np.where(qa == 1.0, np.inf, x))
        return _out(x, q)

    def support(self) -> tuple[float, float]:
        return (self.shift, math.inf)


@dataclass(frozen=True)
class Empirical(Distribution):
    """Resample ``values`` with replacement (stored sorted, so draws are monotone in the uniform).

    Central value is ``np.median(values)``; ``quantile`` is the exact inverse CDF of the
    resampling distribution (always one of the values).
    """

    values: tuple[float, ...]
    family: ClassVar[str] = "empirical"
    required: ClassVar[tuple[str, ...]] = ("values",)

    def __post_init__(self) -> None:
        if not self.values:
            raise _SpecError("empirical needs a non-empty list 'values'")
        object.__setattr__(self, "values", tuple(sorted(self.values)))

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        n = len(self.values)
        idx = np.minimum((u * n).astype(np.int64), n - 1)
        return np.asarray(self.values)[idx]

    def sample(self, rng: np.random.Generator, size: Size = None) -> Sample:
        u = rng.random(size)
        return _out(self._ppf(np.asarray(u)), u)

    def central(self) -> float:
        return float(np.median(self.values))

    def mean(self) -> float:
        return float(np.mean(self.values))

    def quantile(self, q: float | np.ndarray) -> Sample:
        qa = _q_array(q)
        n = len(self.values)
        idx = np.clip(np.ceil(qa * n).astype(np.int64) - 1, 0, n - 1)
        return _out(np.asarray(self.values)[idx], q)

    def support(self) -> tuple[float, float]:
        return (self.values[0], self.values[-1])

    def describe(self) -> str:
        v = self.values
        return (
            f"empirical(n={len(v)}, min={_fmt(v[0])}, max={_fmt(v[-1])}); "
            f"central={_fmt(self.central())}, mean={_fmt(self.mean())}"
        )


@dataclass(frozen=True)
class Bernoulli(Distribution):
    """True with probability ``p`` (one uniform per draw: ``u < p``).

    Central value is ``p >= 0.5`` (the more likely outcome; ties count as success).
    """

    p: float
    family: ClassVar[str] = "bernoulli"
    required: ClassVar[tuple[str, ...]] = ("p",)

    def __post_init__(self) -> None:
        if not 0.0 <= self.p <= 1.0:
            raise _SpecError(f"bernoulli needs 0 <= p <= 1, got p={_fmt(self.p)}")

    def sample(self, rng: np.random.Generator, size: Size = None) -> bool | np.ndarray:
        u = rng.random(size)
        return bool(u < self.p) if size is None else u < self.p

    def central(self) -> bool:
        return self.p >= 0.5

    def mean(self) -> float:
        return self.p

    def quantile(self, q: float | np.ndarray) -> bool | np.ndarray:
        out = _q_array(q) > 1.0 - self.p
        return bool(out) if np.ndim(q) == 0 else out

    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)


FAMILIES: dict[str, type[Distribution]] = {
    cls.family: cls for cls in (Fixed, Uniform, Triangular, Pert, LogNormal, Empirical, Bernoulli)
}
DURATION_FAMILIES: frozenset[str] = frozenset(FAMILIES) - {"bernoulli"}


def _fail(where: str, msg: str) -> NoReturn:
    raise ValueError(f"{where}: {msg}")


def _keys_hint(cls: type[Distribution]) -> str:
    keys = ["dist", *cls.required, *(f"[{k}]" for k in cls.optional)]
    return f"expected keys for {cls.family}: " + ", ".join(keys)


def _number(where: str, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _fail(where, f"'{key}' must be a number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        _fail(where, f"'{key}' must be finite, got {out}")
    return out


def _number_list(where: str, key: str, value: object) -> tuple[float, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        _fail(where, f"'{key}' must be a list of numbers, got {value!r}")
    return tuple(_number(where, f"{key}[{i}]", v) for i, v in enumerate(value))


def _family(where: str, spec: Mapping[str, Any], allowed: Collection[str]) -> type[Distribution]:
    choices = ", ".join(sorted(allowed))
    if "dist" not in spec:
        _fail(where, f"missing key 'dist'; expected one of: {choices}")
    name = spec["dist"]
    if not isinstance(name, str) or name not in FAMILIES:
        _fail(where, f"unknown dist {name!r}; expected one of: {choices}")
    if name not in allowed:
        _fail(where, f"dist '{name}' is not allowed here; expected one of: {choices}")
    return FAMILIES[name]


def _kwargs(where: str, spec: Mapping[str, Any], cls: type[Distribution]) -> dict[str, Any]:
    keys = set(spec) - {"dist"}
    missing = [k for k in cls.required if k not in keys]
    extra = sorted(str(k) for k in keys - set(cls.required) - set(cls.optional))
    if missing:
        _fail(where, f"missing key '{missing[0]}' for dist '{cls.family}'; {_keys_hint(cls)}")
    if extra:
        _fail(where, f"unexpected key '{extra[0]}' for dist '{cls.family}'; {_keys_hint(cls)}")
    if cls is Empirical:
        return {"values": _number_list(where, "values", spec["values"])}
    return {k: _number(where, k, spec[k]) for k in sorted(keys)}


def parse_distribution(
    spec: Mapping[str, Any] | float,
    where: str,
    *,
    families: Collection[str] | None = None,
    nonnegative: bool = True,
) -> Distribution:
    """Validate ``spec`` and build its distribution.

    ``where`` names the config key and prefixes every error (one-line ``ValueError``).
    ``families`` restricts the allowed families (e.g. :data:`DURATION_FAMILIES`); with
    ``nonnegative`` (default) specs whose support reaches below zero are rejected.
    A bare number is shorthand for ``{"dist": "fixed", "value": number}``.
    """
    if isinstance(spec, numbers.Real) and not isinstance(spec, bool):
        spec = {"dist": "fixed", "value": spec}
    if not isinstance(spec, Mapping):
        _fail(where, f"expected a mapping like {{dist: fixed, value: 30}}, got {spec!r}")
    cls = _family(where, spec, FAMILIES if families is None else families)
    try:
        dist = cls(**_kwargs(where, spec, cls))
    except _SpecError as exc:
        raise ValueError(f"{where}: {exc}") from None
    low = dist.support()[0]
    if nonnegative and low < 0:
        _fail(where, f"{cls.family} can be negative (lowest value {_fmt(low)}); expected >= 0")
    return dist
