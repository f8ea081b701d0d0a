"""Hardware by delivery date: a plan row may name a SKU family (hardware_roadmap.csv) instead of
a SKU; each delivery that fills the row then gets the family's SKU of the quarter it was
planned in, so racks, servers and their power follow from what is delivered when.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sim.core import schemas
from sim.core.errors import InputError
from sim.core.tables import comment_lines
from sim.inputs.records import Inputs, PlanRow, RoadmapStep


def quarter_start(year: int, quarter: int) -> dt.date:
    return dt.date(year, 3 * quarter - 2, 1)


def quarter_name(date: dt.date) -> str:
    return f"{date.year}Q{(date.month - 1) // 3 + 1}"


def _next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def read_roadmap(path: Path) -> tuple[RoadmapStep, ...]:
    """The roadmap's steps; one line naming the row if a family has gaps or overlaps (its
    SKUs are checked against hardware.csv when a plan row uses the family)."""
    rows = schemas.read(path, "hardware_roadmap.csv")
    first_row = 2 + comment_lines(path)
    by_family: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for k, row in enumerate(rows):
        number = first_row + k
        if row["last_quarter"] < row["first_quarter"]:
            raise InputError(f"{path}: row {number}, column 'last_quarter': before "
                             "first_quarter")
        by_family[row["family"]].append((number, row))
    steps = []
    for family, entries in by_family.items():
        entries.sort(key=lambda e: e[1]["first_quarter"])
        for (_, prev), (number, row) in itertools.pairwise(entries):
            expected = _next_quarter(*prev["last_quarter"])
            if row["first_quarter"] != expected:
                kind = "overlaps" if row["first_quarter"] < expected else "leaves a gap after"
                raise InputError(
                    f"{path}: row {number}, column 'first_quarter': family {family!r} "
                    f"{kind} {prev['sku']} (expected {expected[0]}Q{expected[1]}, got "
                    f"{row['first_quarter'][0]}Q{row['first_quarter'][1]})")
        steps += [RoadmapStep(family, row["sku"], quarter_start(*row["first_quarter"]),
                              quarter_start(*_next_quarter(*row["last_quarter"])))
                  for _, row in entries]
    return tuple(steps)


def sku_for(inputs: Inputs, name: str, planned_day: float) -> str:
    """The SKU a delivery planned on `planned_day` gets for plan SKU or family `name`."""
    if name in inputs.skus:
        return name
    date = inputs.date_of(planned_day)
    month = date.year * 12 + date.month - 1 - 3 * inputs.korea_lag_quarters
    shipped = dt.date(month // 12, month % 12 + 1, 1)
    for step in inputs.roadmap:
        if step.family == name and step.first <= shipped < step.end:
            if step.sku not in inputs.skus:
                raise LookupError(f"family {name!r} ships SKU {step.sku!r} in "
                                  f"{quarter_name(date)}, which hardware.csv does not list")
            return step.sku
    raise LookupError(f"family {name!r} has no SKU for deliveries in {quarter_name(date)}")


def families(inputs: Inputs) -> set[str]:
    return {step.family for step in inputs.roadmap}


def gpus_per_unit(inputs: Inputs, name: str) -> int:
    """GPUs per unit of a SKU, or the least common multiple over a family's SKUs."""
    if name in inputs.skus:
        return inputs.skus[name].gpus_per_unit
    return math.lcm(*(inputs.skus[s.sku].gpus_per_unit for s in inputs.roadmap
                      if s.family == name))


@dataclass(frozen=True)
class Fill:
    """GPUs of one delivery that go to one plan row, with the SKU they arrive as."""

    row: int
    plan: PlanRow
    sku: str
    day: float
    planned_day: float
    gpus: int


def fills(inputs: Inputs) -> list[Fill]:
    """Each owner's deliveries fill its plan rows in row order (the first row first)."""
    rows: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(inputs.plan):
        rows[row.owner].append(i)
    cursor: dict[str, int] = defaultdict(int)
    filled = [0] * len(inputs.plan)
    out = []
    for delivery in inputs.deliveries:
        left, owner_rows = delivery.gpus, rows.get(delivery.owner, [])
        while left and cursor[delivery.owner] < len(owner_rows):
            i = owner_rows[cursor[delivery.owner]]
            row = inputs.plan[i]
            take = min(left, row.gpus - filled[i])
            filled[i] += take
            left -= take
            out.append(Fill(i, row, sku_for(inputs, row.sku, delivery.planned_day),
                            delivery.day, delivery.planned_day, take))
            if filled[i] == row.gpus:
                cursor[delivery.owner] += 1
    return out


def planned_it_mw(inputs: Inputs) -> dict[str, float]:
    """IT MW (network and storage included) the plan puts at each site, with each delivery's
    SKU."""
    out: dict[str, float] = defaultdict(float)
    for fill in fills(inputs):
        sku = inputs.skus[fill.sku]
        out[fill.plan.site] += fill.gpus * sku.unit_it_kw / sku.gpus_per_unit / 1000.0
    return dict(out)


def check_plan_skus(inputs: Inputs, plan_path: Path) -> None:
    """Every plan row names a SKU or a family, and every delivery finds its SKU."""
    known = families(inputs)
    for number, row in enumerate(inputs.plan, start=2):
        if row.sku not in inputs.skus and row.sku not in known:
            raise InputError(f"{plan_path}: row {number}, column 'sku': unknown SKU "
                             f"{row.sku!r} (known: {', '.join([*inputs.skus, *sorted(known)])})")
    try:
        fills(inputs)
    except LookupError as err:
        raise InputError(f"{plan_path}: column 'sku': {err} (hardware_roadmap.csv)") from None
