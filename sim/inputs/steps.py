"""Connection steps that a grid project brings take that project's date (one project, one
table: ``grid/projects.csv``), and any step or project can be shifted by days from the
command line (``grid.shift_days.<id>=<days>``)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

from sim.core.errors import InputError
from sim.grid.projects import read_projects
from sim.inputs.records import ConnectionStep, Inputs

FIRST_SHIFTED_DAY = 1.0
"""The earliest day a shift may move a step to. Supply in place at the start (day <= 0) was
connected before the run and does not queue for the backbone; a step still to come cannot be
made part of it by a shift, only brought to the run's first day."""


def shiftable_ids(inputs: Inputs, project_ids: set[str]) -> set[str]:
    """Every id a shift may name: grid projects and connection steps."""
    return project_ids | {s.step for s in inputs.connections if s.step}


def check_shifts(shift_days: dict[str, float], known: set[str]) -> None:
    """One line for an unknown id or a non-finite shift."""
    for key, days in shift_days.items():
        if key not in known and days != 0:
            raise InputError(f"config key 'grid.shift_days.{key}': unknown project or step "
                             f"(known: {', '.join(sorted(known))})")
        if not math.isfinite(float(days)):
            raise InputError(f"config key 'grid.shift_days.{key}': expected a finite number "
                             f"of days, got {days}")


def derived_day(step: ConnectionStep, lead_days: float) -> float:
    """The day of a step derived from the network whose lead time is `lead_days`: counted
    from its clock's start, not before its floor; a step still to come (`step.day` > 0)
    stays to come (FIRST_SHIFTED_DAY)."""
    day = max(step.floor_day, step.start_day + lead_days)
    return max(FIRST_SHIFTED_DAY, day) if step.day > 0 else max(0.0, day)


def resolve_steps(inputs: Inputs, grid_dir: Path, connections_path: Path,
                  shift_days: dict[str, float]) -> Inputs:
    """Steps without a date take their grid project's planned date; shifts applied. The grid
    projects are read only when a step or a shift needs them."""
    undated = any(math.isnan(s.day) for s in inputs.connections)
    shifted = any(v != 0 for v in shift_days.values())
    projects = read_projects(grid_dir / "projects.csv") if undated or shifted else {}
    check_shifts(shift_days, shiftable_ids(inputs, set(projects)))
    out = []
    for step in inputs.connections:
        day = step.day
        if math.isnan(day):
            if step.step not in projects:
                raise InputError(f"{connections_path}: site {step.site}, column 'date': empty, "
                                 f"but step {step.step!r} is not a grid project "
                                 f"(grid/projects.csv) to take the date from")
            day = max(0.0, inputs.day_of(projects[step.step].planned_date))
        shift = float(shift_days.get(step.step, 0.0)) if step.step else 0.0
        if step.lead_days is not None:     # a derived step moves with its clock and floor
            step = replace(step, start_day=step.start_day + shift,
                           floor_day=step.floor_day + shift)
            day = derived_day(step, step.lead_days[1])
        elif day > 0 and step.step:
            day = max(FIRST_SHIFTED_DAY, day + shift)
        out.append(replace(step, day=day))
    if shifted:
        moved = {s.site for s in inputs.connections if shift_days.get(s.step, 0) != 0}
        out = drop_overtaken(out, moved)
    return replace(inputs, connections=tuple(out))


def drop_overtaken(steps: list[ConnectionStep], sites: set[str]) -> list[ConnectionStep]:
    """Steps of `sites` without the ones a shift made moot: a step dated on or after another
    step of its site that gives at least as much (a connection does not shrink when a smaller
    reinforcement completes after a larger one). Table order is kept."""
    order = {id(s): (s.day, i) for i, s in enumerate(steps)}
    return [step for step in steps if step.site not in sites or not any(
        o.site == step.site and o.capacity_mw >= step.capacity_mw
        and order[id(o)] < order[id(step)] for o in steps)]
