"""The command line as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import xarray as xr

from tests.micro import Micro

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_missing_scenario_lists_the_available_ones():
    proc = run_cli()
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "+scenario=" in lines[0] and "apex" in lines[0]


def test_micro_scenario_through_the_cli(tmp_path):
    data, scen = Micro(racks=4, burn_in_days=7).write(tmp_path)
    out = tmp_path / "run"
    proc = run_cli("+scenario=apex", f"data_dir={data}", f"scenario_dir={scen}",
                   "start=2026-01-01", "rollout.burn_in_days=7", "grid.enabled=false",
                   f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["milestones"]["total"]["100"] == "2026-01-12"   # day 11, see micro tests
    assert json.loads((out / "status.json").read_text())["status"] == "complete"
    with xr.open_dataset(out / "result.nc", engine="h5netcdf") as ds:
        assert int(ds.gpus_online.isel(time=-1).sum()) == 40
        for name, var in ds.data_vars.items():
            assert (var.attrs.get("units") or var.attrs.get("flag_meanings")) \
                and var.attrs.get("long_name"), name
        assert ds.attrs["scenario"] == "apex" and "config_hash" in ds.attrs


def test_bad_input_is_one_line_without_traceback(tmp_path):
    data, scen = Micro(racks=4).write(tmp_path)
    plan = scen / "plan.csv"
    plan.write_text(plan.read_text().replace(",rack,", ",no_such_sku,"))
    out = tmp_path / "run"
    proc = run_cli("+scenario=apex", f"data_dir={data}", f"scenario_dir={scen}",
                   "start=2026-01-01", "grid.enabled=false", f"hydra.run.dir={out}")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "plan.csv: row 2, column 'sku'" in lines[0]
    assert not (out / "result.nc").exists()
    assert json.loads((out / "status.json").read_text())["status"] == "failed"
