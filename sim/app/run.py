"""Run one scenario: load inputs, simulate (once or N replications), write outputs."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

from sim.app.buying import buying_time_summary, evaluate, user_date
from sim.app.configs import CONFIG_NAME, INPUTS_DIR
from sim.app.extras import backend_problem
from sim.core.causes import cause_names
from sim.core.config import SimConfig
from sim.core.errors import InputError
from sim.core.paths import check_file, locate
from sim.core.tables import read_table, text
from sim.inputs.catalog import FOLDERS, input_files, load_inputs, table_path
from sim.inputs.connect import Request
from sim.inputs.energy import Prices, prices_from
from sim.inputs.records import Inputs
from sim.inputs.site_requests import candidate_requests, read_candidates, read_catalog
from sim.model.grid_states import install_states
from sim.model.rollout import Rollout, RunLog
from sim.outputs.ensemble import ensemble_dataset, ensemble_summary
from sim.outputs.figures.common import preload as preload_figures
from sim.outputs.figures.places import places_of
from sim.outputs.figures.write import write_figures
from sim.outputs.files import preload as preload_files
from sim.outputs.files import write_csv, write_json, write_netcdf, write_text
from sim.outputs.names import display_names
from sim.outputs.provenance import created_stamp, provenance, snapshot_inputs
from sim.outputs.report import write_report
from sim.outputs.single import summary, to_dataset
from sim.outputs.status import finish_status
from sim.results.events import event_lines
from sim.results.montecarlo import (
    grid_states,
    release_workers,
    run_replications,
    warm_workers,
)
from sim.results.online import end_of_days, report_dates
from sim.results.policy_outcome import moves_table
from sim.results.series import Series, build_series, month_days
from sim.uncertainty.draws import DrawTable, apply_draws, distributions, draw_table, entity_names

LOG = logging.getLogger(__name__)
#: scenario tables whose sources the report lists (and observed_state.csv in a run from as_of)
REPORTED_TABLES = ("plan.csv", "deliveries.csv")


def inputs_for(cfg: SimConfig) -> Inputs:
    return load_inputs(cfg.resolved_data_dir(), cfg.resolved_scenario_dir(), cfg.start_date,
                       cfg.horizon_date, cfg.rollout.burn_in_days, cfg.grid, cfg.plan,
                       [dict(m) for m in cfg.moves], cfg.hardware, cfg.policy,
                       as_of=cfg.as_of is not None, options=cfg.options,
                       candidates=candidates_for(cfg))


def candidates_for(cfg: SimConfig) -> list[Request]:
    """Candidate sites of the config (`candidates` list, then `candidates_file`)."""
    if not cfg.candidates and not cfg.candidates_file:
        return []
    catalog = read_catalog(locate("site_catalog.csv", cfg.resolved_data_dir(),
                                  cfg.resolved_scenario_dir()))
    out = candidate_requests([dict(c) for c in cfg.candidates], "config key 'candidates'",
                             cfg.start_date, catalog)
    if cfg.candidates_file:
        out += read_candidates(check_file(Path(cfg.candidates_file)), cfg.start_date, catalog)
    return out


def draws_for(cfg: SimConfig, inputs: Inputs, replications: int | None = None) -> DrawTable:
    """The draw table of `cfg` (`replications`=1: central values, whatever mc says)."""
    dists = distributions(asdict(cfg.uncertainty), entity_names(inputs), inputs,
                          cfg.grid.assessment.duration_days)
    return draw_table(dists, cfg.seed, replications or cfg.mc.replications)


def prices_for(cfg: SimConfig) -> Prices:
    base = prices_from(locate("energy.csv", cfg.resolved_data_dir(), cfg.resolved_scenario_dir()))
    return Prices(
        base.tariff_krw_per_kwh if cfg.energy.tariff_krw_per_kwh is None
        else cfg.energy.tariff_krw_per_kwh,
        base.gpu_hour_value_krw if cfg.energy.gpu_hour_value_krw is None
        else cfg.energy.gpu_hour_value_krw,
        base.grid)


def simulate(inputs: Inputs, prices: Prices | None = None, record_grid: bool = False) -> Series:
    """One replication of exactly these inputs; `record_grid` samples the backbone monthly."""
    return simulate_logged(inputs, prices, record_grid)[0]


def simulate_logged(inputs: Inputs, prices: Prices | None = None, record_grid: bool = False
                    ) -> tuple[Series, RunLog]:
    """`simulate`, with the RunLog it was built from."""
    sample_days = month_days(inputs) if record_grid else None
    log = Rollout(inputs, sample_days=sample_days).run()
    return build_series(log, inputs, prices), log


def log_events(log: RunLog, inputs: Inputs, what: str) -> None:
    """The run's dated events into sim.log (Hydra's file handler; the console shows warnings
    only, see conf/config.yaml)."""
    lines = event_lines(log, inputs)
    LOG.info("%s: %d events (gate openings, connection steps, grid projects, KEPCO verdicts)",
             what, len(lines))
    for line in lines:
        LOG.info("%s", line)


def run_scenario(cfg: SimConfig, out_dir: Path) -> dict:
    """Simulate `cfg` and write result.nc, summary.json and status.json into `out_dir`.

    Every input file is first copied into `out_dir/inputs/` (with the resolved config) and
    the run reads those copies; their sha256 go into the provenance, so export and replays
    use exactly what this run used. The caller has claimed `out_dir` (sim.outputs.status).
    """
    if problem := backend_problem(cfg.mc.backend.value, cfg.mc.replications):
        raise InputError(problem)
    snapshot = out_dir / INPUTS_DIR
    files = input_files(cfg.resolved_data_dir(), cfg.resolved_scenario_dir(), cfg.plan)
    try:
        hashes = snapshot_inputs(files, snapshot)
        write_text(snapshot / CONFIG_NAME, config_yaml(cfg))
        with _warnings_naming_originals(files, snapshot):
            result = _run_from(cfg, replay_config(cfg, snapshot), hashes, out_dir)
    except InputError as err:
        shutil.rmtree(snapshot, ignore_errors=True)
        raise InputError(_original_paths(str(err), files, snapshot)) from None
    except BaseException:
        shutil.rmtree(snapshot, ignore_errors=True)
        raise
    finish_status(out_dir, "complete")
    return result


def replay_config(cfg: SimConfig, snapshot: Path) -> SimConfig:
    """`cfg` reading every table from a run's input copies."""
    return replace(cfg, data_dir=str(snapshot), scenario_dir=str(snapshot))


