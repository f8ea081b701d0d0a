"""Interrupted runs never leave a truncated result; the same config and seed give the same
data."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from tests.test_cli import REPO


def kill_mid_write(target: Path) -> int:
    """In a child process, start writing `target` atomically and SIGKILL itself halfway."""
    code = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from sim.outputs.files import atomic_write
        def half_then_die(tmp):
            tmp.write_text("half of a result")
            os.kill(os.getpid(), signal.SIGKILL)
        atomic_write(Path({str(target)!r}), half_then_die)
    """)
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, timeout=60).returncode


def test_kill_mid_write_leaves_no_file(tmp_path):
    target = tmp_path / "summary.json"
    assert kill_mid_write(target) == -signal.SIGKILL
    assert not target.exists()


def test_kill_mid_write_keeps_the_previous_complete_file(tmp_path):
    target = tmp_path / "summary.json"
    target.write_text('{"complete": true}')
    assert kill_mid_write(target) == -signal.SIGKILL
    assert json.loads(target.read_text()) == {"complete": True}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_during_a_run_leaves_no_result_and_marks_it_failed(tmp_path, signum):
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "+scenario=apex", "mc.replications=2000",
         f"hydra.run.dir={out}"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    status = out / "status.json"
    deadline = time.monotonic() + 60
    while not status.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in stderr and "stopped by signal" in stderr
    assert json.loads(status.read_text())["status"] == "failed"
    assert not (out / "result.nc").exists() and not (out / "summary.json").exists()
    assert not list(out.glob(".*.tmp"))


@pytest.mark.apex_runs("replicated", "replicated_again")
def test_same_config_and_seed_give_identical_data(apex_runs):
    # the same command (apex, 4 replications, default seed) run twice, in two processes
    # (tests/conftest.py: JOBS["replicated"] and JOBS["replicated_again"])
    runs = [xr.load_dataset(out / "result.nc", engine="h5netcdf")
            for out in (apex_runs.replicated, apex_runs.replicated_again)]
    a, b = runs
    assert list(a.data_vars) == list(b.data_vars)
    for name in a.data_vars:
        assert np.array_equal(a[name].values, b[name].values, equal_nan=True), name
    assert a.attrs["config_hash"] == b.attrs["config_hash"]
