"""Export the current grid state as a MATPOWER case (v2) plus the project's DC branch flows.

Bus ``Pd`` is the load served at the bus (demand, admitted connection requests and loads added
by the engine, less any load shed). Generators: with a dated grid, every dispatched unit (one
per bus and kind) at its dispatched output, ``Pmax`` its available output; with the fixed 2024
grid, one generator per bus. HVDC links are ``mpc.dcline`` rows (MATPOWER's DC line model,
lossless) at their dispatched setpoints, so a DC power flow of the case that applies the
dcline transfers as injections reproduces ``flow0``. Branch ``x`` is the per-unit reactance of
the whole branch (all circuits) on ``baseMVA = 100``; ``rateA`` is its rating in MW.
"""

from __future__ import annotations

import numpy as np

from sim.grid.grid import Grid

BASE_MVA = 100.0


def served_load_mw(grid: Grid) -> np.ndarray:
    """Load served per bus (MW)."""
    if grid.programme is not None:
        prog = grid.programme
        pd = prog.load_mw - prog.base.shed_mw
        np.add.at(pd, prog.requests.bus, prog.base.admitted_mw)
    else:
        pd = np.array([grid.graph.nodes[b]["load_mw"] for b in grid.bus_ids], float)
    for bus, mw in grid.added_mw.items():
        pd[grid.index(bus)] += mw
    return pd


def generators(grid: Grid, pd: np.ndarray) -> list[tuple[int, float, float]]:
    """(bus index, Pg, Pmax) per generator; their sum per bus equals the AC injection + Pd."""
    if grid.programme is None:
        pg = grid.dc.injection_mw + pd
        return [(i, float(pg[i]), 99999.0) for i in range(len(grid.bus_ids))]
    fleet, gen = grid.programme.fleet, grid.programme.base.gen_mw
    units = [(int(b), float(g), float(p)) for b, g, p in zip(fleet.bus, gen, fleet.pmax_mw,
                                                             strict=True)]
    extra = grid.dc.injection_mw + pd  # generation that supplies loads added by the engine
    np.subtract.at(extra, fleet.bus, gen)
    units += [(i, float(v), 99999.0) for i, v in enumerate(extra) if abs(v) > 1e-9]
    return units


def _rows(values: list[list]) -> str:
    return "\n".join("\t" + "\t".join(f"{v:.10g}" if isinstance(v, float) else str(v)
                                      for v in row) + ";" for row in values)


def case_text(grid: Grid, name: str = "korea_backbone") -> str:
    """MATPOWER case file text."""
    pd = served_load_mw(grid)
    kv = [grid.graph.nodes[b]["kv"] for b in grid.bus_ids]
    buses = [[b, 3 if i == grid.dc.slack else 2, float(pd[i]), 0.0, 0.0, 0.0, 1, 1.0, 0.0,
              float(kv[i]), 1, 1.1, 0.9] for i, b in enumerate(grid.bus_ids)]
    gens = [[grid.bus_ids[i], pg, 0.0, 9999.0, -9999.0, 1.0, BASE_MVA, 1, pmax, 0.0]
            for i, pg, pmax in generators(grid, pd)]
    br, ac = grid.dc.br, np.flatnonzero(~grid.dc.br.is_hvdc)
    branches = [[grid.bus_ids[br.bus0[k]], grid.bus_ids[br.bus1[k]], 0.0, float(br.x_pu[k]),
                 0.0, float(grid.dc.rating_mw[k]), 0.0, 0.0, 0.0, 0.0, 1, -360, 360]
                for k in ac]
    dclines = [[grid.bus_ids[br.bus0[k]], grid.bus_ids[br.bus1[k]], 1,
                float(grid.dc.setpoint_mw[k]), float(grid.dc.setpoint_mw[k]), 0.0, 0.0, 1.0,
                1.0, -float(grid.dc.rating_mw[k]), float(grid.dc.rating_mw[k]),
                0.0, 0.0, 0.0, 0.0, 0.0, 0.0] for k in np.flatnonzero(br.is_hvdc)]
    names = [f"%   dcline {i}: {grid.line_ids[k]}"
             for i, k in enumerate(np.flatnonzero(br.is_hvdc), start=1)]
    return "\n".join([
        f"function mpc = {name}", "%% Korean backbone, DC power flow state (sim.grid)",
        *names, "mpc.version = '2';", f"mpc.baseMVA = {BASE_MVA:g};",
        "%% bus_i type Pd Qd Gs Bs area Vm Va baseKV zone Vmax Vmin", "mpc.bus = [",
        _rows(buses), "];", "%% bus Pg Qg Qmax Qmin Vg mBase status Pmax Pmin", "mpc.gen = [",
        _rows(gens), "];",
        "%% fbus tbus r x b rateA rateB rateC ratio angle status angmin angmax",
        "mpc.branch = [", _rows(branches), "];",
        "%% fbus tbus status Pf Pt Qf Qt Vf Vt Pmin Pmax QminF QmaxF QminT QmaxT loss0 loss1",
        "mpc.dcline = [", _rows(dclines), "];", ""])


def flow_rows(grid: Grid) -> list[dict]:
    """AC branch flows (1-based MATPOWER branch index), in case order."""
    br, ac = grid.dc.br, np.flatnonzero(~grid.dc.br.is_hvdc)
    return [{"branch": i, "line": grid.line_ids[k], "from_bus": grid.bus_ids[br.bus0[k]],
             "to_bus": grid.bus_ids[br.bus1[k]], "flow_mw": f"{grid.dc.flow0[k]:.6f}"}
            for i, k in enumerate(ac, start=1)]
