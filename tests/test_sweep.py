"""Sweeps: the multirun merge (cube + ranking), failed jobs, the submitit launcher path."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sim.app.sweep import merge
from sim.app.sweep_jobs import override_pairs
from tests.micro import Micro

REPO = Path(__file__).resolve().parents[1]
#: The entry imported as a module: Hydra launchers pickle the task function by reference.
ENTRY = "import sys; from sim.app.cli import cli; sys.argv[0] = 'sim'; cli()"
SWEEP = ["rollout.burn_in_days=0,7", "horizon_end=2026-12-31,2027-06-30"]


def micro_args(tmp_path: Path) -> list[str]:
    data, scen = Micro(racks=4).write(tmp_path)
    return ["+scenario=apex", f"data_dir={data}", f"scenario_dir={scen}", "start=2026-01-01",
            "grid.enabled=false", "output.figures=false", "output.console_table=false"]


def run(args: list[str], entry: list[str] | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, *(entry or ["-m", "sim"]), *args]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("sweep")
    out = tmp / "multirun"
    # output.figures left at its default: no figures or report per job in a multirun
    args = [a for a in micro_args(tmp) if a != "output.figures=false"]
    proc = run(["-m", *args, *SWEEP, f"hydra.sweep.dir={out}"])
    assert proc.returncode == 0, proc.stderr
    assert not [*(out / "0").glob("*.png"), *(out / "0").glob("report.html")]
    assert "sweep: 4 of 4 jobs merged" in proc.stdout
    # one progress line per finished job; the result tables only in each job's directory
    assert sum(line.startswith("job ") for line in proc.stdout.splitlines()) == 4
    assert "What holds each site back" not in proc.stdout
    assert "What holds each site back" in (out / "0" / "summary.txt").read_text()
    return out


def test_grid_sweep_yields_the_cube_and_the_ranking(sweep_dir):
    with xr.open_dataset(sweep_dir / "sweep.nc", engine="h5netcdf") as ds:
        assert not any(str(sweep_dir) in str(v) for v in ds.attrs.values())  # no machine path
        assert ds.attrs["layout"] == "grid"
        assert list(ds["rollout_burn_in_days"].values) == [0, 7]
        assert list(ds["horizon_end"].values) == ["2026-12-31", "2027-06-30"]
        assert ds["gpus_online"].dims[:2] == ("rollout_burn_in_days", "horizon_end")
        assert {"time", "site", "owner"} <= set(ds["gpus_online"].dims)
        total = ds["gpus_online"].sum(["site", "owner"], min_count=1)
        short = total.sel(horizon_end="2026-12-31")
        assert np.isnan(short.sel(time="2027-03-01")).all()          # outer join on time
        assert (total.max("time") == 40).all()
        assert ds["job"].sel(rollout_burn_in_days=7, horizon_end="2027-06-30") == 3
    lines = (sweep_dir / "sweep.csv").read_text().splitlines()
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
    assert [r["rollout.burn_in_days"] for r in rows] == ["0", "0", "7", "7"]
    assert [r["full_p50"] for r in rows] == ["2026-01-05"] * 2 + ["2026-01-12"] * 2
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4"]
    assert (sweep_dir / "comparison.png").stat().st_size > 10_000


def test_a_failed_job_is_reported_and_the_rest_merged(sweep_dir, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(sweep_dir, broken)
    (broken / "1" / "status.json").write_text(json.dumps({"status": "failed", "error": "boom"}))
    (broken / "1" / "result.nc").unlink()
    (broken / "2" / "status.json").unlink()
    proc = subprocess.run([sys.executable, "-m", "sim.sweep", "merge", str(broken),
                           "--no-figure"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "2 of 4 jobs merged" in proc.stdout
    assert "FAILED job 1" in proc.stdout and "boom" in proc.stdout
    assert "FAILED job 2" in proc.stdout
    with xr.open_dataset(broken / "sweep.nc", engine="h5netcdf") as ds:
        total = ds["gpus_online"].max("time").sum(["site", "owner"], min_count=1)
        assert int(np.isnan(total).sum()) == 2 and float(total.max()) == 40
        assert json.loads(ds.attrs["failed_jobs"]).keys() == {"1", "2"}
    csv_text = (broken / "sweep.csv").read_text()
    assert csv_text.count(",failed,") == 2


def test_a_failed_job_does_not_stop_the_sweep():
    from hydra.core.utils import JobReturn, JobStatus
    from omegaconf import OmegaConf

    from sim.app.sweep_callback import SweepCallback

    ret = JobReturn(overrides=["seed=1"], status=JobStatus.FAILED,
                    _return_value=RuntimeError("bug"))
    cfg = OmegaConf.create({"hydra": {"mode": "MULTIRUN", "job": {"num": 3}}})
    SweepCallback().on_job_end(cfg, ret)
    assert ret.status == JobStatus.COMPLETED and ret.return_value is None


def test_override_pairs_strip_prefixes():
    assert override_pairs(["+scenario=apex", "plan=a=b", "~x"]) == {
        "scenario": "apex", "plan": "a=b", "x": ""}


def test_merge_of_a_run_list(sweep_dir, tmp_path):
    """Jobs that are not a full grid go along `run`, parameters as coordinates."""
    part = tmp_path / "part"
    part.mkdir()
    for num in ("0", "1", "3"):
        shutil.copytree(sweep_dir / num, part / num)
    out = merge(part, figure=False)
    assert not out.grid and out.params == ["rollout.burn_in_days", "horizon_end"]
    with xr.open_dataset(part / "sweep.nc", engine="h5netcdf") as ds:
        assert list(ds["run"].values) == [0, 1, 3]
        assert list(ds["rollout_burn_in_days"].values) == [0, 0, 7]


def test_submitit_local_launcher(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    out = tmp_path / "multirun"
    proc = run(["-m", *micro_args(tmp_path), "rollout.burn_in_days=0,7",
                "hydra/launcher=submitit_local", "hydra.launcher.timeout_min=2",
                f"hydra.sweep.dir={out}"], entry=["-c", ENTRY])
    assert proc.returncode == 0, proc.stderr
    assert (out / ".submitit").is_dir()
    with xr.open_dataset(out / "sweep.nc", engine="h5netcdf") as ds:
        assert list(ds["rollout_burn_in_days"].values) == [0, 7]