def config_yaml(cfg: SimConfig) -> str:
    """The resolved config as YAML (what `sim.app.configs.run_config` reads back)."""
    from omegaconf import OmegaConf  # lazy: a library run needs no OmegaConf

    return OmegaConf.to_yaml(OmegaConf.structured(cfg))


@contextmanager
def _warnings_naming_originals(files: dict[str, Path], snapshot: Path) -> Iterator[None]:
    """Warnings about an input copy name the file the planner edits, as errors do."""
    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        shown(_original_paths(str(message), files, snapshot), category, filename, lineno,
              file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = shown


def _original_paths(message: str, files: dict[str, Path], snapshot: Path) -> str:
    """A message about an input copy, naming the file the planner edits instead."""
    pairs = sorted(((str(snapshot / n), str(p)) for n, p in files.items()), reverse=True)
    pairs += [(str(snapshot / f), str(files[next(k for k in files if k.startswith(f + "/"))]
                                     .parent)) for f in FOLDERS
              if any(k.startswith(f + "/") for k in files)]
    for copy, original in pairs:
        message = message.replace(copy, original)
    return message


def _run_from(cfg: SimConfig, run_cfg: SimConfig, hashes: dict[str, str], out_dir: Path) -> dict:
    warming = _warm_workers(cfg)
    inputs = inputs_for(run_cfg)
    table = draws_for(run_cfg, inputs)
    if warming is not None:
        warming.join()
    meta = {"scenario": cfg.scenario, "title": cfg.title, "plan": cfg.plan or "base",
            **provenance(asdict(cfg), cfg.seed, hashes), "created": created_stamp()}
    # display names only (not a model input): read where the planner keeps them
    names = display_names(inputs, cfg.resolved_data_dir(), cfg.resolved_scenario_dir())
    prices = prices_for(run_cfg)
    dates = report_dates(run_cfg.online_report_dates, run_cfg.start_date, run_cfg.horizon_date)
    extra = _buying_time(run_cfg, inputs, prices, out_dir)
    if table.replications == 1:
        result, ds = _write_single(apply_draws(inputs, table.replicate(0)), prices, meta,
                                   out_dir, dates, names, extra)
    else:
        result, ds = _write_ensemble(run_cfg, inputs, table, prices, meta, out_dir, dates,
                                     names, extra)
    if cfg.output.figures is not False:    # null (a library call): as a single run
        # an ensemble's figures read its dataset from memory (reloading 1,000 replicates
        # costs seconds); a single run's is small and some of its variables are only
        # decoded to dates in result.nc, so its figures read that file
        _write_figures_and_report(run_cfg, inputs, out_dir,
                                  ds if table.replications > 1 else None)
    return result


def _warm_workers(cfg: SimConfig) -> threading.Thread | None:
    """The loky workers of a parallel ensemble, started while the inputs load and the draws
    are made (a worker takes ~0.5 s to start)."""
    mc = cfg.mc
    if mc.replications > 1 and mc.n_jobs > 1 and mc.backend.value == "loky":
        return warm_workers(mc.n_jobs)
    return None


def _write_single(inputs: Inputs, prices: Prices, meta: dict, out_dir: Path,
                  dates: list[dt.date], names: dict, extra: dict) -> tuple[dict, object]:
    """summary.json's content and the result dataset (kept for the figures)."""
    series, log = simulate_logged(inputs, prices, record_grid=True)
    log_events(log, inputs, "deterministic run")
    ds = to_dataset(series, inputs)
    write_netcdf(ds, out_dir / "result.nc", meta)
    result = {**summary(series, inputs, meta, prices, dates), "names": names, **extra}
    write_json(out_dir / "summary.json", result)
    write_csv(out_dir / "moves.csv", moves_table(inputs, series.moves),
              ["owner", "policy", "from_site", "to_site", "sku", "gpus", "due", "arrival"])
    return result, ds


def _write_ensemble(cfg: SimConfig, inputs: Inputs, table: DrawTable, prices: Prices,
                    meta: dict, out_dir: Path, dates: list[dt.date], names: dict,
                    extra: dict) -> tuple[dict, object]:
    """summary.json's content and the result dataset (kept for the figures)."""
    mc = cfg.mc
    central_draws = draws_for(cfg, inputs, replications=1).replicate(0)
    states = _ensemble_states(cfg, inputs, table, central_draws)
    central = apply_draws(inputs, central_draws)
    log_events(simulate_logged(central, prices)[1], central,
               "central run (every distribution at its central value), for reference")
    LOG.info("running %d replications on %s with %d jobs", mc.replications, mc.backend.value,
             mc.n_jobs)
    if mc.n_jobs > 1:    # this process waits meanwhile: import what the output stage needs
        threading.Thread(target=_preload_outputs, args=(cfg.output.figures is not False,),
                         name="preload-outputs", daemon=True).start()
    results = run_replications(inputs, table, n_jobs=mc.n_jobs, backend=mc.backend.value,
                               scheduler=mc.scheduler, chunk_size=mc.chunk_size,
                               prices=prices, online_days=end_of_days(dates, cfg.start_date),
                               states=states)
    causes = list(cause_names(inputs.grid is not None, bool(inputs.assessment_requests)))
    LOG.info("%d replications done", len(results))
    if mc.n_jobs > 1 and mc.backend.value == "loky":
        release_workers()     # the output stage runs here alone: free the workers' memory
    ds = ensemble_dataset(results, inputs, causes)
    write_netcdf(ds, out_dir / "result.nc", meta, compress=True)
    result = {**ensemble_summary(results, inputs, causes, meta, prices.gpu_hour_value_krw,
                                 dates), "names": names, **extra}
    write_json(out_dir / "summary.json", result)
    return result, ds


def _preload_outputs(figures: bool) -> None:
    """Import xarray and the NetCDF engine (~0.6 s) and, with `figures`, matplotlib (~0.4 s)
    while a parallel run's workers compute, not after them."""
    preload_files()
    if figures:
        preload_figures()


def _ensemble_states(cfg: SimConfig, inputs: Inputs, table: DrawTable,
                     central: dict[str, float]) -> dict:
    """The dated grid states of the replications and the central run, solved once (on the
    loky workers the replications then use) and installed here, so that the central run
    solves none. Summaries only: keeping the solved dispatch of every state would hold
    ~400 MB in this process for nothing."""
    if inputs.grid is None or inputs.grid.rules is None:
        return {}
    jobs = cfg.mc.n_jobs if cfg.mc.backend.value == "loky" else 1
    states = grid_states(inputs, table, jobs, extra=central)
    install_states(inputs.grid, states)
    return states


def _buying_time(cfg: SimConfig, inputs: Inputs, prices: Prices, out_dir: Path) -> dict:
    """`options.evaluate`: every option per owner on the central draws (sim/app/buying.py);
    buying_time.csv holds every row, the summary the best per owner."""
    if not cfg.options.evaluate:
        return {}
    central = apply_draws(inputs, draws_for(cfg, inputs, replications=1).replicate(0))
    results = evaluate(cfg, central, prices)
    block = buying_time_summary(results, list(inputs.owners), user_date(cfg))
    write_csv(out_dir / "buying_time.csv", block["options"], list(block["options"][0])
              if block["options"] else ["owner"])
    return {"buying_time": block}


def _write_figures_and_report(cfg: SimConfig, inputs: Inputs, out_dir: Path, ds=None) -> None:
    """Figures (from `ds` in memory when given) and report.html."""
    data_dir, scenario_dir = cfg.resolved_data_dir(), cfg.resolved_scenario_dir()
    grid_dir = inputs.grid.grid_dir if inputs.grid else locate("grid", data_dir, scenario_dir)
    write_figures(out_dir, places_of(inputs, grid_dir), ds)
    reported = (*REPORTED_TABLES, *(("observed_state.csv",) if cfg.as_of else ()))
    sources = {name: _sources(table_path(name, data_dir, scenario_dir, cfg.plan))
               for name in reported}
    write_report(out_dir, sources)


def _sources(path: Path) -> list[str]:
    """Distinct `source` cells of a table, in first-seen order."""
    return list(dict.fromkeys(r["source"] for r in read_table(path, {"source": text})))
