"""Tests for sim.energy with hand-computed numbers."""

from __future__ import annotations

import numpy as np
import pytest

from sim import cooling, energy


def months(start: str, stop: str) -> np.ndarray:
    return np.arange(start, stop, dtype="datetime64[M]")


def test_defaults_loaded() -> None:
    d = energy.DEFAULTS
    assert d.tariff_krw_per_kwh == 185.0
    assert d.grid_factor_t_per_mwh == 0.4173 and d.grid_factor_base_year == 2023
    assert d.grid_factor_decline_per_yr == 0.03
    assert d.gpu_hour_value_krw > 0


def test_hours_in_month_including_leap_february() -> None:
    t = np.array(["2027-01", "2027-02", "2028-02", "2027-04"], dtype="datetime64[M]")
    np.testing.assert_array_equal(energy.hours_in_month(t), [744, 672, 696, 720])
    day_stamps = np.array(["2027-01-01", "2027-02-01"], dtype="datetime64[D]")
    np.testing.assert_array_equal(energy.hours_in_month(day_stamps), [744, 672])


def test_facility_energy_is_it_energy_times_pue() -> None:
    t = months("2027-01", "2027-03")
    it_mw = np.array([[10.0, 0.0], [10.0, 5.0]])  # time x site
    pue = np.array([[1.2, 1.1], [1.2, 1.1]])
    got = energy.facility_energy_mwh(it_mw, pue, t)
    # Jan: 10 MW x 744 h x 1.2 = 8928 MWh; Feb: 10 x 672 x 1.2 = 8064, 5 x 672 x 1.1 = 3696
    np.testing.assert_allclose(got, [[8928.0, 0.0], [8064.0, 3696.0]])


def test_pue_series_maps_calendar_month() -> None:
    climatology = np.arange(12.0)[:, None] + np.array([[100.0, 200.0]])  # (12, 2 sites)
    t = np.array(["2026-12", "2027-01", "2027-08"], dtype="datetime64[M]")
    np.testing.assert_array_equal(energy.pue_series(climatology, t),
                                  [[111, 211], [100, 200], [107, 207]])


def test_monthly_model_pue_flows_into_energy() -> None:
    tech, station = cooling.load_technologies()["dlc_tower"], cooling.load_stations()["seoul"]
    t = months("2027-01", "2028-01")
    pue = energy.pue_series(cooling.monthly_pue(tech, station)[:, None], t)
    e = energy.facility_energy_mwh(np.full((12, 1), 100.0), pue, t)
    assert e.sum() / (100.0 * 8760.0) == pytest.approx(cooling.annual_pue(tech, station))


def test_annual_twh_sums_sites_by_calendar_year() -> None:
    t = np.array(["2027-11", "2027-12", "2028-01"], dtype="datetime64[M]")
    e = np.array([[1e5, 2e5], [3e5, 4e5], [5e5, 0.0]])
    years, twh = energy.annual_twh(e, t)
    np.testing.assert_array_equal(years, [2027, 2028])
    np.testing.assert_allclose(twh, [1.0, 0.5])


def test_cost_at_default_and_custom_tariff() -> None:
    assert energy.cost_krw(np.array(1000.0)) == pytest.approx(185_000_000.0)  # 1 GWh x 185
    assert energy.cost_krw(np.array([2.0]), tariff_krw_per_kwh=150.0)[0] == pytest.approx(3e5)


def test_grid_factor_declines_three_percent_per_year() -> None:
    assert energy.grid_factor_t_per_mwh(2023) == pytest.approx(0.4173)
    assert energy.grid_factor_t_per_mwh(2025) == pytest.approx(0.4173 * 0.97**2)  # 0.39264
    np.testing.assert_allclose(energy.grid_factor_t_per_mwh(np.array([2024, 2026])),
                               [0.404781, 0.4173 * 0.97**3])


def test_emissions_use_each_samples_year() -> None:
    t = np.array(["2023-06", "2025-06"], dtype="datetime64[M]")
    e = np.array([[1000.0, 0.0], [1000.0, 2000.0]])
    got = energy.emissions_t(e, t)
    np.testing.assert_allclose(got, [[417.3, 0.0], [392.63757, 785.27514]])


def test_idle_gpu_months_and_value() -> None:
    t = np.array(["2027-01", "2027-02"], dtype="datetime64[M]")
    delivered = np.array([[1000.0, 50.0], [1000.0, 50.0]])
    online = np.array([[400.0, 60.0], [1000.0, 0.0]])
    idle = energy.idle_gpu_months(delivered, online)
    np.testing.assert_array_equal(idle, [[600.0, 0.0], [0.0, 50.0]])  # never negative
    value = energy.idle_value_krw(delivered, online, t, krw_per_gpu_hour=4000.0)
    np.testing.assert_allclose(value, [[600 * 744 * 4000.0, 0.0], [0.0, 50 * 672 * 4000.0]])
    default = energy.idle_value_krw(delivered, online, t)
    assert default[0, 0] == pytest.approx(600 * 744 * energy.DEFAULTS.gpu_hour_value_krw)
