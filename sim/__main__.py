"""`python -m sim +scenario=NAME [key=value ...]`: compose the config, run, write outputs."""

from __future__ import annotations

import signal
import sys
import warnings
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import CONF_DIR, SimConfig, available_scenarios, register_schemas
from sim.errors import InputError

register_schemas()


class Interrupted(Exception):
    """Raised from SIGTERM/SIGINT so that partial files are cleaned up on the way out."""


def _on_signal(signum, _frame) -> None:
    raise Interrupted(f"stopped by signal {signal.Signals(signum).name}")


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _fail(message: str, out_dir: Path | None) -> None:
    from sim.output import write_json

    if out_dir is not None:
        write_json(out_dir / "status.json", {"status": "failed", "error": message})
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    if OmegaConf.is_missing(cfg, "scenario"):
        print("error: choose a scenario with +scenario=NAME; available: "
              + ", ".join(available_scenarios()), file=sys.stderr)
        sys.exit(2)
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    warnings.showwarning = _one_line_warning
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        typed: SimConfig = OmegaConf.to_object(cfg)
        from sim.console import print_summary
        from sim.run import run_scenario

        result = run_scenario(typed, out_dir)
    except (InputError, OmegaConfBaseException, Interrupted) as err:
        _fail(str(err).splitlines()[0], out_dir)
    if typed.output.console_table:
        print_summary(result, out_dir)


if __name__ == "__main__":
    main()
