"""Run one scenario: load inputs, simulate (once or N replications), write outputs."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from sim.catalog import Inputs, load_inputs
from sim.config import SimConfig
from sim.model import Rollout
from sim.output import created_stamp, summary, to_dataset, write_dataset, write_json
from sim.provenance import provenance
from sim.results import Series, build_series
from sim.uncertainty import DrawTable, apply_draws, distributions, draw_table, entity_names


def inputs_for(cfg: SimConfig) -> Inputs:
    return load_inputs(cfg.resolved_data_dir(), cfg.resolved_scenario_dir(), cfg.start_date,
                       cfg.horizon_date, cfg.rollout.burn_in_days)


def draws_for(cfg: SimConfig, inputs: Inputs) -> DrawTable:
    dists = distributions(asdict(cfg.uncertainty), entity_names(inputs))
    return draw_table(dists, cfg.seed, cfg.mc.replications)


def simulate(inputs: Inputs) -> Series:
    """One replication of exactly these inputs."""
    return build_series(Rollout(inputs).run(), inputs)


def run_scenario(cfg: SimConfig, out_dir: Path) -> dict:
    """Simulate `cfg` and write result.nc, summary.json and status.json into `out_dir`."""
    write_json(out_dir / "status.json", {"status": "running"})
    inputs = inputs_for(cfg)
    table = draws_for(cfg, inputs)
    meta = {"scenario": cfg.scenario, "title": cfg.title,
            **provenance(asdict(cfg), cfg.seed), "created": created_stamp()}
    if table.replications == 1:
        result = _write_single(apply_draws(inputs, table.replicate(0)), meta, out_dir)
    else:
        result = _write_ensemble(cfg, inputs, table, meta, out_dir)
    write_json(out_dir / "status.json", {"status": "complete"})
    return result


def _write_single(inputs: Inputs, meta: dict, out_dir: Path) -> dict:
    series = simulate(inputs)
    write_dataset(to_dataset(series, inputs, meta), out_dir / "result.nc")
    result = summary(series, inputs, meta)
    write_json(out_dir / "summary.json", result)
    return result


def _write_ensemble(cfg: SimConfig, inputs: Inputs, table: DrawTable, meta: dict,
                    out_dir: Path) -> dict:
    from sim.ensemble import encoding_for, ensemble_dataset, ensemble_summary
    from sim.montecarlo import run_replications

    mc = cfg.mc
    results = run_replications(inputs, table, n_jobs=mc.n_jobs, backend=mc.backend.value,
                               scheduler=mc.scheduler, chunk_size=mc.chunk_size)
    causes = list(Rollout(inputs).log.causes)
    ds = ensemble_dataset(results, inputs, causes, _netcdf_attrs(meta))
    write_dataset(ds, out_dir / "result.nc", encoding_for(ds))
    result = ensemble_summary(results, inputs, causes, meta)
    write_json(out_dir / "summary.json", result)
    return result


def _netcdf_attrs(meta: dict) -> dict:
    import json

    return {k: (v if isinstance(v, (int, float, str)) else json.dumps(v)) for k, v in meta.items()}
