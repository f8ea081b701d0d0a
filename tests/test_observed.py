"""Runs from `as_of`: the observed state is held fixed, only later events are drawn, and bad
rows of observed_state.csv stop the run with one line naming file, row and column."""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pytest

from sim.app.configs import compose_config
from sim.app.run import inputs_for, simulate
from sim.core.config import UncertaintyConfig
from sim.core.errors import InputError
from sim.core.paths import SCENARIOS_DIR
from sim.inputs.catalog import load_inputs
from sim.inputs.observed import hold_observed, read_observed
from sim.inputs.records import GridProject, GridSetup
from sim.model.rollout import Rollout
from sim.uncertainty.draws import apply_draws, distributions, draw_table, entity_names
from tests.micro import START, Micro, date_plus, write_csv

HEADER = ("state_id", "kind", "site", "owner", "item", "value", "unit", "date", "source")


def observed_rows(*rows: tuple) -> list[dict]:
    return [dict(zip(HEADER, (f"s{i}", *row, "test"), strict=True))
            for i, row in enumerate(rows, start=1)]


#: 2 racks (20 GPUs) arrived on day -30, one of them installed on day -20 (online day -10 with
#: a 10-day burn-in); the other 2 racks arrive in Feb 2026 (day 31).
HELD = (("gpus_delivered", "s1", "o1", "-", 20, "gpus", date_plus(-30)),
        ("gpus_installed", "s1", "o1", "-", 10, "gpus", date_plus(-20)))


def as_of_case(root: Path, rows: list[dict], future: str = "2026-02",
               future_gpus: int = 20, **micro) -> tuple[Path, Path]:
    data, scen = Micro(racks=4, burn_in_days=10, **micro).write(root)
    write_csv(scen / "deliveries.csv", [{"owner": "o1", "quarter": future,
                                         "gpus": future_gpus, "source": "test"}])
    write_csv(scen / "observed_state.csv", rows)
    return data, scen


def load(data: Path, scen: Path):
    return load_inputs(data, scen, START, START + dt.timedelta(days=3650), 10.0, as_of=True)


# -- the micro-scenario: observed facts fixed, later events drawn ------------------------------
def test_central_run_from_as_of_by_hand(tmp_path):
    """Rack 1 installed day -20 -> online -10; rack 2 queued day 0, installed day 1 (1 crew,
    1 rack/day) -> online 11; racks 3-4 arrive day 31, installed 32 and 33 -> online 42, 43."""
    inputs = load(*as_of_case(tmp_path, observed_rows(*HELD)))
    log = Rollout(inputs).run()
    energised = sorted(d for g in log.energised for d in g.energised_day)
    assert energised == [-20.0, 1.0, 32.0, 33.0]
    assert sorted(b.arrival_day for b in log.arrivals) == [-30.0, 31.0]
    series = simulate(inputs)
    assert series.time_days[0] == 0.0
    assert series.gpus_arrived[0].sum() == 20 and series.gpus_delivered[0].sum() == 20
    assert series.gpus_online[0].sum() == 10


def test_observed_facts_are_fixed_and_only_later_events_drawn(tmp_path):
    inputs = load(*as_of_case(tmp_path, observed_rows(*HELD)))
    names = entity_names(inputs)
    assert names == ["delivery_slip/owner=o1", "install/site=s1"]
    table = draw_table(distributions(asdict(UncertaintyConfig()), names, inputs), 7, 64)
    observed_install, future_arrival, rack2 = set(), set(), set()
    for r in range(table.replications):
        log = Rollout(apply_draws(inputs, table.replicate(r))).run()
        first = min(log.energised, key=lambda g: g.energised_day[0])
        observed_install.add(float(first.energised_day[0]))
        future_arrival.update(b.arrival_day for b in log.arrivals if b.arrival_day > 0)
        assert [b.arrival_day for b in log.arrivals if b.arrival_day <= 0] == [-30.0]
        rack2.update(float(d) for g in log.energised for d in g.energised_day
                     if g.arrival_day == -30.0 and d > 0)
    assert observed_install == {-20.0}          # the same in all 64 replicates
    assert len(future_arrival) > 10             # the Feb delivery is drawn (slip)
    assert len(rack2) > 10 and min(rack2) > 0   # installing the queued rack is drawn


def test_construction_started_fixes_the_start_and_draws_the_rest(tmp_path):
    data, scen = as_of_case(tmp_path, observed_rows(
        *HELD, ("construction_started", "s1", "all", "p1", 1, "event", date_plus(-60))))
    write_csv(data / "site_phases.csv", [{
        "site": "s1", "phase": "p1", "it_mw": 100, "liquid_cooling_mw": 100,
        "air_cooling_mw": 0, "start_date": date_plus(-100), "permit_days": 50,
        "construction_days": 200, "source": "test"}])
    inputs = load(data, scen)
    assert inputs.phases[0].ready_day == -60 + 200
    assert "permit/site=s1/phase=p1" not in entity_names(inputs)
    assert "construction/site=s1/phase=p1" in entity_names(inputs)


