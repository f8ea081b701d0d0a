"""Configuration schema (Hydra structured configs) and config-level validation.

The dataclasses here are the single place where config keys, their types and their defaults are
declared; `conf/config.yaml` only layers values on top of them. Validation that needs more than a
type runs in `__post_init__`, which OmegaConf calls on `OmegaConf.to_object(cfg)`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, get_type_hints

from omegaconf import MISSING

from sim.core import numbers as n
from sim.core.errors import InputError
from sim.core.paths import CONF_DIR, DATA_DIR, SCENARIOS_DIR
from sim.core.tables import FIRST_DATE, LAST_DATE


def parse_date(value: str, key: str) -> dt.date:
    """Parse an ISO date from config key `key`, or raise one clear InputError line."""
    try:
        date = dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(
            f"config key '{key}': expected an ISO date YYYY-MM-DD, got {value!r}") from None
    if not FIRST_DATE <= date <= LAST_DATE:
        raise InputError(f"config key '{key}': expected a date between {FIRST_DATE} and "
                         f"{LAST_DATE}, got {value!r}")
    return date


@dataclass
class RolloutConfig:
    """Site-level rollout rules shared by all sites."""

    #: Days from install complete to online (acceptance test and burn-in) [EST]: government 13k
    #: arrived Dec 2025, installed within the month, allocated from ~Mar 2026 (korea.md §6.1):
    #: ~2 months after install, of which we count 30 days of burn-in and acceptance.
    burn_in_days: float = 30.0

    def __post_init__(self) -> None:
        n.config_number("rollout.burn_in_days", self.burn_in_days, n.NONNEG)


def _spec(**kwargs: Any):
    return field(default_factory=lambda: dict(kwargs))


@dataclass
class UncertaintyConfig:
    """Default distribution per kind of uncertain entity (see sim/uncertainty.py).

    Sources, all [EST] from korea.md: delivery slip: order->delivery 3-6 months around a 4-month
    central value (§8) and the government's 13k service slip of ~5 months (§6.1); permits: 6-18
    months for a hyperscale site (§1 "Build time (generic)"), i.e. 0.8-2x the tabled value;
    construction: +3-12 months typical delays on 18-36 months (§1), Gak Sejong 6-11 months
    late on ~20 planned (§6.2); reinforcement: Korean grid projects late by 5 months
    (Bukdangjin-Godeok stage 2) to 7-12 years (345 kV lines) (§6.3), a median of 6 months and
    a p90 of 3 years for local substations and their lines; install rate: 0.5-1.2x.
    """

    #: days a delivery arrives later than deliveries.csv says (per owner)
    delivery_slip_days: dict[str, Any] = _spec(dist="triangular", low=-30, mode=0, high=150)
    #: factor on each building phase's permit duration
    permit_factor: dict[str, Any] = _spec(dist="triangular", low=0.8, mode=1.0, high=2.0)
    #: factor on each building phase's construction duration
    construction_factor: dict[str, Any] = _spec(dist="triangular", low=0.9, mode=1.0, high=1.5)
    #: days a site's dated connection step comes late
    reinforcement_delay_days: dict[str, Any] = _spec(dist="lognormal", median=180, p90=1095)
    #: factor on each site's install-crew rate
    install_rate_factor: dict[str, Any] = _spec(dist="triangular", low=0.5, mode=1.0, high=1.2)
    #: Per-entity replacements, keyed by entity name, e.g.
    #: {"reinforcement/site=busan_edc/project=Singangseo 345 kV substation": {dist: fixed, ...}}
    overrides: dict[str, Any] = field(default_factory=dict)


def _whole_key(key: str, value: Any, minimum: int) -> int:
    try:
        return n.whole(value, minimum)
    except ValueError as err:
        raise InputError(f"config key '{key}': {err}, got {value!r}") from None


#: a Dask scheduler address: protocol://host[:port]
_SCHEDULER = re.compile(r"^(tcp|tls|ucx|ws|wss|inproc)://[A-Za-z0-9._\-\[\]:]+$")


class Backend(StrEnum):
    loky = "loky"
    dask = "dask"


@dataclass
class MonteCarloConfig:
    """Replications: 1 = one deterministic run at central values; N > 1 = N seeded draws."""

    #: 1 = one deterministic run at central values; N > 1 = N seeded draws (P10/P50/P90)
    replications: int = 1
    #: worker processes for the replications
    n_jobs: int = 1
    #: loky (this machine) or dask (a Dask cluster; needs pip install -e ".[cluster]")
    backend: Backend = Backend.loky
    #: Dask scheduler address (tcp://host:8786); null starts a local cluster.
    scheduler: str | None = None
    #: Replicates per task sent to a worker, at most (fewer so that each worker gets >= 4
    #: tasks; the run's inputs and grid states reach each worker once, not with every task)
    chunk_size: int = 50

    def __post_init__(self) -> None:
        for key in ("replications", "n_jobs", "chunk_size"):
            _whole_key(f"mc.{key}", getattr(self, key), 1)
        if self.scheduler is not None and not _SCHEDULER.match(self.scheduler):
            raise InputError("config key 'mc.scheduler': expected a Dask scheduler address "
                             f"like tcp://host:8786 or null, got {self.scheduler!r}")


@dataclass
class AssessmentConfig:
    """KEPCO grid impact assessment for loads >= 10 MW (korea.md §2.5, §2.6, §8)."""

    #: KEPCO's impact assessment gates sites planning 10 MW or more (false: no gate)
    enabled: bool = True
    #: contracted load that triggers an assessment (Distributed Energy Act, 2024-06-14)
    threshold_mw: float = 10.0
    #: approval probability per attempt [EST] korea.md §8 (Sep 2025 pilot: capital region
    #: 36 % approved; elsewhere 85 %, rounded down to 0.75 for the small sample)
    approval_capital_region: float = 0.35
    approval_elsewhere: float = 0.75
    #: [EST] korea.md §8 / §2.4: ~6 months, 3-12+ (a 40 MW Seoul request waited 8+ months)
    duration_days: dict[str, Any] = _spec(dist="lognormal", median=180, p90=365)

    def __post_init__(self) -> None:
        for key in ("approval_capital_region", "approval_elsewhere"):
            n.config_number(f"grid.assessment.{key}", getattr(self, key), n.FRACTION)
        n.config_number("grid.assessment.threshold_mw", self.threshold_mw, n.NONNEG)


PLANNING_SHARE = n.Rule(lambda x: 0 < x <= 1, "a share of the rating in (0, 1]")
BLOCK_MW = n.Rule(lambda x: 0 < x <= 1e5, "MW between 0 and 100,000")


@dataclass
class GridConfig:
    """The national backbone check (sim/backbone.py) and KEPCO's assessment gate."""

    #: check the national backbone under N-1 (false: each site's own connection only)
    enabled: bool = True
    #: N-1 security (every single line outage) rather than N-0 only
    n1: bool = True
    #: extra delay added to every HVDC project's planned date (what-if), years
    hvdc_delay_years: float = 0.0
    #: days added to one grid project or connection step, by id (grid/projects.csv `project`,
    #: site_connections.csv `step`), e.g. grid.shift_days.ec_hvdc_ph1=730
    shift_days: dict[str, float] = field(default_factory=dict)
    #: dispatch each year's demand and fleet (LP) with competing loads; false = the 2024 grid
    #: with fixed generation and flat approval probabilities (for comparison)
    dispatch: bool = True
    #: national peak path of grid/demand_national.csv
    demand_path: str = "basic_plan_11"
    #: renewable build-out of grid/fleet_changes.csv: re_trend or re_plan11
    renewables: str = "re_trend"
    #: other large loads (grid/competing_loads.csv) compete for the grid; false = the 260k
    #: alone on the grid (the plan path then keeps its data-centre and chip allowances)
    competing_loads: bool = True
    #: share of a rating planning may use, N-0 and N-1 [EST] (sim/grid/operating.py)
    planning_margin: float = 1.0
    #: block of the time-to-power map, MW
    reference_block_mw: float = 100.0
    assessment: AssessmentConfig = field(default_factory=AssessmentConfig)

    def __post_init__(self) -> None:
        n.config_number("grid.hvdc_delay_years", self.hvdc_delay_years, n.SHIFT_YEARS)
        n.config_number("grid.planning_margin", self.planning_margin, PLANNING_SHARE)
        n.config_number("grid.reference_block_mw", self.reference_block_mw, BLOCK_MW)
        for key, days in self.shift_days.items():
            n.config_number(f"grid.shift_days.{key}", days, n.ANY)


