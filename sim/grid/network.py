"""Load the grid CSVs (sim/data/grid) into a validated networkx MultiGraph.

Nodes are bus ids with ``province``, ``kv``, ``lon``, ``lat``, ``load_mw``, ``gen_mw`` and
``reserve_mw`` (dispatchable headroom used as the participation of extra load). Edges are
keyed by line id with ``bus0``, ``bus1``, ``kind`` (ac | transformer | hvdc), ``circuits``,
``rating_mw``, ``x_pu`` (100 MVA base) and ``setpoint_mw`` (HVDC transfer bus0 -> bus1).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import networkx as nx

from sim.core import schemas
from sim.core.paths import DATA_DIR as _DATA

DATA_DIR = _DATA / "grid"
BUS_FLOATS = ("lon", "lat", "load_mw", "gen_mw", "pmax_mw", "reserve_mw")
LINE_FLOATS = ("length_km", "rating_mw", "x_pu", "setpoint_mw")


def read_rows(path: Path) -> list[dict]:
    """Typed rows of a grid table (buses, lines, projects or site_buses), by its file name."""
    return schemas.read(Path(path), f"grid/{Path(path).name}")


def bus_attrs(row: dict) -> dict:
    """Typed node attributes of one buses.csv row."""
    out = {k: float(row[k]) for k in BUS_FLOATS}
    out.update(kv=int(row["kv"]), province=row["province"], name=row.get("name", ""))
    return out


def line_attrs(row: dict) -> dict:
    """Typed edge attributes of one lines.csv (or projects.csv) row."""
    out = {k: float(row.get(k) or 0.0) for k in LINE_FLOATS}
    out.update(line=row["line"], bus0=int(row["bus0"]), bus1=int(row["bus1"]),
               kv=int(row["kv"]), circuits=int(row["circuits"]), kind=row["kind"])
    return out


def build_graph(bus_rows: list[dict], line_rows: list[dict]) -> nx.MultiGraph:
    """MultiGraph from CSV rows (validated)."""
    g = nx.MultiGraph()
    for r in bus_rows:
        g.add_node(int(r["bus"]), **bus_attrs(r))
    for r in line_rows:
        add_line(g, line_attrs(r))
    validate(g)
    return g


def add_line(g: nx.MultiGraph, attrs: dict) -> None:
    """Add one branch; raises ValueError on a duplicate id or unknown bus."""
    for b in (attrs["bus0"], attrs["bus1"]):
        if b not in g:
            raise ValueError(f"line {attrs['line']}: unknown bus {b}")
    if any(k == attrs["line"] for _, _, k in g.edges(keys=True)):
        raise ValueError(f"duplicate line id {attrs['line']}")
    g.add_edge(attrs["bus0"], attrs["bus1"], key=attrs["line"], **attrs)


def ac_islands(g: nx.MultiGraph) -> list[set[int]]:
    """Connected components over AC lines and transformers (HVDC does not synchronise)."""
    ac = nx.Graph()
    ac.add_nodes_from(g)
    ac.add_edges_from((u, v) for u, v, d in g.edges(data=True) if d["kind"] != "hvdc")
    return sorted(nx.connected_components(ac), key=len, reverse=True)


def validate(g: nx.MultiGraph) -> None:
    """Connected AC network, positive ratings and reactances, known kinds."""
    islands = ac_islands(g)
    if len(islands) > 1:
        small = [sorted(c) for c in islands[1:]]
        raise ValueError(f"grid not connected: {len(small)} island(s) apart from the main "
                         f"one, buses {small}")
    for _, _, d in g.edges(data=True):
        if d["kind"] not in ("ac", "transformer", "hvdc"):
            raise ValueError(f"line {d['line']}: unknown kind {d['kind']!r}")
        if d["rating_mw"] <= 0 or d["circuits"] < 1:
            raise ValueError(f"line {d['line']}: rating and circuits must be positive")
        if d["kind"] != "hvdc" and d["x_pu"] <= 0:
            raise ValueError(f"line {d['line']}: x_pu must be positive")
    dup = [k for k, n in Counter(k for _, _, k in g.edges(keys=True)).items() if n > 1]
    if dup:
        raise ValueError(f"duplicate line ids {dup}")


def read_sites(path: Path) -> dict[str, int]:
    """site -> bus from site_buses.csv."""
    return {r["site"]: r["bus"] for r in read_rows(path)}


def load_graph(data_dir: Path = DATA_DIR) -> nx.MultiGraph:
    """The default network graph from ``data_dir``."""
    return build_graph(read_rows(data_dir / "buses.csv"), read_rows(data_dir / "lines.csv"))
