"""Default network loading, validation and the real-network LODF check."""

from __future__ import annotations

import numpy as np
import pytest
from test_grid_dcflow import solve_dc, without_circuit

from sim.grid import load_default_grid
from sim.grid.network import DATA_DIR, build_graph, read_rows


@pytest.fixture(scope="module")
def grid():
    return load_default_grid()


def test_default_connected_and_sized(grid):
    assert 100 <= len(grid.bus_ids) <= 250
    assert len(set(grid.line_ids)) == len(grid.line_ids)
    assert np.all(grid.dc.rating_mw > 0)
    assert grid.line_loading().max() <= 1.0 + 1e-6  # the derived peak is N-1 secure
    assert set(grid.bus_of_site.values()) <= set(grid.bus_ids)
    assert abs(grid.dc.injection_mw.sum()) < 1.0  # balanced


def test_island_raises():
    buses = read_rows(DATA_DIR / "buses.csv")
    lines = read_rows(DATA_DIR / "lines.csv")
    extra = dict(buses[0], bus="999999")
    with pytest.raises(ValueError, match="not connected"):
        build_graph([*buses, extra], lines)


def test_duplicate_and_bad_rating_raise():
    buses = read_rows(DATA_DIR / "buses.csv")
    lines = read_rows(DATA_DIR / "lines.csv")
    with pytest.raises(ValueError, match="duplicate"):
        build_graph(buses, [*lines, lines[0]])
    with pytest.raises(ValueError, match="positive"):
        build_graph(buses, [dict(lines[0], rating_mw="0"), *lines[1:]])


def test_real_network_lodf_equals_resolve(grid):
    dc = grid.dc
    inj = dc.injection_mw
    for k in (0, 17, 60, 120, len(grid.line_ids) - 1):
        new, keep = without_circuit(dc.br, k)
        expect = solve_dc(len(inj), new, inj, dc.slack)
        got = dc.flow1[keep, k].copy()
        if dc.br.circuits[k] > 1:
            kk = int(np.flatnonzero(keep).tolist().index(k))
            got[kk] *= (dc.br.circuits[k] - 1) / dc.br.circuits[k]
        np.testing.assert_allclose(got, expect, atol=1e-6)
