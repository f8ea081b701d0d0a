"""What the dated grid looked like month by month in a single run, and when each bus could
take a reference block: read back from the states the run visited (each solved once).

* dispatch by kind and HVDC setpoints of each month's state;
* competing load: firm MW in service, queued MW asked and admitted;
* hosting capacity at each site's bus: the largest extra load the state's programme could
  still take there (full redispatch, every admitted request held);
* time to power: the first month whose state can take ``block_mw`` more at a bus.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.grid.grid import Grid, cached_dated_grid
from sim.grid.loads import firm_load_mw
from sim.grid.system import peak_date
from sim.inputs.records import Inputs

EPS_MW = 1e-6


@dataclass(frozen=True)
class GridView:
    kinds: list[str]
    links: list[str]
    buses: list[int]
    dispatch_mw: np.ndarray            # time x kind
    hvdc_mw: np.ndarray                # time x link
    site_hosting_mw: np.ndarray        # time x site
    firm_load_mw: np.ndarray           # time
    queued_mw: np.ndarray              # time
    admitted_mw: np.ndarray            # time (queued competing loads admitted)
    shed_mw: np.ndarray                # time
    time_to_power_day: np.ndarray      # bus (NaN: not within the run)
    bus_lat: np.ndarray
    bus_lon: np.ndarray
    bus_kv: np.ndarray
    block_mw: float


def _state(base: Grid, key: tuple) -> Grid:
    done, year = key
    grid = base.fresh(year=year)
    grid.apply_projects(set(done))
    return grid


def grid_view(inputs: Inputs, keys: list[tuple[float, tuple]], time_days: np.ndarray,
              sites: list[str]) -> GridView | None:
    """The view of the states recorded at ``time_days`` (None without a dated grid)."""
    setup = inputs.grid
    if setup is None or setup.rules is None or not keys:
        return None
    base = cached_dated_grid(setup.grid_dir, setup.rules)
    states = {key: _state(base, key) for _, key in keys}
    kinds = sorted({k for g in states.values() for k in g.programme.fleet.kind})
    hvdc = np.flatnonzero(base.dc.br.is_hvdc).tolist()
    links = [base.line_ids[k] for k in hvdc]
    slot = {day: t for t, day in enumerate(time_days)}
    n_t = len(time_days)
    out = {name: np.full(shape, np.nan) for name, shape in (
        ("dispatch", (n_t, len(kinds))), ("hvdc", (n_t, len(links))),
        ("hosting", (n_t, len(sites))), ("firm", n_t), ("queued", n_t), ("admitted", n_t),
        ("shed", n_t))}
    hosting = {key: _site_hosting(g, setup.site_bus, sites) for key, g in states.items()}
    for day, key in keys:
        t, grid = slot[day], states[key]
        prog = grid.programme
        for j, kind in enumerate(kinds):
            out["dispatch"][t, j] = prog.base.gen_mw[np.array(prog.fleet.kind) == kind].sum()
        out["hvdc"][t] = [grid.dc.setpoint_mw[grid.line_ids.index(line)]
                          if line in grid.line_ids else np.nan for line in links]
        out["hosting"][t] = hosting[key]
        queued = [i for i, n in enumerate(prog.requests.names) if n.startswith("load:")]
        out["queued"][t] = prog.requests.mw[queued].sum()
        out["admitted"][t] = prog.base.admitted_mw[queued].sum()
        out["firm"][t] = sum(firm_load_mw(grid.operation.loads, peak_date(key[1])).values())
        out["shed"][t] = prog.base.shed_total_mw
    ttp = time_to_power(states, keys, setup.reference_block_mw)
    nodes = base.graph.nodes
    col = lambda a: np.array([nodes[b][a] for b in base.bus_ids], float)  # noqa: E731
    return GridView(kinds, links, list(base.bus_ids), out["dispatch"], out["hvdc"],
                    out["hosting"], out["firm"], out["queued"], out["admitted"], out["shed"],
                    ttp, col("lat"), col("lon"), col("kv"), setup.reference_block_mw)


def _site_hosting(grid: Grid, site_bus: dict[str, int], sites: list[str]) -> np.ndarray:
    by_bus: dict[int, float] = {}
    out = np.full(len(sites), np.nan)
    for j, site in enumerate(sites):
        bus = site_bus.get(site)
        if bus is None:
            continue
        if bus not in by_bus:
            by_bus[bus] = grid.programme.hosting_mw(grid.index(bus))
        out[j] = by_bus[bus]
    return out


def time_to_power(states: dict[tuple, Grid], keys: list[tuple[float, tuple]],
                  block_mw: float) -> np.ndarray:
    """Per bus, the first recorded day whose state can take ``block_mw`` more (NaN: none)."""
    first = next(iter(states.values()))
    out = np.full(len(first.bus_ids), np.nan)
    pending = set(range(len(first.bus_ids)))
    seen: set[tuple] = set()
    for day, key in keys:
        if key in seen or not pending:
            continue
        seen.add(key)
        prog = states[key].programme
        if prog.spare_supply_mw() < block_mw - EPS_MW:   # no bus can: national supply
            continue
        for i in sorted(pending):
            if prog.hosting_mw(i, cap_mw=block_mw) >= block_mw - EPS_MW:
                out[i] = day
                pending.discard(i)
    return out
