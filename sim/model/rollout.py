"""One replication of the rollout as a SimPy discrete-event model.

Flow of a rack block: delivered to its planned site -> waits in the site queue (FIFO by arrival,
then plan-row order) -> the site gate energises as many racks of the head block as space,
cooling and every power check allow, reserving them atomically -> install crews install them ->
burn-in -> online. Capacities change only at scheduled events (phase completions, connection
steps, grid projects), each of which wakes the gate: there is no polling.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np
import simpy

from sim.core.causes import BURN_IN, COOLING, INSTALL, LOCAL_POWER, POWER, SPACE
from sim.inputs.records import Inputs, Plant
from sim.model.assessment import Assessment, GridAssessment
from sim.model.backbone import Backbone
from sim.model.bridge import BridgePower
from sim.model.crews import CrewPool
from sim.model.deliveries import Block, split_deliveries
from sim.model.grid_queue import GridQueue
from sim.model.initial import HeldBlock, InitialState, initial_state
from sim.model.policies import Move, apply_policies
from sim.model.power import LocalConnection, PowerCheck, units_within

#: SimPy runs same-day events in priority order (URGENT 0, NORMAL 1): samples come last.
SAMPLE_PRIORITY = 2


class _LateTimeout(simpy.Event):
    """A timeout processed after every other event of its day.

    SimPy has no public way to give a timeout a priority: `simpy.Timeout` marks itself
    triggered (`_ok`, `_value`) and calls the public `Environment.schedule` with NORMAL
    priority. This does the same with SAMPLE_PRIORITY.
    """

    def __init__(self, env: simpy.Environment, delay: float):
        super().__init__(env)
        self._ok, self._value = True, None
        env.schedule(self, priority=SAMPLE_PRIORITY, delay=delay)


@dataclass
class UnitsEnergised:
    """Racks of a block that passed the gate together, with each rack's energised day."""

    owner: str
    site: str
    gpus_per_unit: int
    unit_it_mw: float
    arrival_day: float
    admit_day: float
    energised_day: np.ndarray
    #: the day the GPUs were due before any owner policy moved them
    planned_day: float = 0.0


@dataclass
class SiteState:
    crews: CrewPool
    plant: Plant
    it_capacity_mw: float = 0.0
    #: heat rejection available at summer design conditions, MW of heat
    liquid_capacity_mw: float = 0.0
    air_capacity_mw: float = 0.0
    it_used_mw: float = 0.0
    liquid_used_mw: float = 0.0
    air_used_mw: float = 0.0
    queue: deque[Block] = field(default_factory=deque)
    #: (day, causes failing for the head block); empty tuple when nothing waits.
    timeline: list[tuple[float, tuple[str, ...]]] = field(default_factory=list)


@dataclass
class RunLog:
    """Raw outcome of one replication; `sim.results` turns it into series and summaries."""

    causes: tuple[str, ...]
    energised: list[UnitsEnergised] = field(default_factory=list)
    waiting: list[Block] = field(default_factory=list)
    arrivals: list[Block] = field(default_factory=list)
    capacity_steps: list[tuple[str, str, float, float]] = field(default_factory=list)
    timelines: dict[str, list[tuple[float, tuple[str, ...]]]] = field(default_factory=dict)
    #: monthly backbone samples (day, line ids, loading, headroom per site) when recorded
    grid_samples: list[tuple[float, list[str], np.ndarray, np.ndarray]] = field(
        default_factory=list)
    binding_lines: dict[str, dict[str, int]] = field(default_factory=dict)
    #: monthly (day, grid state key) of a dated grid when recorded
    grid_keys: list[tuple[float, tuple]] = field(default_factory=list)
    #: GPUs that owner policies deferred or re-sited
    moves: list[Move] = field(default_factory=list)
    #: results computed once from this log and shared by its readers (sim.results)
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    #: on-site bridges: site -> (MWh supplied, retire day or None)
    bridges: dict[str, tuple[float, float | None]] = field(default_factory=dict)
    #: flexible connections: (site, day, used MW, firm MW, N-0 MW, outage probability)
    flex_history: list[tuple[str, float, float, float, float, float]] = field(
        default_factory=list)


