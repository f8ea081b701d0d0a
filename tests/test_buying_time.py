"""Hand-worked micro-scenarios of the ways to buy time (docs/buying_time.md): a bridging plant
that carries racks until the grid arrives and then retires, a direct contract in a zone, and
bad option tables failing with one line."""

from __future__ import annotations

import shutil
from dataclasses import replace

import numpy as np
import pytest

from sim.core.config import OptionsConfig
from sim.core.errors import InputError
from sim.core.paths import DATA_DIR
from sim.inputs.options import make_bridge, read_catalogue, with_options
from sim.inputs.records import Bridge
from sim.model.rollout import Rollout
from tests.micro import Micro


def energised(log) -> list[float]:
    return sorted(float(d) for g in log.energised for d in g.energised_day)


def test_bridge_carries_two_racks_until_the_grid_arrives_then_retires(tmp_path):
    """No grid until day 200 (then 10 MW). A 0.2 MW plant is ready on day 50: racks 1-2
    (0.1 MW each, PUE 1.0) pass the gate on day 50 and install on days 51, 52; racks 3-4 wait
    for the grid and install on days 201, 202. On day 200 the grid can carry the plant's 0.2
    MW, so it retires; it supplied 0.2 MW x 150 days x 24 h = 720 MWh."""
    inputs = Micro(racks=4, connection=[(0, 0.0), (200, 10.0)]).inputs(tmp_path)
    inputs = replace(inputs, bridges=(Bridge("s1", "test", 0.2, 50.0),))
    log = Rollout(inputs).run()
    assert energised(log) == [51.0, 52.0, 201.0, 202.0]
    mwh, retired = log.bridges["s1"]
    assert retired == 200.0
    assert mwh == pytest.approx(720.0)


def test_without_the_bridge_every_rack_waits_for_the_grid(tmp_path):
    """Same case without the plant: racks install on days 201-204 (the bridge is what moved
    racks 1-2 by 150 days)."""
    inputs = Micro(racks=4, connection=[(0, 0.0), (200, 10.0)]).inputs(tmp_path)
    assert energised(Rollout(inputs).run()) == [201.0, 202.0, 203.0, 204.0]


def test_bridge_stays_while_the_grid_is_smaller_than_the_plant(tmp_path):
    """The grid brings 0.1 MW on day 200 and 10 MW on day 400. The 0.2 MW plant cannot be
    replaced on day 200 (0.1 < 0.2): it keeps racks 1-2, the grid takes rack 3 (day 201);
    on day 400 the plant retires and rack 4 installs on day 401."""
    inputs = Micro(racks=4, connection=[(0, 0.0), (200, 0.1), (400, 10.0)]).inputs(tmp_path)
    inputs = replace(inputs, bridges=(Bridge("s1", "test", 0.2, 50.0),))
    log = Rollout(inputs).run()
    assert energised(log) == [51.0, 52.0, 201.0, 401.0]
    assert log.bridges["s1"][1] == 400.0


def test_fuel_cell_bridge_from_the_catalogue(tmp_path):
    """SOFC: 180 permit + 305 works days = ready on day 485. The plan needs 4 racks = 0.4 MW
    IT at PUE 1.0; the connection gives 0.1 MW from day 0 and 0.3 MW from day 600, so on day
    485 the gap is 0.3 MW, rounded up to one unit of 0.44 MW."""
    inputs = Micro(racks=4, connection=[(0, 0.1), (600, 0.3)]).inputs(tmp_path)
    cat = _cat()
    bridge = make_bridge(inputs, cat, "s1", "fuel_cell_sofc")
    assert bridge.ready_day == 485.0
    assert bridge.mw == pytest.approx(0.44)
    bigger = make_bridge(inputs, cat, "s1", "fuel_cell_sofc", mw=1.0)
    assert bigger.mw == pytest.approx(3 * 0.44)          # 1.0 / 0.44 -> 3 units


def test_gas_turbine_waits_for_its_slot(tmp_path):
    """gas_ccgt: 180 + 913 days from 2026-01-01 = 2028-12-29, but no turbine slot before
    2029-05-01 = day 1216."""
    inputs = Micro().inputs(tmp_path)
    cat = _cat()
    assert make_bridge(inputs, cat, "s1", "gas_ccgt", 10.0).ready_day == 1216.0


