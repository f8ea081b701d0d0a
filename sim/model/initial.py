"""The rollout's initial state in a run from `as_of`: observed GPUs as rack blocks.

Observed deliveries to a site fill the owner's plan rows at that site in row order (as
deliveries do), so each becomes racks or servers of that row's SKU; observed installs take the
first of those units at their site. What remains of each plan row is filled by the future
deliveries. Nothing here is drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from sim.inputs.records import Inputs, ObservedGpus, PlanRow
from sim.inputs.roadmap import sku_for


@dataclass
class HeldBlock:
    """Units of one plan row observed at a site: arrived on `arrival_day`, and of them
    `installed` units installed on each day of `install_days` (all <= 0)."""

    owner: str
    site: str
    units: int
    gpus_per_unit: int
    unit_it_mw: float
    arrival_day: float
    liquid_share: float
    install_days: list[float]
    sku: str = ""


@dataclass(frozen=True)
class InitialState:
    blocks: list[HeldBlock]
    #: the plan rows minus the GPUs observed delivered (rows left with none are dropped)
    remaining_plan: tuple[PlanRow, ...]


def initial_state(inputs: Inputs) -> InitialState:
    """Observed arrivals as blocks per plan row, installs marked on their first units."""
    left = [row.gpus for row in inputs.plan]
    blocks: list[HeldBlock] = []
    for gpus in inputs.observed.arrived if inputs.observed else ():
        blocks += _fill_rows(inputs, gpus, left)
    for gpus in inputs.observed.installed if inputs.observed else ():
        _mark_installed(blocks, gpus)
    remaining = tuple(replace(row, gpus=n) for row, n in zip(inputs.plan, left, strict=True)
                      if n)
    return InitialState(blocks, remaining)


def _fill_rows(inputs: Inputs, gpus: ObservedGpus, left: list[int]) -> list[HeldBlock]:
    out, todo = [], gpus.gpus
    for i, row in enumerate(inputs.plan):
        if todo == 0:
            break
        if (row.owner, row.site) != (gpus.owner, gpus.site) or left[i] == 0:
            continue
        take = min(todo, left[i])
        left[i] -= take
        todo -= take
        sku = inputs.skus[sku_for(inputs, row.sku, gpus.day)]
        per, gpu_mw = sku.gpus_per_unit, sku.unit_it_kw / sku.gpus_per_unit / 1000.0
        full, remainder = divmod(take, per)
        if full:
            out.append(HeldBlock(row.owner, row.site, full, per, per * gpu_mw, gpus.day,
                                 sku.liquid_heat_share, [], sku.sku))
        if remainder:
            out.append(HeldBlock(row.owner, row.site, 1, remainder, remainder * gpu_mw,
                                 gpus.day, sku.liquid_heat_share, [], sku.sku))
    return out


def _mark_installed(blocks: list[HeldBlock], gpus: ObservedGpus) -> None:
    """Mark whole units installed on `gpus.day`, first come first served (a partly installed
    server counts as installed)."""
    todo = gpus.gpus
    for block in blocks:
        if todo <= 0:
            return
        if (block.owner, block.site) != (gpus.owner, gpus.site):
            continue
        free = block.units - len(block.install_days)
        units = min(free, math.ceil(todo / block.gpus_per_unit))
        block.install_days.extend([gpus.day] * units)
        todo -= units * block.gpus_per_unit
