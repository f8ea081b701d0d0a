"""`python -m sim.export`: a run's backbone at a date, re-solved independently."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.test_cli import REPO
from tests.test_grid_matpower import csv_flows, independent_flows


def copy_of_the_apex_run(apex_runs, tmp_path: Path) -> Path:
    """A copy of the session's deterministic apex run (the export writes into a run)."""
    run = tmp_path / "run"
    shutil.copytree(apex_runs.single, run)
    return run


@pytest.mark.apex_runs("single")
def test_export_of_an_apex_run_resolves_to_the_same_flows(apex_runs, tmp_path):
    run = copy_of_the_apex_run(apex_runs, tmp_path)
    out = subprocess.run([sys.executable, "-m", "sim.export", str(run), "--date", "2030-01-01"],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = (run / "case_20300101.m").read_text()
    assert "mpc.version = '2';" in text and "mpc.baseMVA = 100;" in text
    flows = independent_flows(text)
    ours = csv_flows(run / "flows_20300101.csv")
    assert len(ours) == len(flows) > 100
    np.testing.assert_allclose(flows, ours, atol=0.1)


@pytest.mark.apex_runs("single")
def test_export_outside_the_run_is_one_line(apex_runs, tmp_path):
    run = copy_of_the_apex_run(apex_runs, tmp_path)    # horizon 2035-12-31
    out = subprocess.run([sys.executable, "-m", "sim.export", str(run), "--date", "2040-01-01"],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "--date 2040-01-01" in out.stderr
