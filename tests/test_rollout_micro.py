"""Hand-worked micro-scenarios. Each docstring gives the trajectory computed by hand.

Every case uses one rack = 10 GPUs = 0.1 MW IT. Removing any of the gate checks (space,
power, cooling), the crews or the burn-in breaks at least one of these tests.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.rollout import Rollout
from sim.results.series import build_series
from tests.micro import Micro


def online_days(micro: Micro, tmp_path) -> list[float]:
    log = Rollout(micro.inputs(tmp_path)).run()
    return sorted(float(d) + micro.burn_in_days for g in log.energised for d in g.energised_day)


def test_unlimited_site_online_is_delivery_plus_install_plus_burn_in(tmp_path):
    """4 racks arrive day 0; 1 crew at 1 rack/day installs them on days 1,2,3,4;
    burn-in 7 days -> online on days 8, 9, 10, 11."""
    micro = Micro(racks=4, burn_in_days=7)
    assert online_days(micro, tmp_path) == [8.0, 9.0, 10.0, 11.0]


def test_two_crews_work_in_parallel(tmp_path):
    """4 racks, 2 crews at 0.5 rack/day (2 days a rack): done days 2, 2, 4, 4."""
    micro = Micro(racks=4, crews=2, racks_per_crew_per_day=0.5)
    assert online_days(micro, tmp_path) == [2.0, 2.0, 4.0, 4.0]


def test_connection_for_exactly_n_racks_holds_the_rest_until_reinforcement(tmp_path):
    """Connection 0.3 MW at PUE 1.5 covers exactly 2 racks (2 x 0.1 x 1.5 = 0.3).
    Racks 1-2 install on days 1, 2; racks 3-4 wait for the reinforcement on day 100
    and install on days 101, 102. They waited 100 days each at the gate for power."""
    micro = Micro(racks=4, design_pue=1.5, connection=[(0, 0.3), (100, 10.0)])
    inputs = micro.inputs(tmp_path)
    log = Rollout(inputs).run()
    days = sorted(float(d) for g in log.energised for d in g.energised_day)
    assert days == [1.0, 2.0, 101.0, 102.0]
    series = build_series(log, inputs)
    waits = dict(zip(series.causes, series.wait_days[0, 0], strict=True))
    assert waits["power"] == pytest.approx(200.0)
    assert waits["space"] == waits["cooling"] == 0.0


def test_cooling_limited_site(tmp_path):
    """Cooling 0.25 MW covers 2 racks (0.1 MW heat each); nothing else binds and no
    reinforcement comes: 2 racks online, 2 wait to the horizon for cooling."""
    micro = Micro(racks=4, cooling_mw=0.25, horizon_days=365)
    inputs = micro.inputs(tmp_path)
    log = Rollout(inputs).run()
    series = build_series(log, inputs)
    assert series.gpus_online[-1].sum() == 20
    waits = dict(zip(series.causes, series.wait_days[0, 0], strict=True))
    assert waits["cooling"] == pytest.approx(2 * 365.0)
    assert waits["power"] == waits["space"] == 0.0


def test_space_limited_site_waits_for_the_phase(tmp_path):
    """The hall is ready on day 50: the 4 racks delivered on day 0 all wait 50 days for space,
    then install on days 51..54."""
    micro = Micro(racks=4, phase_ready_day=50)
    inputs = micro.inputs(tmp_path)
    log = Rollout(inputs).run()
    assert online_days(micro, tmp_path) == [51.0, 52.0, 53.0, 54.0]
    series = build_series(log, inputs)
    waits = dict(zip(series.causes, series.wait_days[0, 0], strict=True))
    assert waits["space"] == pytest.approx(4 * 50.0)
    assert waits["install"] == pytest.approx(1 + 2 + 3 + 4)


def test_binding_cause_is_the_one_that_clears_last(tmp_path):
    """Space ready day 30, power from day 80: during days 0-30 both fail, but power would
    still hold the racks after space arrives, so all 80 days are charged to power."""
    micro = Micro(racks=1, phase_ready_day=30, connection=[(0, 0.0), (80, 1.0)])
    inputs = micro.inputs(tmp_path)
    series = build_series(Rollout(inputs).run(), inputs)
    waits = dict(zip(series.causes, series.wait_days[0, 0], strict=True))
    assert waits["power"] == pytest.approx(80.0)
    assert waits["space"] == 0.0


def test_quarter_delivery_spreads_over_three_months(tmp_path):
    """30 racks in 2026Q1 arrive as 10 on Jan 1 (day 0), Feb 1 (day 31), Mar 1 (day 59)."""
    micro = Micro(racks=30, delivery_period="2026Q1", crews=10, racks_per_crew_per_day=10)
    inputs = micro.inputs(tmp_path)
    log = Rollout(inputs).run()
    assert sorted({b.arrival_day for b in log.arrivals}) == [0.0, 31.0, 59.0]
    assert sorted({float(d) for g in log.energised for d in g.energised_day}) == [
        0.1, 31.1, 59.1]


def test_monthly_series_are_conserved_and_within_limits(tmp_path):
    micro = Micro(racks=40, delivery_period="2026Q1", connection=[(0, 1.2), (200, 5.0)],
                  cooling_mw=5.0, design_pue=1.2, racks_per_crew_per_day=2, burn_in_days=10)
    inputs = micro.inputs(tmp_path)
    s = build_series(Rollout(inputs).run(), inputs)
    online = s.gpus_online.sum(axis=1)            # time x owner
    arrived = s.gpus_arrived.sum(axis=1)
    assert np.all(online <= arrived) and np.all(arrived <= s.gpus_delivered)
    assert s.gpus_delivered[-1].sum() == online[-1].sum() == 400
    assert np.all(np.diff(online, axis=0) >= 0)
    assert np.all(s.facility_load_mw <= s.power_limit_mw + 1e-9)
    assert np.all(s.it_load_mw <= s.cooling_limit_mw + 1e-9)
    assert np.all(s.it_load_mw <= s.it_capacity_mw + 1e-9)
    # 1.2 MW / (0.1 MW x 1.2) = 10 racks until day 200
    before = s.time_days < 200
    assert s.it_load_mw[before].max() == pytest.approx(1.0)


def test_binding_cause_by_month(tmp_path):
    """Connection for 2 racks until day 100: racks wait for power at the samples of Jan 1,
    Feb 1, Mar 1 and Apr 1 (days 0, 31, 59, 90); the rest install on days 101-102, so nothing
    waits at the May 1 sample (day 120) and after."""
    micro = Micro(racks=4, design_pue=1.5, connection=[(0, 0.3), (100, 10.0)], horizon_days=200)
    inputs = micro.inputs(tmp_path)
    s = build_series(Rollout(inputs).run(), inputs)
    assert list(s.binding[:, 0]) == ["power", "power", "power", "power", "none", "none", "none"]
