"""Run one scenario: load inputs, simulate (once or N replications), write outputs."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from sim.accounting import Prices
from sim.catalog import Inputs, load_inputs
from sim.config import SimConfig
from sim.model import Rollout
from sim.output import created_stamp, summary, to_dataset, write_dataset, write_json
from sim.provenance import provenance
from sim.results import Series, build_series, default_prices, month_days
from sim.uncertainty import DrawTable, apply_draws, distributions, draw_table, entity_names


def inputs_for(cfg: SimConfig) -> Inputs:
    return load_inputs(cfg.resolved_data_dir(), cfg.resolved_scenario_dir(), cfg.start_date,
                       cfg.horizon_date, cfg.rollout.burn_in_days, cfg.grid, cfg.plan,
                       [dict(m) for m in cfg.moves])


def draws_for(cfg: SimConfig, inputs: Inputs) -> DrawTable:
    dists = distributions(asdict(cfg.uncertainty), entity_names(inputs), inputs,
                          cfg.grid.assessment.duration_days)
    return draw_table(dists, cfg.seed, cfg.mc.replications)


def prices_for(cfg: SimConfig) -> Prices:
    base = default_prices()
    return Prices(
        base.tariff_krw_per_kwh if cfg.energy.tariff_krw_per_kwh is None
        else cfg.energy.tariff_krw_per_kwh,
        base.gpu_hour_value_krw if cfg.energy.gpu_hour_value_krw is None
        else cfg.energy.gpu_hour_value_krw,
        base.grid)


def simulate(inputs: Inputs, prices: Prices | None = None, record_grid: bool = False) -> Series:
    """One replication of exactly these inputs; `record_grid` samples the backbone monthly."""
    sample_days = month_days(inputs) if record_grid else None
    return build_series(Rollout(inputs, sample_days=sample_days).run(), inputs, prices)


def run_scenario(cfg: SimConfig, out_dir: Path) -> dict:
    """Simulate `cfg` and write result.nc, summary.json and status.json into `out_dir`."""
    write_json(out_dir / "status.json", {"status": "running"})
    inputs = inputs_for(cfg)
    table = draws_for(cfg, inputs)
    meta = {"scenario": cfg.scenario, "title": cfg.title,
            **provenance(asdict(cfg), cfg.seed), "created": created_stamp()}
    prices = prices_for(cfg)
    if table.replications == 1:
        result = _write_single(apply_draws(inputs, table.replicate(0)), prices, meta, out_dir)
    else:
        result = _write_ensemble(cfg, inputs, table, prices, meta, out_dir)
    if cfg.output.figures:
        from sim.figures import write_figures
        from sim.report import write_report

        write_figures(out_dir)
        write_report(out_dir)
    write_json(out_dir / "status.json", {"status": "complete"})
    return result


def _write_single(inputs: Inputs, prices: Prices, meta: dict, out_dir: Path) -> dict:
    series = simulate(inputs, prices, record_grid=True)
    write_dataset(to_dataset(series, inputs, meta), out_dir / "result.nc")
    result = summary(series, inputs, meta, prices.gpu_hour_value_krw)
    write_json(out_dir / "summary.json", result)
    return result


def _write_ensemble(cfg: SimConfig, inputs: Inputs, table: DrawTable, prices: Prices,
                    meta: dict, out_dir: Path) -> dict:
    from sim.ensemble import encoding_for, ensemble_dataset, ensemble_summary
    from sim.montecarlo import run_replications

    mc = cfg.mc
    results = run_replications(inputs, table, n_jobs=mc.n_jobs, backend=mc.backend.value,
                               scheduler=mc.scheduler, chunk_size=mc.chunk_size,
                               prices=prices)
    causes = list(Rollout(apply_draws(inputs, table.replicate(0))).log.causes)
    ds = ensemble_dataset(results, inputs, causes, _netcdf_attrs(meta))
    write_dataset(ds, out_dir / "result.nc", encoding_for(ds))
    result = ensemble_summary(results, inputs, causes, meta, prices.gpu_hour_value_krw)
    write_json(out_dir / "summary.json", result)
    return result


def _netcdf_attrs(meta: dict) -> dict:
    import json

    return {k: (v if isinstance(v, (int, float, str)) else json.dumps(v)) for k, v in meta.items()}
