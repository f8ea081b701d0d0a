"""Inter-regional transfer capability (calibration of the backbone against known limits).

A transfer raises generation in the source region (pro rata to installed ``pmax_mw``) and load
in the sink region (pro rata to ``load_mw``). Its N-1 limit is the base net export of the source
plus the largest extra transfer keeping every monitored (branch, outage) pair within rating.
Pairs whose transfer distribution factor is below ``DF_CUTOFF`` are not monitored, as in
flowgate practice (a 5 % cutoff) so that remote lines at their limit do not bind.
"""

from __future__ import annotations

import numpy as np

from sim.grid.dcflow import max_step
from sim.grid.grid import Grid

DF_CUTOFF = 0.05
CAPITAL = frozenset({"Seoul", "Gyeonggi", "Incheon"})
EAST_COAST_MIN_LON = 128.5
EAST_COAST_MIN_LAT = 36.5


def east_coast_buses(grid: Grid) -> list[int]:
    """Gangwon and northern Gyeongbuk east of 128.5 E, north of 36.5 N [EST]."""
    nodes = grid.graph.nodes
    return [b for b in grid.bus_ids if nodes[b]["province"] in ("Gangwon", "Gyeongbuk")
            and nodes[b]["lon"] >= EAST_COAST_MIN_LON and nodes[b]["lat"] >= EAST_COAST_MIN_LAT]


def west_coast_buses(grid: Grid, min_lat: float = 0.0) -> list[int]:
    """Chungnam coast west of 126.8 E (Dangjin, Taean, Boryeong) north of ``min_lat`` [EST]."""
    nodes = grid.graph.nodes
    return [b for b in grid.bus_ids if nodes[b]["province"] == "Chungnam"
            and nodes[b]["lon"] < 126.8 and nodes[b]["lat"] >= min_lat]


def weights(grid: Grid, buses: list[int], attr: str) -> np.ndarray:
    """Bus vector proportional to ``attr`` over ``buses`` (sums to 1)."""
    w = np.zeros(len(grid.bus_ids))
    for b in buses:
        w[grid.index(b)] = grid.graph.nodes[b][attr]
    if w.sum() <= 0:
        raise ValueError(f"no {attr} in region")
    return w / w.sum()


def net_export_mw(grid: Grid, buses: list[int]) -> float:
    """Generation minus load of a region (whether it leaves by AC or HVDC)."""
    idx = [grid.index(b) for b in buses]
    return float(grid.dc.injection_mw[idx].sum())


def extra_transfer_mw(grid: Grid, source: np.ndarray, sink: np.ndarray, n1: bool = True) -> float:
    """Largest extra source -> sink transfer within ratings (cutoff-screened; negative if
    the present transfer already violates a monitored pair)."""
    dc = grid.dc
    sens = dc.ptdf @ (source - sink)
    sens0 = np.where(np.abs(sens) >= DF_CUTOFF, sens, 0.0)
    t = max_step(dc.flow0, sens0, dc.rating_mw, signed=True)
    if n1:
        sens1 = dc.n1_sensitivity(sens)
        sens1 = np.where(np.abs(sens1) >= DF_CUTOFF, sens1, 0.0)
        t = min(t, max_step(dc.flow1, sens1, dc.rating_mw[:, None], signed=True))
    return t


def transfer_limit_mw(grid: Grid, src_buses: list[int], sink_buses: list[int]) -> dict:
    """Base export, extra transfer and total N-1 limit (MW) from source to sink buses."""
    base = net_export_mw(grid, src_buses)
    extra = extra_transfer_mw(grid, weights(grid, src_buses, "pmax_mw"),
                              weights(grid, sink_buses, "load_mw"))
    return {"base_export_mw": base, "extra_mw": extra, "limit_mw": base + extra}


def hvdc_freed_mw(grid: Grid, link: str, src_buses: list[int], sink_buses: list[int]) -> dict:
    """Source-region export limit with ``link`` at its setpoint and with it at zero."""
    with_link = transfer_limit_mw(grid, src_buses, sink_buses)["limit_mw"]
    g = grid.graph.copy()
    u, v = next((a, b) for a, b, k in g.edges(keys=True) if k == link)
    g.edges[u, v, link]["setpoint_mw"] = 0.0
    without = Grid(g, grid.bus_of_site, grid.projects)
    without_link = transfer_limit_mw(without, src_buses, sink_buses)["limit_mw"]
    return {"with_mw": with_link, "without_mw": without_link, "freed_mw": with_link - without_link}


def region_units(grid: Grid, buses: list[int]) -> np.ndarray:
    """Fleet indices (dated grid) of the units at ``buses``."""
    idx = {grid.index(b) for b in buses}
    return np.array([i for i, b in enumerate(grid.programme.fleet.bus) if int(b) in idx], int)


def lp_export_limit_mw(grid: Grid, buses: list[int],
                       hvdc_cap_mw: dict[str, float] | None = None) -> float:
    """Largest net export (generation - load) of a region in a secure dispatch of the dated
    grid's demand: the region's units pushed up, the rest of the system redispatched."""
    units = region_units(grid, buses)
    load = grid.programme.load_mw[[grid.index(b) for b in buses]].sum()
    # (load shed in the region, if any, would only add to the export; none at these states)
    caps = {grid.line_ids.index(k): v for k, v in (hvdc_cap_mw or {}).items()}
    return grid.programme.max_output_mw(units, caps) - float(load)


def lp_hvdc_freed_mw(grid: Grid, link: str, buses: list[int]) -> dict:
    """Region export limit with HVDC ``link`` dispatched freely and with it held at zero."""
    with_link = lp_export_limit_mw(grid, buses)
    without = lp_export_limit_mw(grid, buses, {link: 0.0})
    return {"with_mw": with_link, "without_mw": without, "freed_mw": with_link - without}


def lp_stage_freed_mw(grid: Grid, link: str, buses: list[int], before_mw: float) -> dict:
    """West-coast output an HVDC stage frees: the region's units' total in the merit-order
    secure dispatch with ``link`` at its full rating minus the same with the link capped at
    ``before_mw`` (its rating before the stage). This is constrained-off output that now
    runs, the quantity KEPCO reported, not the change in the region's largest export."""
    units = region_units(grid, buses)
    branch = grid.line_ids.index(link)
    rating = float(grid.dc.rating_mw[branch])
    programme = grid.programme
    with_stage = programme.merit_output_mw(units, {branch: rating})
    without = programme.merit_output_mw(units, {branch: before_mw})
    return {"with_mw": with_stage, "without_mw": without, "freed_mw": with_stage - without}