def _cat():
    """The embedded option tables, with gas at the micro site `s1`."""
    cat = read_catalogue(DATA_DIR / "options", _sites() | {"s1"})
    return replace(cat, gas={**cat.gas, "s1": True})


def test_gas_plant_needs_a_pipeline(tmp_path):
    inputs = Micro().inputs(tmp_path)
    cat = read_catalogue(DATA_DIR / "options", _sites() | {"s1"})
    with pytest.raises(InputError, match=r"options.bridging.s1': fuel_cell_sofc burns gas"):
        make_bridge(inputs, cat, "s1", "fuel_cell_sofc")


# -- bad input ----------------------------------------------------------------------------
def _options_copy(tmp_path):
    folder = tmp_path / "options"
    shutil.copytree(DATA_DIR / "options", folder)
    return folder


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _sites() -> set[str]:
    from sim.inputs.options import embedded_sites
    return embedded_sites()


CATALOGUE_ERRORS = {   # (file, text, replaced by, the one line expected)
    "fuel without emission factor": (
        "fuels.csv", "natural_gas_chp,0.202,", "natural_gas_chp,,",
        r"fuels.csv: row \d+, column 't_co2e_per_mwh_fuel': fuel 'natural_gas_chp' has no "
        r"emission factor"),
    "negative lead time": (
        "power_options.csv", "fuel_cell_pafc,natural_gas_fuel_cell,0.44,180,",
        "fuel_cell_pafc,natural_gas_fuel_cell,0.44,-180,",
        r"power_options.csv: row \d+, column 'permit_days'"),
    "negative mw": (
        "direct_contracts.csv", ",chp,300,", ",chp,-300,",
        r"direct_contracts.csv: row \d+, column 'mw'"),
    "contract outside every zone": (
        "direct_contracts.csv", "sk_multi_utility_chp,sk_aws_ulsan,",
        "sk_multi_utility_chp,samsung_sds_gumi,",
        r"direct_contracts.csv: row \d+, column 'site': site 'samsung_sds_gumi' is outside "
        r"every special zone"),
    "contract above the chp cap": (
        "direct_contracts.csv", ",chp,300,", ",chp,600,",
        r"column 'mw': 600.0 MW is above the 500 MW cap"),
}


@pytest.mark.parametrize("case", CATALOGUE_ERRORS)
def test_bad_catalogue_row_fails_naming_it(tmp_path, case):
    name, old, new, message = CATALOGUE_ERRORS[case]
    folder = _options_copy(tmp_path)
    _edit(folder / name, old, new)
    with pytest.raises(InputError, match=message):
        read_catalogue(folder, _sites())


def test_unknown_bridging_option_is_a_config_error(tmp_path):
    inputs = Micro().inputs(tmp_path)
    cat = _cat()
    with pytest.raises(InputError, match=r"config key 'options.bridging.s1': unknown option"):
        with_options(inputs, OptionsConfig(bridging={"s1": "diesel"}), cat)


def test_negative_bridge_size_is_a_config_error():
    with pytest.raises(InputError, match=r"config key 'options.bridge_mw.s1': expected"):
        OptionsConfig(bridge_mw={"s1": -5.0})


# -- direct contract in a zone ------------------------------------------------------------
def test_zone_contract_serves_up_to_mw_over_seventy_percent():
    """A 0.14 MW plant under the 70 % self-supply rule serves at most 0.2 MW of load. In a
    31-day month (744 h) with 273.6 MWh of load: served 0.2 x 744 = 148.8 MWh, of which the
    plant makes 0.14 x 744 = 104.16 MWh (70 %) and the market the rest; a month with 50 MWh
    of load is served whole, 50 MWh from the plant."""
    from sim.results.options_outcome import served_and_plant
    served, plant = served_and_plant(np.array([273.6, 50.0]), np.array([744.0, 744.0]),
                                     0.14, 0.70)
    assert served == pytest.approx([148.8, 50.0])
    assert plant == pytest.approx([104.16, 50.0])


