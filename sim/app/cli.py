"""The Hydra app behind `python -m sim`: compose the config, run, write outputs."""

from __future__ import annotations

import io
import signal
import sys
import warnings
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.app.extras import launcher_problem
from sim.app.help import register_help
from sim.app.overlays import check_overlays
from sim.app.run import run_scenario
from sim.core.config import SimConfig, available_scenarios, check_keys, register_schemas
from sim.core.errors import InputError, one_line_warning
from sim.core.paths import CONF_DIR
from sim.outputs.console import print_summary, progress_line, tables_text
from sim.outputs.files import write_text
from sim.outputs.status import claim_run_dir, finish_status, os_error_line

register_schemas()


class Interrupted(Exception):
    """Raised from SIGTERM/SIGINT so that partial files are cleaned up on the way out."""


def _on_signal(signum, _frame) -> None:
    raise Interrupted(f"stopped by signal {signal.Signals(signum).name}")


def _fail(message: str, out_dir: Path | None) -> None:
    """One line on stderr and status.json 'failed'. A single run exits with status 2; a job of
    a multirun returns, so the sweep goes on and its merge reports the failed job."""
    if out_dir is not None:
        finish_status(out_dir, "failed", message)
    print(f"error: {message}", file=sys.stderr)
    if _multirun():
        return
    sys.exit(2)


_NOISE = ("Set the environment variable", "Config search path", "provider=", "object_type=",
          "reference_type=",
          "To append to your config")


def compact_hydra_error(text: str) -> str:
    """Hydra's multi-line composition error as one line naming the config key."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    key = next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("full_key:")), None)
    kept = [ln for ln in lines if not ln.startswith(_NOISE) and not ln.startswith("full_key:")]
    message = "; ".join(kept).replace(":;", ":")
    return f"config key '{key}': {message}" if key else message


class _HeldStderr(io.StringIO):
    """Holds what Hydra writes before the job starts, so composition errors become one line."""


_real_stderr = sys.stderr


def _release_stderr() -> None:
    held = sys.stderr
    sys.stderr = _real_stderr
    if isinstance(held, _HeldStderr) and held.getvalue():
        _real_stderr.write(held.getvalue())


def cli() -> None:
    if {"--help", "-h"} & set(sys.argv[1:]):    # the help page fed from the schema
        register_help()
        sys.argv.append("hydra/help=sim_help")
    if problem := launcher_problem(sys.argv[1:]):
        print(f"error: {problem}", file=sys.stderr)
        sys.exit(2)
    try:
        check_overlays(sys.argv[1:])
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    sys.stderr = _HeldStderr()
    try:
        main()
    except SystemExit as stop:
        held = sys.stderr
        if isinstance(held, _HeldStderr) and stop.code not in (0, None):
            sys.stderr = _real_stderr
            print(f"error: {compact_hydra_error(held.getvalue())}", file=sys.stderr)
            sys.exit(2)
        raise
    finally:
        _release_stderr()


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    _release_stderr()
    if OmegaConf.is_missing(cfg, "scenario"):
        print("error: choose a scenario with +scenario=NAME; available: "
              + ", ".join(available_scenarios()), file=sys.stderr)
        sys.exit(2)
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    warnings.showwarning = one_line_warning
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        claim_run_dir(out_dir)
    except InputError as err:   # another run's directory: leave its status alone
        _fail(str(err), None)
        return
    try:
        check_keys(cfg)
        typed: SimConfig = OmegaConf.to_object(cfg)
        if typed.output.figures is None:    # figures per job only when asked for
            typed.output.figures = not _multirun()
        result = run_scenario(typed, out_dir)
    except (InputError, OmegaConfBaseException, Interrupted) as err:
        _fail(str(err).splitlines()[0], out_dir)
        return
    except OSError as err:     # disk full, permissions, ...: one line, status failed
        _fail(os_error_line(err), out_dir)
        return
    except Exception as err:   # a bug: keep the traceback, but never leave 'running' behind
        finish_status(out_dir, "failed", repr(err))
        raise
    if _multirun():    # one line per job; the tables go into the job's directory
        write_text(out_dir / "summary.txt", tables_text(result))
        job = HydraConfig.get().job
        print(progress_line(job.num, list(HydraConfig.get().overrides.task), result),
              flush=True)
        return
    print_summary(result, out_dir, tables=typed.output.console_table)


def _multirun() -> bool:
    return HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN


