"""Typed records of a run's inputs: plain frozen dataclasses, no behaviour beyond derived
fields. Days count from the run's `start`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sim.grid.operating import OperatingRules


@dataclass(frozen=True)
class Sku:
    sku: str
    gpus_per_unit: int
    it_kw_per_unit: float
    liquid_heat_share: float
    #: extra IT load for scale-out network and storage, as a share of the unit's own
    overhead_share: float = 0.0

    @property
    def unit_it_kw(self) -> float:
        """IT kW one unit adds to its site, network and storage included."""
        return self.it_kw_per_unit * (1.0 + self.overhead_share)


@dataclass(frozen=True)
class RoadmapStep:
    """The SKU of `family` shipped from `first` (inclusive) to `end` (exclusive)."""

    family: str
    sku: str
    first: dt.date
    end: dt.date


@dataclass(frozen=True)
class Hall:
    """A colocation hall that can take re-sited GPUs; it is also a `Site` of the run."""

    hall: str
    owners: tuple[str, ...]
    transfer_days: float
    cost_krw_per_kw_month: float
    #: largest unit (rack) IT kW the hall takes; None: not stated
    max_unit_kw: float | None
    #: a sites.csv site this hall stands for (resite then skips that site)
    replaces_site: str | None


@dataclass(frozen=True)
class Policies:
    """Each owner's policy (fixed, defer, resite) and the policies' parameters."""

    by_owner: dict[str, str]
    window_days: float = 30.0
    max_deferral_days: float = 365.0
    idle_threshold_days: float = 90.0

    def of(self, owner: str) -> str:
        return self.by_owner.get(owner, "fixed")


@dataclass(frozen=True)
class Plant:
    """A site's cooling plant at its climate: PUE by month and at design, design derate."""

    design_pue: float
    monthly_pue: tuple[float, ...]   # January..December
    liquid_fraction: float           # share of liquid nameplate available at design conditions
    air_fraction: float


@dataclass(frozen=True)
class Owner:
    owner: str
    name: str
    allocation_gpus: int


@dataclass(frozen=True)
class Site:
    site: str
    name: str
    lat: float
    lon: float
    province: str
    capital_region: bool
    owners: tuple[str, ...]
    status: str
    climate_station: str
    crews: int
    racks_per_crew_per_day: float
    ultimate_it_mw: float
    #: cooling technology (cooling.csv) whose model gives PUE and derate; None: a stated PUE
    cooling_tech: str | None
    #: stated design PUE, used only when no cooling technology is given
    design_pue: float | None


@dataclass(frozen=True)
class Phase:
    site: str
    phase: str
    it_mw: float
    #: nameplate heat rejection of the liquid (DLC) loop and of the air side, MW of heat
    liquid_cooling_mw: float
    air_cooling_mw: float
    start_day: float
    permit_days: float
    construction_days: float

    @property
    def ready_day(self) -> float:
        return max(0.0, self.start_day + self.permit_days + self.construction_days)


@dataclass(frozen=True)
class ConnectionStep:
    site: str
    day: float
    capacity_mw: float
    project: str
    #: id that shifts it from the command line; a grid project's id if that project brings it
    step: str = ""
    #: a step derived from the network (sim/inputs/connect.py): the day its clock starts,
    #: its lead time (low, mode, high days; `day` = start + mode, floored) and the day before
    #: which it cannot come (its substation's in-service day); None for a sourced step
    lead_days: tuple[float, float, float] | None = None
    start_day: float = 0.0
    floor_day: float = 0.0


@dataclass(frozen=True)
class DerivedConnection:
    """Why a site's connection step has its date: the substation, option, lead time, cost."""

    site: str
    mw: float
    target_mw: float
    lat: float
    lon: float
    filed: dt.date
    substation: str
    substation_name: str
    distance_km: float
    spare_mw: float
    option: str
    option_label: str
    date: dt.date
    lead_months: tuple[float, float, float]
    floor: dt.date
    cost_bn_krw: float
    why: str
    #: the connection step it dates (`conn_<site>`, `conn_<site>_2`, ...); "" for a candidate
    step: str = ""


@dataclass(frozen=True)
class Bridge:
    """An on-site plant powering racks at `site` from `ready_day` until the grid can carry
    what it carries (sim/model/bridge.py); its MW bypass the local connection, the backbone
    queue and KEPCO's assessment (not KEPCO supply)."""

    site: str
    option: str
    mw: float
    ready_day: float
    capex_krw: float = 0.0
    #: per MWh of electricity supplied
    fuel_krw_per_mwh: float = 0.0
    t_co2e_per_mwh: float = 0.0


@dataclass(frozen=True)
class DirectContract:
    """Power bought directly from a local plant inside a special zone: changes the price and
    the emissions of what the site draws, not its connection (korea-connections-options.md
    §C.3: delivery still over KEPCO wires, no assessment exemption)."""

    contract: str
    site: str
    mw: float
    start_day: float
    #: share of the site's load the contract may serve at most is mw / min_self_supply_share
    min_self_supply_share: float
    t_co2e_per_mwh: float
    price_discount: float