def test_zone_contract_changes_price_and_carbon_not_dates(tmp_path):
    """The SK Ulsan CHP contract at a micro site inside a zone: the racks come online on the
    same days as without it (delivery still over KEPCO wires, no assessment exemption); its
    KRW is the 4 % discount on the served MWh, negative."""
    from sim.inputs.energy import default_prices
    from sim.inputs.options import make_direct
    from sim.results.options_outcome import direct_cost
    from sim.results.series import build_series

    inputs = Micro(racks=4).inputs(tmp_path)
    cat = _cat()
    zone = cat.zones["ulsan"]
    cat = replace(cat, zones={**cat.zones, "ulsan": replace(zone, sites=("s1",))},
                  contracts={"c": {**cat.contracts["sk_multi_utility_chp"], "site": "s1"}})
    contract = make_direct(inputs, cat, "s1", "c")
    assert contract.mw == 300.0 and contract.price_discount == 0.04
    with_contract = replace(inputs, direct=(contract,))
    base_log, log = Rollout(inputs).run(), Rollout(with_contract).run()
    assert energised(log) == energised(base_log)
    prices = default_prices()
    series = build_series(log, with_contract, prices)
    krw, _ = direct_cost(series, with_contract, prices)["s1"]
    live = series.time_days >= contract.start_day
    served = float(series.energy_mwh[live, 0].sum())   # 0.4 MW << 300 / 0.7: all served
    assert krw == pytest.approx(-0.04 * prices.tariff_krw_per_kwh * 1000 * served)
    assert served > 0


# -- flexible connection ------------------------------------------------------------------
def _exposure(p_out: float):
    from sim.grid.curtailment import Exposure
    return Exposure(p_out, (1.0, 0.95, 0.90, 0.85, 0.80, 0.70, 0.464),
                    (0.0, 0.020, 0.070, 0.145, 0.255, 0.612, 1.0))


def test_curtailment_by_hand():
    """Firm 100 MW, N-0 200 MW, minimum load 0.464 of peak. A 120 MW load reaches the
    post-contingency limit at x* = 1 - 20/100 x 0.536 = 0.8928 of peak; hours at or above it:
    0.07 + (0.90 - 0.8928)/0.05 x 0.075 = 0.0808. With elements out 1 % of the year the site is
    curtailed 0.000808 of hours (7.1 h/yr)."""
    from sim.grid.curtailment import curtailed_share
    exp = _exposure(0.01)
    assert curtailed_share(120.0, 100.0, 200.0, exp) == pytest.approx(0.01 * 0.0808, rel=1e-3)
    assert curtailed_share(100.0, 100.0, 200.0, exp) == 0.0
    assert curtailed_share(201.0, 100.0, 200.0, exp) == 1.0


def test_curtailment_estimate_matches_an_hourly_simulation():
    """Small case: 20 faults a year of 4 h each (p_out = 80/8766 = 0.91 %), 150 MW on a bus
    with 100 MW firm / 200 MW N-0: the estimate and 200 simulated years agree within 10 %."""
    from sim.grid.curtailment import curtailed_share, outage_probability, simulate_hours
    p_out = outage_probability(circuit_km=100.0 * 20 / 0.33, faults_per_100km_yr=0.33,
                               outage_hours=4.0)
    assert p_out == pytest.approx(80 / 8766)
    exp = _exposure(p_out)
    estimate = curtailed_share(150.0, 100.0, 200.0, exp)
    simulated = simulate_hours(150.0, 100.0, 200.0, exp, faults_per_yr=20.0, outage_hours=4.0,
                               years=200, rng=np.random.default_rng(7))
    assert simulated == pytest.approx(estimate, rel=0.10)


def test_tolerance_caps_the_flexible_load():
    """With elements out 10 % of the year and a 0.5 % tolerance: the load may rise until only
    5 % of hours are at or above x*: x* = 0.85 + (0.145 - 0.05)/0.075 x ... solved by bisection;
    check the cap meets the tolerance and a bit more does not."""
    from sim.grid.curtailment import curtailed_share, max_load_mw
    exp = _exposure(0.10)
    cap = max_load_mw(100.0, 200.0, exp, 0.005)
    assert 100.0 < cap < 200.0
    assert curtailed_share(cap, 100.0, 200.0, exp) <= 0.005 + 1e-9
    assert curtailed_share(cap + 1.0, 100.0, 200.0, exp) > 0.005


