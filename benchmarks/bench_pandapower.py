"""One N-1 grid security check of sim.grid timed against pandapower ``rundcpp`` (same network).

The default Korean backbone (``load_default_grid``) is rebuilt as a pandapower net: every bus
at one nominal voltage (345 kV); every AC branch a 1 km line with
``x_ohm_per_km = x_pu * 345**2 / 100`` (whole branch, all circuits) and r = 0; HVDC links as
fixed injections at their setpoint (a load at ``bus0``, an sgen at ``bus1``), as
``sim.grid.matpower`` folds them; bus injections as loads (Pd) and sgens (Pg) from
``matpower.bus_table``; the slack as an ext_grid at ``DCGrid.slack``. It then

1. checks that the N-0 AC branch flows of ``pp.rundcpp`` equal ``grid.dc.flow0`` to 0.1 MW
   (prints the max abs difference and PASS/FAIL; this is a benchmark, not a test);
2. times the median µs of ``grid.hosting_mw(bus, n1=True)`` and ``grid.can_host(bus, 5.0,
   n1=True)`` over a few site buses, and the median ms of ``pp.rundcpp(net)`` (a single N-0
   solve, i.e. far less work than our N-1 check), and prints ratio = rundcpp / our check.

pandapower is a benchmark-only dependency, kept out of the project's venv:

    python3 -m venv /tmp/venv-pp
    /tmp/venv-pp/bin/pip install "pandapower>=3" "pandas<3" numba -e /work/main
    /tmp/venv-pp/bin/python benchmarks/bench_pandapower.py

(pandapower 3.1 fails on pandas 3, hence ``pandas<3``; numba is optional, pandapower's JIT.)
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from sim.grid import load_default_grid
from sim.grid.matpower import BASE_MVA, bus_table

try:
    import pandapower as pp
except ImportError:
    sys.exit("bench_pandapower: pandapower is not installed; see this script's docstring "
             "(/tmp/venv-pp/bin/python benchmarks/bench_pandapower.py).")

KV = 345.0
TOL_MW = 0.1
BLOCK_MW = 5.0
N_SITES = 5
NUMBA = importlib.util.find_spec("numba") is not None
"""pandapower's optional JIT (bus lookups); without it, numba=False silences its warning."""


def per_call_s(fn, repeat: int = 7, number: int = 200) -> float:
    """Median seconds per call over ``repeat`` rounds of ``number`` calls."""
    rounds = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - t0) / number)
    return statistics.median(rounds)


def build_net(grid) -> tuple[pp.pandapowerNet, np.ndarray, np.ndarray]:
    """pandapower net of the grid's current state; (net, AC branch indices, pp line indices)."""
    dc = grid.dc
    br = dc.br
    net = pp.create_empty_network(sn_mva=BASE_MVA)
    buses = np.array([pp.create_bus(net, vn_kv=KV, name=str(b)) for b in grid.bus_ids])
    pd, pg = bus_table(grid)  # HVDC setpoints already folded into pg - pd
    for i in range(dc.n_bus):
        if pd[i] != 0.0:
            pp.create_load(net, buses[i], p_mw=float(pd[i]))
        if pg[i] != 0.0:
            pp.create_sgen(net, buses[i], p_mw=float(pg[i]))
    pp.create_ext_grid(net, buses[dc.slack], vm_pu=1.0)
    z_base = KV**2 / BASE_MVA
    ac = np.flatnonzero(~br.is_hvdc)
    lines = np.array([
        pp.create_line_from_parameters(
            net, buses[br.bus0[k]], buses[br.bus1[k]], length_km=1.0, r_ohm_per_km=0.0,
            x_ohm_per_km=float(br.x_pu[k]) * z_base, c_nf_per_km=0.0,
            max_i_ka=float(dc.rating_mw[k]) / (np.sqrt(3) * KV), name=grid.line_ids[k])
        for k in ac])
    return net, ac, lines


def main() -> None:
    grid = load_default_grid()
    dc = grid.dc
    net, ac, lines = build_net(grid)
    n_hvdc = int(dc.br.is_hvdc.sum())
    print(f"pandapower {pp.__version__} (numba {'on' if NUMBA else 'off'}); network: "
          f"{dc.n_bus} buses, {ac.size} AC branches, {n_hvdc} HVDC links (fixed injections), "
          f"slack bus {grid.bus_ids[dc.slack]}")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pp.rundcpp(net, numba=NUMBA)
    pp_flow = net.res_line.p_from_mw.loc[lines].to_numpy()
    diff = float(np.max(np.abs(pp_flow - dc.flow0[ac])))
    verdict = "PASS" if diff <= TOL_MW else "FAIL"
    print(f"N-0 AC flows vs pandapower rundcpp: max |diff| = {diff:.3g} MW "
          f"(tol {TOL_MW} MW) -> {verdict}")

    sites = list(dict.fromkeys(grid.bus_of_site.values()))[:N_SITES]
    host_us, can_us = [], []
    for bus in sites:
        host_us.append(per_call_s(lambda b=bus: grid.hosting_mw(b, n1=True)) * 1e6)
        can_us.append(per_call_s(lambda b=bus: grid.can_host(b, BLOCK_MW, n1=True)) * 1e6)
    host, can = statistics.median(host_us), statistics.median(can_us)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pp_ms = per_call_s(lambda: pp.rundcpp(net, numba=NUMBA), repeat=7, number=10) * 1e3

    print(f"sites: {len(sites)} buses {sites}")
    print(f"hosting_mw(bus, n1=True)           median {host:9.1f} us "
          f"(per site: {', '.join(f'{t:.1f}' for t in host_us)})")
    print(f"can_host(bus, {BLOCK_MW} MW, n1=True)     median {can:9.1f} us "
          f"(per site: {', '.join(f'{t:.1f}' for t in can_us)})")
    print(f"pandapower rundcpp (N-0 only)      median {pp_ms:9.2f} ms")
    for name, t in (("hosting_mw N-1", host), ("can_host N-1", can)):
        ratio = pp_ms * 1e3 / t
        print(f"ratio rundcpp / {name:15s} {ratio:8.0f}x  (target >= 100x: "
              f"{'met' if ratio >= 100 else 'NOT met'})")


if __name__ == "__main__":
    main()
