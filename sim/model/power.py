"""Power checks the site gate asks before energising racks. Swappable: the gate only knows
the `PowerCheck` protocol, so the national backbone adds itself without touching the model."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Protocol

from sim.core.causes import POWER
from sim.inputs.records import ConnectionStep

#: Tolerance when comparing MW headroom, so a connection sized for exactly N racks admits N.
EPS_MW = 1e-9

Action = tuple[float, str | None, Callable[[], None]]


def units_within(headroom_mw: float, unit_mw: float, units: int) -> int:
    """How many of `units` racks of `unit_mw` each fit in `headroom_mw`."""
    if unit_mw <= 0:
        return units
    return max(0, min(units, math.floor((headroom_mw + EPS_MW) / unit_mw)))


class PowerCheck(Protocol):
    """A limit on facility power. `causes` name the wait causes it can report."""

    causes: tuple[str, ...]
    #: (site, day, facility MW) each time the check's site limit changed, for reporting.
    history: list[tuple[str, float, float]]

    def max_units(self, site: str, unit_mw: float, units: int) -> dict[str, int]:
        """Per cause, how many racks of `unit_mw` facility MW each could be energised now."""
        ...

    def commit(self, site: str, mw: float) -> None:
        """Record `mw` more facility load energised (reserved) at `site`."""
        ...

    def actions(self) -> Iterable[Action]:
        """Scheduled changes: (day, site woken or None for all, action)."""
        ...


class LocalConnection:
    """The site's own connection: a dated step function of available facility MW.

    Its wait cause is `power`, or `local_power` when other power checks (the backbone, the
    assessment) run beside it.
    """

    def __init__(self, steps: Iterable[ConnectionStep], cause: str = POWER):
        self.cause = cause
        self.causes = (cause,)
        self.level_mw: dict[str, float] = defaultdict(float)
        self.used_mw: dict[str, float] = defaultdict(float)
        self.steps = sorted(steps, key=lambda s: (s.day, s.site))
        self.history: list[tuple[str, float, float]] = []

    def max_units(self, site: str, unit_mw: float, units: int) -> dict[str, int]:
        headroom = self.level_mw[site] - self.used_mw[site]
        return {self.cause: units_within(headroom, unit_mw, units)}

    def commit(self, site: str, mw: float) -> None:
        self.used_mw[site] += mw

    def actions(self) -> Iterable[Action]:
        for step in self.steps:
            yield step.day, step.site, self._setter(step)

    def _setter(self, step: ConnectionStep) -> Callable[[], None]:
        def apply() -> None:
            self.level_mw[step.site] = step.capacity_mw
            self.history.append((step.site, step.day, step.capacity_mw))
        return apply
