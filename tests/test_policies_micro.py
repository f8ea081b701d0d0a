"""Hand-worked micro-scenarios for owner policies and a hardware roadmap change mid-plan.

One rack = 10 GPUs = 0.1 MW IT, all heat to liquid; 1 crew installs 1 rack a day; PUE 1.0;
burn-in 0 days; deliveries of `2026-01` arrive on day 0 (2026-01-01).
"""

from __future__ import annotations

import datetime as dt

import pytest

from sim.core.config import DeferConfig, PolicyConfig, ResiteConfig
from sim.inputs.catalog import load_inputs
from sim.inputs.energy import default_prices
from sim.model.rollout import Rollout
from sim.results.critical_path import why_milestone
from sim.results.policy_outcome import owner_outcome, site_targets
from sim.results.series import build_series
from tests.micro import START, Micro, hall_row, write_csv


def online(log, burn_in: float = 0.0) -> list[tuple[str, float]]:
    return sorted((g.site, float(d) + burn_in) for g in log.energised for d in g.energised_day)


def test_fixed_gpus_idle_until_the_site_is_ready(tmp_path):
    """Hall ready on day 100: 4 racks arrive day 0, wait 100 days for space, then install on
    days 101-104. Idle: (101+102+103+104) x 10 = 4,100 GPU-days."""
    inputs = Micro(racks=4, phase_ready_day=100).inputs(tmp_path, PolicyConfig())
    log = Rollout(inputs).run()
    assert online(log) == [("s1", 101.0), ("s1", 102.0), ("s1", 103.0), ("s1", 104.0)]
    assert log.moves == []
    series = build_series(log, inputs)
    assert series.idle_gpu_months.sum() * 30.4375 == pytest.approx(4100.0)
    assert why_milestone(log, inputs, 40).cause == "space"


def test_defer_ships_when_the_site_is_ready_within_the_window(tmp_path):
    """Same site, policy defer with a 10-day window: the order ships on day 100 - 10 = 90,
    the racks still install on days 101-104, and idle GPU-days fall to
    (11+12+13+14) x 10 = 500. Deferred: 40 GPUs for 90 days, whose cost of capital is
    40 x 90/365.25 yr x price x rate."""
    policy = PolicyConfig(owners={"o1": "defer"},
                          defer=DeferConfig(window_days=10, max_deferral_days=365))
    inputs = Micro(racks=4, phase_ready_day=100).inputs(tmp_path, policy)
    log = Rollout(inputs).run()
    assert online(log) == [("s1", 101.0), ("s1", 102.0), ("s1", 103.0), ("s1", 104.0)]
    [move] = log.moves
    assert (move.policy, move.gpus, move.planned_day, move.arrival_day) == ("defer", 40, 0, 90)
    series = build_series(log, inputs)
    assert series.idle_gpu_months.sum() * 30.4375 == pytest.approx(500.0)
    prices = default_prices()
    cost = owner_outcome(inputs, log.moves, prices)["o1"]["deferral_cost_krw_bn"]
    assert cost == pytest.approx(40 * 90 / 365.25 * prices.grid.gpu_price_krw
                                 * prices.grid.cost_of_capital_per_yr / 1e9, abs=1e-3)


def test_defer_stops_at_the_maximum_deferral(tmp_path):
    """Max deferral 60 days: the order arrives on day 60 and waits 40 days at the gate."""
    policy = PolicyConfig(owners={"o1": "defer"},
                          defer=DeferConfig(window_days=10, max_deferral_days=60))
    inputs = Micro(racks=4, phase_ready_day=100).inputs(tmp_path, policy)
    log = Rollout(inputs).run()
    assert [m.arrival_day for m in log.moves] == [60.0]
    assert online(log)[0] == ("s1", 101.0)


def resite_case(tmp_path, threshold: float = 90.0):
    micro = Micro(racks=4, phase_ready_day=200)
    data, scen = micro.write(tmp_path)
    write_csv(data / "colocation_halls.csv", [hall_row(it_mw=0.25, transfer_days=30)])
    policy = PolicyConfig(owners={"o1": "resite"},
                          resite=ResiteConfig(idle_threshold_days=threshold))
    return load_inputs(data, scen, START, START + dt.timedelta(days=micro.horizon_days), 0.0,
                       policy=policy)


def test_resite_moves_what_the_hall_has_room_for(tmp_path):
    """Site s1 ready on day 200 (200 > 90 days of idling). Hall h1 has 0.25 MW from day 0 and
    30 transfer days: room for 2 racks. Those 2 arrive at h1 on day 30 and install on days
    31, 32; the other 2 stay, wait for s1 and install on days 201, 202."""
    inputs = resite_case(tmp_path)
    log = Rollout(inputs).run()
    assert online(log) == [("h1", 31.0), ("h1", 32.0), ("s1", 201.0), ("s1", 202.0)]
    [move] = log.moves
    assert (move.policy, move.from_site, move.to_site, move.gpus, move.arrival_day) == \
        ("resite", "s1", "h1", 20, 30.0)
    assert site_targets(inputs, log.moves) == {"s1": 20, "h1": 20}


def test_resite_keeps_gpus_that_would_idle_less_than_the_threshold(tmp_path):
    """Threshold 250 days > 200 days of idling: nothing moves."""
    log = Rollout(resite_case(tmp_path, threshold=250)).run()
    assert log.moves == []
    assert [site for site, _ in online(log)] == ["s1"] * 4


