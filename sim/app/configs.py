"""The one way every entry point gets a typed config: composed from overrides (like
`python -m sim`), or the resolved config a run directory recorded."""

from __future__ import annotations

from pathlib import Path

from sim.core.config import SimConfig, register_schemas
from sim.core.errors import InputError
from sim.core.paths import CONF_DIR


def compose_config(overrides: list[str]) -> SimConfig:
    """Compose `config.yaml` with Hydra overrides (e.g. `+scenario=apex`) into a SimConfig."""
    from hydra import compose, initialize_config_dir  # lazy: hydra is slow to import
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    register_schemas()
    GlobalHydra.instance().clear()
    with initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR)):
        cfg = compose("config", overrides=overrides)
    if OmegaConf.is_missing(cfg, "scenario"):
        raise InputError("choose a scenario with +scenario=NAME")
    return OmegaConf.to_object(cfg)


def run_config(run_dir: Path) -> SimConfig:
    """The resolved config a run recorded in `RUN_DIR/.hydra/config.yaml`, typed."""
    from omegaconf import OmegaConf

    path = run_dir / ".hydra" / "config.yaml"
    if not path.is_file():
        raise InputError(f"{path}: not found (is {run_dir} a run directory?)")
    merged = OmegaConf.merge(OmegaConf.structured(SimConfig), OmegaConf.load(path))
    return OmegaConf.to_object(merged)
