"""Uncertain inputs: one named draw per entity and replicate, applied to a copy of the inputs.

Entities and their stream names (common random numbers: a name draws the same values in every
scenario that has it, whatever else changes):
- `delivery_slip/owner=O`      days added to all of owner O's deliveries
- `permit/site=S/phase=P`      factor on the phase's permit days
- `construction/site=S/phase=P` factor on the phase's construction days
- `reinforcement/site=S/project=J` days added to a dated connection step (steps keep their order)
- `connection_lead/site=S/step=ID` lead time (days) of a connection step derived from the
                               network (sim/inputs/connect.py: the option's triangular
                               low/mode/high), counted from the day its clock starts
- `install/site=S`             factor on the site's racks per crew per day
- `grid_project/project=G`     days added to a grid project (lognormal from projects.csv); a
                               site connection step the project also brings moves with it
- `assessment_days/site=S`     duration of each impact-assessment attempt
- `assessment_attempts/site=S` uniform(0, 1) turned into the number of attempts needed

With one replication the run is deterministic and uses each distribution's central value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sim.core.errors import InputError
from sim.inputs.records import Application, ConnectionStep, Inputs
from sim.inputs.steps import derived_day
from sim.uncertainty.distributions import Distribution
from sim.uncertainty.families import DURATION_FAMILIES
from sim.uncertainty.specs import parse_distribution
from sim.uncertainty.streams import Streams

#: entity kind -> config key of its default distribution
KINDS = {
    "delivery_slip": "delivery_slip_days",
    "permit": "permit_factor",
    "construction": "construction_factor",
    "reinforcement": "reinforcement_delay_days",
    "install": "install_rate_factor",
}
SIGNED = {"delivery_slip"}
LEAD = "connection_lead"


def entity_names(inputs: Inputs) -> list[str]:
    """Every uncertain entity of these inputs, in a stable order."""
    names = [f"delivery_slip/owner={o}" for o in sorted({d.owner for d in inputs.deliveries})]
    for phase in inputs.phases:
        if phase.permit_days > 0:
            names.append(f"permit/site={phase.site}/phase={phase.phase}")
        if phase.construction_days > 0:
            names.append(f"construction/site={phase.site}/phase={phase.phase}")
    linked = _linked_steps(inputs)
    names += [f"reinforcement/site={s.site}/project={s.project}" for s in inputs.connections
              if s.day > 0 and s.step not in linked and s.lead_days is None]
    names += [lead_name(s) for s in inputs.connections if s.lead_days is not None]
    names += [f"install/site={s}" for s in inputs.plan_sites]
    if inputs.grid is not None:
        fixed = inputs.observed.fixed_projects if inputs.observed else frozenset()
        names += [f"grid_project/project={p.project}" for p in inputs.grid.projects
                  if p.project not in fixed]
    for request in inputs.assessment_requests:
        names += [f"assessment_days/site={request.site}",
                  f"assessment_attempts/site={request.site}"]
    return names


def lead_name(step: ConnectionStep) -> str:
    """Entity name of a derived step's lead time."""
    return f"{LEAD}/site={step.site}/step={step.step}"


def _linked_steps(inputs: Inputs) -> dict[str, str]:
    """Connection steps that a grid project brings (same id) -> that project."""
    if inputs.grid is None:
        return {}
    ids = {p.project for p in inputs.grid.projects}
    return {s.step: s.step for s in inputs.connections if s.step in ids}


def distributions(cfg: Mapping[str, Any], names: list[str], inputs: Inputs | None = None,
                  assessment_days: Mapping[str, Any] | None = None
                  ) -> dict[str, Distribution]:
    """The distribution of each entity: `uncertainty.overrides[name]`, else the entity's own
    (grid projects: projects.csv), else its kind's default."""
    overrides = cfg.get("overrides") or {}
    own = _own_specs(inputs, assessment_days)
    unknown = sorted(set(overrides) - set(names))
    if unknown:
        raise InputError(f"config key 'uncertainty.overrides': unknown entity {unknown[0]!r} "
                         f"(entities look like {names[0]!r})")
    defaults = {kind: _parse(cfg.get(key), f"uncertainty.{key}", kind)
                for kind, key in KINDS.items()}
    out = {}
    for name in names:
        kind = name.split("/", 1)[0]
        if name in overrides:
            out[name] = _parse(overrides[name], f"uncertainty.overrides.{name}", kind)
        elif name in own:
            out[name] = _parse(*own[name], kind)
        else:
            out[name] = defaults[kind]
    return out