@dataclass
class EnergyConfig:
    """Prices; null = the default in sim/data/energy.csv (tariff 185 KRW/kWh [EST] from
    korea.md §5; an idle GPU-hour valued at 4,260 KRW = $3.00 [EST], see energy.csv)."""

    #: electricity tariff; null = 185 KRW/kWh [EST] (sim/data/energy.csv, korea.md §5)
    tariff_krw_per_kwh: float | None = None
    #: value of an idle GPU-hour, KRW; null = 4,260 KRW = $3.00 [EST] (sim/data/energy.csv)
    gpu_hour_value_krw: float | None = None

    def __post_init__(self) -> None:
        for key in ("tariff_krw_per_kwh", "gpu_hour_value_krw"):
            if getattr(self, key) is not None:
                n.config_number(f"energy.{key}", getattr(self, key), n.NONNEG)


@dataclass
class OutputConfig:
    """What a run writes besides result.nc and summary.json."""

    #: write gpus_online.png, sites.png, map.png, power.png and report.html (~4 s);
    #: null: yes in a single run, no in each job of a multirun (its merge draws
    #: comparison.png); true or false decides for every job
    figures: bool | None = None
    #: print the result tables at the end of a run (the output directory is printed anyway)
    console_table: bool = True
    #: dates (YYYY-MM-DD) at which to count GPUs online, between start and horizon_end;
    #: empty = 31 December of every year of the run
    online_dates: list[str] = field(default_factory=list)


