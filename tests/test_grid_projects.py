"""Dated projects: delay distributions, completion sets and incremental rebuilds."""

from __future__ import annotations

import pytest

from sim.grid import load_default_grid
from sim.grid.projects import read_projects

REQUIRED = {"ec_hvdc_ph1", "ec_hvdc_ph2", "wc_hvdc_1", "wc_hvdc_2", "wc_hvdc_3", "wc_hvdc_4",
            "solaseado_154", "busan_singangseo"}


def test_projects_present():
    projects = read_projects()
    assert set(projects) >= REQUIRED
    assert all(p.delay_p90_days > p.delay_median_days > 0 for p in projects.values())


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
