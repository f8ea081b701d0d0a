"""Tests for sim.inputs.cooling: derate, design capacity, monthly/annual/design PUE."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.inputs import cooling

TECHS = cooling.load_technologies()
STATIONS = cooling.load_stations()
SEOUL_LIKE, ULSAN_LIKE = STATIONS["seoul"], STATIONS["ulsan"]
DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
temps_c = st.floats(min_value=-30.0, max_value=50.0, allow_nan=False)


def annual_pue(tech, station) -> float:
    """Energy-weighted annual PUE of a flat IT load: monthly PUEs weighted by days."""
    return float(np.average(cooling.monthly_pue(tech, station), weights=DAYS_IN_MONTH))


def test_embedded_climate_covers_all_stations() -> None:
    assert len(STATIONS) == 12
    for station in STATIONS.values():
        assert station.wetbulb_mean_c.shape == (12,)
        assert 26.5 <= station.design_wetbulb_c <= 28.0  # korea.md s4.2 hourly 0.4 % guidance
        assert 32.0 <= station.design_drybulb_c <= 36.5
        assert station.design_wetbulb_c > station.wetbulb_mean_c.max()


def test_technologies_loaded() -> None:
    assert {"dlc_tower", "dlc_drycooler", "air_chiller", "seawater"} <= set(TECHS)


@pytest.mark.parametrize("name", sorted(TECHS))
@given(a_c=temps_c, b_c=temps_c)
def test_derate_monotone_and_bounded(name: str, a_c: float, b_c: float) -> None:
    tech = TECHS[name]
    lo_c, hi_c = min(a_c, b_c), max(a_c, b_c)
    f_lo, f_hi = cooling.capacity_fraction(tech, lo_c), cooling.capacity_fraction(tech, hi_c)
    assert f_lo >= f_hi
    assert tech.min_capacity_fraction <= f_hi <= f_lo <= 1.0


def test_derate_hand_value() -> None:
    tech = dataclasses.replace(TECHS["dlc_tower"], rated_ambient_c=27.0, derate_per_c=0.05)
    assert cooling.capacity_fraction(tech, 25.0) == 1.0
    assert cooling.capacity_fraction(tech, 29.0) == pytest.approx(0.90)
    assert cooling.capacity_fraction(tech, 99.0) == tech.min_capacity_fraction
    np.testing.assert_allclose(cooling.capacity_fraction(tech, np.array([27.0, 28.0])), [1, 0.95])


def _racks_admitted(liquid_mw: float, air_mw: float, rack_kw: float, share: float) -> int:
    """Racks whose liquid heat and air heat each fit their side (worked by hand, no model)."""
    rack_mw = rack_kw / 1000.0
    return int(min(liquid_mw // (rack_mw * share), air_mw // (rack_mw * (1 - share))))


def test_hot_site_has_less_design_capacity() -> None:
    tech = TECHS["dlc_tower"]
    cool, hot = STATIONS["yongin"], STATIONS["gunsan"]  # design WB 26.8 vs 27.8 C
    cool_mw = cooling.design_capacity_mw(tech, cool, liquid_mw=34.0, air_mw=6.0)
    hot_mw = cooling.design_capacity_mw(tech, hot, liquid_mw=34.0, air_mw=6.0)
    assert cool_mw == pytest.approx((34.0, 6.0))  # below rated ambient: full nameplate
    assert hot_mw[0] < cool_mw[0] and hot_mw[1] < cool_mw[1]
    assert hot_mw[0] == pytest.approx(34.0 * (1 - 0.065 * (27.8 - 27.0)))
    assert _racks_admitted(*hot_mw, 132.0, 0.85) < _racks_admitted(*cool_mw, 132.0, 0.85)


@pytest.mark.parametrize("name", sorted(TECHS))
@pytest.mark.parametrize("station", [SEOUL_LIKE, ULSAN_LIKE], ids=["seoul", "ulsan"])
def test_monthly_pue_varies_and_annual_in_cited_range(name: str, station: cooling.Station
                                                      ) -> None:
    tech = TECHS[name]
    monthly = cooling.monthly_pue(tech, station)
    assert monthly.shape == (12,)
    assert monthly.max() - monthly.min() > 0.01
    assert monthly[7] > monthly[0]  # August above January
    annual = annual_pue(tech, station)
    assert tech.pue_annual_low <= annual <= tech.pue_annual_high
    assert monthly.min() <= annual <= monthly.max()


@pytest.mark.parametrize("name", sorted(TECHS))
@pytest.mark.parametrize("station", sorted(STATIONS))
def test_design_pue_not_below_annual(name: str, station: str) -> None:
    tech, climate = TECHS[name], STATIONS[station]
    assert cooling.design_pue(tech, climate) >= annual_pue(tech, climate)


def test_pue_hand_value_free_cooling() -> None:
    # Cold tower: no compressor on either loop, fans at min share -> 1 + 0.5*0.04 + 0.05
    tech = TECHS["dlc_tower"]
    assert cooling.pue_at(tech, -10.0) == pytest.approx(1.0 + 0.5 * 0.04 + 0.05)


@given(a_c=temps_c, b_c=temps_c)
def test_pue_non_decreasing_in_ambient(a_c: float, b_c: float) -> None:
    for tech in TECHS.values():
        lo, hi = sorted((a_c, b_c))
        assert cooling.pue_at(tech, lo) <= cooling.pue_at(tech, hi) + 1e-12