def _own_specs(inputs: Inputs | None, assessment_days: Mapping[str, Any] | None
               ) -> dict[str, tuple[Any, str]]:
    """Entity-specific distributions given by the data rather than by a kind default."""
    own: dict[str, tuple[Any, str]] = {}
    if inputs is None:
        return own
    if inputs.grid is not None:
        for p in inputs.grid.projects:
            spec = {"dist": "lognormal", "median": p.delay_median_days,
                    "p90": p.delay_p90_days}
            own[f"grid_project/project={p.project}"] = (spec, f"grid/projects.csv {p.project}")
    for step in inputs.connections:
        if step.lead_days is not None:
            low, mode, high = step.lead_days
            own[lead_name(step)] = ({"dist": "triangular", "low": low, "mode": mode,
                                     "high": high}, f"derived connection {step.step}")
    for request in inputs.assessment_requests:
        own[f"assessment_days/site={request.site}"] = (assessment_days,
                                                       "grid.assessment.duration_days")
        own[f"assessment_attempts/site={request.site}"] = (
            {"dist": "uniform", "low": 0.0, "high": 1.0}, "assessment attempts")
    return own


def _parse(spec: Any, key: str, kind: str) -> Distribution:
    try:
        dist = parse_distribution(spec, key, families=DURATION_FAMILIES,
                                  nonnegative=kind not in SIGNED)
    except ValueError as err:
        raise InputError(str(err)) from None
    if kind == "install" and not dist.support()[0] > 0:
        raise InputError(f"config key '{key}': an install-rate factor must stay above 0")
    return dist


@dataclass(frozen=True)
class DrawTable:
    """Draws per entity name: an array with one value per replicate."""

    values: dict[str, np.ndarray]
    replications: int

    def replicate(self, r: int) -> dict[str, float]:
        return {name: float(v[r]) for name, v in self.values.items()}


def draw_table(dists: dict[str, Distribution], seed: int, replications: int) -> DrawTable:
    """Central values for one replication; otherwise `replications` draws per named stream."""
    if replications <= 1:
        return DrawTable({n: np.array([d.central()]) for n, d in dists.items()}, 1)
    streams = Streams(seed)
    values = {n: np.asarray(d.sample(streams.rng(n), size=replications), dtype=float)
              for n, d in dists.items()}
    return DrawTable(values, replications)


def apply_draws(inputs: Inputs, draw: Mapping[str, float]) -> Inputs:
    """A copy of `inputs` with one replicate's draws applied.

    In a run from `as_of`, GPUs not observed by then arrive after it: a drawn arrival day
    earlier than day 1 becomes day 1."""
    earliest = 1.0 if inputs.observed is not None else 0.0
    deliveries = tuple(sorted(
        (replace(d, day=max(earliest,
                            d.day + draw.get(f"delivery_slip/owner={d.owner}", 0.0)))
         for d in inputs.deliveries), key=lambda d: (d.day, d.owner)))
    phases = tuple(replace(
        p,
        permit_days=p.permit_days * draw.get(f"permit/site={p.site}/phase={p.phase}", 1.0),
        construction_days=p.construction_days
        * draw.get(f"construction/site={p.site}/phase={p.phase}", 1.0))
        for p in inputs.phases)
    sites = {name: replace(s, racks_per_crew_per_day=s.racks_per_crew_per_day
                           * draw.get(f"install/site={name}", 1.0))
             for name, s in inputs.sites.items()}
    grid = inputs.grid
    if grid is not None:
        grid = replace(grid, projects=tuple(
            replace(p, day=p.day + draw.get(f"grid_project/project={p.project}", 0.0))
            for p in grid.projects))
    connections = _delayed_steps(inputs.connections, draw, _linked_steps(inputs))
    drawn = replace(inputs, deliveries=deliveries, phases=phases, sites=sites,
                    connections=connections, grid=grid)
    return replace(drawn, applications=_applications(drawn, draw))


def _applications(inputs: Inputs, draw: Mapping[str, float]) -> tuple[Application, ...]:
    """Each assessment request with its drawn duration, attempts and reapply days."""
    project_days = [p.day for p in inputs.grid.projects] if inputs.grid else []
    out = []
    for r in inputs.assessment_requests:
        steps = [s.day for s in inputs.connections if s.site == r.site and s.day > 0]
        out.append(Application(
            r.site, r.apply_day, draw.get(f"assessment_days/site={r.site}", 0.0),
            r.approval_probability, draw.get(f"assessment_attempts/site={r.site}", 0.5),
            tuple(sorted(steps + project_days))))
    return tuple(out)


def _delayed_steps(steps: tuple[ConnectionStep, ...], draw: Mapping[str, float],
                   linked: Mapping[str, str]) -> tuple[ConnectionStep, ...]:
    """Delay dated steps; a site's later step never comes before its earlier one. A step that
    a grid project brings moves with that project's draw."""
    out, last_day = [], {}
    for step in sorted(steps, key=lambda s: (s.site, s.day)):
        day = step.day
        if step.lead_days is not None:
            day = derived_day(step, draw.get(lead_name(step), step.lead_days[1]))
        elif day > 0 and step.step in linked:
            day += draw.get(f"grid_project/project={linked[step.step]}", 0.0)
        elif day > 0:
            day += draw.get(f"reinforcement/site={step.site}/project={step.project}", 0.0)
        day = max(day, last_day.get(step.site, 0.0))
        last_day[step.site] = day
        out.append(replace(step, day=day))
    return tuple(out)
