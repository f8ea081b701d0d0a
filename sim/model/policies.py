"""Owner policies when a site is not ready for its GPUs: `fixed`, `defer`, `resite`.

Owners decide with what they can foresee: their sites' building phases, cooling plant and
own connection steps (the dated steps of the run, after its draws), and every GPU already
bound for each site. The national backbone and KEPCO's assessment are not foreseen: GPUs
that pass this forecast can still wait for them at the gate.

- `fixed`: deliveries arrive as planned.
- `defer`: an order ships when its site is forecast ready within `window_days` of arrival,
  at most `max_deferral_days` late.
- `resite`: GPUs forecast to idle longer than `idle_threshold_days` go, as far as there is
  room, to another site of the owner (shipped there directly) or to a colocation hall that
  takes the owner (arriving after the hall's transfer days); the rest stays.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, replace

import numpy as np

from sim.inputs.records import Inputs
from sim.model.deliveries import Block
from sim.model.power import EPS_MW

#: room kinds the forecast tracks: IT space, liquid and air heat rejection, facility power
KINDS = ("space", "liquid", "air", "power")


@dataclass(frozen=True)
class Move:
    """GPUs an owner policy deferred or re-sited."""

    owner: str
    policy: str
    from_site: str
    to_site: str
    sku: str
    gpus: int
    it_mw: float
    planned_day: float
    arrival_day: float


class Forecast:
    """Per site, the dated capacity an owner can foresee, and the load already bound there."""

    def __init__(self, inputs: Inputs):
        self.inputs = inputs
        self.days: dict[str, np.ndarray] = {}
        self.levels: dict[str, np.ndarray] = {}    # step x kind, cumulative
        self._day_lists: dict[str, list[float]] = {}     # the same as Python lists, for the
        self._level_rows: dict[str, list[tuple]] = {}    # many small lookups of room_units
        self.bound = {name: np.zeros(len(KINDS)) for name in inputs.sites}
        #: (owner, unit kW) -> where a block may be re-sited (see `_destinations`)
        self.destinations: dict[tuple[str, float], tuple[list, list]] = {}
        phases: dict[str, list] = {name: [] for name in inputs.sites}
        connections: dict[str, list] = {name: [] for name in inputs.sites}
        for p in inputs.phases:
            phases.setdefault(p.site, []).append(p)
        for c in inputs.connections:
            connections.setdefault(c.site, []).append(c)
        for name in inputs.sites:
            self._steps(name, phases[name], connections[name])

    def _steps(self, site: str, phases: list, connections: list) -> None:
        """The site's dated levels from its `phases` and `connections` (in table order)."""
        plant = self.inputs.plants[site]
        changes: list[tuple[float, int, float, bool]] = []   # day, kind, value, is_level
        for p in phases:
            changes += [(p.ready_day, 0, p.it_mw, False),
                        (p.ready_day, 1, p.liquid_cooling_mw * plant.liquid_fraction, False),
                        (p.ready_day, 2, p.air_cooling_mw * plant.air_fraction, False)]
        changes += [(c.day, 3, c.capacity_mw, True) for c in connections]
        days = sorted({0.0, *(c[0] for c in changes)})
        levels = np.zeros((len(days), len(KINDS)))
        for day, kind, value, is_level in changes:
            k = days.index(day)
            if is_level:
                levels[k:, kind] = np.maximum(levels[k:, kind], value)
            else:
                levels[k:, kind] += value
        self.days[site], self.levels[site] = np.asarray(days), levels
        self._day_lists[site], self._level_rows[site] = days, [tuple(r) for r in levels.tolist()]

    def need(self, site: str, block: Block, units: int) -> np.ndarray:
        unit = block.unit_it_mw
        pue = self.inputs.plants[site].design_pue
        return units * np.array([unit, unit * block.liquid_share,
                                 unit * (1.0 - block.liquid_share), unit * pue])

    def ready_day(self, site: str, block: Block, from_day: float) -> float:
        """First day >= `from_day` when the whole block fits beside the bound load."""
        total = self.bound[site] + self.need(site, block, block.units) - 1e-9
        fits = np.all(self.levels[site] >= total, axis=1)
        days = self.days[site]
        for k in np.flatnonzero(fits):
            if k + 1 >= len(days) or days[k + 1] > from_day:
                return max(float(days[k]), from_day)
        return math.inf

    def room_units(self, site: str, block: Block, day: float) -> int:
        """Units of the block that fit at `day` beside the bound load."""
        k = bisect.bisect_right(self._day_lists[site], day) - 1
        unit = block.unit_it_mw
        one = (unit, unit * block.liquid_share, unit * (1.0 - block.liquid_share),
               unit * self.inputs.plants[site].design_pue)
        fit = block.units
        for level, bound, need in zip(self._level_rows[site][k], self.bound[site].tolist(),
                                      one, strict=True):
            if need > 0:     # a kind the block does not use never limits it (units_within)
                fit = min(fit, math.floor((level - bound + EPS_MW) / need))
        return max(0, fit)

    def bind(self, site: str, block: Block) -> None:
        self.bound[site] += self.need(site, block, block.units)


