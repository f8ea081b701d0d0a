"""The security-constrained dispatch LP: hand-worked cases, hosting capacity against bisection
with full re-solves, and an HVDC link that admits a load the fixed-generation model refuses."""

from __future__ import annotations

import numpy as np
import pytest

from sim.grid.dcflow import Branches, DCGrid
from sim.grid.dispatch import Fleet, Programme, Requests


def network(lines: list[tuple], n_bus: int, injection=None, participation=None) -> DCGrid:
    """lines: (bus0, bus1, x_pu, rating_mw, circuits, is_hvdc)."""
    col = lambda k: np.array([ln[k] for ln in lines], float)  # noqa: E731
    br = Branches(np.array([ln[0] for ln in lines]), np.array([ln[1] for ln in lines]),
                  col(2), col(3), col(4), np.array([ln[5] for ln in lines], bool),
                  np.zeros(len(lines)))
    inj = np.zeros(n_bus) if injection is None else np.asarray(injection, float)
    part = np.ones(n_bus) if participation is None else np.asarray(participation, float)
    return DCGrid(n_bus, br, inj, part)


def fleet(units: list[tuple]) -> Fleet:
    """units: (bus, pmax_mw, cost)."""
    return Fleet(np.array([u[0] for u in units]), np.zeros(len(units)),
                 np.array([u[1] for u in units], float), np.array([u[2] for u in units], float),
                 tuple("lng" for _ in units))


def test_triangle_n0_dispatch_by_hand():
    """Equal reactances: 1 MW from bus 0 to bus 2 puts 2/3 on 0-2, from bus 1 puts 1/3 on 0-2.
    Line 0-2 rated 50 MW, load 90 MW at bus 2: g0/3 + 30 <= 50, so the cheap unit at bus 0
    gives 60 MW and the dear one at bus 1 gives 30 MW; flow 0-2 = 50 MW exactly."""
    dc = network([(0, 1, 0.1, 500, 1, False), (0, 2, 0.1, 50, 1, False),
                  (1, 2, 0.1, 500, 1, False)], 3)
    prog = Programme(dc, fleet([(0, 100, 1.0), (1, 100, 2.0)]), [0, 0, 90], n1=False)
    np.testing.assert_allclose(prog.base.gen_mw, [60.0, 30.0], atol=1e-6)
    assert prog.base.flow_mw[1] == pytest.approx(50.0, abs=1e-6)
    assert prog.base.shed_total_mw == pytest.approx(0.0, abs=1e-9)


def test_two_circuits_n1_halves_the_secure_transfer():
    """Two buses, one double-circuit line rated 100 MW (50 per circuit); load 150 at bus 1.
    N-0: the cheap unit at bus 0 sends 100. N-1 (one circuit lost, the other carries all):
    it may send only 50; the dear unit at bus 1 makes the rest. Costs 200 and 250."""
    dc = network([(0, 1, 0.1, 100, 2, False)], 2)
    units = fleet([(0, 200, 1.0), (1, 200, 2.0)])
    n0 = Programme(dc, units, [0, 150], n1=False).base
    n1 = Programme(dc, units, [0, 150], n1=True).base
    np.testing.assert_allclose(n0.gen_mw, [100.0, 50.0], atol=1e-6)
    np.testing.assert_allclose(n1.gen_mw, [50.0, 100.0], atol=1e-6)
    assert float(n0.gen_mw @ [1, 2]) == pytest.approx(200.0)
    assert float(n1.gen_mw @ [1, 2]) == pytest.approx(250.0)


def test_load_beyond_every_secure_dispatch_is_shed():
    """Same line, no unit at bus 1: at most 50 MW reach bus 1 under N-1, 100 under N-0."""
    dc = network([(0, 1, 0.1, 100, 2, False)], 2)
    units = fleet([(0, 500, 1.0)])
    assert Programme(dc, units, [0, 150], n1=True).base.shed_total_mw == pytest.approx(100.0)
    assert Programme(dc, units, [0, 150], n1=False).base.shed_total_mw == pytest.approx(50.0)


def test_requests_are_admitted_in_filing_order():
    """50 MW of room at bus 1 (N-0); two 40 MW requests: the first filed gets all 40."""
    dc = network([(0, 1, 0.1, 100, 1, False)], 2)
    requests = Requests(np.array([1, 1]), np.array([40.0, 40.0]), np.array([2.0, 1.0]),
                        ("first", "second"))
    prog = Programme(dc, fleet([(0, 500, 1.0)]), [0, 50], n1=False, requests=requests)
    assert prog.admitted() == pytest.approx({"first": 40.0, "second": 10.0})


