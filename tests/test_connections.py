"""Connections derived from the network (sim/inputs/connect.py), the substation layer
(sim/grid/substations.py) and its use in the queue replay, worked by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sim.core.errors import InputError
from sim.core.paths import DATA_DIR
from sim.grid.loads import CompetingLoad
from sim.grid.replay import local_grants
from sim.grid.substations import Substation, distance_km, spare_mw
from sim.inputs.connect import Network, Request, derive, read_network
from sim.inputs.site_requests import candidate_requests
from sim.outputs.connections import triangular_quantile

OPTIONS = DATA_DIR / "connection_options.csv"


def _net() -> Network:
    """One standard 154 kV substation A at (36.0, 127.0) serving 120 MW in 2024 and a 345 kV
    substation B at (36.0, 127.2) whose bus serves 500 MW; demand grows 10 % by 2027."""
    a = Substation("A", "A", 1, 154, 36.0, 127.0, "X", "osm", None, 180.0, 120.0)
    b = Substation("B", "B", 2, 345, 36.0, 127.2, "X", "osm", None, 1000.0, 0.0)
    full = read_network(DATA_DIR / "grid", OPTIONS)
    return Network((a, b), np.array([36.0, 36.0]), np.array([127.0, 127.2]), full.options,
                   {2024: 100.0, 2027: 110.0}, {2: 500.0})


def test_a_point_and_mw_get_a_dated_schedule_worked_by_hand():
    # 30 MW at (36.0, 127.05), filed 2026-01-01. Distance to A: 0.05 deg of longitude at
    # 36 N = 0.05 x 111.195 x cos(36 deg) = 4.498 km. 30 MW is the 10-40 MW dedicated-feeder
    # tier; its central lead is 12 months = 365 days -> 2027-01-01, a 2027 connection: A
    # serves 120 x 1.10 = 132 MW of its 180 MW firm (N-1 of 4 x 60 MVA), spare 48 >= 30.
    # Cost 4.498 km x 1.5 bn KRW/km = 6.75 bn KRW. A new 154 kV S/S (72 months) is later.
    req = Request("test", 36.0, 127.05, 30.0, 30.0, dt.date(2026, 1, 1))
    d = derive(_net(), req, {})
    assert d.substation == "A" and d.option == "feeder_dedicated"
    assert d.distance_km == pytest.approx(4.498, abs=0.01)
    assert d.spare_mw == pytest.approx(48.0)
    assert d.date == dt.date(2027, 1, 1)
    assert d.cost_bn_krw == pytest.approx(6.75, abs=0.02)
    assert "22.9 kV dedicated feeder" in d.why and "48 MW" in d.why


def test_too_big_for_the_nearest_substation_goes_to_the_345_kv_one():
    # 60 MW: above A's 48 MW spare and above the feeder tiers. B is 0.15 deg east of it = 13.49 km;
    # its bus serves 500 x 1.10 = 550 MW of 1,000 firm (the 2028 connection year is past the
    # demand table, so 2027's growth holds). A 154 kV line: central 30 months = 913 days ->
    # 2028-07-02, 13.49 km x 2.0 bn KRW/km = 27.0 bn KRW.
    req = Request("test", 36.0, 127.05, 60.0, 60.0, dt.date(2026, 1, 1))
    d = derive(_net(), req, {})
    assert (d.substation, d.option) == ("B", "line_154")
    assert d.spare_mw == pytest.approx(450.0)
    assert d.date == dt.date(2028, 7, 2)
    assert d.cost_bn_krw == pytest.approx(26.98, abs=0.05)


def test_a_second_site_sees_what_the_first_took():
    net, taken = _net(), {}
    derive(net, Request("one", 36.0, 127.05, 30.0, 30.0, dt.date(2026, 1, 1)), taken)
    second = derive(net, Request("two", 36.0, 127.05, 30.0, 30.0, dt.date(2026, 1, 1)), taken)
    assert taken["A"] == 30.0
    assert second.substation != "A"          # 48 - 30 = 18 MW left < 30


def test_spare_is_firm_less_served_less_taken_never_negative():
    assert spare_mw(180.0, 120.0, 30.0) == 30.0
    assert spare_mw(180.0, 200.0) == 0.0


def test_distance_is_haversine():
    # one degree of latitude = pi/180 x 6371 km
    assert distance_km(36.0, 127.0, np.array([37.0]), np.array([127.0]))[0] == pytest.approx(
        np.pi / 180 * 6371.0)


def test_triangular_quantiles():
    assert triangular_quantile(0, 5, 10, 0.5) == pytest.approx(5.0)
    assert triangular_quantile(0, 0, 10, 0.19) == pytest.approx(10 - np.sqrt(0.81 * 100))


@pytest.mark.parametrize("low, mode, high", [(18, 30, 48), (24, 36, 72), (0, 0, 10),
                                             (3, 12, 12)])
def test_reported_quantiles_are_those_the_replications_draw_from(low, mode, high):
    from sim.uncertainty.specs import parse_distribution
    drawn = parse_distribution({"dist": "triangular", "low": low, "mode": mode, "high": high},
                               "test")
    for q in (0.1, 0.5, 0.9):
        assert triangular_quantile(low, mode, high, q) == pytest.approx(float(drawn.quantile(q)))


def test_substation_short_refuses_later_applications():
    def load(name: str, filed: int) -> CompetingLoad:
        return CompetingLoad(name, "datacenter", "Incheon", 7, 70.0, dt.date(2027, 1, 1),
                             "applied", 0.35, dt.date(2025, 1, filed))
    grants = local_grants([load("a", 1), load("b", 2), load("c", 3)], {7: 100.0})
    assert grants == {"a": 70.0, "b": 30.0, "c": 0.0}
    assert local_grants([load("a", 1)], {}) == {"a": 70.0}     # no substation entry


@pytest.mark.parametrize("row, field", [
    ({"site": "x", "lat": 40.5, "lon": 127.0, "mw": 50}, "'lat'"),
    ({"site": "x", "lat": 36.0, "lon": 140.0, "mw": 50}, "'lon'"),
    ({"site": "x", "lat": 36.0, "lon": 127.0, "mw": -5}, "'mw'"),
    ({"site": "x", "lat": 36.0, "lon": 127.0, "mw": 50, "zone": "atlantis"}, "'zone'"),
    ({"site": "x", "lat": 36.0, "mw": 50}, "'lon'"),
])
def test_bad_candidates_give_one_line_naming_the_field(row, field):
    with pytest.raises(InputError) as err:
        candidate_requests([row], "config key 'candidates'", dt.date(2026, 1, 1))
    assert field in str(err.value) and "\n" not in str(err.value)
    assert "config key 'candidates'[0]" in str(err.value)


def test_a_site_far_from_any_bus_is_refused_in_one_line():
    # Jeju (33.5 N, 126.5 E) is outside the mainland grid model: ~90 km to the nearest bus
    net = read_network(DATA_DIR / "grid", OPTIONS)
    req = candidate_requests([{"site": "jeju", "lat": 33.5, "lon": 126.5, "mw": 40}],
                             "config key 'candidates'", dt.date(2026, 1, 1))[0]
    with pytest.raises(InputError, match=r"fields 'lat'/'lon': the site is \d+ km"):
        derive(net, req, {})


def test_candidates_file_rows_are_named(tmp_path: Path):
    from sim.inputs.site_requests import read_candidates
    path = tmp_path / "c.csv"
    path.write_text("site,lat,lon,mw\nok,36.0,127.0,20\nbad,36.0,127.0,-1\n")
    with pytest.raises(InputError, match=r"c.csv: row 3, field 'mw'"):
        read_candidates(path, dt.date(2026, 1, 1))


def test_catalog_has_40_sourced_sites_with_their_nearest_buses():
    from sim.grid.substations import read_substations
    from sim.inputs.site_requests import read_catalog
    catalog = read_catalog(DATA_DIR / "site_catalog.csv")
    assert len(catalog) >= 40
    subs = [s for s in read_substations(DATA_DIR / "grid") if s.status == "osm"]
    for site, r in catalog.items():
        assert r["source"].strip(), site
        for kv in (154, 345):
            pool = [s for s in subs if s.kv == kv]
            km = distance_km(r["lat"], r["lon"], np.array([s.lat for s in pool]),
                             np.array([s.lon for s in pool]))
            assert r[f"nearest_{kv}_bus"] == pool[int(np.argmin(km))].bus, site
            assert r[f"km_{kv}"] == pytest.approx(km.min(), abs=0.01), site


def test_every_catalog_site_with_a_mw_gets_a_connection():
    from sim.inputs.site_requests import read_catalog
    catalog = read_catalog(DATA_DIR / "site_catalog.csv")
    rows = [{"site": s} for s, r in catalog.items() if r["mw"]]
    reqs = candidate_requests(rows, "config key 'candidates'", dt.date(2026, 1, 1), catalog)
    net, taken = read_network(DATA_DIR / "grid", OPTIONS), {}
    dates = [derive(net, r, taken).date for r in reqs]
    assert len(dates) == len(rows) >= 25
    assert all(d >= dt.date(2026, 1, 1) for d in dates)


def test_a_derived_step_is_shiftable_and_drawn():
    from sim.inputs.records import ConnectionStep
    from sim.uncertainty.draws import _delayed_steps, lead_name
    step = ConnectionStep("s", 400.0, 50.0, "p", "conn_s", lead_days=(100.0, 300.0, 700.0),
                          start_day=100.0, floor_day=250.0)
    name = lead_name(step)
    assert name == "connection_lead/site=s/step=conn_s"
    # drawn lead 120 days: 100 + 120 = 220 < floor 250 -> 250; lead 500 -> 600
    assert _delayed_steps((step,), {name: 120.0}, {})[0].day == 250.0
    assert _delayed_steps((step,), {name: 500.0}, {})[0].day == 600.0


def test_apex_inputs_carry_derived_steps_and_their_explanations():
    # Hyundai asks 156 MW from the MOU (2026-02-27); the Dongbieung 154 kV S/S (energised
    # 2025-12-24, standard banks, new: 180 MW spare) takes it by a 154 kV line: central lead
    # 30 months = 913 days -> 2028-08-28.
    from sim.app.configs import compose_config
    from sim.app.run import inputs_for
    from sim.outputs.connections import connections_summary
    cfg = compose_config(["+scenario=apex", "grid.dispatch=false",
                          "candidates=[{site: t, lat: 35.95, lon: 126.7, mw: 60}]"])
    inputs = inputs_for(cfg)
    steps = {s.step: s for s in inputs.connections if s.lead_days is not None}
    assert "conn_hyundai_saemangeum" in steps
    hy = steps["conn_hyundai_saemangeum"]
    assert inputs.date_of(hy.day) == dt.date(2028, 8, 28) and hy.capacity_mw == 156
    summary = connections_summary(inputs)
    assert summary["conn_hyundai_saemangeum"]["substation"] == "dongbieung_154"
    assert summary["t"]["candidate"] and not summary["conn_hyundai_saemangeum"]["candidate"]
    # the median of triangular(18, 30, 48) months is 48 - sqrt(0.5 x 30 x 18) = 31.57 months
    # = 961 days after 2026-02-27 -> 2028-10-15 (the deterministic run takes the mode)
    q = summary["conn_hyundai_saemangeum"]["date_quantiles"]
    assert q["p10"] < "2028-08-28" < q["p50"] == "2028-10-15" < q["p90"]


def test_a_derived_step_moves_with_grid_shift_days():
    # 2028-08-28 (see above) a year (365 days) earlier -> 2027-08-29; its floor (Dongbieung in
    # service 2025-12-24) moves with it and does not bind
    from sim.app.configs import compose_config
    from sim.app.run import inputs_for
    cfg = compose_config(["+scenario=apex", "grid.dispatch=false",
                          "grid.shift_days.conn_hyundai_saemangeum=-365"])
    inputs = inputs_for(cfg)
    step = next(s for s in inputs.connections if s.step == "conn_hyundai_saemangeum")
    assert inputs.date_of(step.day) == dt.date(2027, 8, 29)


def test_every_step_id_is_declared_for_the_command_line():
    # conf/config.yaml declares each id so `grid.shift_days.<id>=N` works without `+`
    import yaml

    from sim.app.configs import compose_config
    from sim.app.run import inputs_for
    from sim.core.paths import CONF_DIR
    declared = set(yaml.safe_load((CONF_DIR / "config.yaml").read_text())["grid"]["shift_days"])
    inputs = inputs_for(compose_config(["+scenario=apex", "grid.dispatch=false"]))
    ids = {s.step for s in inputs.connections if s.step}
    projects = {p.project for p in inputs.grid.projects}
    assert ids | projects == declared
