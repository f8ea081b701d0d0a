"""`python -m sim.export`: a run's backbone at a date, re-solved independently."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from tests.test_cli import REPO, run_cli
from tests.test_grid_matpower import csv_flows, independent_flows


def test_export_of_an_apex_run_resolves_to_the_same_flows(tmp_path):
    run = tmp_path / "run"
    proc = run_cli("+scenario=apex", "output.figures=false", "output.console_table=false",
                   f"hydra.run.dir={run}")
    assert proc.returncode == 0, proc.stderr
    out = subprocess.run([sys.executable, "-m", "sim.export", str(run), "--date", "2030-01-01"],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = (run / "case_20300101.m").read_text()
    assert "mpc.version = '2';" in text and "mpc.baseMVA = 100;" in text
    flows = independent_flows(text)
    ours = csv_flows(run / "flows_20300101.csv")
    assert len(ours) == len(flows) > 100
    np.testing.assert_allclose(flows, ours, atol=0.1)


def test_export_outside_the_run_is_one_line(tmp_path):
    run = tmp_path / "run"
    run_cli("+scenario=apex", "output.figures=false", "output.console_table=false",
            "horizon_end=2030-12-31", f"hydra.run.dir={run}")
    out = subprocess.run([sys.executable, "-m", "sim.export", str(run), "--date", "2040-01-01"],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "--date 2040-01-01" in out.stderr
