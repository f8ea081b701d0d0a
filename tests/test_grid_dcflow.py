"""DC power flow, LODF and hosting capacity against hand calculations and re-solves."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from sim.grid.dcflow import HOSTING_CAP_MW, Branches, DCGrid


def branches(pairs, x, rating, circuits=None, hvdc=None, setpoint=None) -> Branches:
    m = len(pairs)
    return Branches(
        bus0=np.array([p[0] for p in pairs]), bus1=np.array([p[1] for p in pairs]),
        x_pu=np.asarray(x, float), rating_mw=np.asarray(rating, float),
        circuits=np.asarray(circuits if circuits is not None else [1] * m, float),
        is_hvdc=np.asarray(hvdc if hvdc is not None else [False] * m),
        setpoint_mw=np.asarray(setpoint if setpoint is not None else [0.0] * m, float))


def solve_dc(n_bus, br: Branches, inj_mw, slack=0) -> np.ndarray:
    """Independent DC solve (B-theta) of the AC branches; HVDC as injections."""
    inj = np.asarray(inj_mw, float).copy()
    for k in np.flatnonzero(br.is_hvdc):
        inj[br.bus0[k]] -= br.setpoint_mw[k]
        inj[br.bus1[k]] += br.setpoint_mw[k]
    bbus = np.zeros((n_bus, n_bus))
    for k in np.flatnonzero(~br.is_hvdc):
        a, b, y = br.bus0[k], br.bus1[k], 1.0 / br.x_pu[k]
        bbus[a, a] += y
        bbus[b, b] += y
        bbus[a, b] -= y
        bbus[b, a] -= y
    keep = [i for i in range(n_bus) if i != slack]
    theta = np.zeros(n_bus)
    theta[keep] = np.linalg.solve(bbus[np.ix_(keep, keep)], inj[keep] / 100.0)
    flow = 100.0 * (theta[br.bus0] - theta[br.bus1]) / br.x_pu
    return np.where(br.is_hvdc, br.setpoint_mw, flow)


def without_circuit(br: Branches, k: int) -> tuple[Branches, np.ndarray]:
    """Branch set with one circuit of k removed (x scaled, rating scaled) and a keep-mask."""
    c = br.circuits[k]
    x, r, circ = br.x_pu.copy(), br.rating_mw.copy(), br.circuits.copy()
    keep = np.ones(br.n, bool)
    if c > 1:
        x[k] *= c / (c - 1)
        r[k] *= (c - 1) / c
        circ[k] -= 1
    else:
        keep[k] = False
    sp = br.setpoint_mw.copy()
    if br.is_hvdc[k]:
        sp[k] *= (c - 1) / c
    new = Branches(br.bus0[keep], br.bus1[keep], x[keep], r[keep], circ[keep],
                   br.is_hvdc[keep], sp[keep])
    return new, keep


def test_three_bus_textbook():
    """Triangle, every x = 0.1 pu (100 MVA base); gen 150 MW at bus 0, loads 100 (bus 1), 50
    (bus 2); slack bus 0. Reduced B over buses 1, 2 = [[20, -10], [-10, 20]],
    theta = B^-1 P = [-1/12, -1/15] rad for P = [-1.0, -0.5] pu, so
    f01 = 10 * 1/12 = 83.33 MW, f02 = 10 * 1/15 = 66.67 MW, f12 = 10 * (-1/12 + 1/15) = -16.67 MW.
    Losing 0-1: everything goes 0-2-1, so f02 = 150 and f12 = -100 (LODF_02,01 = 1)."""
    br = branches([(0, 1), (0, 2), (1, 2)], [0.1] * 3, [200.0] * 3)
    grid = DCGrid(3, br, np.array([150.0, -100.0, -50.0]), np.array([1.0, 0, 0]))
    np.testing.assert_allclose(grid.flow0, [250 / 3, 200 / 3, -50 / 3], atol=1e-9)
    np.testing.assert_allclose(grid.flow1[:, 0], [0.0, 150.0, -100.0], atol=1e-9)
    # extra load at bus 2 from bus 0: N-0 binds f02 (66.67 + t*2/3 <= 200 -> t = 200);
    # N-1 (lose 0-1) binds f02: 150 + t <= 200 -> t = 50.
    assert grid.hosting_mw(2, n1=False) == pytest.approx(200.0)
    assert grid.hosting_mw(2) == pytest.approx(50.0)


def random_case(seed: int, n: int = 6):
    rng = np.random.default_rng(seed)
    pairs = [(i, (i + 1) % n) for i in range(n)] + [(0, n // 2), (1, n - 2)]
    pairs.append((n - 1, n))  # a radial spur (double circuit)
    m = len(pairs)
    circ = rng.integers(1, 3, m).astype(float)
    circ[-1] = 2.0
    hvdc = np.zeros(m + 1, bool)
    hvdc[-1] = True
    pairs.append((2, n - 1))
    x = np.append(rng.uniform(0.01, 0.1, m), 0.0)
    setpoint = np.append(np.zeros(m), rng.uniform(0, 50))
    circ = np.append(circ, 2.0)
    inj = rng.uniform(-100, 100, n + 1)
    inj -= inj.mean()
    br0 = branches(pairs, np.where(hvdc, 1.0, x), np.ones(m + 1), circ, hvdc, setpoint)
    grid = DCGrid(n + 1, br0, inj, np.ones(n + 1))
    worst = np.maximum(np.abs(grid.flow0), np.abs(grid.flow1).max(axis=1))
    rating = worst / rng.uniform(0.3, 0.9, m + 1) + 1.0
    br = branches(pairs, np.where(hvdc, 1.0, x), rating, circ, hvdc, setpoint)
    part = rng.uniform(0, 1, n + 1)
    return br, inj, part


@pytest.mark.parametrize("seed", range(5))
def test_lodf_equals_resolve(seed):
    br, inj, part = random_case(seed)
    grid = DCGrid(inj.size, br, inj, part)
    for k in range(br.n):
        if k in grid.islanding:
            continue
        new, keep = without_circuit(br, k)
        flows = solve_dc(inj.size, new, inj)
        expect = np.zeros(br.n)
        expect[keep] = flows
        got = grid.flow1[:, k].copy()
        if br.circuits[k] > 1:
            got[k] *= (br.circuits[k] - 1) / br.circuits[k]  # loading convention
        np.testing.assert_allclose(got, expect, atol=1e-7)


def lp_hosting(br: Branches, inj, part, bus) -> float:
    """Hosting by linprog over re-solved states (N-0 and every non-islanding N-1)."""
    n = inj.size
    p = part / part.sum()
    delta = p.copy()
    delta[bus] -= 1.0
    states = [(br, np.ones(br.n, bool))] + [without_circuit(br, k) for k in range(br.n)]
    a_ub, b_ub = [], []
    for new, _ in states:
        try:
            f0 = solve_dc(n, new, inj)
            f1 = solve_dc(n, new, inj + delta) - f0
        except np.linalg.LinAlgError:
            continue  # islanding outage
        if not np.all(np.isfinite(f1)) or np.abs(f1).max() > 1e6:
            continue
        for f, s, r in zip(f0, f1, new.rating_mw, strict=True):
            a_ub += [[s], [-s]]
            b_ub += [r - f, r + f]
    res = linprog([-1.0], A_ub=a_ub, b_ub=b_ub, bounds=[(0, HOSTING_CAP_MW)], method="highs")
    assert res.status == 0
    return float(res.x[0])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), bus=st.integers(0, 6))
def test_hosting_equals_linprog(seed, bus):
    br, inj, part = random_case(seed)
    grid = DCGrid(inj.size, br, inj, part)
    assert grid.hosting_mw(bus) == pytest.approx(lp_hosting(br, inj, part, bus), rel=1e-6,
                                                 abs=1e-6)


def test_add_load_matches_rebuild():
    br, inj, part = random_case(3)
    grid = DCGrid(inj.size, br, inj, part)
    grid.add_load(4, 12.5)
    grid.add_load(1, 3.0)
    p = part / part.sum()
    ref = DCGrid(inj.size, br, inj - 12.5 * np.eye(7)[4] - 3.0 * np.eye(7)[1] + 15.5 * p, part)
    np.testing.assert_allclose(grid.flow0, ref.flow0, atol=1e-9)
    np.testing.assert_allclose(grid.flow1, ref.flow1, atol=1e-9)


def test_islanding_outage_listed():
    br = branches([(0, 1), (1, 2)], [0.1, 0.1], [100.0, 100.0])
    grid = DCGrid(3, br, np.array([10.0, 0.0, -10.0]), np.ones(3))
    assert list(grid.islanding) == [0, 1]


def test_can_host_agrees_with_hosting_capacity_on_the_default_grid():
    """can_host(bus, x) is exactly hosting_mw(bus) >= x, below and above the threshold."""
    from sim.grid import load_default_grid

    grid = load_default_grid()
    for site, bus in list(grid.bus_of_site.items())[:8]:
        h = grid.hosting_mw(bus)
        assert grid.can_host(bus, 0.999 * h) and not grid.can_host(bus, 1.001 * h + 1e-6), site
        grid.add_load(bus, 0.5 * h)
