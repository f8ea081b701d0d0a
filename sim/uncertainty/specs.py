"""Distribution specs as they come from YAML/Hydra, validated into frozen distributions.

A spec is a mapping such as ``{"dist": "triangular", "low": 10, "mode": 20, "high": 40}``; a
bare number is shorthand for ``fixed``. Invalid specs raise one ``ValueError`` line that starts
with the config key.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Mapping, Sequence
from dataclasses import MISSING, fields
from typing import Any, NoReturn

import numpy as np

from sim.uncertainty.distributions import Distribution, SpecError, fmt
from sim.uncertainty.families import FAMILIES, Empirical


def _fail(where: str, msg: str) -> NoReturn:
    raise ValueError(f"{where}: {msg}")


def _keys(cls: type[Distribution]) -> tuple[list[str], list[str]]:
    """Required and optional spec keys (besides ``dist``): fields without / with a default."""
    required = [f.name for f in fields(cls) if f.default is MISSING]
    return required, [f.name for f in fields(cls) if f.default is not MISSING]


def _number(where: str, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _fail(where, f"'{key}' must be a number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        _fail(where, f"'{key}' must be finite, got {out}")
    return out


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
    required, optional = _keys(cls)
    keys = set(spec) - {"dist"}
    missing = [k for k in required if k not in keys]
    extra = sorted(str(k) for k in keys - set(required) - set(optional))
    hint = "expected keys for " + ", ".join([cls.family + ": dist", *required])
    hint += "".join(f", [{k}]" for k in optional)
    if missing or extra:
        word, key = ("missing", missing[0]) if missing else ("unexpected", extra[0])
        _fail(where, f"{word} key '{key}' for dist '{cls.family}'; {hint}")
    if cls is not Empirical:
        return {k: _number(where, k, spec[k]) for k in sorted(keys)}
    values = spec["values"]
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        _fail(where, f"'values' must be a list of numbers, got {values!r}")
    return {"values": tuple(_number(where, f"values[{i}]", v) for i, v in enumerate(values))}


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
    except SpecError as exc:
        raise ValueError(f"{where}: {exc}") from None
    low = dist.support()[0]
    if nonnegative and low < 0:
        _fail(where, f"{cls.family} can be negative (lowest value {fmt(low)}); expected >= 0")
    return dist
