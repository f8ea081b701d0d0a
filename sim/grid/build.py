"""Turn a grid graph into a :class:`~sim.grid.dcflow.DCGrid` (bus and line ordering)."""

from __future__ import annotations

import networkx as nx
import numpy as np

from sim.grid.dcflow import Branches, DCGrid


def ordered(g: nx.MultiGraph) -> tuple[list[int], list[dict]]:
    """Buses sorted by id and branches sorted by line id (a stable order)."""
    buses = sorted(g.nodes)
    lines = sorted((d for _, _, d in g.edges(data=True)), key=lambda d: d["line"])
    return buses, lines


def branches_of(lines: list[dict], index: dict[int, int]) -> Branches:
    """Branch arrays in bus-index space."""
    col = lambda k: np.array([d[k] for d in lines], float)  # noqa: E731
    return Branches(
        bus0=np.array([index[d["bus0"]] for d in lines], int),
        bus1=np.array([index[d["bus1"]] for d in lines], int),
        x_pu=np.where(col("x_pu") > 0, col("x_pu"), 1.0),
        rating_mw=col("rating_mw"),
        circuits=col("circuits"),
        is_hvdc=np.array([d["kind"] == "hvdc" for d in lines]),
        setpoint_mw=col("setpoint_mw"),
    )


def dcgrid_of(g: nx.MultiGraph) -> tuple[DCGrid, list[int], list[str]]:
    """DCGrid with base injections gen - load and participation ~ reserve (headroom)."""
    buses, lines = ordered(g)
    index = {b: i for i, b in enumerate(buses)}
    node = lambda k: np.array([g.nodes[b][k] for b in buses], float)  # noqa: E731
    reserve = node("reserve_mw")
    participation = reserve if reserve.sum() > 0 else np.ones(len(buses))
    grid = DCGrid(len(buses), branches_of(lines, index), node("gen_mw") - node("load_mw"),
                  participation)
    return grid, buses, [d["line"] for d in lines]