def test_hall_built_and_connection_energised_are_held(tmp_path):
    data, scen = as_of_case(tmp_path, observed_rows(
        *HELD, ("hall_built", "s1", "o1", "p1", 60, "MW_IT", date_plus(-400)),
        ("connection_energised", "s1", "all", "step400", 80, "MW", date_plus(-5))),
        connection=[(0, 50.0), (400, 100.0)])
    inputs = load(data, scen)
    assert (inputs.phases[0].it_mw, inputs.phases[0].ready_day) == (60, 0.0)
    steps = sorted((s.day, s.capacity_mw) for s in inputs.connections)
    assert steps == [(0.0, 80.0)]
    assert not [n for n in entity_names(inputs) if n.startswith(("permit", "construction",
                                                                 "reinforcement"))]


def test_an_observed_grid_project_is_not_drawn(tmp_path):
    data, scen = as_of_case(tmp_path, observed_rows(
        *HELD, ("grid_project_energised", "s1", "all", "link", 1, "event", date_plus(-3))))
    inputs = load(data, scen)
    project = GridProject("link", "hvdc", 500.0, 180.0, 365.0)
    inputs = replace(inputs, grid=GridSetup(tmp_path, True, {"s1": 1}, (project,)))
    path = scen / "observed_state.csv"
    _, rows = read_observed(path, inputs, START, 10.0)
    held = hold_observed(path, inputs, rows)
    assert held.grid.projects[0].day == -3.0
    assert "grid_project/project=link" not in entity_names(held)
    assert "grid_project/project=link" in entity_names(inputs)