class _StubGrid:
    """A bus whose firm (N-1) grant is 0.2 MW until project `reinforce`, then 10 MW; DC
    hosting 0.2 MW N-1 / 0.4 MW N-0 (an N-0 margin of 0.2 MW); one 100 km line at the bus."""

    def __init__(self):
        import networkx as nx
        self.done: frozenset = frozenset()
        self.graph = nx.MultiGraph()
        self.graph.add_edge(1, 2, length_km=100.0, circuits=1)

    def fresh(self, year=None):
        return self

    @property
    def key(self):
        return (self.done, 2026)

    @property
    def summary(self):
        from types import SimpleNamespace
        return SimpleNamespace(admitted={"site:s1": 10.0 if self.done else 0.2})

    def apply_projects(self, done):
        self.done = frozenset(done)

    def set_year(self, year):
        return None

    def hosting_mw(self, bus, n1=True):
        return 0.2 if n1 else 0.4

    def binding_line_of(self, request):
        return "stub line"


def _flexible_case(tmp_path, monkeypatch, flexible: bool):
    from types import SimpleNamespace

    import sim.model.grid_queue as gq
    from sim.inputs.options import read_flexible
    from sim.inputs.records import GridProject, GridSetup
    monkeypatch.setattr(gq, "cached_dated_grid", lambda *_: _StubGrid())
    inputs = Micro(racks=4, horizon_days=730).inputs(tmp_path)
    rules = SimpleNamespace(sites=(SimpleNamespace(site="s1", mw=0.4, existing_mw=0.0),))
    setup = GridSetup(tmp_path, True, {"s1": 1},
                      (GridProject("reinforce", "ac", 365.0, 1.0, 2.0),), rules)
    return replace(inputs, grid=setup, flexible=frozenset({"s1"} if flexible else ()),
                   flexible_rules=read_flexible(DATA_DIR / "options"))


def test_flexible_connection_admits_load_a_year_before_the_reinforcement(tmp_path,
                                                                          monkeypatch):
    """Firm grant 0.2 MW (2 racks) until the reinforcement on day 365. Firm only: racks 3-4
    wait for it (installed days 366, 367). Flexible: the N-0 limit 0.4 MW takes all 4 on day
    0 (installed days 1-4), a year earlier. Curtailment by hand: one 100 km line, 0.33 faults
    per 100 km-yr x 0.76 h = 0.2508 h/yr out (p_out = 0.2508 / 8766); 0.4 MW is the N-0 limit,
    so x* = 0.464 and every out hour curtails: 0.2508 h/yr, within the 0.5 % tolerance. The
    mean national load over the load-duration curve is 0.715691 of peak, so the mean cut is
    0.2 x (0.715691 - 0.464) / 0.536 = 0.0939146 MW: 0.2508 x 0.0939146 = 0.023554 MWh/yr,
    for 365 of 365.25 days; at 0.01 MW per GPU that is 2.354 GPU-hours."""
    from sim.results.options_outcome import flexible_curtailment
    firm = Rollout(_flexible_case(tmp_path, monkeypatch, False)).run()
    assert energised(firm) == [1.0, 2.0, 366.0, 367.0]
    inputs = _flexible_case(tmp_path, monkeypatch, True)
    log = Rollout(inputs).run()
    assert energised(log) == [1.0, 2.0, 3.0, 4.0]
    mwh, hours, gpu_hours = flexible_curtailment(log, inputs)["s1"]
    assert hours == pytest.approx(0.33 * 0.76, rel=1e-6)
    assert mwh == pytest.approx(0.2508 * 0.0939146 * 365 / 365.25, rel=2e-3)
    assert gpu_hours == pytest.approx(mwh / 0.01)


# -- choosing -----------------------------------------------------------------------------
def _result(owner, option, months, krw):
    from sim.results.buying_time import OptionResult
    return OptionResult(owner, "s1", "bridge", option, months, 30.0, None, krw, 10.0)


def test_best_option_gains_most_gpu_months_ties_to_the_cheaper():
    """o1: a (100 GPU-months, 5 bn) vs b (100, 3 bn) vs c (50, 1 bn) -> b; o2 gains nothing
    (0.2 GPU-months is below the half-month floor) -> None. b costs 3 bn / 100 = 30 M KRW per
    GPU-month gained."""
    from sim.results.buying_time import best_per_owner
    results = [_result("o1", "a", 100.0, 5e9), _result("o1", "b", 100.0, 3e9),
               _result("o1", "c", 50.0, 1e9), _result("o2", "a", 0.2, 1e9)]
    best = best_per_owner(results, ["o1", "o2"])
    assert best["o1"].option == "b" and best["o2"] is None
    assert best["o1"].krw_per_gpu_month == pytest.approx(3e7)