def random_case(seed: int) -> tuple[DCGrid, Fleet, np.ndarray]:
    """A connected 6-bus meshed network with units and loads, secure at its base."""
    rng = np.random.default_rng(seed)
    n = 6
    lines = [(i, i + 1) for i in range(n - 1)] + [(0, n - 1)]
    lines += [tuple(sorted(rng.choice(n, 2, replace=False))) for _ in range(3)]
    lines = sorted(set(lines))
    load = rng.uniform(20, 80, n)
    units = [(int(b), float(rng.uniform(100, 200)), float(rng.uniform(1, 3)))
             for b in rng.choice(n, 3, replace=False)]
    dc = network([(a, b, float(rng.uniform(0.05, 0.2)), float(rng.uniform(150, 400)), 2, False)
                  for a, b in lines], n)
    return dc, fleet(units), load


def feasible(dc: DCGrid, units: Fleet, load: np.ndarray) -> bool:
    return Programme(dc, units, load, n1=True).base.shed_total_mw < 1e-6


@pytest.mark.parametrize("seed", range(6))
def test_hosting_equals_bisection_with_full_re_solves(seed):
    dc, units, load = random_case(seed)
    while not feasible(dc, units, load):   # a draw too heavy to serve securely: lighten it
        load = load / 2
    prog = Programme(dc, units, load, n1=True)
    for bus in range(dc.n_bus):
        lp = prog.hosting_mw(bus)
        lo, hi = 0.0, float(units.pmax_mw.sum())
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            extra = load.copy()
            extra[bus] += mid
            lo, hi = (mid, hi) if feasible(dc, units, extra) else (lo, mid)
        assert lp == pytest.approx(lo, abs=1e-3 * max(1.0, lo) + 1e-3), (seed, bus)


def test_hvdc_setpoint_relieves_the_ac_line_and_admits_a_refused_load():
    """Bus 0 has all generation, bus 2 the load (80 MW); AC path 0-1-2 rated 100 MW, HVDC 0-2
    rated 100 MW. Fixed generation with the link idle (the old model): 80 MW already on the
    AC path leaves 20 MW, so a 50 MW request at bus 2 is refused. The dispatch moves up to
    100 MW over the link: hosting 120 MW (N-0), and the 50 MW request is admitted."""
    lines = [(0, 1, 0.1, 100, 1, False), (1, 2, 0.1, 100, 1, False),
             (0, 2, 0.0, 100, 1, True)]
    fixed = network(lines, 3, injection=[80, 0, -80], participation=[1, 0, 0])
    assert fixed.hosting_mw(2, n1=False) == pytest.approx(20.0)
    assert not fixed.can_host(2, 50.0, n1=False)
    dc = network(lines, 3)
    units = fleet([(0, 500, 1.0)])
    prog = Programme(dc, units, [0, 0, 80], n1=False)
    assert prog.hosting_mw(2) == pytest.approx(120.0, abs=1e-6)
    request = Requests(np.array([2]), np.array([50.0]), np.array([1.0]), ("dc",))
    admitted = Programme(dc, units, [0, 0, 80], n1=False, requests=request)
    assert admitted.admitted()["dc"] == pytest.approx(50.0)
    assert admitted.base.hvdc_mw[2] > 0.0


@pytest.mark.parametrize("seed", range(6))
def test_a_seeded_programme_reaches_the_same_optimum(seed):
    """Starting from another state's binding pairs (and any other valid or invalid pair) must
    not change the optimum: the lazy rounds add whatever the seed lacks, and extra rows hold
    at the optimum anyway. Seeded here from a state with 30 % more load, plus every N-0 row
    and two pairs that are not rows of this network (an HVDC outage of a line that does not
    exist, an out-of-range branch)."""
    dc, units, load = random_case(seed)
    heavier = Programme(dc, units, load * 1.3, n1=True)
    seed_pairs = heavier.binding_pairs() + [(b, -1) for b in range(dc.br.n)]
    seed_pairs += [(dc.br.n + 3, -1), (0, dc.br.n + 1)]
    plain = Programme(dc, units, load, n1=True)
    seeded = Programme(dc, units, load, n1=True, seed=seed_pairs)
    cost = lambda p: float(units.cost @ p.base.gen_mw) + 1e3 * p.base.shed_total_mw  # noqa: E731
    assert cost(seeded) == pytest.approx(cost(plain), rel=1e-9, abs=1e-6)
    assert seeded.base.shed_total_mw == pytest.approx(plain.base.shed_total_mw, abs=1e-6)
    # and the seeded optimum is secure: every N-0 and N-1 flow within its rating
    flow = seeded.base.flow_mw
    assert np.all(np.abs(flow) <= dc.rating_mw + 1e-6)
    post = dc.n1_flows(flow)
    ok = np.abs(post) <= dc.rating_mw[:, None] + 1e-6
    single = dc.br.circuits == 1
    for line, outage in zip(*np.nonzero(~ok), strict=True):
        assert outage in dc.islanding or (line == outage and single[line])
