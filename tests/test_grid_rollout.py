"""The backbone in the rollout: a bus with ample local capacity held back by a line."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.assessment import AssessmentRequest, approval_day, attempts_needed
from sim.catalog import load_inputs
from sim.config import AssessmentConfig, GridConfig
from sim.model import Rollout
from sim.results import build_series
from sim.uncertainty import apply_draws
from tests.micro import START, Micro, write_csv

BUS = {"lon": 127, "lat": 36, "province": "Sejong", "name": "", "kv": 154, "load_mw": 0,
       "gen_mw": 0, "pmax_mw": 0, "reserve_mw": 0, "source": "test"}
LINE = {"kv": 154, "circuits": 1, "length_km": 10, "kind": "ac", "setpoint_mw": 0,
        "source": "test"}


def three_bus_grid(root, project_day: int = 100):
    """Bus 1 supplies any extra load (all reserve there); bus 3 hosts site s1.
    Line 2-3 is rated 0.25 MW: two 0.1 MW racks fit (0.2 MW), a third would overload it.
    Project P1 adds a parallel 2-3 cable with a tenth of the reactance on `project_day`:
    line 2-3 then carries 0.1/1.1 of the site load, enough for all racks."""
    grid = root / "data" / "grid"
    write_csv(grid / "buses.csv", [{**BUS, "bus": 1, "reserve_mw": 100},
                                   {**BUS, "bus": 2}, {**BUS, "bus": 3}])
    write_csv(grid / "lines.csv", [
        {**LINE, "line": "L12", "bus0": 1, "bus1": 2, "rating_mw": 1000, "x_pu": 0.1},
        {**LINE, "line": "L23", "bus0": 2, "bus1": 3, "rating_mw": 0.25, "x_pu": 0.1}])
    write_csv(grid / "site_buses.csv", [{"site": "s1", "bus": 3, "source": "test"}])
    write_csv(grid / "projects.csv", [{
        **LINE, "project": "P1", "line": "P1", "bus0": 2, "bus1": 3, "rating_mw": 10,
        "x_pu": 0.01, "planned_date": (START + dt.timedelta(days=project_day)).isoformat(),
        "delay_median_days": 30, "delay_p90_days": 90, "local_project": ""}])


def test_ample_local_capacity_held_back_by_a_backbone_line_until_a_project(tmp_path):
    """4 racks delivered day 0, local connection 100 MW: racks 1-2 install days 1, 2; racks
    3-4 wait for P1 (day 100) and install days 101, 102: 200 rack-days charged to `grid`."""
    micro = Micro(racks=4)
    data, scen = micro.write(tmp_path)
    three_bus_grid(tmp_path)
    grid_cfg = GridConfig(n1=False, assessment=AssessmentConfig(enabled=False))
    inputs = load_inputs(data, scen, START, START + dt.timedelta(days=3650), 0.0, grid_cfg)
    log = Rollout(inputs).run()
    assert sorted(float(d) for g in log.energised for d in g.energised_day) == [
        1.0, 2.0, 101.0, 102.0]
    s = build_series(log, inputs)
    waits = dict(zip(s.causes, s.wait_days[0, 0], strict=True))
    assert waits["grid"] == pytest.approx(200.0)
    assert waits["local_power"] == 0.0


def test_central_run_moves_the_project_by_its_median_delay(tmp_path):
    micro = Micro(racks=4)
    data, scen = micro.write(tmp_path)
    three_bus_grid(tmp_path)
    grid_cfg = GridConfig(n1=False, assessment=AssessmentConfig(enabled=False))
    inputs = load_inputs(data, scen, START, START + dt.timedelta(days=3650), 0.0, grid_cfg)
    drawn = apply_draws(inputs, {"grid_project/project=P1": 30.0})
    days = sorted(float(d) for g in Rollout(drawn).run().energised for d in g.energised_day)
    assert days == [1.0, 2.0, 131.0, 132.0]


def test_site_on_a_missing_bus_is_rejected(tmp_path):
    from sim.errors import InputError

    data, scen = Micro(racks=4).write(tmp_path)
    three_bus_grid(tmp_path)
    write_csv(data / "grid" / "site_buses.csv", [{"site": "s1", "bus": 9, "source": "test"}])
    with pytest.raises(InputError, match="planned site 's1' is on bus 9"):
        load_inputs(data, scen, START, START + dt.timedelta(days=3650), 0.0, GridConfig())


@pytest.mark.parametrize(("u", "p", "attempts"), [(0.5, 0.75, 1), (0.76, 0.75, 2),
                                                  (0.5, 0.35, 2), (0.9, 0.35, 6)])
def test_attempts_are_the_geometric_inverse(u, p, attempts):
    """P(approved within k) = 1 - (1-p)^k: p=0.35 gives 0.35, 0.5775, ... 0.9246 at k=6."""
    assert attempts_needed(u, p) == attempts


def test_a_rejected_site_reapplies_after_its_next_reinforcement():
    """Apply day 10, 100 days per attempt, 2 attempts needed: rejected on day 110, reapplies
    at the reinforcement on day 400, approved on day 500."""
    from sim.assessment import Application

    app = Application("s1", 10.0, 100.0, 0.35, 0.5, (50.0, 400.0, 900.0))
    assert approval_day(app) == 500.0
    assert approval_day(Application("s1", 10.0, 100.0, 0.35, 0.5, (50.0,))) == float("inf")
    assert AssessmentRequest("s1", 0.0, 0.5).approval_probability == 0.5
