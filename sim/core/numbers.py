"""The one rule for every number the simulator reads, from a table cell or a config key: it
is finite and inside its documented range. Each `Rule` names what is expected, so a table
cell and a config key fail with the same words."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.core.errors import InputError


@dataclass(frozen=True)
class Rule:
    """A range check on a finite number; `expected` completes "expected ..."."""

    ok: Callable[[float], bool]
    expected: str

    def check(self, value: float) -> float:
        """`value` unchanged, or ValueError('expected ...') if not finite or out of range."""
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ValueError(f"expected {self.expected}")
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number ({self.expected})")
        if not self.ok(value):
            raise ValueError(f"expected {self.expected}")
        return value


ANY = Rule(lambda x: True, "a number")
NONNEG = Rule(lambda x: x >= 0, "a number >= 0")
POSITIVE = Rule(lambda x: x > 0, "a number > 0")
FRACTION = Rule(lambda x: 0 <= x <= 1, "a fraction between 0 and 1")
AT_LEAST_ONE = Rule(lambda x: x >= 1, "a number >= 1")
LATITUDE = Rule(lambda x: -90 <= x <= 90, "a latitude between -90 and 90 degrees")
LONGITUDE = Rule(lambda x: -180 <= x <= 180, "a longitude between -180 and 180 degrees")
#: a temperature in deg C on Earth (record lows and highs with margin)
CELSIUS = Rule(lambda x: -100 <= x <= 100, "a temperature between -100 and 100 C")
#: years of delay or advance of a dated project: within the model's longest horizon
SHIFT_YEARS = Rule(lambda x: -100 <= x <= 100, "a number of years between -100 and 100")
#: the largest whole number stored in result files (int64)
INT64_MAX = 2**63 - 1


def whole(value: float, minimum: int = 0) -> int:
    """A finite whole number >= `minimum` that fits int64, or ValueError('expected ...')."""
    expected = "a whole number > 0" if minimum == 1 else f"a whole number >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected {expected}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a finite number ({expected})")
    if isinstance(value, float) and value != int(value):
        raise ValueError(f"expected {expected}")
    number = int(value)
    if not minimum <= number <= INT64_MAX:
        raise ValueError(f"expected {expected} and at most {INT64_MAX}")
    return number


def config_number(key: str, value: Any, rule: Rule) -> float:
    """`value` of config key `key` checked by `rule`, or one InputError line naming the key."""
    try:
        return rule.check(value)
    except ValueError as err:
        raise InputError(f"config key '{key}': {err}, got {value!r}") from None


def non_finite_leaf(tree: Any, prefix: str = "") -> tuple[str, float] | None:
    """(dotted key, value) of the first non-finite float in a nested dict/list, else None."""
    if isinstance(tree, float) and not math.isfinite(tree):
        return prefix, tree
    items = (tree.items() if isinstance(tree, dict)
             else enumerate(tree) if isinstance(tree, (list, tuple)) else ())
    for key, value in items:
        name = f"{prefix}[{key}]" if isinstance(key, int) else (
            f"{prefix}.{key}" if prefix else str(key))
        found = non_finite_leaf(value, name)
        if found is not None:
            return found
    return None