POLICIES = ("fixed", "defer", "resite")


@dataclass
class DeferConfig:
    """Policy `defer`: an order ships when its site is forecast ready within `window_days`."""

    #: [EST] one month of receiving and staging before a hall can take the GPUs (korea.md §8:
    #: fit-out of an existing hall 1-3 months; the low end)
    window_days: float = 30.0
    #: [EST] one budget year: no public terms for deferring an NVIDIA allocation were found
    max_deferral_days: float = 365.0


@dataclass
class ResiteConfig:
    """Policy `resite`: GPUs forecast to idle longer than `idle_threshold_days` go to another
    of the owner's sites or to a colocation hall (colocation_halls.csv) that has room."""

    #: [EST] 90 days = the longest fit-out of an existing hall (korea.md §8, 1-3 months): a
    #: move pays once the GPUs would idle longer than a hall takes to fit out
    idle_threshold_days: float = 90.0
    colocation: bool = True


@dataclass
class PolicyConfig:
    """How owners react when a site is not ready for their GPUs (fixed, defer, resite).

    `default` applies to every owner not in `owners`; a scenario states its owners' policies
    (the apex default and its reasons: conf/scenario/apex.yaml).
    """

    default: str = "fixed"
    owners: dict[str, str] = field(default_factory=dict)
    #: one policy for every owner (overrides the scenario's table and `owners`); null: off
    all: str | None = None
    defer: DeferConfig = field(default_factory=DeferConfig)
    resite: ResiteConfig = field(default_factory=ResiteConfig)

    def __post_init__(self) -> None:
        for key, value in [("default", self.default), ("all", self.all or "fixed"),
                           *((f"owners.{o}", p) for o, p in self.owners.items())]:
            if value not in POLICIES:
                raise InputError(f"config key 'policy.{key}': unknown policy {value!r} "
                                 f"(expected one of {', '.join(POLICIES)})")
        for key in ("defer.window_days", "defer.max_deferral_days",
                    "resite.idle_threshold_days"):
            group, name = key.split(".")
            value = getattr(getattr(self, group), name)
            if not value >= 0:
                raise InputError(f"config key 'policy.{key}': expected a number of days >= 0, "
                                 f"got {value}")

    def of(self, owner: str) -> str:
        return self.owners.get(owner, self.default)


