"""Export a run's backbone state at a date as a MATPOWER case, for utility engineers.

    python -m sim.export RUN_DIR --date 2030-01-01 [--out DIR]

Replays the run as it ran: its resolved config and the copies of every input file it read
(`RUN_DIR/inputs/`, checked against the sha256 in its summary.json), central values, up to the
date and writes `case_<date>.m` (MATPOWER v2: bus, gen, branch in MW, baseMVA 100) and
`flows_<date>.csv` (the project's own DC branch flows) into DIR (default RUN_DIR). Any tool
that reads MATPOWER cases can re-solve the case and compare the flows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import warnings
from dataclasses import replace
from pathlib import Path

from sim.app.configs import run_config
from sim.app.run import INPUTS_DIR, draws_for, inputs_for, replay_config
from sim.core.errors import InputError
from sim.grid.matpower import case_text, flow_rows
from sim.model.rollout import Rollout
from sim.outputs.files import write_csv, write_text
from sim.uncertainty.draws import apply_draws


def backbone_at(run_dir: Path, date: dt.date):
    """The grid power check (dated queue or fixed backbone) after replaying the run to
    `date`."""
    cfg = replay_config(run_config(run_dir), run_dir / INPUTS_DIR)
    cfg.mc.replications = 1
    with warnings.catch_warnings():     # the run showed its input warnings already
        warnings.simplefilter("ignore", UserWarning)
        inputs = inputs_for(cfg)
    if inputs.grid is None:
        raise InputError(f"{run_dir}: the run has grid.enabled=false; nothing to export")
    day = inputs.day_of(date)
    if not 0 <= day <= inputs.horizon_days:
        raise InputError(f"--date {date}: outside the run ({inputs.start} to "
                         f"{inputs.date_of(inputs.horizon_days)})")
    drawn = apply_draws(replace(inputs, horizon_days=day), draws_for(cfg, inputs).replicate(0))
    rollout = Rollout(drawn)
    rollout.run()
    return next(c for c in rollout.power_checks if hasattr(c, "grid"))


def export(run_dir: Path, date: dt.date, out_dir: Path) -> tuple[Path, Path]:
    backbone = backbone_at(run_dir, date)
    case = out_dir / f"case_{date.isoformat().replace('-', '')}.m"
    flows = out_dir / f"flows_{date.isoformat().replace('-', '')}.csv"
    write_text(case, case_text(backbone.grid, case.stem))
    write_csv(flows, flow_rows(backbone.grid))
    return case, flows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.export", description=__doc__.split(
        "\n")[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--date", required=True, help="YYYY-MM-DD")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        date = dt.date.fromisoformat(args.date)
    except ValueError:
        print(f"error: --date: expected YYYY-MM-DD, got {args.date!r}", file=sys.stderr)
        return 2
    try:
        case, flows = export(args.run_dir, date, args.out or args.run_dir)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {case} and {flows}")
    return 0