def apply_policies(blocks: list[Block], inputs: Inputs, held: list[Block] | None = None
                   ) -> tuple[list[Block], list[Move]]:
    """Blocks after each owner's policy, in planned order, and what moved. `held`: GPUs
    already at their sites (a run from as_of), bound before any decision."""
    forecast = Forecast(inputs)
    for block in held or []:
        forecast.bind(block.site, block)
    out: list[Block] = []
    moves: list[Move] = []
    for block in sorted(blocks, key=lambda b: b.arrival_day):
        policy = inputs.policies.of(block.owner)
        if policy == "defer":
            placed = [_defer(block, forecast, inputs, moves)]
        elif policy == "resite":
            placed = _resite(block, forecast, inputs, moves)
        else:
            placed = [block]
        for b in placed:
            forecast.bind(b.site, b)
        out += placed
    return out, moves


def _defer(block: Block, forecast: Forecast, inputs: Inputs, moves: list[Move]) -> Block:
    policy = inputs.policies
    due = block.arrival_day
    ready = forecast.ready_day(block.site, block, due)
    arrival = min(max(due, ready - policy.window_days), due + policy.max_deferral_days)
    if arrival <= due:
        return block
    moves.append(Move(block.owner, "defer", block.site, block.site, block.sku, block.gpus,
                      block.units * block.unit_it_mw, due, arrival))
    return replace(block, arrival_day=arrival)


def _destinations(block: Block, inputs: Inputs,
                  cache: dict[tuple[str, float], tuple[list, list]]
                  ) -> list[tuple[float, str]]:
    """(transfer days, site) the owner may move GPUs to, sorted: its own sites other than
    the block's (0 days) and the halls that take it; `cache` keeps both lists per owner and
    unit size."""
    sku = inputs.skus.get(block.sku)
    unit_kw = sku.it_kw_per_unit if sku else block.unit_it_mw * 1000.0   # the rack itself
    key = (block.owner, unit_kw)
    if key not in cache:
        skipped = {h.replaces_site for h in inputs.halls.values() if h.replaces_site}
        own = [(0.0, name) for name, site in inputs.sites.items()
               if block.owner in site.owners and name not in inputs.halls
               and name not in skipped]
        halls = [(h.transfer_days, name) for name, h in inputs.halls.items()
                 if block.owner in h.owners
                 and (h.max_unit_kw is None or unit_kw <= h.max_unit_kw)]
        cache[key] = (own, halls)
    own, halls = cache[key]
    return sorted([d for d in own if d[1] != block.site] + halls)


def _resite(block: Block, forecast: Forecast, inputs: Inputs, moves: list[Move]
            ) -> list[Block]:
    due = block.arrival_day
    ready = forecast.ready_day(block.site, block, due)
    if ready - due <= inputs.policies.idle_threshold_days:
        return [block]
    placed, left = [], block
    for transfer, site in _destinations(block, inputs, forecast.destinations):
        arrival = due + transfer
        units = min(forecast.room_units(site, left, arrival), left.units) \
            if arrival < ready else 0
        if units <= 0:
            continue
        moved = replace(left, site=site, units=units, arrival_day=arrival)
        forecast.bind(site, moved)
        placed.append(moved)
        moves.append(Move(block.owner, "resite", block.site, site, block.sku, moved.gpus,
                          units * block.unit_it_mw, due, arrival))
        left = replace(left, units=left.units - units)
        if not left.units:
            break
    for moved in placed:     # bound again by apply_policies
        forecast.bound[moved.site] -= forecast.need(moved.site, moved, moved.units)
    return placed + ([left] if left.units else [])