class Rollout:
    """Build with inputs (already drawn, for Monte Carlo) and power checks, then `run()`."""

    def __init__(self, inputs: Inputs, power_checks: list[PowerCheck] | None = None,
                 sample_days: np.ndarray | None = None):
        """`sample_days`: days on which to record the backbone state (single runs)."""
        self.inputs = inputs
        self.env = simpy.Environment()
        self.power_checks = power_checks or default_power_checks(inputs)
        self.sample_days = sample_days
        self.bridge = BridgePower(inputs.bridges)
        for check in self.power_checks:
            if hasattr(check, "clock"):
                check.clock = lambda: self.env.now
        #: units of the head block the grid's power checks allow (the rest needs the bridge)
        self._grid_units = 0
        power_causes = tuple(c for check in self.power_checks for c in check.causes)
        self.log = RunLog(causes=(SPACE, *power_causes, COOLING, INSTALL, BURN_IN))
        self.sites = {
            name: SiteState(CrewPool(s.crews, s.racks_per_crew_per_day), inputs.plants[name])
            for name, s in inputs.sites.items()
        }

    # -- scheduling -------------------------------------------------------------------------
    def _at(self, day: float, site: str | None, action) -> None:
        """Run `action` at `day`, then wake the gate of `site` (all sites if None)."""
        event = self.env.timeout(max(0.0, day))

        def fire(_event: simpy.Event) -> None:
            action()
            for name in [site] if site else list(self.sites):
                self._try_admit(name)

        event.callbacks.append(fire)

    def _schedule(self) -> None:
        start = initial_state(self.inputs)
        self._hold_observed(start)
        for phase in self.inputs.phases:
            self._at(phase.ready_day, phase.site, self._phase_builder(phase))
        for check in [*self.power_checks, self.bridge]:
            for day, site, action in check.actions():
                self._at(day, site, action)
        blocks, self.log.moves = apply_policies(
            split_deliveries(replace(self.inputs, plan=start.remaining_plan)), self.inputs,
            [held_block(h) for h in start.blocks])
        for block in blocks:
            self._at(block.arrival_day, block.site, self._arriver(block))
        samplers = [c for c in self.power_checks if hasattr(c, "sample")]
        if samplers and self.sample_days is not None:
            for day in self.sample_days:
                self._sample_at(day, samplers[0])

    # -- the observed state of a run from as_of (fixed, nothing drawn) ----------------------
    def _hold_observed(self, start: InitialState) -> None:
        """Observed installs take their space, cooling and power now, with their observed
        days; observed arrivals not yet installed queue at their site on day 0."""
        for held in start.blocks:
            block = held_block(held)
            self.log.arrivals.append(block)
            if held.install_days:
                self._hold_installed(held)
            if held.units > len(held.install_days):
                waiting = replace(block, units=held.units - len(held.install_days))
                self._at(0.0, held.site, lambda b=waiting: self.sites[b.site].queue.append(b))

    def _hold_installed(self, held: HeldBlock) -> None:
        state = self.sites[held.site]
        it_mw = len(held.install_days) * held.unit_it_mw
        self._reserve(held.site, state, it_mw, held.liquid_share)
        first = min(held.install_days)
        self.log.energised.append(UnitsEnergised(
            held.owner, held.site, held.gpus_per_unit, held.unit_it_mw, first, first,
            np.asarray(held.install_days, dtype=float)))

    def _sample_at(self, day: float, backbone) -> None:
        """Record the backbone after everything else that happens on `day` (low priority)."""
        event = _LateTimeout(self.env, max(0.0, day))
        sites = list(self.sites)
        event.callbacks.append(lambda _e: self._record(day, backbone, sites))

    def _record(self, day: float, backbone, sites: list[str]) -> None:
        self.log.grid_samples.append((day, *backbone.sample(sites)))
        if hasattr(backbone, "state_key"):
            self.log.grid_keys.append((day, backbone.state_key()))

    def _phase_builder(self, phase):
        def build() -> None:
            state = self.sites[phase.site]
            ultimate_mw = self.inputs.sites[phase.site].ultimate_it_mw
            state.it_capacity_mw = min(state.it_capacity_mw + phase.it_mw, ultimate_mw)
            state.liquid_capacity_mw += phase.liquid_cooling_mw * state.plant.liquid_fraction
            state.air_capacity_mw += phase.air_cooling_mw * state.plant.air_fraction
            now = self.env.now
            self.log.capacity_steps.append((phase.site, "it", now, state.it_capacity_mw))
            self.log.capacity_steps.append((phase.site, "cooling", now,
                                            state.liquid_capacity_mw + state.air_capacity_mw))
        return build

    def _arriver(self, block: Block):
        def arrive() -> None:
            self.sites[block.site].queue.append(replace(block))
            self.log.arrivals.append(block)
        return arrive

    # -- the gate ---------------------------------------------------------------------------
    def _try_admit(self, site: str) -> None:
        """Energise racks from the head of the site queue while every limit allows."""
        state = self.sites[site]
        waiting_mw = sum(b.units * b.unit_it_mw for b in state.queue) * state.plant.design_pue
        if self.bridge.replaceable(site, self.power_checks, waiting_mw):
            self.bridge.retire(site, self.power_checks, self.env.now)
        failing: tuple[str, ...] = ()
        while state.queue:
            block = state.queue[0]
            limits = self._limits(site, state, block)
            admitted = min(block.units, *limits.values())
            if admitted:
                self._admit(site, state, block, admitted)
            if admitted < block.units:
                block.units -= admitted
                failing = tuple(c for c, k in limits.items() if k < block.units + admitted)
                break
            state.queue.popleft()
        if not state.timeline or state.timeline[-1][1] != failing:
            state.timeline.append((self.env.now, failing))

    def _limits(self, site: str, state: SiteState, block: Block) -> dict[str, int]:
        unit, n = block.unit_it_mw, block.units
        liquid, air = unit * block.liquid_share, unit * (1.0 - block.liquid_share)
        limits = {
            SPACE: units_within(state.it_capacity_mw - state.it_used_mw, unit, n),
            COOLING: min(
                units_within(state.liquid_capacity_mw - state.liquid_used_mw, liquid, n),
                units_within(state.air_capacity_mw - state.air_used_mw, air, n)),
        }
        facility_mw = unit * state.plant.design_pue
        power: dict[str, int] = {}
        for check in self.power_checks:
            power.update(check.max_units(site, facility_mw, block.units))
        self._grid_units = min(power.values(), default=n)
        extra = units_within(self.bridge.room_mw(site), facility_mw, n - self._grid_units)
        limits.update({cause: k + extra for cause, k in power.items()})
        return limits

    def _reserve(self, site: str, state: SiteState, it_mw: float, liquid_share: float,
                 bridge_it_mw: float = 0.0) -> None:
        """Take `it_mw` of space, cooling and (at the design PUE) power at `site`;
        `bridge_it_mw` of it is powered by the site's bridge, the rest by the grid."""
        state.it_used_mw += it_mw
        state.liquid_used_mw += it_mw * liquid_share
        state.air_used_mw += it_mw * (1.0 - liquid_share)
        pue = state.plant.design_pue
        for check in self.power_checks:
            check.commit(site, (it_mw - bridge_it_mw) * pue)
        self.bridge.take(site, bridge_it_mw * pue, self.env.now)

    def _admit(self, site: str, state: SiteState, block: Block, units: int) -> None:
        bridged = max(0, units - self._grid_units)
        self._reserve(site, state, units * block.unit_it_mw, block.liquid_share,
                      bridged * block.unit_it_mw)
        now = self.env.now
        self.log.energised.append(UnitsEnergised(
            block.owner, site, block.gpus_per_unit, block.unit_it_mw, block.arrival_day, now,
            state.crews.install(now, units), block.planned_day))

    # -- run --------------------------------------------------------------------------------
    def run(self) -> RunLog:
        self._schedule()
        self.env.run(until=self.inputs.horizon_days + 1e-9)
        for name, state in self.sites.items():
            self.log.waiting.extend(state.queue)
            self.log.timelines[name] = state.timeline
        for check in self.power_checks:
            self.log.capacity_steps.extend(
                (site, "power", day, mw) for site, day, mw in getattr(check, "history", ()))
            for site, counts in getattr(check, "binding_lines", {}).items():
                self.log.binding_lines[site] = dict(counts)
        horizon = self.inputs.horizon_days
        for check in self.power_checks:
            self.log.flex_history.extend(getattr(check, "flex_log", ()))
        self.log.bridges = {site: (self.bridge.energy_mwh(site, horizon),
                                   self.bridge.retired.get(site))
                            for site in self.bridge.bridges}
        return self.log


def held_block(held: HeldBlock) -> Block:
    """An observed block as a delivered block (due when it arrived)."""
    return Block(held.owner, held.site, held.units, held.gpus_per_unit, held.unit_it_mw,
                 held.arrival_day, held.liquid_share, held.sku, held.arrival_day)


def default_power_checks(inputs: Inputs) -> list[PowerCheck]:
    """The local connection, plus the backbone and the assessment gate when the inputs have
    them (the local cause is then called `local_power`)."""
    extra: list[PowerCheck] = []
    queue = None
    if inputs.grid is not None and inputs.grid.rules is not None:
        queue = GridQueue(inputs.grid, inputs.start, inputs.horizon_days, inputs.flexible,
                          inputs.flexible_rules)
        extra.append(queue)
    elif inputs.grid is not None:
        extra.append(Backbone(inputs.grid))
    if inputs.applications and queue is not None:
        extra.append(GridAssessment(inputs.applications, queue))
    elif inputs.applications:
        extra.append(Assessment(inputs.applications))
    local = LocalConnection(inputs.connections, LOCAL_POWER if extra else POWER)
    return [local, *extra]
