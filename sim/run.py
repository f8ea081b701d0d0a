"""Run one scenario: load inputs, simulate, write outputs. Used by the CLI and by tests."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from sim.catalog import Inputs, load_inputs
from sim.config import SimConfig
from sim.model import Rollout
from sim.output import (
    created_stamp,
    summary,
    to_dataset,
    write_dataset,
    write_json,
)
from sim.provenance import provenance
from sim.results import Series, build_series


def inputs_for(cfg: SimConfig) -> Inputs:
    return load_inputs(cfg.resolved_data_dir(), cfg.resolved_scenario_dir(), cfg.start_date,
                       cfg.horizon_date, cfg.rollout.burn_in_days)


def simulate(inputs: Inputs) -> Series:
    """One deterministic replication."""
    return build_series(Rollout(inputs).run(), inputs)


def run_scenario(cfg: SimConfig, out_dir: Path) -> dict:
    """Simulate `cfg` and write result.nc, summary.json and status.json into `out_dir`."""
    write_json(out_dir / "status.json", {"status": "running"})
    inputs = inputs_for(cfg)
    series = simulate(inputs)
    meta = {"scenario": cfg.scenario, "title": cfg.title,
            **provenance(asdict(cfg), cfg.seed), "created": created_stamp()}
    write_dataset(to_dataset(series, inputs, meta), out_dir / "result.nc")
    result = summary(series, inputs, meta)
    write_json(out_dir / "summary.json", result)
    write_json(out_dir / "status.json", {"status": "complete"})
    return result
