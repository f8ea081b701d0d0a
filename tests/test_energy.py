"""Energy parameters and the annual and idle-value totals, with hand-computed numbers."""

from __future__ import annotations

import numpy as np
import pytest

from sim.inputs import energy
from sim.results.accounting import annual_totals, idle_value_krw_bn


def test_defaults_loaded() -> None:
    d = energy.load_defaults()
    assert d.tariff_krw_per_kwh == 185.0
    assert d.grid_factor_t_per_mwh == 0.4173 and d.grid_factor_base_year == 2023
    assert d.grid_factor_decline_per_yr == 0.03
    assert d.gpu_hour_value_krw > 0


def test_grid_factor_declines_three_percent_per_year() -> None:
    assert energy.grid_factor_t_per_mwh(2023) == pytest.approx(0.4173)
    assert energy.grid_factor_t_per_mwh(2025) == pytest.approx(0.4173 * 0.97**2)  # 0.39264
    np.testing.assert_allclose(energy.grid_factor_t_per_mwh(np.array([2024, 2026])),
                               [0.404781, 0.4173 * 0.97**3])


def test_annual_totals_sum_months_of_each_calendar_year() -> None:
    years = np.array([2027, 2027, 2028])
    energy_mwh = np.array([[1e5, 2e5], [3e5, 4e5], [5e5, 0.0]])   # time x site
    cost = energy_mwh * 185_000.0                                    # 185 KRW/kWh
    emissions = energy_mwh * 0.4
    got = annual_totals(years, energy_mwh, cost, emissions)
    # 2027: 1e6 MWh = 1 TWh, 185 bn KRW, 400 kt; 2028: 0.5 TWh, 92.5 bn KRW, 200 kt
    assert got == {"2027": {"energy_twh": 1.0, "cost_krw_bn": 185.0, "emissions_kt_co2": 400.0},
                   "2028": {"energy_twh": 0.5, "cost_krw_bn": 92.5, "emissions_kt_co2": 200.0}}


def test_idle_value_of_gpu_months() -> None:
    # 1,000 GPU-months x 30.4375 days x 24 h x 4,000 KRW = 2.922 bn KRW
    assert idle_value_krw_bn(np.array([600.0, 400.0]), 4000.0) == 2.922
