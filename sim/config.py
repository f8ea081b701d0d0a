"""Configuration schema (Hydra structured configs) and config-level validation.

The dataclasses here are the single place where config keys, their types and their defaults are
declared; `conf/config.yaml` only layers values on top of them. Validation that needs more than a
type runs in `__post_init__`, which OmegaConf calls on `OmegaConf.to_object(cfg)`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from omegaconf import MISSING

from sim.errors import InputError

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def _first_existing(*candidates: Path) -> Path:
    for path in candidates:
        if path.is_dir():
            return path
    return candidates[-1]


#: Hydra config directory: `<repo>/conf` in a checkout, `sim/conf` inside an installed wheel.
CONF_DIR = _first_existing(REPO_DIR / "conf", PACKAGE_DIR / "conf")
#: Planner-editable scenario tables: `<repo>/scenarios` or `sim/scenarios` in a wheel.
SCENARIOS_DIR = _first_existing(REPO_DIR / "scenarios", PACKAGE_DIR / "scenarios")
#: Embedded default datasets.
DATA_DIR = PACKAGE_DIR / "data"


def parse_date(value: str, key: str) -> dt.date:
    """Parse an ISO date from config key `key`, or raise one clear InputError line."""
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(
            f"config key '{key}': expected an ISO date YYYY-MM-DD, got {value!r}") from None


@dataclass
class RolloutConfig:
    """Site-level rollout rules shared by all sites."""

    #: Days from install complete to online (acceptance test and burn-in) [EST]: government 13k
    #: arrived Dec 2025, installed within the month, allocated from ~Mar 2026 (korea.md §6.1):
    #: ~2 months after install, of which we count 30 days of burn-in and acceptance.
    burn_in_days: float = 30.0

    def __post_init__(self) -> None:
        if not self.burn_in_days >= 0:
            raise InputError(
                f"config key 'rollout.burn_in_days': expected >= 0 days, got {self.burn_in_days}"
            )


@dataclass
class OutputConfig:
    """What a run writes besides result.nc and summary.json."""

    figures: bool = True
    console_table: bool = True


@dataclass
class SimConfig:
    """Top-level config of one run (one scenario, one seed)."""

    scenario: str = MISSING
    title: str = ""
    seed: int = 0
    #: Simulation day 0 (the day after the APEC announcement month began).
    start: str = "2025-11-01"
    horizon_end: str = "2035-12-31"
    #: Directory with the embedded data tables; null = the package's `sim/data`.
    data_dir: str | None = None
    #: Directory of the scenario's tables; null = `<scenarios>/<scenario>`.
    scenario_dir: str | None = None
    rollout: RolloutConfig = field(default_factory=RolloutConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

    def __post_init__(self) -> None:
        start = parse_date(self.start, "start")
        end = parse_date(self.horizon_end, "horizon_end")
        if end <= start:
            raise InputError(
                f"config key 'horizon_end': expected a date after start {start}, got {end}"
            )

    @property
    def start_date(self) -> dt.date:
        return dt.date.fromisoformat(self.start)

    @property
    def horizon_date(self) -> dt.date:
        return dt.date.fromisoformat(self.horizon_end)

    def resolved_data_dir(self) -> Path:
        return Path(self.data_dir) if self.data_dir else DATA_DIR

    def resolved_scenario_dir(self) -> Path:
        return Path(self.scenario_dir) if self.scenario_dir else SCENARIOS_DIR / self.scenario


def register_schemas() -> None:
    """Register the schema so `conf/config.yaml` can extend it (`defaults: [sim_schema]`)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="sim_schema", node=SimConfig)


def available_scenarios() -> list[str]:
    """Scenario names offered by `conf/scenario/*.yaml`."""
    return sorted(p.stem for p in (CONF_DIR / "scenario").glob("*.yaml"))