@dataclass
class HardwareConfig:
    """Which SKU a plan row naming a family (hardware_roadmap.csv) gets, and rack power."""

    #: quarters between NVIDIA's first shipment of a SKU and its first delivery in Korea
    #: [EST] 0: no source gives a lag; the government's B200 arrived Dec 2025, within the
    #: quarters B200 was the HGX default
    korea_lag_quarters: int = 0
    #: multiplier on every unit's IT kW (robustness: 0.95, 1.0, 1.05, 1.10)
    rack_power_factor: float = 1.0

    def __post_init__(self) -> None:
        if not self.rack_power_factor > 0:
            raise InputError("config key 'hardware.rack_power_factor': expected a number > 0, "
                             f"got {self.rack_power_factor}")
        if self.korea_lag_quarters < 0:
            raise InputError("config key 'hardware.korea_lag_quarters': expected a whole number"
                             f" >= 0, got {self.korea_lag_quarters}")


@dataclass
class OptionsConfig:
    """Ways to buy time per site (sim/data/options/, docs/buying_time.md). `none`/false: off."""

    #: site -> on-site bridging plant (power_options.csv `option`), e.g.
    #: options.bridging.sk_aws_ulsan=fuel_cell_sofc
    bridging: dict[str, str] = field(default_factory=dict)
    #: site -> bridge size in facility MW (absent: what the plan needs above the connection
    #: level on the plant's ready day)
    bridge_mw: dict[str, float] = field(default_factory=dict)
    #: site -> direct contract in a special zone (direct_contracts.csv `contract`)
    direct: dict[str, str] = field(default_factory=dict)
    #: site -> take load above the firm N-1 headroom up to the N-0 limit
    flexible: dict[str, bool] = field(default_factory=dict)
    #: evaluate every option per owner and report the "buying time" table
    evaluate: bool = False
    #: GPU-months online are counted up to this date (null: horizon_end)
    user_date: str | None = None

    def __post_init__(self) -> None:
        for site, mw in self.bridge_mw.items():
            if not float(mw) > 0:
                raise InputError(f"config key 'options.bridge_mw.{site}': expected a number "
                                 f"> 0 (facility MW), got {mw}")