@dataclass(frozen=True)
class FlexibleRules:
    """How a flexible connection is curtailed (sim/data/options/flexible.csv,
    load_duration.csv; sim/grid/curtailment.py)."""

    faults_per_100km_yr: float
    outage_hours: float
    tolerance: float
    share_of_peak: tuple[float, ...]
    share_of_hours: tuple[float, ...]


@dataclass(frozen=True)
class Delivery:
    owner: str
    day: float
    gpus: int
    #: the day the delivery was planned for (before any drawn slip): it sets the SKU
    planned_day: float = 0.0


@dataclass(frozen=True)
class PlanRow:
    owner: str
    site: str
    sku: str
    gpus: int


@dataclass(frozen=True)
class GridProject:
    """A dated grid project: completes on `day` (planned, or after its drawn delay)."""

    project: str
    kind: str
    day: float
    delay_median_days: float
    delay_p90_days: float


@dataclass(frozen=True)
class GridSetup:
    """What a replication needs to build its backbone check (plain data, picklable)."""

    grid_dir: Path
    n1: bool
    site_bus: dict[str, int]
    projects: tuple[GridProject, ...]
    #: the dated, dispatched system (None: the 2024 grid with fixed generation)
    rules: OperatingRules | None = None
    #: reference block of the time-to-power map (MW)
    reference_block_mw: float = 100.0


@dataclass(frozen=True)
class AssessmentRequest:
    """A site that must pass: when it applies and its approval probability per attempt."""

    site: str
    apply_day: float
    approval_probability: float


@dataclass(frozen=True)
class Application:
    site: str
    apply_day: float
    duration_days: float
    approval_probability: float
    #: uniform(0, 1) draw; the attempt count is its geometric inverse
    u: float
    #: days on which a rejected site may reapply (reinforcements, grid projects), sorted
    reapply_days: tuple[float, ...]


@dataclass(frozen=True)
class ObservedGpus:
    """GPUs of one owner observed at a site: arrived there by `day`, or installed on `day`
    (days from the run's start, so <= 0 for what happened by `as_of`)."""

    owner: str
    site: str
    gpus: int
    day: float


@dataclass(frozen=True)
class ObservedState:
    """What had happened by `as_of` (sim/inputs/observed.py): held fixed, never drawn."""

    as_of: dt.date
    arrived: tuple[ObservedGpus, ...] = ()
    installed: tuple[ObservedGpus, ...] = ()
    #: grid projects observed complete: no delay is drawn for them
    fixed_projects: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Inputs:
    """Everything one replication needs, in days from `start`."""

    start: dt.date
    horizon_days: float
    skus: dict[str, Sku]
    owners: dict[str, Owner]
    sites: dict[str, Site]
    phases: tuple[Phase, ...]
    connections: tuple[ConnectionStep, ...]
    deliveries: tuple[Delivery, ...]
    plan: tuple[PlanRow, ...]
    burn_in_days: float
    plants: dict[str, Plant]
    #: the national backbone check, or None to check local connections only
    grid: GridSetup | None = None
    #: sites that must pass KEPCO's impact assessment; drawn into `applications`
    assessment_requests: tuple[AssessmentRequest, ...] = ()
    applications: tuple[Application, ...] = ()
    #: the observed state a run from `as_of` starts from (None: a run from the announcement)
    observed: ObservedState | None = None
    #: SKU families by quarter (plan rows may name a family)
    roadmap: tuple[RoadmapStep, ...] = ()
    korea_lag_quarters: int = 0
    policies: Policies = Policies({})
    #: colocation halls open to re-sited GPUs (each also in `sites`)
    halls: dict[str, Hall] = field(default_factory=dict)
    #: on-site bridging plants, direct contracts and flexible connections switched on
    bridges: tuple[Bridge, ...] = ()
    direct: tuple[DirectContract, ...] = ()
    #: site -> firm (N-1) headroom may be exceeded up to the N-0 limit (sim/model/grid_queue.py)
    flexible: frozenset[str] = frozenset()
    flexible_rules: FlexibleRules | None = None
    #: connections derived from the network (sites of the run, then candidate sites)
    derived: tuple[DerivedConnection, ...] = ()

    @property
    def target_gpus(self) -> int:
        return sum(row.gpus for row in self.plan)

    def planned_gpus(self, owner: str | None = None, site: str | None = None) -> int:
        """GPUs the plan puts with `owner` and/or at `site` (all of them if neither)."""
        return sum(row.gpus for row in self.plan
                   if owner in (None, row.owner) and site in (None, row.site))

    @property
    def plan_sites(self) -> list[str]:
        """Sites that receive GPUs, in sites-table order."""
        used = {row.site for row in self.plan}
        return [s for s in self.sites if s in used]

    def day_of(self, date: dt.date) -> float:
        return float((date - self.start).days)

    def date_of(self, day: float) -> dt.date:
        return self.start + dt.timedelta(days=int(day))
