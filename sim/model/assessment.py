"""KEPCO's grid impact assessment for loads of 10 MW or more (Distributed Energy Act, in force
2024-06-14; korea.md §2.5) as a gate before a site's first rack is energised.

Rule (documented, [EST]): a site that is not yet operating, plans at least `threshold_mw` of
facility load and has not passed already (site_assessments.csv) applies when its first building
phase starts. A decision comes `duration_days` later. The number of attempts until approval is
geometric with the approval probability of the site's region (capital region vs elsewhere,
korea.md §2.6: 63.8 % vs ~15 % of data-center applications denied by Sep 2025); it is drawn by
inverse transform from one uniform number per site, so the central run uses the median number
of attempts. A rejected site reapplies after its next dated connection step or grid project
completion, whichever comes first; with none left it is never approved.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from sim.core.causes import ASSESSMENT
from sim.inputs.records import Application
from sim.model.power import Action


def attempts_needed(u: float, p: float) -> int:
    """Smallest k with P(approved within k attempts) = 1 - (1 - p)^k >= u."""
    if p >= 1.0 or u <= 0.0:
        return 1
    if p <= 0.0:
        return math.inf
    return max(1, math.ceil(math.log1p(-min(u, 1 - 1e-12)) / math.log1p(-p) - 1e-12))


def approval_day(app: Application) -> float:
    """Day the site is approved (math.inf if never)."""
    needed = attempts_needed(app.u, app.approval_probability)
    decision = app.apply_day + app.duration_days
    for _ in range(int(min(needed, 1e6)) - 1):
        later = [d for d in app.reapply_days if d > decision]
        if not later:
            return math.inf
        decision = later[0] + app.duration_days
    return decision if needed != math.inf else math.inf


class Assessment:
    """Power check: no load at a site under assessment until its approval day."""

    causes = (ASSESSMENT,)

    def __init__(self, applications: Iterable[Application]):
        self.pending = {app.site: approval_day(app) for app in applications}
        self.history: list[tuple[str, float, float]] = []

    def max_units(self, site: str, unit_mw: float, units: int) -> dict[str, int]:
        return {ASSESSMENT: 0 if site in self.pending else units}

    def commit(self, site: str, mw: float) -> None:
        return None

    def actions(self) -> Iterable[Action]:
        for site, day in self.pending.items():
            if day != math.inf:
                yield day, site, self._approver(site)

    def _approver(self, site: str):
        def approve() -> None:
            self.pending.pop(site, None)
        return approve
