"""Owner deliveries as blocks of whole units (racks or servers) per plan row and SKU."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sim.inputs.records import Inputs
from sim.inputs.roadmap import Fill, fills


@dataclass
class Block:
    """Units of one SKU for one owner at one site that arrived together."""

    owner: str
    site: str
    units: int
    gpus_per_unit: int
    unit_it_mw: float
    arrival_day: float
    liquid_share: float = 0.0
    sku: str = ""
    #: the day the GPUs were due before any owner policy moved them
    planned_day: float = 0.0

    @property
    def gpus(self) -> int:
        return self.units * self.gpus_per_unit


def split_deliveries(inputs: Inputs) -> list[Block]:
    """Turn owner deliveries into unit blocks per plan row and SKU.

    Each owner's GPUs fill its plan rows in row order, each delivery as the SKU it was planned
    as (`sim.inputs.roadmap`). GPUs become whole units as soon as enough of one SKU have
    arrived for the row; the last unit of a row's SKU may be partial (emitted when the row
    moves on to another SKU or is complete).
    """
    filled: dict[tuple[int, str], int] = defaultdict(int)
    emitted: dict[tuple[int, str], int] = defaultdict(int)
    row_total = [0] * len(inputs.plan)
    last: dict[int, Fill] = {}
    blocks: list[Block] = []
    for fill in fills(inputs):
        previous = last.get(fill.row)
        if previous is not None and previous.sku != fill.sku:
            blocks += _partial(inputs, previous, filled, emitted)
        key = (fill.row, fill.sku)
        filled[key] += fill.gpus
        row_total[fill.row] += fill.gpus
        per = inputs.skus[fill.sku].gpus_per_unit
        full = filled[key] // per
        if full > emitted[key]:
            blocks.append(_block(inputs, fill, full - emitted[key], per))
            emitted[key] = full
        last[fill.row] = fill
        if row_total[fill.row] == fill.plan.gpus:
            blocks += _partial(inputs, fill, filled, emitted)
    return blocks


def _block(inputs: Inputs, fill: Fill, units: int, gpus_per_unit: int) -> Block:
    sku = inputs.skus[fill.sku]
    gpu_mw = sku.unit_it_kw / sku.gpus_per_unit / 1000.0
    return Block(fill.plan.owner, fill.plan.site, units, gpus_per_unit, gpus_per_unit * gpu_mw,
                 fill.day, sku.liquid_heat_share, fill.sku, fill.planned_day)


def _partial(inputs: Inputs, fill: Fill, filled: dict, emitted: dict) -> list[Block]:
    """The last, partial unit of a row's SKU group, if any GPUs are left over."""
    key = (fill.row, fill.sku)
    per = inputs.skus[fill.sku].gpus_per_unit
    remainder = filled[key] - emitted[key] * per
    if remainder <= 0:
        return []
    emitted[key] += 1
    filled[key] = emitted[key] * per
    return [_block(inputs, fill, 1, remainder)]
