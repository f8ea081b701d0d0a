"""Cross-table checks of a run's inputs: names exist, totals add up, every planned site can be
reached, connection levels never fall."""

from __future__ import annotations

import warnings
from collections import defaultdict
from pathlib import Path

from sim.core.errors import InputError
from sim.inputs.records import Inputs
from sim.inputs.roadmap import check_plan_skus, planned_it_mw


def check_references(inputs: Inputs, paths: dict[str, Path], strict_owners: bool = True) -> None:
    """Cross-table checks: names exist, totals add up, every planned site can be reached."""
    _check_names(inputs, paths, strict_owners)
    check_plan_skus(inputs, paths["plan.csv"])
    _check_totals(inputs, paths)
    _check_capacity(inputs, paths)


def _check_names(inputs: Inputs, paths: dict[str, Path], strict_owners: bool) -> None:
    for number, row in enumerate(inputs.plan, start=2):
        where = f"{paths['plan.csv']}: row {number}"
        if row.owner not in inputs.owners:
            raise InputError(f"{where}, column 'owner': unknown owner {row.owner!r} "
                             f"(known: {', '.join(inputs.owners)})")
        if row.site not in inputs.sites:
            raise InputError(f"{where}, column 'site': unknown site {row.site!r}")
        if row.owner not in inputs.sites[row.site].owners:
            message = (f"{where}: owner {row.owner!r} may not use site {row.site!r} "
                       f"(sites.csv allows {';'.join(inputs.sites[row.site].owners)})")
            if strict_owners:
                raise InputError(message)
            warnings.warn(message + "; allowed in this what-if", stacklevel=2)
    for name, records in (("site_phases.csv", inputs.phases),
                          ("site_connections.csv", inputs.connections)):
        for number, rec in enumerate(records, start=2):
            if rec.site not in inputs.sites:
                raise InputError(f"{paths[name]}: row {number}, column 'site': unknown site "
                                 f"{rec.site!r}")
    for number, site in enumerate(inputs.sites.values(), start=2):
        for owner in site.owners:
            if owner not in inputs.owners:
                raise InputError(f"{paths['sites.csv']}: row {number}, column 'owners': "
                                 f"unknown owner {owner!r}")


def _check_totals(inputs: Inputs, paths: dict[str, Path]) -> None:
    planned: dict[str, int] = defaultdict(int)
    delivered: dict[str, int] = defaultdict(int)
    for row in inputs.plan:
        planned[row.owner] += row.gpus
    for delivery in inputs.deliveries:
        if delivery.owner not in inputs.owners:
            raise InputError(f"{paths['deliveries.csv']}: unknown owner {delivery.owner!r} "
                             f"(known: {', '.join(inputs.owners)})")
        delivered[delivery.owner] += delivery.gpus
    for gpus in (inputs.observed.arrived if inputs.observed else ()):
        delivered[gpus.owner] += gpus.gpus
    for owner in inputs.owners.values():
        if planned[owner.owner] != owner.allocation_gpus:
            raise InputError(f"{paths['plan.csv']}: owner {owner.owner!r} plans "
                             f"{planned[owner.owner]} GPUs, expected its allocation "
                             f"{owner.allocation_gpus} (owners.csv)")
        if delivered[owner.owner] != owner.allocation_gpus:
            observed = " with those observed delivered" if inputs.observed else ""
            raise InputError(f"{paths['deliveries.csv']}: owner {owner.owner!r} receives "
                             f"{delivered[owner.owner]} GPUs{observed}, expected its "
                             f"allocation {owner.allocation_gpus} (owners.csv)")


def _check_connection_steps(inputs: Inputs, path: Path) -> None:
    """A site's connection level may only grow: energised racks are never switched off."""
    last: dict[str, float] = {}
    for number, step in sorted(enumerate(inputs.connections, start=2),
                               key=lambda item: (item[1].site, item[1].day)):
        if step.capacity_mw < last.get(step.site, 0.0):
            raise InputError(f"{path}: row {number}, column 'capacity_mw': the level of site "
                             f"{step.site!r} falls to {step.capacity_mw} MW from "
                             f"{last[step.site]} MW; levels must not decrease over time")
        last[step.site] = step.capacity_mw


def _check_phase_cooling(inputs: Inputs, path: Path) -> None:
    """A hall with IT but no cooling nameplate could never host a rack."""
    for number, phase in enumerate(inputs.phases, start=2):
        if phase.liquid_cooling_mw + phase.air_cooling_mw <= 0:
            raise InputError(f"{path}: row {number}: phase {phase.phase!r} of site "
                             f"{phase.site!r} has no cooling (liquid_cooling_mw + "
                             "air_cooling_mw must be > 0)")


def site_ceiling_mw(inputs: Inputs) -> dict[str, float]:
    """IT MW each site can ever hold: its phases, capped by `ultimate_it_mw`; 0 without a
    connection row."""
    built: dict[str, float] = defaultdict(float)
    for phase in inputs.phases:
        built[phase.site] += phase.it_mw
    connected = {step.site for step in inputs.connections}
    return {name: min(built[name], site.ultimate_it_mw) if name in connected else 0.0
            for name, site in inputs.sites.items()}


def _check_capacity(inputs: Inputs, paths: dict[str, Path]) -> None:
    """Planned sites need a connection row."""
    _check_connection_steps(inputs, paths["site_connections.csv"])
    _check_phase_cooling(inputs, paths["site_phases.csv"])
    connected = {step.site for step in inputs.connections}
    peak_mw: dict[str, float] = defaultdict(float)
    for step in inputs.connections:
        peak_mw[step.site] = max(peak_mw[step.site], step.capacity_mw)
    for site in planned_it_mw(inputs):
        if site not in connected:
            raise InputError(f"{paths['site_connections.csv']}: planned site {site!r} has no "
                             "connection rows (add at least its capacity at start, maybe 0)")
        if peak_mw.get(site, 0.0) <= 0:
            raise InputError(f"{paths['site_connections.csv']}: planned site {site!r} never "
                             "has a connection above 0 MW (its GPUs could never run)")


def warn_over_ceiling(inputs: Inputs, plan_path: Path) -> None:
    """More IT planned than a site can ever hold is a warning, unless every owner there
    re-sites (the excess then moves)."""
    ceilings = site_ceiling_mw(inputs)
    for site, it_mw in planned_it_mw(inputs).items():
        owners = {row.owner for row in inputs.plan if row.site == site}
        if it_mw > ceilings[site] + 1e-9 and any(inputs.policies.of(o) != "resite"
                                                  for o in owners):
            warnings.warn(f"{plan_path}: site {site!r} is planned for {it_mw:.1f} MW "
                          f"IT but can hold {ceilings[site]:.1f} MW (phases/ultimate_it_mw); "
                          "the excess waits to the horizon", stacklevel=2)
