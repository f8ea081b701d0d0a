"""Export the current grid state as a MATPOWER case (v2) plus the project's DC branch flows.

Bus ``Pd`` is the bus load (incl. loads added by the engine); one generator per bus with
``Pg`` = net AC injection + ``Pd``. HVDC links are folded into ``Pd`` as fixed injections at
their converter buses (listed in a comment), so the AC branch flows of a DC power flow of the
case equal ``flow0``. Branch ``x`` is the per-unit reactance of the whole branch (all
circuits) on ``baseMVA = 100``; ``rateA`` is its rating in MW.
"""

from __future__ import annotations

import numpy as np

from sim.grid.grid import Grid

BASE_MVA = 100.0


def bus_table(grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """(Pd, Pg) per bus in MW; Pg - Pd = AC injection + HVDC injection."""
    pd = np.array([grid.graph.nodes[b]["load_mw"] for b in grid.bus_ids], float)
    for bus, mw in grid.added_mw.items():
        pd[grid.index(bus)] += mw
    net = grid.dc.injection_mw + grid.dc.hvdc_injection()
    return pd, net + pd


def _rows(values: list[list]) -> str:
    return "\n".join("\t" + "\t".join(f"{v:.6g}" if isinstance(v, float) else str(v)
                                      for v in row) + ";" for row in values)


def case_text(grid: Grid, name: str = "korea_backbone") -> str:
    """MATPOWER case file text."""
    pd, pg = bus_table(grid)
    kv = [grid.graph.nodes[b]["kv"] for b in grid.bus_ids]
    buses = [[b, 3 if i == grid.dc.slack else 2, float(pd[i]), 0.0, 0.0, 0.0, 1, 1.0, 0.0,
              float(kv[i]), 1, 1.1, 0.9] for i, b in enumerate(grid.bus_ids)]
    gens = [[b, float(pg[i]), 0.0, 9999.0, -9999.0, 1.0, BASE_MVA, 1, 99999.0, -99999.0]
            for i, b in enumerate(grid.bus_ids)]
    br, ac = grid.dc.br, np.flatnonzero(~grid.dc.br.is_hvdc)
    branches = [[grid.bus_ids[br.bus0[k]], grid.bus_ids[br.bus1[k]], 0.0, float(br.x_pu[k]),
                 0.0, float(grid.dc.rating_mw[k]), 0.0, 0.0, 0.0, 0.0, 1, -360, 360]
                for k in ac]
    hvdc = [f"%   {grid.line_ids[k]}: {grid.dc.setpoint_mw[k]:.1f} MW from bus "
            f"{grid.bus_ids[br.bus0[k]]} to {grid.bus_ids[br.bus1[k]]}"
            for k in np.flatnonzero(br.is_hvdc)]
    return "\n".join([
        f"function mpc = {name}", "%% Korean backbone, DC power flow state (sim.grid)",
        "% HVDC links folded into Pd:", *hvdc, "mpc.version = '2';",
        f"mpc.baseMVA = {BASE_MVA:g};",
        "%% bus_i type Pd Qd Gs Bs area Vm Va baseKV zone Vmax Vmin", "mpc.bus = [",
        _rows(buses), "];", "%% bus Pg Qg Qmax Qmin Vg mBase status Pmax Pmin", "mpc.gen = [",
        _rows(gens), "];",
        "%% fbus tbus r x b rateA rateB rateC ratio angle status angmin angmax",
        "mpc.branch = [", _rows(branches), "];", ""])


def flow_rows(grid: Grid) -> list[dict]:
    """AC branch flows (1-based MATPOWER branch index), in case order."""
    br, ac = grid.dc.br, np.flatnonzero(~grid.dc.br.is_hvdc)
    return [{"branch": i, "line": grid.line_ids[k], "from_bus": grid.bus_ids[br.bus0[k]],
             "to_bus": grid.bus_ids[br.bus1[k]], "flow_mw": f"{grid.dc.flow0[k]:.6f}"}
            for i, k in enumerate(ac, start=1)]
