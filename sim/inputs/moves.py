"""What-if edits of a plan: move an owner's GPUs from one site to another; and where an
owner's rule lets a move (of the plan search) take them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sim.core.errors import InputError
from sim.inputs.records import Inputs, PlanRow

MOVE_KEYS = {"owner", "from_site", "to_site", "gpus"}
#: placement rules of an owner, narrowest first (see `allowed_sites`)
PLACEMENTS = ("own", "colocation", "anywhere")


def allowed_sites(inputs: Inputs, owner: str, rule: str,
                  halls: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Sites a move may take `owner`'s GPUs to under `rule`, in table order:

    - `own`: the rows of the run's site table (sites.csv) that list the owner;
    - `colocation`: those, then the colocation halls (`halls`: hall id -> owners it takes,
      from colocation_halls.csv) that take the owner;
    - `anywhere`: every row of the site table, then those halls.

    The site table is whatever the run reads (a scenario's own sites.csv or a larger catalog),
    so `anywhere` grows with it. Halls already among the run's sites (an owner re-sites) count
    as halls, not as rows of the site table.
    """
    if rule not in PLACEMENTS:
        raise InputError(f"--placement: unknown rule {rule!r} (expected one of "
                         f"{', '.join(PLACEMENTS)})")
    table = [s for s, site in inputs.sites.items() if s not in halls and s not in inputs.halls
             and (rule == "anywhere" or owner in site.owners)]
    if rule == "own":
        return table
    return table + [h for h, owners in halls.items() if owner in owners]


def apply_moves(inputs: Inputs, moves: list[dict]) -> tuple[PlanRow, ...]:
    """The plan with each move applied in order: GPUs leave the owner's rows at `from_site`
    (in row order) and join a row of the same SKU at `to_site` (new rows go after the
    owner's last row, so they are filled last)."""
    plan = list(inputs.plan)
    for k, move in enumerate(moves):
        plan = _move(plan, dict(move), f"config key 'moves[{k}]'", inputs)
    return tuple(row for row in plan if row.gpus > 0)


def _move(plan: list[PlanRow], move: dict, where: str, inputs: Inputs) -> list[PlanRow]:
    if set(move) != MOVE_KEYS:
        raise InputError(f"{where}: expected keys {', '.join(sorted(MOVE_KEYS))}, got "
                         f"{', '.join(sorted(move))}")
    owner, src, dst, gpus = move["owner"], move["from_site"], move["to_site"], move["gpus"]
    for key, value, known in (("owner", owner, inputs.owners), ("from_site", src, inputs.sites),
                              ("to_site", dst, inputs.sites)):
        if value not in known:
            raise InputError(f"{where}: unknown {key} {value!r}")
    if not isinstance(gpus, int) or gpus <= 0:
        raise InputError(f"{where}: 'gpus' expected a whole number > 0, got {gpus!r}")
    available = sum(r.gpus for r in plan if r.owner == owner and r.site == src)
    if gpus > available:
        raise InputError(f"{where}: owner {owner!r} has {available} GPUs at {src!r}, cannot "
                         f"move {gpus}")
    left, moved = gpus, []
    for i, row in enumerate(plan):
        if left and row.owner == owner and row.site == src:
            take = min(left, row.gpus)
            plan[i] = replace(row, gpus=row.gpus - take)
            moved.append((row.sku, take))
            left -= take
    for sku, take in moved:
        plan = _add(plan, PlanRow(owner, dst, sku, take))
    return plan


def _add(plan: list[PlanRow], new: PlanRow) -> list[PlanRow]:
    for i, row in enumerate(plan):
        if (row.owner, row.site, row.sku) == (new.owner, new.site, new.sku):
            plan[i] = replace(row, gpus=row.gpus + new.gpus)
            return plan
    last = max(i for i, row in enumerate(plan) if row.owner == new.owner)
    return [*plan[:last + 1], new, *plan[last + 1:]]