def roadmap_case(tmp_path, new_kw: float):
    """A hall of 0.4 MW sized for four 100 kW racks; family `fam` ships `old` (100 kW) to
    2026Q1 and `new` (`new_kw`) from 2026Q2. 20 GPUs arrive in January, 20 in April."""
    micro = Micro(racks=4, it_mw=0.4, cooling_mw=10, connection=[(0, 10.0)])
    data, scen = micro.write(tmp_path)
    hw = {"name": "t", "gpus_per_unit": 10, "liquid_heat_share": 1.0, "weight_kg": 1,
          "network_storage_overhead_share": 0, "source": "test"}
    write_csv(data / "hardware.csv", [{"sku": "old", **hw, "it_kw_per_unit": 100},
                                      {"sku": "new", **hw, "it_kw_per_unit": new_kw}])
    write_csv(data / "hardware_roadmap.csv", [
        {"family": "fam", "sku": "old", "first_quarter": "2024Q1",
         "last_quarter": "2026Q1", "source": "t"},
        {"family": "fam", "sku": "new", "first_quarter": "2026Q2",
         "last_quarter": "2030Q4", "source": "t"}])
    write_csv(scen / "plan.csv", [{"owner": "o1", "site": "s1", "sku": "fam", "gpus": 40,
                                   "source": "t"}])
    write_csv(scen / "deliveries.csv", [
        {"owner": "o1", "quarter": "2026-01", "gpus": 20, "source": "t"},
        {"owner": "o1", "quarter": "2026-04", "gpus": 20, "source": "t"}])
    return load_inputs(data, scen, START, START + dt.timedelta(days=micro.horizon_days), 0.0)


def test_a_new_rack_that_no_longer_fits_a_hall_sized_for_the_old_one(tmp_path):
    """January: 2 `old` racks (0.2 MW) install on days 1, 2. April (day 90): 2 `new` racks
    of 110 kW: 0.2 + 0.11 fits, 0.2 + 0.22 = 0.42 > 0.4 does not. One installs on day 91;
    the other waits for space to the horizon (the hall never grows)."""
    with pytest.warns(UserWarning, match="planned for 0.4 MW IT but can hold 0.4 MW"):
        inputs = roadmap_case(tmp_path, new_kw=110)
    log = Rollout(inputs).run()
    assert online(log) == [("s1", 1.0), ("s1", 2.0), ("s1", 91.0)]
    assert sum(b.units for b in log.waiting) == 1
    why = why_milestone(log, inputs, 40)
    assert (why.cause, why.day) == ("space", None)


def test_the_same_plan_fits_when_the_new_rack_draws_what_the_old_did(tmp_path):
    """With `new` at 100 kW all four racks fit: days 1, 2, 91, 92; the last GPUs went
    straight in after arriving, so their date was set by `delivery`."""
    inputs = roadmap_case(tmp_path, new_kw=100)
    log = Rollout(inputs).run()
    assert online(log) == [("s1", 1.0), ("s1", 2.0), ("s1", 91.0), ("s1", 92.0)]
    assert why_milestone(log, inputs, 40).cause == "delivery"


def test_gpus_online_at_fixed_dates_do_not_round_to_a_milestone(tmp_path):
    """Racks come online on days 1-4 (2026-01-02 .. 01-05): at the end of 2026-01-03, 2 of 4
    racks = 20 GPUs (50 %); of 2026-01-04, 3 racks = 30; of 31 Dec all 40 (issue 20's
    sim.results.online counts them)."""
    from sim.results.online import online_at

    inputs = Micro(racks=4).inputs(tmp_path)
    units = build_series(Rollout(inputs).run(), inputs).units
    table = online_at(units.online_day, units.gpus, units.owner, list(inputs.owners),
                      [dt.date(2026, 1, 3), dt.date(2026, 1, 4), dt.date(2026, 12, 31)],
                      inputs.start)
    assert table["2026-01-03"]["o1"] == 20
    assert table["2026-01-04"]["total"] == 30
    assert table["2026-12-31"]["o1"] == 40


def test_apex_policies_keep_every_gpu_and_move_only_where_allowed():
    """On apex with its owner policies: blocks after the policies hold the same GPUs per owner
    and SKU as before; deferred blocks arrive no earlier than due and at most the maximum
    deferral later; re-sited GPUs go to a site or hall that takes their owner."""
    import warnings
    from collections import Counter

    from sim.core.paths import DATA_DIR, SCENARIOS_DIR
    from sim.model.deliveries import split_deliveries
    from sim.model.policies import apply_policies

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        inputs = load_inputs(DATA_DIR, SCENARIOS_DIR / "apex", dt.date(2025, 11, 1),
                             dt.date(2035, 12, 31), 30.0, policy=PolicyConfig())
    before = split_deliveries(inputs)
    after, moves = apply_policies(before, inputs)

    assert _key_gpus(after) == _key_gpus(before)
    assert Counter(m.owner for m in moves if m.policy == "defer") == Counter(
        {"hyundai": sum(1 for m in moves if m.policy == "defer")})
    for move in moves:
        assert move.arrival_day >= move.planned_day
        if move.policy == "defer":
            assert move.arrival_day - move.planned_day <= inputs.policies.max_deferral_days
        else:
            assert move.owner in inputs.sites[move.to_site].owners
    assert {m.policy for m in moves} == {"defer", "resite"}


def _key_gpus(blocks) -> dict:
    out: dict = {}
    for b in blocks:
        out[(b.owner, b.sku)] = out.get((b.owner, b.sku), 0) + b.gpus
    return out
