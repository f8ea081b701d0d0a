"""The observed state a run from `as_of` starts from: `observed_state.csv`, read, checked and
held fixed in the inputs.

Each row is one fact observed by `as_of`, with its date and source. GPU rows
(`gpus_delivered`, `gpus_installed`, `gpus_online`) are cumulative counts of one owner at one
site on their date; a GPU online on day d was installed on d - burn-in. Facts that change the
model: `hall_built` (phase `item` ready on the date, not drawn), `construction_started` (phase
`item` starts on the date with its permits done; construction still drawn),
`connection_energised` (step `item` of site_connections.csv at `value` facility MW from the
date, or a new step), `grid_project_energised` (grid project `item` complete on the date, not
drawn), `assessment_passed` and `assessment_refused` (KEPCO's impact assessment: passed, or one
attempt refused and the next one after the site's next reinforcement). Kinds in RECORD_ONLY are
kept for the reader and change nothing. What the table does not record keeps the scenario's
schedule: a date planned before `as_of` counts from `as_of`, a later one is drawn as usual.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from sim.core import schemas
from sim.core.errors import InputError
from sim.inputs.records import (
    AssessmentRequest,
    ConnectionStep,
    Inputs,
    ObservedGpus,
    ObservedState,
    Phase,
)

GPU_KINDS = ("gpus_delivered", "gpus_installed", "gpus_online")
PHASE_KINDS = ("hall_built", "construction_started")
MODEL_KINDS = (*GPU_KINDS, *PHASE_KINDS, "connection_energised", "grid_project_energised",
               "assessment_passed", "assessment_refused")
RECORD_ONLY = ("contract_signed", "project_announced", "project_awarded", "site_cleared",
               "construction_progress_share")
#: owner cell of a row that is about a site rather than one owner
ANY_OWNER = "all"


@dataclass(frozen=True)
class Row:
    """One checked row: its spreadsheet row number for messages and its cells."""

    number: int
    cells: dict

    def __getattr__(self, name: str):
        try:
            return self.cells[name]
        except KeyError:
            raise AttributeError(name) from None


def read_observed(path: Path, inputs: Inputs, as_of: dt.date,
                  burn_in_days: float) -> tuple[ObservedState, list[Row]]:
    """The observed state of `path` (checked against the run's sites, owners and plan) and
    its rows, for `hold_observed` once the grid and assessment are set up."""
    rows = [Row(n, r) for n, r in enumerate(schemas.read(path, "observed_state.csv"), start=2)]
    for row in rows:
        _check_row(path, row, inputs, as_of)
    arrived = _levels(path, rows, inputs, "gpus_delivered", lambda r: r.date)
    _check_plan_room(path, rows, inputs)
    _check_not_ahead(path, rows, burn_in_days)
    installed = _installs(rows, inputs, burn_in_days)
    return ObservedState(as_of, arrived, installed), rows


def _where(path: Path, row: Row, column: str) -> str:
    return f"{path}: row {row.number}, column '{column}'"


def _check_row(path: Path, row: Row, inputs: Inputs, as_of: dt.date) -> None:
    if row.kind not in MODEL_KINDS + RECORD_ONLY:
        raise InputError(f"{_where(path, row, 'kind')}: unknown kind {row.kind!r} (expected one "
                         f"of {', '.join(MODEL_KINDS + RECORD_ONLY)})")
    if row.date > as_of:
        raise InputError(f"{_where(path, row, 'date')}: {row.date} is after as_of {as_of}; "
                         "the table holds only what was observed by then")
    if row.site not in inputs.sites:
        raise InputError(f"{_where(path, row, 'site')}: unknown site {row.site!r} "
                         "(sites.csv)")
    gpu_row = row.kind in GPU_KINDS
    if row.owner not in inputs.owners and (gpu_row or row.owner != ANY_OWNER):
        allowed = "" if gpu_row else f" or {ANY_OWNER!r}"
        raise InputError(f"{_where(path, row, 'owner')}: unknown owner {row.owner!r} "
                         f"(expected one of {', '.join(inputs.owners)}{allowed})")
    if gpu_row and row.value != int(row.value):
        raise InputError(f"{_where(path, row, 'value')}: expected a whole number of GPUs, "
                         f"got {row.value}")
    if row.kind in PHASE_KINDS and (row.site, row.item) not in _phase_index(inputs):
        phases = [p.phase for p in inputs.phases if p.site == row.site]
        raise InputError(f"{_where(path, row, 'item')}: site {row.site!r} has no phase "
                         f"{row.item!r} (site_phases.csv: {', '.join(phases) or 'none'})")


def _phase_index(inputs: Inputs) -> dict[tuple[str, str], int]:
    return {(p.site, p.phase): i for i, p in enumerate(inputs.phases)}


def _levels(path: Path, rows: list[Row], inputs: Inputs, kind: str,
            day_of_row) -> tuple[ObservedGpus, ...]:
    """Increments of the cumulative counts of `kind` per site and owner, as dated GPUs."""
    out = []
    by_key: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        if row.kind == kind:
            by_key[(row.site, row.owner)].append(row)
    for (site, owner), group in by_key.items():
        level = 0
        for row in sorted(group, key=lambda r: (r.date, r.value)):
            if row.value < level:
                raise InputError(f"{_where(path, row, 'value')}: {kind} of {owner} at {site} "
                                 f"falls to {int(row.value)} from {level}; counts are "
                                 "cumulative")
            if row.value > level:
                out.append(ObservedGpus(owner, site, int(row.value) - level,
                                        inputs.day_of(day_of_row(row))))
            level = int(row.value)
    return tuple(sorted(out, key=lambda g: (g.day, g.site, g.owner)))


def _check_plan_room(path: Path, rows: list[Row], inputs: Inputs) -> None:
    """Delivered GPUs fit the owner's plan rows at that site."""
    for row in rows:
        if row.kind == "gpus_delivered":
            room = inputs.planned_gpus(row.owner, row.site)
            if row.value > room:
                raise InputError(f"{_where(path, row, 'value')}: {int(row.value)} GPUs "
                                 f"delivered to {row.site} for {row.owner}, but the plan puts "
                                 f"{room} there")


def _installed_day(row: Row, burn_in_days: float) -> dt.date:
    """Day the GPUs of an installed or online row were installed (online = installed +
    burn-in)."""
    if row.kind == "gpus_online":
        return row.date - dt.timedelta(days=burn_in_days)
    return row.date


def _check_not_ahead(path: Path, rows: list[Row], burn_in_days: float) -> None:
    """GPUs installed or online at a site never exceed those delivered there by that date."""
    delivered = [r for r in rows if r.kind == "gpus_delivered"]
    for row in rows:
        if row.kind not in ("gpus_installed", "gpus_online"):
            continue
        by_then = max((r.value for r in delivered if (r.site, r.owner) == (row.site, row.owner)
                       and r.date <= row.date), default=0)
        if row.value > by_then:
            what = "online" if row.kind == "gpus_online" else "installed"
            raise InputError(f"{_where(path, row, 'value')}: {int(row.value)} GPUs {what} at "
                             f"{row.site} for {row.owner} on {row.date}, more than the "
                             f"{int(by_then)} delivered there by then (gpus_delivered rows)")


def _installs(rows: list[Row], inputs: Inputs, burn_in_days: float
              ) -> tuple[ObservedGpus, ...]:
    """Installs from installed and online rows: the running maximum of installed GPUs."""
    points: dict[tuple[str, str], list[tuple[dt.date, int]]] = defaultdict(list)
    for row in rows:
        if row.kind in ("gpus_installed", "gpus_online"):
            points[(row.site, row.owner)].append((_installed_day(row, burn_in_days),
                                                  int(row.value)))
    out = []
    for (site, owner), series in points.items():
        level = 0
        for date, value in sorted(series):
            if value > level:
                out.append(ObservedGpus(owner, site, value - level, inputs.day_of(date)))
                level = value
    return tuple(sorted(out, key=lambda g: (g.day, g.site, g.owner)))


# -- holding the facts fixed in the inputs -----------------------------------------------------
def hold_observed(path: Path, inputs: Inputs, rows: list[Row],
                  assessment: bool = True) -> Inputs:
    """`inputs` with every observed phase, connection step, grid project and assessment held
    at its observed date (and so never drawn); `assessment`: the run has the KEPCO gate."""
    inputs = replace(inputs, phases=_held_phases(inputs, rows),
                     connections=_held_steps(path, inputs, rows))
    inputs = _held_projects(path, inputs, rows)
    if not assessment:
        return inputs
    return replace(inputs, assessment_requests=_held_assessments(path, inputs, rows))


def _held_phases(inputs: Inputs, rows: list[Row]) -> tuple[Phase, ...]:
    phases = list(inputs.phases)
    index = _phase_index(inputs)
    for kind in PHASE_KINDS:             # a built hall overrides its construction start
        for row in (r for r in rows if r.kind == kind):
            i = index[(row.site, row.item)]
            day = inputs.day_of(row.date)
            phases[i] = replace(phases[i], start_day=day, permit_days=0.0)
            if kind == "hall_built":
                phases[i] = _built(phases[i], row.value)
    return tuple(phases)


def _built(phase: Phase, it_mw: float) -> Phase:
    """A phase ready on its start day with `it_mw` of IT (cooling scaled alike)."""
    scale = it_mw / phase.it_mw
    return replace(phase, it_mw=it_mw, construction_days=0.0,
                   liquid_cooling_mw=phase.liquid_cooling_mw * scale,
                   air_cooling_mw=phase.air_cooling_mw * scale)


def _held_steps(path: Path, inputs: Inputs, rows: list[Row]) -> tuple[ConnectionStep, ...]:
    """Observed connection steps at their date (at most `as_of`, so day 0); a site's steps
    dated by `as_of` collapse to the highest level among them."""
    steps = list(inputs.connections)
    for row in (r for r in rows if r.kind == "connection_energised"):
        step = ConnectionStep(row.site, max(0.0, inputs.day_of(row.date)), row.value, row.item)
        same = [i for i, s in enumerate(steps) if (s.site, s.project) == (row.site, row.item)]
        if same:
            steps[same[0]] = step
        else:
            steps.append(step)
        later = [s.capacity_mw for s in steps if s.site == row.site and s.day > step.day]
        if later and min(later) < row.value:
            raise InputError(f"{_where(path, row, 'value')}: {row.value} MW at {row.site} is "
                             f"above the later step of {min(later)} MW (site_connections.csv); "
                             "levels must not decrease over time")
    return _collapse_day0(steps)


def _collapse_day0(steps: list[ConnectionStep]) -> tuple[ConnectionStep, ...]:
    top: dict[str, ConnectionStep] = {}
    for step in steps:
        if step.day <= 0 and (step.site not in top
                              or step.capacity_mw > top[step.site].capacity_mw):
            top[step.site] = step
    return tuple([*top.values(), *(s for s in steps if s.day > 0)])


def _held_projects(path: Path, inputs: Inputs, rows: list[Row]) -> Inputs:
    observed = {r.item: r for r in rows if r.kind == "grid_project_energised"}
    if inputs.grid is None or not observed:
        return inputs
    known = {p.project for p in inputs.grid.projects}
    for item, row in observed.items():
        if item not in known:
            raise InputError(f"{_where(path, row, 'item')}: unknown grid project {item!r} "
                             f"(grid/projects.csv: {', '.join(sorted(known))})")
    projects = tuple(replace(p, day=inputs.day_of(observed[p.project].date))
                     if p.project in observed else p for p in inputs.grid.projects)
    state = replace(inputs.observed, fixed_projects=frozenset(observed))
    return replace(inputs, grid=replace(inputs.grid, projects=projects), observed=state)


def _held_assessments(path: Path, inputs: Inputs,
                      rows: list[Row]) -> tuple[AssessmentRequest, ...]:
    """Passed sites no longer apply; a refused site applies again at its first connection
    step or grid project after as_of (never, with none left): a reapplication between the
    refusal and as_of would have been observed."""
    passed = {r.site for r in rows if r.kind == "assessment_passed"}
    refused = {r.site: r for r in rows if r.kind == "assessment_refused"}
    requests = {r.site: r for r in inputs.assessment_requests if r.site not in passed}
    for site, row in refused.items():
        if site in passed:
            continue
        if site not in requests:
            raise InputError(f"{_where(path, row, 'kind')}: site {site!r} does not need an "
                             "impact assessment in this run (operating, passed or under the "
                             "threshold)")
        later = sorted([s.day for s in inputs.connections if s.site == site and s.day > 0]
                       + [p.day for p in (inputs.grid.projects if inputs.grid else ())
                          if p.day > 0])
        requests[site] = replace(requests[site], apply_day=later[0] if later else math.inf)
    return tuple(requests.values())