def test_console_prints_one_line_per_owner():
    from sim.app.buying import buying_time_summary
    from sim.outputs.buying import console_lines
    block = buying_time_summary([_result("o1", "b", 100.0, 3e9)], ["o1", "o2"],
                                __import__("datetime").date(2030, 12, 31))
    lines = console_lines({"buying_time": block})
    assert len(lines) == 2
    assert "+100 GPU-months by 2030-12-31" in lines[0] and "3.0 bn KRW" in lines[0]
    assert "30.00 M KRW per GPU-month" in lines[0] and "50 % 1.0, 90 % — months earlier" in lines[0]
    assert "no option gains" in lines[1]


def test_plan_search_offers_options_as_moves(tmp_path):
    """Micro site s1 (gas, no dispatched grid): one bridging move per technology, none once
    s1 has a bridge; a move switches the config key on and renders as an override."""
    from sim.app.search_options import option_neighbours, overrides, with_options
    from sim.app.search_result import describe_move
    from sim.core.config import SimConfig
    inputs = Micro().inputs(tmp_path)
    cfg = SimConfig(scenario="micro")
    moves = option_neighbours(inputs, _cat(), ["o1"], cfg)
    assert [m["value"] for m in moves] == ["fuel_cell_sofc", "fuel_cell_pafc", "gas_ccgt"]
    on = with_options(cfg, moves[:1])
    assert on.options.bridging == {"s1": "fuel_cell_sofc"}
    assert option_neighbours(inputs, _cat(), ["o1"], on) == []
    assert overrides(moves[:1]) == ["options.bridging.s1=fuel_cell_sofc"]
    assert describe_move(moves[0]) == "o1: on-site fuel_cell_sofc at s1"


def test_sweep_preset_names_real_keys_and_options():
    """conf/sweep/buying_time.yaml: every swept key composes, every bridging value is an
    option of power_options.csv (or none)."""
    from omegaconf import OmegaConf

    from sim.app.configs import compose_config
    from sim.core.paths import CONF_DIR
    params = OmegaConf.load(CONF_DIR / "sweep" / "buying_time.yaml").hydra.sweeper.params
    cat = _cat()
    overrides = []
    for key, values in params.items():
        choices = [v.strip() for v in str(values).split(",")]
        if key.startswith("options.bridging."):
            assert set(choices) <= {"none", *cat.options}
        overrides.append(f"{key}={choices[-1]}")
    cfg = compose_config(["+scenario=apex", *overrides])
    assert cfg.options.bridging["hyundai_saemangeum"] == "gas_ccgt"
    assert cfg.options.flexible["kisti_daejeon"] is True


def test_bridge_stays_while_racks_wait_that_the_grid_cannot_take(tmp_path):
    """6 racks; a 0.4 MW plant ready on day 50 powers racks 1-4 (days 51-54); racks 5-6 wait
    (no grid). On day 200 the grid brings 0.5 MW: it could carry the plant's 0.4 MW, but the
    plant has no free MW for racks 5-6 either (0.4 - 0.4 = 0), so it retires: racks 1-4 move to
    the grid and rack 5 fits in the rest (0.1 MW, day 201); rack 6 waits for 10 MW on day 400
    (day 401). With a 0.6 MW plant instead, racks 1-6 run on it from day 50; on day 200 the
    grid (0.5 MW) cannot carry its 0.6 MW, so it stays until day 400."""
    micro = Micro(racks=6, connection=[(0, 0.0), (200, 0.5), (400, 10.0)])
    inputs = micro.inputs(tmp_path)
    small = Rollout(replace(inputs, bridges=(Bridge("s1", "test", 0.4, 50.0),))).run()
    assert energised(small) == [51.0, 52.0, 53.0, 54.0, 201.0, 401.0]
    assert small.bridges["s1"][1] == 200.0
    big = Rollout(replace(inputs, bridges=(Bridge("s1", "test", 0.6, 50.0),))).run()
    assert energised(big) == [51.0, 52.0, 53.0, 54.0, 55.0, 56.0]
    assert big.bridges["s1"][1] == 400.0
