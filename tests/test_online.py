"""GPUs online at fixed dates (sim.results.online) and any horizon accepted."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np

from sim.results.online import online_at, report_dates
from tests.micro import Micro

START = dt.date(2026, 1, 1)


def test_counts_by_the_end_of_each_date():
    # units: online on day 0.5 (o0, 8 GPUs), day 1.0 (o1, 4), day 1.99 (o0, 2), day 40 (o1, 1)
    day = np.array([0.5, 1.0, 1.99, 40.0])
    gpus = np.array([8, 4, 2, 1])
    owner = np.array([0, 1, 0, 1])
    # the end of 1 Jan is day 1 (exclusive): only the first unit; the end of 2 Jan is day 2
    got = online_at(day, gpus, owner, ["a", "b"], [dt.date(2026, 1, 1), dt.date(2026, 1, 2),
                                                   dt.date(2026, 12, 31)], START)
    assert got == {"2026-01-01": {"total": 8, "a": 8, "b": 0},
                   "2026-01-02": {"total": 14, "a": 10, "b": 4},
                   "2026-12-31": {"total": 15, "a": 10, "b": 5}}


def test_default_dates_are_year_ends_within_the_run():
    assert report_dates([], dt.date(2025, 11, 1), dt.date(2028, 6, 30)) == [
        dt.date(2025, 12, 31), dt.date(2026, 12, 31), dt.date(2027, 12, 31)]
    listed = [dt.date(2027, 1, 1), dt.date(2026, 5, 5), dt.date(2027, 1, 1)]
    assert report_dates(listed, START, dt.date(2030, 1, 1)) == [dt.date(2026, 5, 5),
                                                                 dt.date(2027, 1, 1)]


def test_a_short_horizon_is_accepted_with_a_note(cli_server, tmp_path):
    # 4 racks arrive in 2026-01, 4 more in 2027-03 (after the horizon 2026-12-31)
    data, scen = Micro(racks=8).write(tmp_path)
    (scen / "deliveries.csv").write_text("owner,quarter,gpus,source\n"
                                         "o1,2026-01,40,test\no1,2027-03,40,test\n")
    out = tmp_path / "run"
    proc = cli_server.run("sim", "+scenario=apex", f"data_dir={data}", f"scenario_dir={scen}",
                          "start=2026-01-01", "horizon_end=2026-12-31", "grid.enabled=false",
                          "output.figures=false", "output.console_table=false",
                          "output.online_dates=[2026-06-30]", f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["online_at_dates"] == {"2026-06-30": {"total": 40, "o1": 40}}
    assert summary["milestones"]["total"]["50"] is not None
    assert summary["milestones"]["total"]["100"] is None
    assert "total 90/100 %" in summary["notes"][0] and "2026-12-31" in summary["notes"][0]
    assert f"outputs: {out}" in proc.stdout


def test_online_dates_outside_the_run_are_one_line(cli_server, tmp_path):
    proc = cli_server.run("sim", "+scenario=apex", "output.online_dates=[2040-01-01]",
                          f"hydra.run.dir={tmp_path / 'r'}")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: config key 'output.online_dates': expected dates from start 2025-11-01 to "
        "horizon_end 2035-12-31, got 2040-01-01"]
