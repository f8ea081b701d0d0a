"""Shared fixtures: a warm command-line runner (tests/cliserver.py) for the many CLI cases, and
session-scoped runs of the apex scenario, made once through the command line for the tests that
read a planner's outputs (CF checks, the report in a browser, sim.compare)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cliserver import CliServer

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def cli_server():
    server = CliServer()
    yield server
    server.close()


@dataclass(frozen=True)
class ApexRuns:
    single: Path      # deterministic apex, with figures and report
    replicated: Path  # apex, 4 replications, with figures and report
    sweep: Path       # plan=null,hyundai_ulsan x 2 replications, no figures per job


@pytest.fixture(scope="session")
def apex_runs(tmp_path_factory) -> ApexRuns:
    root = tmp_path_factory.mktemp("apex")
    runs = ApexRuns(root / "single", root / "replicated", root / "sweep")
    jobs = [["+scenario=apex", f"hydra.run.dir={runs.single}"],
            ["+scenario=apex", "mc.replications=4", f"hydra.run.dir={runs.replicated}"],
            ["-m", "+scenario=apex", "plan=null,hyundai_ulsan", "mc.replications=2",
             "output.figures=false", f"hydra.sweep.dir={runs.sweep}"]]
    procs = [subprocess.Popen([sys.executable, "-m", "sim", *args, "output.console_table=false"],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for args in jobs]   # side by side: 2 cores
    for proc in procs:
        _out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    return runs
