"""The backbone in the rollout: a bus with ample local capacity held back by a line."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.config import AssessmentConfig, GridConfig
from sim.inputs.catalog import load_inputs
from sim.inputs.records import AssessmentRequest
from sim.model.assessment import approval_day, attempts_needed
from sim.model.rollout import Rollout
from sim.results.series import build_series
from sim.uncertainty.draws import apply_draws
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
        "delay_median_days": 30, "delay_p90_days": 90}])


def test_ample_local_capacity_held_back_by_a_backbone_line_until_a_project(tmp_path):
    """4 racks delivered day 0, local connection 100 MW: racks 1-2 install days 1, 2; racks
    3-4 wait for P1 (day 100) and install days 101, 102: 200 rack-days charged to `grid`."""
    micro = Micro(racks=4)
    data, scen = micro.write(tmp_path)
    three_bus_grid(tmp_path)
    grid_cfg = GridConfig(n1=False, dispatch=False, assessment=AssessmentConfig(enabled=False))
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
    grid_cfg = GridConfig(n1=False, dispatch=False, assessment=AssessmentConfig(enabled=False))
    inputs = load_inputs(data, scen, START, START + dt.timedelta(days=3650), 0.0, grid_cfg)
    drawn = apply_draws(inputs, {"grid_project/project=P1": 30.0})
    days = sorted(float(d) for g in Rollout(drawn).run().energised for d in g.energised_day)
    assert days == [1.0, 2.0, 131.0, 132.0]


def test_site_on_a_missing_bus_is_rejected(tmp_path):
    from sim.core.errors import InputError

    data, scen = Micro(racks=4).write(tmp_path)
    three_bus_grid(tmp_path)
    write_csv(data / "grid" / "site_buses.csv", [{"site": "s1", "bus": 9, "source": "test"}])
    with pytest.raises(InputError, match="planned site 's1' is on bus 9"):
        load_inputs(data, scen, START, START + dt.timedelta(days=3650), 0.0,
                    GridConfig(dispatch=False))


@pytest.mark.parametrize(("u", "p", "attempts"), [(0.5, 0.75, 1), (0.76, 0.75, 2),
                                                  (0.5, 0.35, 2), (0.9, 0.35, 6)])
def test_attempts_are_the_geometric_inverse(u, p, attempts):
    """P(approved within k) = 1 - (1-p)^k: p=0.35 gives 0.35, 0.5775, ... 0.9246 at k=6."""
    assert attempts_needed(u, p) == attempts


def test_a_rejected_site_reapplies_after_its_next_reinforcement():
    """Apply day 10, 100 days per attempt, 2 attempts needed: rejected on day 110, reapplies
    at the reinforcement on day 400, approved on day 500."""
    from sim.inputs.records import Application

    app = Application("s1", 10.0, 100.0, 0.35, 0.5, (50.0, 400.0, 900.0))
    assert approval_day(app) == 500.0
    assert approval_day(Application("s1", 10.0, 100.0, 0.35, 0.5, (50.0,))) == float("inf")
    assert AssessmentRequest("s1", 0.0, 0.5).approval_probability == 0.5


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(racks=st.integers(1, 40), rating=st.floats(0.05, 3.0), horizon=st.integers(50, 400),
       n1=st.booleans())
def test_backbone_lines_stay_within_rating(tmp_path_factory, racks, rating, horizon, n1):
    """Whatever the load and the line rating, at the horizon (the heaviest load so far, since
    the only project adds a parallel path) every line is within rating."""
    from sim.model.backbone import Backbone

    root = tmp_path_factory.mktemp("prop")
    data, scen = Micro(racks=racks, horizon_days=horizon).write(root)
    three_bus_grid(root)
    lines = (data / "grid" / "lines.csv").read_text().replace(",0.25,", f",{rating},")
    (data / "grid" / "lines.csv").write_text(lines)
    grid_cfg = GridConfig(n1=n1, dispatch=False, assessment=AssessmentConfig(enabled=False))
    inputs = load_inputs(data, scen, START, START + dt.timedelta(days=horizon), 0.0, grid_cfg)
    rollout = Rollout(inputs)
    rollout.run()
    backbone = next(c for c in rollout.power_checks if isinstance(c, Backbone))
    dc = backbone.grid.dc
    n0 = np.abs(dc.flow0[~dc.br.is_hvdc]) / dc.rating_mw[~dc.br.is_hvdc]
    worst = backbone.grid.line_loading().max() if n1 else n0.max()   # the criterion in force
    assert worst <= 1.0 + 1e-9
    online = sum(len(g.energised_day) for g in rollout.log.energised)
    before_project = horizon < 100
    if before_project:
        assert online <= int((rating + 1e-9) / 0.1)


def test_monthly_line_loading_headroom_and_binding_line(tmp_path):
    """Three-bus case, 4 racks of 0.1 MW. Day 0: 2 racks on line 2-3 (0.2 of 0.25 MW):
    loading 0.8, headroom 0.05 MW, and line L23 is what binds. Day 120 (after P1): 0.4 MW
    split 10:100 by admittance, L23 carries 0.4/11 MW -> loading 0.4/11/0.25 = 0.1455."""
    from sim.app.run import simulate

    data, scen = Micro(racks=4).write(tmp_path)
    three_bus_grid(tmp_path)
    grid_cfg = GridConfig(n1=False, dispatch=False, assessment=AssessmentConfig(enabled=False))
    inputs = load_inputs(data, scen, START, START + dt.timedelta(days=365), 0.0, grid_cfg)
    s = simulate(inputs, record_grid=True)
    l23 = s.line_ids.index("L23")
    assert s.line_loading[0, l23] == pytest.approx(0.8)
    assert s.bus_headroom_mw[0, 0] == pytest.approx(0.05)
    day120 = list(s.time_days).index(120.0)
    assert s.line_loading[day120, l23] == pytest.approx(0.4 / 11 / 0.25)
    assert np.isnan(s.line_loading[0, s.line_ids.index("P1")])   # not built yet
    assert set(s.binding_lines["s1"]) == {"L23"}
