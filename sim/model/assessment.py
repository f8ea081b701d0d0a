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


class GridAssessment:
    """KEPCO's assessment decided from the grid: at each decision the applicant's request is
    approved if the grid state, after the requests ahead of it in the queue, admits all of
    it, or would once the next grid project completes (approval tied to that project; the
    grid check then holds the load until it does). Otherwise refused; the site reapplies after
    its next connection step or grid project completion (first decision `duration_days` after
    applying, as in `Assessment`)."""

    causes = (ASSESSMENT,)

    def __init__(self, applications: Iterable[Application], queue):
        self.queue = queue
        self.apps = {app.site: app for app in applications}
        self.pending = set(self.apps)
        self.next_decision = {s: a.apply_day + a.duration_days for s, a in self.apps.items()}
        self.history: list[tuple[str, float, float]] = []
        #: (site, day, approved, project the approval is tied to or "")
        self.verdicts: list[tuple[str, float, bool, str]] = []

    def max_units(self, site: str, unit_mw: float, units: int) -> dict[str, int]:
        return {ASSESSMENT: 0 if site in self.pending else units}

    def commit(self, site: str, mw: float) -> None:
        return None

    def actions(self) -> Iterable[Action]:
        for site, app in self.apps.items():
            days = {app.apply_day + app.duration_days}
            days |= {r + app.duration_days for r in app.reapply_days if r > app.apply_day}
            for day in sorted(days):
                yield day, site, self._decider(site, day)

    def _decider(self, site: str, day: float):
        def decide() -> None:
            if site not in self.pending or self.next_decision[site] != day:
                return
            approved, tied = self.queue.approvable(site)
            self.verdicts.append((site, day, approved, tied))
            if approved:
                self.pending.discard(site)
                return
            app = self.apps[site]
            later = [r for r in app.reapply_days if r > day]
            self.next_decision[site] = later[0] + app.duration_days if later else math.inf
        return decide
