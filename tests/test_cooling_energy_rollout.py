"""Cooling and energy in the rollout: hand-checked on micro-scenarios."""

from __future__ import annotations

import pytest

from sim.model.rollout import Rollout
from sim.results.series import build_series
from tests.micro import Micro


def series_of(micro: Micro, tmp_path):
    inputs = micro.inputs(tmp_path)
    return inputs, build_series(Rollout(inputs).run(), inputs)


def test_facility_energy_is_it_energy_times_pue(tmp_path):
    """4 racks of 0.1 MW energised on days 1, 2, 3, 4 (1 crew, 1 rack/day) at a stated PUE of
    1.2. January (days 0-31): IT = 0.1 x (30 + 29 + 28 + 27) = 11.4 MW-days = 273.6 MWh;
    facility = 1.2 x 273.6 = 328.32 MWh. February: 0.4 MW x 28 d x 24 h x 1.2 = 322.56 MWh.
    Cost at 185 KRW/kWh; emissions at 0.4173 x 0.97^(2026-2023) tCO2e/MWh."""
    _, s = series_of(Micro(racks=4, design_pue=1.2), tmp_path)
    assert s.energy_mwh[0, 0] == pytest.approx(328.32)
    assert s.energy_mwh[1, 0] == pytest.approx(322.56)
    assert s.cost_krw[0, 0] == pytest.approx(328.32 * 1000 * 185)
    assert s.emissions_tco2[0, 0] == pytest.approx(328.32 * 0.4173 * 0.97 ** 3)
    assert s.pue[:, 0] == pytest.approx(1.2)


def test_hot_site_admits_fewer_racks_than_cool_site_with_the_same_plant(tmp_path):
    """Same tower plant (1.0 MW liquid nameplate, rated at 27 C wet-bulb, derate 6.5 %/C).
    Yongin's design wet-bulb is 26.8 C: full 1.0 MW -> 10 racks of 0.1 MW. Gunsan's is
    27.8 C: 1 - 0.065 x 0.8 = 0.948 MW -> 9 racks. 12 racks are delivered to each."""
    online = {}
    for station in ("yongin", "gunsan"):
        micro = Micro(racks=12, cooling_mw=1.0, cooling_tech="dlc_tower",
                      climate_station=station, horizon_days=400)
        _, s = series_of(micro, tmp_path / station)
        online[station] = int(s.gpus_online[-1].sum()) // 10
        waits = dict(zip(s.causes, s.wait_days[0, 0], strict=True))
        assert waits["cooling"] > 0 and waits["power"] == waits["space"] == 0
    assert online == {"yongin": 10, "gunsan": 9}


def test_modelled_pue_varies_by_month_and_design_gates_power(tmp_path):
    """With a cooling technology the monthly PUE follows the climate, and the connection
    check uses the design (summer) PUE, which is above every monthly value."""
    micro = Micro(racks=4, cooling_tech="dlc_tower", climate_station="ulsan")
    inputs, s = series_of(micro, tmp_path)
    plant = inputs.plants["s1"]
    assert max(plant.monthly_pue) > min(plant.monthly_pue)
    assert plant.design_pue >= max(plant.monthly_pue)
    assert s.facility_load_mw.max() <= 4 * 0.1 * plant.design_pue + 1e-12