# -- apex_now: the first month is the observed table -------------------------------------------
def apex_now_expected() -> dict:
    """The observed table as the first sample must show it (computed from the CSV)."""
    as_of, burn_in = dt.date(2026, 11, 30), 30
    with (SCENARIOS_DIR / "apex_now" / "observed_state.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    out = {"arrived": {}, "online": {}, "power": {}, "hall": {}}
    for r in rows:
        key, value, date = (r["site"], r["owner"]), float(r["value"]), \
            dt.date.fromisoformat(r["date"])
        if r["kind"] == "gpus_delivered":
            out["arrived"][key] = max(out["arrived"].get(key, 0), value)
        elif r["kind"] == "gpus_online" or (
                r["kind"] == "gpus_installed" and date + dt.timedelta(days=burn_in) <= as_of):
            out["online"][key] = max(out["online"].get(key, 0), value)
        elif r["kind"] == "connection_energised":
            out["power"][r["site"]] = value
        elif r["kind"] == "hall_built":
            out["hall"][r["site"]] = value
    return out


@pytest.mark.parametrize("replications", [1, 6])
def test_apex_now_first_month_equals_the_observed_table(replications):
    cfg = compose_config(["+scenario=apex_now", f"mc.replications={replications}"])
    assert cfg.start_date == dt.date(2026, 11, 30)
    inputs = inputs_for(cfg)
    table = draw_table(distributions(asdict(cfg.uncertainty), entity_names(inputs), inputs,
                                     cfg.grid.assessment.duration_days), cfg.seed, replications)
    expected = apex_now_expected()
    assert sum(expected["arrived"].values()) == 10_080
    for r in range(table.replications):
        s = simulate(apply_draws(inputs, table.replicate(r)))
        site, owner = s.sites.index, s.owners.index
        arrived = {(s.sites[j], s.owners[i]): v for (j, i), v in
                   np.ndenumerate(s.gpus_arrived[0]) if v}
        online = {(s.sites[j], s.owners[i]): v for (j, i), v in
                  np.ndenumerate(s.gpus_online[0]) if v}
        assert arrived == expected["arrived"]
        assert online == expected["online"]
        assert s.gpus_delivered[0, owner("gov")] == 10_080 and s.gpus_delivered[0].sum() == 10_080
        for name, mw in expected["power"].items():
            assert s.power_limit_mw[0, site(name)] == pytest.approx(mw)
        for name, mw in expected["hall"].items():
            assert s.it_capacity_mw[0, site(name)] >= mw - 1e-9


@pytest.mark.apex_runs("now")
def test_apex_now_runs_through_the_cli(apex_runs):
    # `python -m sim +scenario=apex_now output.figures=false` (tests/conftest.py: JOBS["now"];
    # the fixture asserts its exit status 0)
    out = apex_runs.now
    import xarray as xr

    with xr.open_dataset(out / "result.nc", engine="h5netcdf") as ds:
        assert str(ds.time.values[0])[:10] == "2026-11-30"
        assert int(ds.gpus_delivered.isel(time=0).sum()) == 10_080
    summary = json.loads((out / "summary.json").read_text())
    assert summary["milestones"]["gov"]["25"] > "2026-11-30"


# -- bad rows: one line naming file, row and column ---------------------------------------------
BAD = [
    ("date-after-as-of", [HELD[0], ("gpus_installed", "s1", "o1", "-", 10, "gpus",
                                    date_plus(3))],
     "observed_state.csv: row 3, column 'date': 2026-01-04 is after as_of 2026-01-01"),
    ("more-online-than-delivered", [HELD[0], ("gpus_online", "s1", "o1", "-", 30, "gpus",
                                              date_plus(-1))],
     "observed_state.csv: row 3, column 'value': 30 GPUs online at s1 for o1"),
    ("installed-before-delivered", [("gpus_installed", "s1", "o1", "-", 10, "gpus",
                                     date_plus(-40)), HELD[0]],
     "observed_state.csv: row 2, column 'value': 10 GPUs installed at s1 for o1"),
    ("unknown-site", [("gpus_delivered", "mars", "o1", "-", 20, "gpus", date_plus(-30))],
     "observed_state.csv: row 2, column 'site': unknown site 'mars'"),
    ("unknown-owner", [("gpus_delivered", "s1", "o9", "-", 20, "gpus", date_plus(-30))],
     "observed_state.csv: row 2, column 'owner': unknown owner 'o9'"),
    ("unknown-kind", [HELD[0], ("gpus_lost", "s1", "o1", "-", 1, "gpus", date_plus(-3))],
     "observed_state.csv: row 3, column 'kind': unknown kind 'gpus_lost'"),
    ("unknown-phase", [HELD[0], ("hall_built", "s1", "o1", "p9", 1, "MW", date_plus(-3))],
     "observed_state.csv: row 3, column 'item': site 's1' has no phase 'p9'"),
    ("more-than-planned", [("gpus_delivered", "s1", "o1", "-", 50, "gpus", date_plus(-3))],
     "observed_state.csv: row 2, column 'value': 50 GPUs delivered to s1 for o1"),
]


@pytest.mark.parametrize(("rows", "expected"), [pytest.param(r, x, id=i) for i, r, x in BAD])
def test_bad_observed_row_gives_one_line(tmp_path, rows, expected):
    data, scen = as_of_case(tmp_path, observed_rows(*rows))
    with pytest.raises(InputError) as err:
        load(data, scen)
    assert expected in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(("rows", "future", "expected"), [
    pytest.param(BAD[0][1], "2026-02", BAD[0][2], id="date-after-as-of"),
    pytest.param([HELD[0], BAD[1][1][1]], "2026-02", BAD[1][2], id="online-gt-delivered"),
    pytest.param([BAD[3][1][0]], "2026-02", BAD[3][2], id="unknown-site"),
    pytest.param(list(HELD), "2026-01", "deliveries.csv: row 2, column 'quarter': 2026-01 "
                 "begins by as_of 2026-01-01", id="delivery-by-as-of"),
])
def test_bad_observed_state_through_the_cli(cli_server, tmp_path, rows, future, expected):
    data, scen = as_of_case(tmp_path, observed_rows(*rows), future=future)
    out = tmp_path / "run"
    proc = cli_server.run("sim", "+scenario=apex", f"data_dir={data}", f"scenario_dir={scen}",
                          "as_of=2026-01-01", "rollout.burn_in_days=10", "grid.enabled=false",
                          f"hydra.run.dir={out}")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], lines
    assert not (out / "result.nc").exists()


def test_assessment_passed_and_refused(tmp_path):
    """Passed: no assessment left. Refused on day -10: the next attempt starts at the site's
    first reinforcement after as_of (day 200), not at the step already in place."""
    from sim.inputs.records import AssessmentRequest

    for kind, expected in (("assessment_passed", ()), ("assessment_refused", (200.0,))):
        root = tmp_path / kind
        data, scen = as_of_case(root, observed_rows(
            *HELD, (kind, "s1", "all", "-", 1, "event", date_plus(-10))),
            connection=[(0, 50.0), (200, 100.0)])
        inputs = replace(load(data, scen),
                         assessment_requests=(AssessmentRequest("s1", 0.0, 0.5),))
        path = scen / "observed_state.csv"
        held = hold_observed(path, inputs, read_observed(path, inputs, START, 10.0)[1])
        assert tuple(r.apply_day for r in held.assessment_requests) == expected
