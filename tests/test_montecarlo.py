"""Monte Carlo: same seed -> identical results whatever the backend; common random numbers."""

from __future__ import annotations

from dataclasses import asdict, replace

import numpy as np
import pytest

from sim.core.config import UncertaintyConfig
from sim.inputs.energy import default_prices
from sim.inputs.records import ConnectionStep, Phase, PlanRow
from sim.model.grid_states import by_year
from sim.results.montecarlo import (
    Shared,
    chunks,
    narrowed,
    run_chunk,
    run_replications,
    task_sizes,
)
from sim.results.montecarlo import stacked as stored_stack
from sim.uncertainty.draws import (
    DrawTable,
    apply_draws,
    distributions,
    draw_table,
    entity_names,
)
from tests.micro import Micro


def micro_inputs(tmp_path):
    micro = Micro(racks=40, delivery_period="2026Q1", connection=[(0, 1.0), (200, 5.0)],
                  racks_per_crew_per_day=2, burn_in_days=10)
    inputs = micro.inputs(tmp_path)
    phases = (replace(inputs.phases[0], permit_days=60.0, construction_days=120.0),)
    return replace(inputs, phases=phases)


def table_for(inputs, replications=24, seed=7):
    dists = distributions(asdict(UncertaintyConfig()), entity_names(inputs))
    return draw_table(dists, seed, replications)


def stacked(results, name="gpus_online"):
    return np.stack([r.arrays[name] for r in results])


def test_entities_are_named_per_owner_phase_step_and_site(tmp_path):
    names = entity_names(micro_inputs(tmp_path))
    assert names == ["delivery_slip/owner=o1", "permit/site=s1/phase=p1",
                     "construction/site=s1/phase=p1", "reinforcement/site=s1/project=step200",
                     "install/site=s1"]


def test_one_replication_uses_central_values(tmp_path):
    inputs = micro_inputs(tmp_path)
    table = table_for(inputs, replications=1)
    drawn = apply_draws(inputs, table.replicate(0))
    # reinforcement: lognormal median 180 days -> step moves from day 200 to day 380
    assert [s.day for s in drawn.connections] == [0.0, 380.0]
    assert drawn.phases[0].permit_days == 60.0 and drawn.deliveries == inputs.deliveries


def test_identical_for_serial_loky_and_dask(tmp_path):
    inputs = micro_inputs(tmp_path)
    table = table_for(inputs)
    serial = run_replications(inputs, table, n_jobs=1, chunk_size=5)
    loky = run_replications(inputs, table, n_jobs=2, chunk_size=7)
    pytest.importorskip("distributed")
    dask = run_replications(inputs, table, n_jobs=2, backend="dask", chunk_size=4)
    for other in (loky, dask):
        assert [r.replicate for r in other] == list(range(24))
        for name in serial[0].arrays:
            assert np.array_equal(stacked(serial, name), stacked(other, name)), name
        assert np.array_equal(np.stack([r.milestone_days for r in serial]),
                              np.stack([r.milestone_days for r in other]), equal_nan=True)
    spread = np.stack([r.milestone_days for r in serial])[:, 0, -1]
    assert np.nanstd(spread) > 0          # the draws do move the outcome


