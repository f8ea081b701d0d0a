"""Calibration of the default backbone (numbers documented in sim/data/grid/README.md)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.grid import load_default_grid
from sim.grid.transfer import (
    CAPITAL,
    east_coast_buses,
    hvdc_freed_mw,
    transfer_limit_mw,
    west_coast_buses,
)

EAST_COAST_LIMIT_MW = 11_000.0  # korea.md §2.2: ~17 GW generation vs ~11 GW export


@pytest.fixture(scope="module")
def grid():
    return load_default_grid()


def test_east_coast_transfer_limit(grid):
    res = transfer_limit_mw(grid, east_coast_buses(grid), grid.buses_in(set(CAPITAL)))
    assert res["limit_mw"] == pytest.approx(EAST_COAST_LIMIT_MW, rel=0.20)


def test_capital_is_import_constrained(grid):
    hosting = np.array([grid.hosting_mw(b) for b in grid.bus_ids])
    capital = np.isin([grid.graph.nodes[b]["province"] for b in grid.bus_ids], list(CAPITAL))
    assert np.median(hosting[capital]) < 0.5 * np.median(hosting[~capital])


def test_bukdangjin_godeok_frees_west_coast_output(grid):
    res = hvdc_freed_mw(grid, "DC_bukdangjin_godeok", west_coast_buses(grid, 36.8),
                        grid.buses_in(set(CAPITAL)))
    assert res["freed_mw"] > 500.0