@dataclass
class SimConfig:
    """Top-level config of one run (one scenario, one seed)."""

    #: scenario name: conf/scenario/NAME.yaml and scenarios/NAME/ (set with +scenario=NAME)
    scenario: str = MISSING
    #: title of the report and figures (the scenario sets it)
    title: str = ""
    #: random seed of the Monte Carlo draws (same seed, same results)
    seed: int = 0
    #: Simulation day 0 (the day after the APEC announcement month began).
    start: str = "2025-11-01"
    #: Start from what had happened by this date instead of from `start`: the run begins at
    #: `as_of` from the scenario's observed_state.csv (held fixed; only later events drawn).
    as_of: str | None = None
    #: last simulated day; milestones after it are reported as not reached (any date after
    #: start)
    horizon_end: str = "2035-12-31"
    #: Directory with the embedded data tables; null = the package's `sim/data`.
    data_dir: str | None = None
    #: Directory of the scenario's tables; null = `<scenarios>/<scenario>`.
    scenario_dir: str | None = None
    #: Siting plan: null = `<scenario_dir>/plan.csv`; NAME = `<scenario_dir>/plans/NAME.csv`.
    plan: str | None = None
    #: What-if edits of the plan without writing files: GPUs moved between sites, e.g.
    #: moves=[{owner: hyundai, from_site: hyundai_saemangeum, to_site: sk_aws_ulsan,
    #: gpus: 49968}]
    moves: list[dict[str, Any]] = field(default_factory=list)
    #: Candidate sites given by coordinates and facility MW, each derived a dated connection
    #: (substation, option, date, why; summary.json `connections`), e.g.
    #: candidates=[{site: gunsan_test, lat: 35.95, lon: 126.7, mw: 60}] (optional keys: filed
    #: date, default start; prefund true/false; zone, a distributed-energy special zone)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    #: A CSV of candidate sites (columns site, lat, lon, mw, optional filed, prefund, zone);
    #: null = none
    candidates_file: str | None = None
    rollout: RolloutConfig = field(default_factory=RolloutConfig)
    uncertainty: UncertaintyConfig = field(default_factory=UncertaintyConfig)
    mc: MonteCarloConfig = field(default_factory=MonteCarloConfig)
    energy: EnergyConfig = field(default_factory=EnergyConfig)
    grid: GridConfig = field(default_factory=GridConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    hardware: HardwareConfig = field(default_factory=HardwareConfig)
    options: OptionsConfig = field(default_factory=OptionsConfig)

    def __post_init__(self) -> None:
        _whole_key("seed", self.seed, 0)
        bad = n.non_finite_leaf(asdict(self))
        if bad is not None:
            raise InputError(f"config key '{bad[0]}': expected a finite number, got {bad[1]}")
        start = parse_date(self.start, "start")
        if self.as_of is not None:
            start = parse_date(self.as_of, "as_of")
        end = parse_date(self.horizon_end, "horizon_end")
        if end <= start:
            raise InputError(
                f"config key 'horizon_end': expected a date after start {start}, got {end}"
            )
        if self.options.user_date is not None:
            parse_date(self.options.user_date, "options.user_date")
        for value in self.output.online_dates:
            date = parse_date(value, "output.online_dates")
            if not start <= date <= end:
                raise InputError(f"config key 'output.online_dates': expected dates from start "
                                 f"{start} to horizon_end {end}, got {date}")

    @property
    def start_date(self) -> dt.date:
        """Day 0 of the run: `as_of` when set, else `start`."""
        return dt.date.fromisoformat(self.as_of or self.start)

    @property
    def horizon_date(self) -> dt.date:
        return dt.date.fromisoformat(self.horizon_end)

    @property
    def online_report_dates(self) -> list[dt.date]:
        """output.online_dates as dates (empty: the caller uses each year end)."""
        return [dt.date.fromisoformat(str(v)) for v in self.output.online_dates]

    def resolved_data_dir(self) -> Path:
        return Path(self.data_dir) if self.data_dir else DATA_DIR

    def resolved_scenario_dir(self) -> Path:
        return Path(self.scenario_dir) if self.scenario_dir else SCENARIOS_DIR / self.scenario


def check_keys(cfg: Any, schema: type | None = None, prefix: str = "") -> None:
    """Raise one InputError line for the first key of `cfg` (a DictConfig or dict) that
    SimConfig does not declare, however it was added (`+key=...`, a scenario overlay).
    Free-form dict fields (distribution specs, `uncertainty.overrides`) are checked where they
    are read."""
    declared = _declared(schema or SimConfig)
    for key in cfg:
        if not prefix and key == "hydra":
            continue
        name = f"{prefix}{key}"
        if key not in declared:
            raise InputError(f"config key '{name}': not a config key (known here: "
                             f"{', '.join(sorted(declared))})")
        inner = declared[key]
        if inner is not None and isinstance(cfg[key], Mapping):
            check_keys(cfg[key], inner, f"{name}.")


@cache
def _declared(cls: type) -> dict[str, type | None]:
    """Field name -> the dataclass it holds (None for a plain value or a free-form dict)."""
    hints = get_type_hints(cls)
    return {f.name: hints[f.name] if is_dataclass(hints[f.name]) else None
            for f in fields(cls)}


def register_schemas() -> None:
    """Register the schema so `conf/config.yaml` can extend it (`defaults: [sim_schema]`)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="sim_schema", node=SimConfig)


def available_scenarios() -> list[str]:
    """Scenario names offered by `conf/scenario/*.yaml`."""
    return sorted(p.stem for p in (CONF_DIR / "scenario").glob("*.yaml"))
