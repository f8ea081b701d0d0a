"""The one way every entry point gets a typed config: composed from overrides (like
`python -m sim`), or the resolved config a run directory recorded."""

from __future__ import annotations

import json
from pathlib import Path

from sim.app.overlays import check_overlays
from sim.core.config import SimConfig, check_keys, register_schemas
from sim.core.errors import InputError
from sim.core.paths import CONF_DIR
from sim.outputs.provenance import check_snapshot

#: where a run keeps copies of its inputs and its config (sim.app.run writes them)
INPUTS_DIR, CONFIG_NAME = "inputs", "config.yaml"


def compose_config(overrides: list[str]) -> SimConfig:
    """Compose `config.yaml` with Hydra overrides (e.g. `+scenario=apex`) into a SimConfig."""
    from hydra import compose, initialize_config_dir  # lazy: hydra is slow to import
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    check_overlays(overrides)
    register_schemas()
    GlobalHydra.instance().clear()
    with initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR)):
        cfg = compose("config", overrides=overrides)
    if OmegaConf.is_missing(cfg, "scenario"):
        raise InputError("choose a scenario with +scenario=NAME")
    check_keys(cfg)
    return OmegaConf.to_object(cfg)


def run_config(run_dir: Path) -> SimConfig:
    """The resolved config a run recorded beside its input copies (`RUN_DIR/inputs/`), typed,
    after checking that no copy changed since the run (sha256 in its summary.json)."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    inputs = run_dir / INPUTS_DIR
    path = inputs / CONFIG_NAME
    if not path.is_file():
        raise InputError(f"{path}: not found (is {run_dir} a complete run directory?)")
    check_snapshot(inputs, _recorded_hashes(run_dir))
    try:
        merged = OmegaConf.merge(OmegaConf.structured(SimConfig), OmegaConf.load(path))
        return OmegaConf.to_object(merged)
    except OmegaConfBaseException as err:
        raise InputError(f"{path}: {str(err).splitlines()[0]}") from None


def _recorded_hashes(run_dir: Path) -> dict[str, str]:
    path = run_dir / "summary.json"
    try:
        hashes = json.loads(path.read_text(encoding="utf-8")).get("inputs_sha256")
    except (OSError, ValueError, AttributeError):
        raise InputError(f"{path}: not a readable summary of a complete run") from None
    if not isinstance(hashes, dict):
        raise InputError(f"{path}: no inputs_sha256 (a run made before input copies)")
    return hashes
