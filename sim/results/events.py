"""What a planner reads in sim.log after a run: every gate opening (racks energised), local
connection step, grid project completion and KEPCO assessment verdict, with dates. Derived
from a replication's RunLog and its (drawn) inputs; the model itself logs nothing."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from sim.inputs.records import Application, Inputs
from sim.model.assessment import attempts_needed
from sim.model.rollout import RunLog


def assessment_verdicts(app: Application) -> list[tuple[float, str]]:
    """(day, verdict) of each decision: rejections, then the approval (if ever)."""
    needed = attempts_needed(app.u, app.approval_probability)
    out, decision = [], app.apply_day + app.duration_days
    attempt = 1
    while True:
        if needed != math.inf and attempt >= needed:
            out.append((decision, f"approved (attempt {attempt})"))
            return out
        later = [d for d in app.reapply_days if d > decision]
        out.append((decision, f"rejected (attempt {attempt})"
                    + ("" if later else "; no later reinforcement to reapply after")))
        if not later:
            return out
        decision, attempt = later[0] + app.duration_days, attempt + 1


def _gate_events(log: RunLog) -> list[tuple[float, str]]:
    """One line per site and day on which the gate let racks through (then install and
    burn-in follow)."""
    gpus: dict[tuple[float, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    racks: dict[tuple[float, str], int] = defaultdict(int)
    for g in log.energised:
        key = (float(g.admit_day), g.site)
        gpus[key][g.owner] += len(g.energised_day) * g.gpus_per_unit
        racks[key] += len(g.energised_day)
    return [(day, f"gate opens at {site}: {racks[(day, site)]:,} racks pass ("
             + ", ".join(f"{owner} {n:,} GPUs" for owner, n in owners.items()) + ")")
            for (day, site), owners in gpus.items()]


def event_lines(log: RunLog, inputs: Inputs) -> list[str]:
    """Dated, sorted lines: `YYYY-MM-DD what happened`."""
    events = _gate_events(log)
    project_of = {(c.site, c.day): c.project for c in inputs.connections}
    events += [(day, f"connection step at {site}: {mw:g} MW facility"
                + (f" ({project_of[(site, day)]})" if (site, day) in project_of else ""))
               for site, kind, day, mw in log.capacity_steps if kind == "power" and mw > 0]
    if inputs.grid is not None:
        events += [(p.day, f"grid project completes: {p.project}") for p in inputs.grid.projects
                   if p.day <= inputs.horizon_days]
    for app in inputs.applications:
        events.append((app.apply_day, f"KEPCO assessment: {app.site} applies"))
        events += [(day, f"KEPCO assessment: {app.site} {verdict}")
                   for day, verdict in assessment_verdicts(app) if day <= inputs.horizon_days]
    events.sort(key=lambda e: (e[0], e[1]))
    return [f"{_date(inputs, day)} {text}" for day, text in events
            if 0 <= day <= inputs.horizon_days]


def _date(inputs: Inputs, day: float) -> str:
    return (inputs.start + dt.timedelta(days=math.floor(day))).isoformat()