def test_common_random_numbers_between_scenarios_differing_in_one_site(tmp_path):
    """Scenario B adds a second site for a second owner: every entity the two share draws the
    same values, so site s1's outcome is identical replicate by replicate."""
    a = micro_inputs(tmp_path / "a")
    s2 = replace(a.sites["s1"], site="s2", name="Site 2", owners=("o2",))
    o2 = replace(a.owners["o1"], owner="o2", name="Owner 2", allocation_gpus=50)
    b = replace(
        a, sites={**a.sites, "s2": s2}, owners={**a.owners, "o2": o2},
        phases=(*a.phases, Phase("s2", "p1", 10.0, 10.0, 0.0, 0.0, 90.0, 200.0)),
        connections=(*a.connections, ConnectionStep("s2", 0.0, 1.0, "s2-initial"),
                     ConnectionStep("s2", 300.0, 9.0, "s2-upgrade")),
        plan=(*a.plan, PlanRow("o2", "s2", "rack", 50)),
        deliveries=(*a.deliveries, replace(a.deliveries[0], owner="o2", gpus=50)),
        plants={**a.plants, "s2": a.plants["s1"]})
    ta, tb = table_for(a), table_for(b)
    assert set(ta.values) < set(tb.values)
    for name, values in ta.values.items():
        assert np.array_equal(values, tb.values[name]), name
    ra, rb = run_replications(a, ta), run_replications(b, tb)
    assert np.array_equal(stacked(ra)[:, :, 0, 0], stacked(rb)[:, :, 0, 0])


def test_tasks_shrink_with_what_is_left_and_cover_every_replicate():
    # two workers: at most chunk_size, at most a quarter of what is left (ceil), then down to 1
    assert task_sizes(200, 2, 50) == [50, 38, 28, 21, 16, 12, 9, 7, 5, 4, 3, 2, 2, 1, 1, 1]
    assert task_sizes(1000, 2, 50)[:17] == [50] * 17          # 1000 - 16*50 = 200 left
    assert task_sizes(5, 2, 50) == [2, 1, 1, 1]
    assert task_sizes(100, 1, 50) == [50, 50]                  # one process: chunk_size
    assert task_sizes(101, 1, 50) == [50, 50, 50]              # the last task holds 1
    table = DrawTable({"x": np.arange(7.0)}, 7)
    got = [(list(d["x"]), ids) for d, ids in chunks(table, [3, 2, 1, 1])]
    assert got == [([0, 1, 2], [0, 1, 2]), ([3, 4], [3, 4]), ([5], [5]), ([6], [6])]
    assert [ids for _, ids in chunks(table, 3)] == [[0, 1, 2], [3, 4, 5], [6]]


def test_results_share_one_stacked_array_per_variable(tmp_path):
    inputs = micro_inputs(tmp_path)
    results = run_replications(inputs, table_for(inputs, replications=6), chunk_size=4)
    online = stored_stack(results, "gpus_online")
    assert online.shape[0] == 6 and online.dtype == np.int32
    for r in results:
        assert np.shares_memory(r.arrays["gpus_online"], online)
        assert np.array_equal(r.arrays["gpus_online"], online[r.replicate])
    assert np.array_equal(stored_stack(list(results), "gpus_online"), online)   # a copy


def test_states_are_dealt_a_whole_year_at_a_time():
    a, b, c = frozenset(), frozenset({"p"}), frozenset({"p", "q"})
    keys = [(a, 2030), (b, 2030), (c, 2030), (a, 2031), (b, 2031), (a, 2032)]
    parts = by_year(keys, 2)
    # 2030 (3 keys) to the first part, 2031 (2) to the second, 2032 (1) to the second (fewer)
    assert parts == [[(a, 2030), (b, 2030), (c, 2030)], [(a, 2031), (b, 2031), (a, 2032)]]
    assert by_year(keys, 1) == [keys]


def test_counts_travel_as_int32_when_they_fit_and_as_int64_otherwise(tmp_path):
    inputs = micro_inputs(tmp_path)
    results = run_chunk(Shared(inputs, default_prices()),
                        table_for(inputs, replications=2).values, [0, 1])
    sent = narrowed(results)
    for before, after in zip(results, sent, strict=True):
        assert before.arrays["gpus_online"].dtype == np.int64
        assert after.arrays["gpus_online"].dtype == np.int32
        assert after.arrays["it_load_mw"].dtype == np.float32
        for name, values in before.arrays.items():
            assert np.array_equal(values, after.arrays[name])
    big = replace(results[0], arrays={"gpus_online": np.array([2**31], dtype=np.int64)})
    assert narrowed([big])[0].arrays["gpus_online"].dtype == np.int64
