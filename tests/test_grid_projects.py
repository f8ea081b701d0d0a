"""Dated projects: delay distributions, completion sets and incremental rebuilds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.grid import load_default_grid
from sim.grid.projects import done_by, read_projects

REQUIRED = {"ec_hvdc_ph1", "ec_hvdc_ph2", "wc_hvdc_1", "wc_hvdc_2", "wc_hvdc_3", "wc_hvdc_4",
            "solaseado_154", "busan_singangseo"}


def test_projects_present_and_lognormal_quantiles():
    projects = read_projects()
    assert set(projects) >= REQUIRED
    rng = np.random.default_rng(1)
    pr = projects["ec_hvdc_ph1"]
    draws = np.array([pr.sample_delay_days(rng) for _ in range(20_000)])
    assert np.median(draws) == pytest.approx(pr.delay_median_days, rel=0.03)
    assert np.quantile(draws, 0.9) == pytest.approx(pr.delay_p90_days, rel=0.05)


def test_done_by_dates():
    projects = read_projects()
    assert done_by(projects, dt.date(2026, 1, 1)) == set()
    assert "ec_hvdc_ph1" in done_by(projects, dt.date(2028, 12, 31))
    assert done_by(projects, dt.date(2060, 1, 1)) == set(projects)


def test_apply_projects_keeps_loads_and_helps_haenam():
    grid = load_default_grid()
    bus = grid.bus_of_site["nacc_haenam"]
    before = grid.hosting_mw(bus)
    grid.add_load(bus, 0.5 * before)
    dc_before = grid.dc
    grid.apply_projects(set())
    assert grid.dc is dc_before  # no topology change, no rebuild
    grid.apply_projects({"solaseado_154"})
    assert grid.dc is not dc_before
    assert grid.hosting_mw(bus) > 0.5 * before + 50.0
    assert grid.added_mw == {bus: 0.5 * before}
    with pytest.raises(ValueError, match="unknown"):
        grid.apply_projects({"nope"})
