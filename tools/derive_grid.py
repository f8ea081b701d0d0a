"""Derive the project's backbone grid (sim/data/grid/*.csv) from the OSM-based PyPSA-KR extract.

Run once by a developer from the repository root::

    /work/venv/bin/python tools/derive_grid.py [--src ../shared/data/kr-grid-osm]

Reads buses/lines/transformers/generators of RogerKwak/PyPSA-KR (MIT) and writes buses.csv,
lines.csv, site_buses.csv and calibration numbers (printed) into sim/data/grid/. Every standard
value used here is cited in sim/data/grid/README.md; estimates are marked [EST] there.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import networkx as nx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT_DIR = ROOT / "sim" / "data" / "grid"
SRC_DEFAULT = ROOT.parent / "shared" / "data" / "kr-grid-osm"
OSM_SOURCE = "RogerKwak/PyPSA-KR@5c20b275 (OSM, MIT)"
JEJU_MAX_LAT = 34.0
KV_MAP = {145: 154, 154: 154, 345: 345, 354: 345, 380: 345, 765: 765}
"""OSM voltage tags mapped to KEPCO nominal levels (354/380 kV and 145 kV are tag errors)."""

FREQ_RATIO = 60.0 / 50.0
"""Reactance scales with frequency: the cited type data are 50 Hz, Korea runs at 60 Hz."""
LINE_TYPES = {
    # kv: (x_ohm_per_km at 50 Hz, ampacity kA per circuit, source)
    154: (0.301, 1.29, "PyPSA line_types 'Al/St 240/40 2-bundle 220.0' (Oeding&Oswald 2011)"),
    345: (0.246, 3.84, "x: PyPSA 'Al/St 240/40 4-bundle 380.0'; I: 4 x 0.96 kA "
                       "(pandapower 490-AL1/64-ST1A) for KEPCO 4B ACSR 480"),
    765: (0.276, 5.76, "x: PyPSA-Earth 'Al/St 560/50 4-bundle 750.0'; I: 6 x 0.96 kA "
                       "(pandapower 490-AL1/64-ST1A) for KEPCO 6-Rail bundle"),
}
CABLE_X_OHM_PER_KM_50HZ = 0.144
"""pandapower/PyPSA 'N2XS(FL)2Y 1x300 RM/35 64/110 kV' cable reactance (50 Hz)."""
TRAFO = {
    # (kv_low, kv_high): (rating per bank MVA, banks, x_pu on own base) [EST]
    (154, 345): (500.0, 3, 0.15),
    (154, 765): (500.0, 3, 0.15),
    (345, 765): (2000.0, 4, 0.15),
}
TIE_LENGTH_KM_TRAFO = 0.1
"""Edge weight of a transformer when searching the shortest tie-in path."""

SITES = {
    "nacc_haenam": (34.71, 126.46), "sk_openai_jeonnam": (34.70, 126.45),
    "stargate_pohang": (36.09, 129.31), "sk_aws_ulsan": (35.49, 129.37),
    "samsung_sds_gumi": (36.11, 128.39), "samsung_hwaseong": (37.22, 127.07),
    "samsung_sds_dongtan": (37.20, 127.08), "hyundai_saemangeum": (35.85, 126.60),
    "naver_gak_sejong": (36.52, 127.29), "naver_gak_chuncheon": (37.89, 127.77),
    "chuncheon_kcloud": (37.90, 127.78), "gangwon_east_coast": (37.70, 129.00),
    "lgu_paju": (37.80, 126.77), "kakao_ansan": (37.30, 126.84),
    "kakao_namyangju": (37.64, 127.20), "nhn_gwangju": (35.23, 126.84),
    "kisti_daejeon": (36.39, 127.37), "busan_edc": (35.19, 128.92),
    "skt_gasan": (37.48, 126.88),
}


def km(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """Great-circle distance (haversine, R = 6371 km)."""
    p0, p1 = math.radians(lat0), math.radians(lat1)
    dp, dl = p1 - p0, math.radians(lon1 - lon0)
    a = math.sin(dp / 2) ** 2 + math.cos(p0) * math.cos(p1) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def read_osm(src: Path) -> tuple[dict[int, dict], list[dict], list[dict], list[dict]]:
    """Mainland AC buses (kv normalised) and AC lines, transformers, generators."""
    buses = {}
    for r in read_csv(src / "buses.csv"):
        lat, kv = float(r["lat"]), int(r["voltage"]) // 1000
        if r["dc"] == "True" or lat < JEJU_MAX_LAT or kv not in KV_MAP:
            continue
        buses[int(r["bus_id"])] = {"kv": KV_MAP[kv], "lon": float(r["lon"]), "lat": lat}
    lines = [r for r in read_csv(src / "lines.csv")
             if r["dc"] == "False" and int(r["bus0"]) in buses and int(r["bus1"]) in buses]
    trafos = [r for r in read_csv(src / "transformers.csv")
              if int(r["bus0"]) in buses and int(r["bus1"]) in buses]
    gens = read_csv(src / "generators.csv")
    return buses, lines, trafos, gens


def full_graph(buses: dict, lines: list[dict], trafos: list[dict]) -> nx.Graph:
    """All mainland AC buses; edges weighted by km (transformers ~0 km)."""
    g = nx.Graph()
    g.add_nodes_from(buses)
    for r in lines:
        g.add_edge(int(r["bus0"]), int(r["bus1"]), weight=float(r["length"]) / 1000)
    for r in trafos:
        g.add_edge(int(r["bus0"]), int(r["bus1"]), weight=TIE_LENGTH_KM_TRAFO)
    return g


def merge_same_kv_trafos(buses: dict, lines: list[dict], trafos: list[dict]) -> dict[int, int]:
    """Map bus -> representative: transformers joining equal nominal kv are tag errors."""
    g = nx.Graph()
    for r in trafos:
        a, b = int(r["bus0"]), int(r["bus1"])
        if buses[a]["kv"] == buses[b]["kv"]:
            g.add_edge(a, b)
    rep = {b: b for b in buses}
    for comp in nx.connected_components(g):
        keep = min(comp)
        for b in comp:
            rep[b] = keep
    return rep


def select_buses(g: nx.Graph, buses: dict) -> tuple[set[int], dict, list, list[str]]:
    """Backbone (>=345 kV), site buses and their 154 kV tie-in paths.

    Returns kept buses, site -> bus, 154 kV path edges and notes. 345 kV islands are
    left for :func:`cable_ties`; 154 kV buses hang radially off the backbone.
    """
    main = max(nx.connected_components(g), key=len)
    notes = [f"dropped bus {b} ({buses[b]['kv']} kV, {buses[b]['lon']},{buses[b]['lat']}): "
             "not connected to the mainland grid in OSM" for b in sorted(set(buses) - main)
             if buses[b]["kv"] >= 345]
    backbone = {b for b in main if buses[b]["kv"] >= 345}
    site_bus = {s: nearest_bus(buses, main, lat, lon) for s, (lat, lon) in SITES.items()}
    kept, path_edges = set(backbone), []
    for bus in sorted(set(site_bus.values()) - backbone):
        dist, path = nx.multi_source_dijkstra(g.subgraph(main), backbone | kept - {bus},
                                              target=bus, weight="weight")
        path_edges += list(itertools.pairwise(path))
        notes.append(f"site bus {bus} tied in radially via {len(path) - 2} 154 kV buses, "
                     f"{dist:.1f} km")
        kept |= set(path)
    return kept, site_bus, path_edges, notes


def nearest_bus(buses: dict, pool: set[int], lat: float, lon: float) -> int:
    """Nearest 154/345 kV bus (765 kV buses are never a customer connection point)."""
    cands = [b for b in pool if buses[b]["kv"] in (154, 345)]
    return min(cands, key=lambda b: km(lon, lat, buses[b]["lon"], buses[b]["lat"]))


CABLE_DETOUR = 1.2
"""Assumed route length / straight-line distance for an assumed 345 kV cable tie [EST]."""


def cable_ties(kept: set[int], edges: list[tuple], buses: dict, notes: list[str]) -> list:
    """Assumed 345 kV double-circuit cables joining each backbone island to the nearest
    345 kV bus of the rest (OSM misses underground 345 kV cables, mostly in Seoul) [EST]."""
    g, ties = nx.Graph(), []
    g.add_nodes_from(kept)
    g.add_edges_from(edges)
    while True:
        comps = sorted(nx.connected_components(g), key=len, reverse=True)
        if len(comps) == 1:
            return ties
        comp, rest = comps[-1], set().union(*comps[:-1])
        pairs = [(a, b) for a in comp for b in rest
                 if buses[a]["kv"] == 345 and buses[b]["kv"] == 345]
        a, b = min(pairs, key=lambda p: km(buses[p[0]]["lon"], buses[p[0]]["lat"],
                                           buses[p[1]]["lon"], buses[p[1]]["lat"]))
        dist = CABLE_DETOUR * km(buses[a]["lon"], buses[a]["lat"], buses[b]["lon"],
                                 buses[b]["lat"])
        ties.append((a, b, dist))
        g.add_edge(a, b)
        notes.append(f"island {sorted(comp)[:4]} tied by assumed 345 kV cable {a}-{b} "
                     f"{dist:.1f} km [EST]")


def circuits_of(cables: float) -> int:
    """AC circuits from the OSM cable count (3 per circuit); missing/odd tags -> 2 [EST]."""
    return 2 if cables < 3 else int(cables) // 3


def line_params(kv: int, length_km: float, circuits: int, underground: bool) -> tuple:
    """(rating_mw, x_pu on 100 MVA) of a branch of ``circuits`` identical circuits."""
    x50, amps_ka, _ = LINE_TYPES[kv]
    x_ohm_km = (CABLE_X_OHM_PER_KM_50HZ if underground else x50) * FREQ_RATIO
    z_base = kv**2 / 100.0
    rating = circuits * math.sqrt(3) * kv * amps_ka
    return rating, x_ohm_km * max(length_km, 0.1) / z_base / circuits


def trafo_params(kv_a: int, kv_b: int) -> tuple[float, float, int]:
    """(rating_mw, x_pu on 100 MVA, banks) of a transformer station [EST]."""
    mva, banks, x_own = TRAFO[(min(kv_a, kv_b), max(kv_a, kv_b))]
    return mva * banks, x_own * 100.0 / mva / banks, banks


def build_branches(kept: set[int], rep: dict, buses: dict, lines: list, trafos: list,
                   path_edges: list[tuple]) -> list:
    """Backbone lines among kept buses, 154 kV path lines and transformers; parallels merged.

    154 kV lines are kept only on the radial site paths: KEPCO splits the 154 kV network
    into sections fed from 345 kV substations, so 154 kV loops between 345 kV buses are not
    modelled (README).
    """
    on_path = {frozenset(e) for e in path_edges}
    groups: dict[tuple, list] = defaultdict(list)
    for r in lines + trafos:
        a, b = rep[int(r["bus0"])], rep[int(r["bus1"])]
        if a not in kept or b not in kept or a == b:
            continue
        ka, kb = buses[a]["kv"], buses[b]["kv"]
        if min(ka, kb) == 154 and frozenset((a, b)) not in on_path:
            continue
        kind = "transformer" if ka != kb else "ac"
        groups[(min(a, b), max(a, b), kind, max(ka, kb))].append(r)
    return [merge_group(key, rows, buses) for key, rows in sorted(groups.items())]


def cable_rows(ties: list[tuple]) -> list[dict]:
    """Branch rows for the assumed 345 kV cable ties."""
    rows = []
    for a, b, dist in ties:
        rating, x_pu = line_params(345, dist, 2, underground=True)
        rows.append(dict(bus0=a, bus1=b, kv=345, circuits=2, length_km=dist, kind="ac",
                         rating_mw=rating, x_pu=x_pu,
                         source="[EST] assumed 345 kV cable tie for an OSM island, README"))
    return rows


def merge_group(key: tuple, rows: list[dict], buses: dict) -> dict:
    """One branch row from parallel OSM elements (ratings add, admittances add)."""
    a, b, kind, kv = key
    if kind == "transformer":
        rating, x_pu, circ = trafo_params(buses[a]["kv"], buses[b]["kv"])
        return dict(bus0=a, bus1=b, kv=max(buses[a]["kv"], buses[b]["kv"]), circuits=circ,
                    length_km=0.0, kind=kind, rating_mw=rating, x_pu=x_pu,
                    source=f"{OSM_SOURCE} transformer; rating/x [EST] README")
    circ, rating, inv_x, length = 0, 0.0, 0.0, []
    for r in rows:
        c = circuits_of(float(r["circuits"]))
        lkm = float(r["length"]) / 1000
        rt, x = line_params(kv, lkm, c, r["underground"] == "True")
        circ, rating, inv_x = circ + c, rating + rt, inv_x + 1 / x
        length.append(lkm)
    return dict(bus0=a, bus1=b, kv=kv, circuits=circ, length_km=float(np.mean(length)),
                kind="ac", rating_mw=rating, x_pu=1 / inv_x,
                source=f"{OSM_SOURCE} topology/length; rating/x {kv} kV standard type README")


# korea.md §2.2 (PLANiT agg.csv / province_demand.xlsx): capacity GW by fuel, 2024 sales TWh.
# "other" = total - nuclear - coal - LNG - solar (wind, hydro, pumped storage, oil, bio, ...).
PROVINCES = {
    # name: (total_gw, nuclear, coal, lng, solar, sales_twh)
    "Chungnam": (27.4, 0.0, 18.2, 4.2, 3.7, 50.0), "Gyeonggi": (22.4, 0.0, 0.3, 19.0, 1.8, 143.3),
    "Gyeongbuk": (19.4, 12.8, 0.2, 0.4, 3.7, 43.7), "Jeonnam": (15.9, 5.9, 1.0, 2.4, 6.0, 33.6),
    "Incheon": (14.3, 0.0, 5.1, 8.6, 0.2, 26.0), "Gyeongnam": (12.8, 0.0, 8.2, 1.1, 1.9, 36.6),
    "Gangwon": (12.5, 0.0, 6.8, 1.3, 1.9, 16.7), "Jeonbuk": (6.9, 0.0, 0.4, 0.7, 4.5, 21.6),
    "Busan": (6.7, 4.5, 0.0, 1.8, 0.3, 21.9), "Ulsan": (6.6, 2.8, 0.0, 3.6, 0.1, 31.9),
    "Chungbuk": (2.1, 0.0, 0.0, 0.0, 1.5, 27.6), "Sejong": (1.2, 0.0, 0.0, 1.1, 0.1, 4.2),
    "Daegu": (1.1, 0.0, 0.1, 0.6, 0.4, 16.7), "Seoul": (1.0, 0.0, 0.0, 0.8, 0.0, 50.4),
    "Gwangju": (0.5, 0.0, 0.0, 0.1, 0.3, 9.3), "Daejeon": (0.2, 0.0, 0.0, 0.0, 0.1, 10.2),
}
JEJU_SALES_TWH = 6.2
NATIONAL_SALES_TWH = 549.8
FUELS = ("nuclear", "coal", "lng", "solar", "other")
OSM_FUEL = {"nuclear": "nuclear", "coal": "coal", "gas": "lng", "oil": "other",
            "hydro": "other", "wind": "other", "biomass": "other"}
# [EST] metropolitan cities as circles (lon, lat, radius km); the rest by nearest centroid.
METRO_CIRCLES = {
    "Seoul": [(126.99, 37.55, 15.0)], "Incheon": [(126.68, 37.47, 14.0), (126.45, 37.25, 8.0)],
    "Busan": [(129.05, 35.17, 18.0)], "Daegu": [(128.60, 35.85, 14.0)],
    "Ulsan": [(129.25, 35.55, 18.0)], "Gwangju": [(126.85, 35.16, 11.0)],
    "Daejeon": [(127.39, 36.35, 12.0)], "Sejong": [(127.27, 36.56, 10.0)],
}
PROVINCE_CENTROIDS = {
    "Gyeonggi": (127.25, 37.45), "Gangwon": (128.30, 37.75), "Chungbuk": (127.70, 36.75),
    "Chungnam": (126.85, 36.55), "Jeonbuk": (127.10, 35.72), "Jeonnam": (126.90, 34.85),
    "Gyeongbuk": (128.75, 36.35), "Gyeongnam": (128.25, 35.30),
}
LOAD_154_MW = 120.0
"""Local load of a kept 154 kV substation: half of 4 x 60 MVA banks (epnews 47731) [EST]."""


def province_of(lon: float, lat: float) -> str:
    """Province by metro circles first, then nearest province centroid [EST]."""
    for name, circles in METRO_CIRCLES.items():
        if any(km(lon, lat, clon, clat) <= r for clon, clat, r in circles):
            return name
    return min(PROVINCE_CENTROIDS, key=lambda p: km(lon, lat, *PROVINCE_CENTROIDS[p]))


def province_buses(buses: dict, kept: list[int]) -> dict[str, list[int]]:
    """345 kV buses per province; a province without one borrows the 2 nearest [EST]."""
    out: dict[str, list[int]] = defaultdict(list)
    pool = [b for b in kept if buses[b]["kv"] == 345]
    for b in pool:
        out[buses[b]["province"]].append(b)
    for p in PROVINCES:
        if not out[p]:
            lon, lat = METRO_CIRCLES[p][0][:2] if p in METRO_CIRCLES else PROVINCE_CENTROIDS[p]
            out[p] = sorted(pool, key=lambda b: km(lon, lat, buses[b]["lon"], buses[b]["lat"]))[:2]
    return out


def spread(total: float, pool: list[int], weights: dict[int, float] | None) -> dict[int, float]:
    """Split ``total`` over ``pool`` proportionally to ``weights`` (equal if none)."""
    w = np.array([weights.get(b, 0.0) for b in pool] if weights else np.ones(len(pool)), float)
    w = w if w.sum() > 0 else np.ones(len(pool))
    return {b: total * wi / w.sum() for b, wi in zip(pool, w, strict=True)}


def bus_loads(buses: dict, sites: set[int], prov_buses: dict, peak_mw: float) -> dict:
    """Peak load per bus: 154 kV site substations get LOAD_154_MW, each province's remaining
    share (2024 sales share x mainland peak) is spread equally over its 345 kV buses."""
    mainland_peak = peak_mw * (1 - JEJU_SALES_TWH / NATIONAL_SALES_TWH)
    total_sales = sum(v[5] for v in PROVINCES.values())
    load: dict[int, float] = defaultdict(float)
    local = defaultdict(float)
    for b in sites:
        if buses[b]["kv"] == 154:
            load[b] += LOAD_154_MW
            local[buses[b]["province"]] += LOAD_154_MW
    for p, vals in PROVINCES.items():
        share = mainland_peak * vals[5] / total_sales - local[p]
        for b, mw in spread(share, prov_buses[p], None).items():
            load[b] += mw
    return dict(load)


MISSING_PLANTS = [
    # Large plants absent from the OSM extract: name, OSM source tag, lon, lat, MW.
    # MW: §2.2 provincial nuclear totals minus the mapped units (Gyeongbuk 12.8 GW - Wolsong
    # 4.1 GW; Jeonnam 5.9 GW); coal: unit sizes 2 x ~1,040-1,050 MW [EST];
    # coordinates read from a map [EST].
    ("Hanul/Shin-Hanul", "nuclear", 129.383, 37.093, 8700.0),
    ("Hanbit", "nuclear", 126.424, 35.415, 5900.0),
    ("Samcheok Blue Power", "coal", 129.320, 37.270, 2100.0),
    ("Gangneung Anin", "coal", 129.060, 37.730, 2080.0),
]


def supplemented(gens: list[dict]) -> list[dict]:
    """OSM generators plus MISSING_PLANTS."""
    extra = [{"name": n, "source": f, "lon": str(lon), "lat": str(lat),
              "power_output_MW": str(mw)} for n, f, lon, lat, mw in MISSING_PLANTS]
    return list(gens) + extra


def plant_weights(buses: dict, kept: list[int], gens: list[dict]) -> dict[tuple, dict]:
    """(province, fuel) -> {345 kV bus: OSM MW} from generators.csv plant locations."""
    out: dict[tuple, dict] = defaultdict(lambda: defaultdict(float))
    for r in gens:
        fuel, lon, lat = OSM_FUEL.get(r["source"]), float(r["lon"]), float(r["lat"])
        if fuel is None or lat < JEJU_MAX_LAT or not r["power_output_MW"]:
            continue
        pool = [b for b in kept if buses[b]["kv"] == 345]
        bus = min(pool, key=lambda b: km(lon, lat, buses[b]["lon"], buses[b]["lat"]))
        out[(province_of(lon, lat), fuel)][bus] += float(r["power_output_MW"])
    return out


def bus_capacity(buses: dict, prov_buses: dict, plants: dict) -> dict[str, dict[int, float]]:
    """fuel -> {bus: installed MW}: §2.2 province capacity at OSM plant buses, else spread."""
    cap: dict[str, dict[int, float]] = {f: defaultdict(float) for f in FUELS}
    for p, vals in PROVINCES.items():
        gw = dict(zip(FUELS[:4], vals[1:5], strict=True))
        gw["other"] = vals[0] - sum(vals[1:5])
        for fuel, g in gw.items():
            if g <= 0:
                continue
            w = plants.get((p, fuel)) if fuel != "solar" else None
            pool = list(w) if w else prov_buses[p]
            for b, mw in spread(1000 * g, pool, w).items():
                cap[fuel][b] += mw
    return cap


AVAILABILITY = {"nuclear": 0.90, "coal": 0.80, "solar": 0.20, "other": 0.50}
"""Output / installed capacity at the 17:00 August peak [EST, README]; LNG balances."""


def dispatch(cap: dict[str, dict[int, float]], total_load_mw: float) -> dict[str, dict]:
    """Fixed factors for non-LNG fuels; LNG scaled uniformly to meet the load."""
    out = {f: {b: mw * AVAILABILITY[f] for b, mw in cap[f].items()} for f in AVAILABILITY}
    fixed = sum(sum(d.values()) for d in out.values())
    lng_cap = sum(cap["lng"].values())
    factor = (total_load_mw - fixed) / lng_cap
    if not 0.0 <= factor <= 1.0:
        raise ValueError(f"LNG factor {factor:.2f} outside [0, 1]")
    out["lng"] = {b: mw * factor for b, mw in cap["lng"].items()}
    return out


FLEX_RANGE = {"coal": (0.0, 0.90), "lng": (0.0, 0.95)}
"""Redispatch range (fraction of installed) of the dispatchable fuels [EST]."""
SECURE_LOADING = 0.90
"""The secure peak keeps every N-0/N-1 flow within 90 % of rating (planning margin) [EST]."""
UPLIFT_PENALTY = 1000.0
"""LP cost of raising a rating by 1 MW relative to 1 MW of redispatch."""


def pair_rows(grid, pairs: list[tuple[int, int]], cols: np.ndarray) -> np.ndarray:
    """Flow sensitivity rows (branch l after outage k; k = -1 for N-0) to injections."""
    rows = np.empty((len(pairs), cols.size))
    for i, (br, k) in enumerate(pairs):
        rows[i] = grid.ptdf[br, cols]
        if k >= 0:
            rows[i] += grid.lodf[br, k] * grid.ptdf[k, cols]
    return rows


def violated_pairs(grid, flow0: np.ndarray, rating: np.ndarray, tol_mw: float) -> set:
    """(l, k) pairs over rating + tol: k = -1 for N-0."""
    out = {(int(br), -1) for br in np.flatnonzero(np.abs(flow0) > rating + tol_mw)}
    flow1 = grid.n1_flows(flow0)
    ls, ks = np.nonzero(np.abs(flow1) > rating[:, None] + tol_mw)
    return out | {(int(a), int(b)) for a, b in zip(ls, ks, strict=True)}


def secure_redispatch(grid, inj_nom: np.ndarray, flex: list[tuple], max_iter: int = 40):
    """Least-change N-1-secure redispatch of (bus, nominal, lo, hi) units by LP.

    Constraint generation: violated (branch, outage) pairs are added until none remain.
    Ratings that must rise for feasibility get a penalised uplift (returned, MW).
    """
    from scipy.optimize import linprog

    cols = np.array([f[0] for f in flex])
    nom = np.array([f[1] for f in flex])
    lo, hi = np.array([f[2] for f in flex]), np.array([f[3] for f in flex])
    m, j = grid.br.n, len(flex)
    rating = np.where(grid.br.is_hvdc, 1.0, SECURE_LOADING) * grid.rating_mw
    pairs: set = set()
    delta, uplift = np.zeros(j), np.zeros(m)
    for _ in range(max_iter):
        inj = inj_nom.copy()
        np.add.at(inj, cols, delta)
        new = violated_pairs(grid, grid.flows(inj), rating + uplift, 0.5) - pairs
        if not new:
            return delta, uplift
        pairs |= new
        plist = sorted(pairs)
        sens = pair_rows(grid, plist, cols)
        f0_nom = grid.flows(inj_nom)
        f1_nom = grid.n1_flows(f0_nom)
        f_nom = np.array([f1_nom[br, k] if k >= 0 else f0_nom[br] for br, k in plist])
        lidx = np.array([br for br, _ in plist])
        up = np.zeros((len(plist), m))
        up[np.arange(len(plist)), lidx] = -1.0
        a_ub = np.vstack([np.hstack([sens, -sens, up]), np.hstack([-sens, sens, up])])
        b_ub = np.concatenate([rating[lidx] - f_nom, rating[lidx] + f_nom])
        cost = np.concatenate([np.ones(2 * j), np.full(m, UPLIFT_PENALTY)])
        a_eq = np.concatenate([np.ones(j), -np.ones(j), np.zeros(m)])[None, :]
        bounds = [(0, h - n) for h, n in zip(hi, nom, strict=True)]
        bounds += [(0, n - lo_) for n, lo_ in zip(nom, lo, strict=True)] + [(0, None)] * m
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[0.0], bounds=bounds,
                      method="highs")
        if res.status != 0:
            raise RuntimeError(f"redispatch LP failed: {res.message}")
        delta = res.x[:j] - res.x[j:2 * j]
        uplift = np.where(res.x[2 * j:] > 0.5, res.x[2 * j:] + 1.0, 0.0)
    raise RuntimeError("redispatch did not converge")


UPLIFT_MARGIN = 1.05
"""Uplifted ratings are set to 105 % of the secure-peak N-1 flow they must carry [EST]."""
HVDC_POINTS = {
    # name: (lat, lon) of converter stations [EST: town centres read from a map]
    "bukdangjin": (36.96, 126.63), "godeok": (37.05, 127.06), "uljin": (37.08, 129.38),
    "singapyeong": (37.62, 127.51), "yangpyeong": (37.49, 127.49), "dongseoul": (37.55, 127.17),
    "saemangeum": (35.85, 126.60), "hwaseong": (37.20, 126.83), "haenam": (34.57, 126.60),
    "dangjin": (37.05, 126.51), "incheon": (37.45, 126.60),
}
EXISTING_HVDC = [
    # id, from, to, rating MW, poles, source
    ("DC_bukdangjin_godeok", "bukdangjin", "godeok", 3000.0, 2,
     "korea.md §2.3: 500 kV HVDC 2 x 1.5 GW, stage 2 in service 2024-05-03 (sedaily)"),
]


def hvdc_bus(buses: dict, kept: list[int], point: str) -> int:
    """Nearest kept 345 kV bus to a named converter point (converters feed 345 kV yards)."""
    lat, lon = HVDC_POINTS[point]
    pool = [b for b in kept if buses[b]["kv"] == 345]
    return min(pool, key=lambda b: km(lon, lat, buses[b]["lon"], buses[b]["lat"]))


def hvdc_rows(buses: dict, kept: list[int]) -> list[dict]:
    """Existing mainland HVDC links (not in OSM) as fixed transfers at rated setpoint."""
    rows = []
    for lid, p0, p1, mw, poles, src in EXISTING_HVDC:
        rows.append(dict(line=lid, bus0=hvdc_bus(buses, kept, p0),
                         bus1=hvdc_bus(buses, kept, p1), kv=500, circuits=poles,
                         length_km=34.2, kind="hvdc", rating_mw=mw, x_pu=0.0,
                         setpoint_mw=mw, source=src))
    return rows


def line_id(row: dict) -> str:
    """Stable id from kind and end buses."""
    tag = {"ac": "AC", "transformer": "TR"}[row["kind"]]
    suffix = "_cable" if row["source"].startswith("[EST] assumed") else ""
    return f"{tag}_{row['bus0']}_{row['bus1']}{suffix}"


def network_rows(src: Path) -> tuple[dict, list[int], list[dict], dict, list, list[str]]:
    """Kept buses (attrs), their ids, branch rows, site map, OSM generators and notes."""
    buses, lines, trafos, gens = read_osm(src)
    rep = merge_same_kv_trafos(buses, lines, trafos)
    g = nx.relabel_nodes(full_graph(buses, lines, trafos), rep)
    g.remove_edges_from(list(nx.selfloop_edges(g)))
    buses = {k: v for k, v in buses.items() if rep[k] == k}
    kept, site_bus, path_edges, notes = select_buses(g, buses)
    rows = build_branches(kept, rep, buses, lines, trafos, path_edges)
    ties = cable_ties(kept, [(r["bus0"], r["bus1"]) for r in rows], buses, notes)
    rows += cable_rows(ties)
    for r in rows:
        r.update(line=line_id(r), setpoint_mw=0.0)
    kept_list = sorted(kept)
    for b in kept_list:
        buses[b]["province"] = province_of(buses[b]["lon"], buses[b]["lat"])
    rows += hvdc_rows(buses, kept_list)
    notes.append(f"merged {sum(k != v for k, v in rep.items())} buses joined by same-kv "
                 "transformers (OSM 354/380 kV tags are 345 kV)")
    return buses, kept_list, rows, site_bus, gens, notes


def nominal_dispatch(buses: dict, kept: list[int], site_bus: dict, gens: list, peak_mw: float):
    """Loads, installed capacity and availability-factor dispatch per bus and fuel."""
    prov = province_buses(buses, kept)
    load = bus_loads(buses, set(site_bus.values()), prov, peak_mw)
    cap = bus_capacity(buses, prov, plant_weights(buses, kept, supplemented(gens)))
    return load, cap, dispatch(cap, sum(load.values()))


def bus_rows(buses: dict, kept: list[int], load: dict, cap: dict, gen: dict,
             off: frozenset = frozenset()) -> list[dict]:
    """buses.csv rows (gen by fuel after redispatch). reserve = dispatchable headroom of
    units that were not constrained off (``off`` = (fuel, bus) redispatched down)."""
    rows = []
    for b in kept:
        row = dict(bus=b, name="", kv=buses[b]["kv"], lon=buses[b]["lon"],
                   lat=buses[b]["lat"], province=buses[b]["province"],
                   load_mw=round(load.get(b, 0.0), 3))
        for f in FUELS:
            row[f"gen_{f}_mw"] = round(gen[f].get(b, 0.0), 3)
        row["gen_mw"] = round(sum(gen[f].get(b, 0.0) for f in FUELS), 3)
        row["pmax_mw"] = round(sum(cap[f].get(b, 0.0) for f in FUELS), 3)
        row["reserve_mw"] = round(sum(FLEX_RANGE[f][1] * cap[f].get(b, 0.0)
                                      - gen[f].get(b, 0.0) for f in FLEX_RANGE
                                      if (f, b) not in off), 3)
        row["source"] = "location: " + OSM_SOURCE + "; load/gen: korea.md §2.2, README"
        rows.append(row)
    return rows


def redispatch(brows: list[dict], lrows: list[dict], cap: dict, gen: dict) -> tuple:
    """N-1-secure least-change redispatch; returns (gen, uplift_mw per line id)."""
    from sim.grid.build import dcgrid_of
    from sim.grid.network import build_graph

    g = build_graph([{k: str(v) for k, v in r.items()} for r in brows],
                    [{k: str(v) for k, v in r.items()} for r in lrows])
    grid, bus_ids, line_ids = dcgrid_of(g)
    index = {b: i for i, b in enumerate(bus_ids)}
    flex = [(index[b], gen[f][b], FLEX_RANGE[f][0] * mw, FLEX_RANGE[f][1] * mw, f, b)
            for f in FLEX_RANGE for b, mw in cap[f].items()]
    delta, uplift = secure_redispatch(grid, grid.injection_mw, [u[:4] for u in flex])
    new = {f: dict(gen[f]) for f in gen}
    for u, d in zip(flex, delta, strict=True):
        new[u[4]][u[5]] += d
    off = frozenset()  # all headroom participates (system reserve), README
    return new, dict(zip(line_ids, uplift, strict=True)), off


def apply_uplift(lrows: list[dict], uplift: dict) -> list[str]:
    """Raise ratings that the secure peak needs; returns notes."""
    notes = []
    for r in lrows:
        r.setdefault("uplift_mw", 0.0)
        if uplift.get(r["line"], 0.0) <= 0:
            continue
        new = UPLIFT_MARGIN * (r["rating_mw"] * SECURE_LOADING + uplift[r["line"]])
        if new > r["rating_mw"]:
            notes.append(f"{r['line']}: rating {r['rating_mw']:.0f} -> {new:.0f} MW [EST]")
            r["uplift_mw"] = round(new - r["rating_mw"], 1)
            r["rating_mw"] = new
            r["source"] += f"; rating raised {r['uplift_mw']:.0f} MW to carry the 2024 peak N-1"
    return notes


PROJECTS = [
    # id, kind, from point/site, to point/site, MW, poles, planned, median d, p90 d, source
    ("ec_hvdc_ph1", "hvdc", "uljin", "singapyeong", 4000.0, 2, "2027-06-30", 366, 823,
     "korea.md §2.3/§6.3: MOTIE 2025-05-23 Jun 2027; contracts May 2029; expected 2028-29"),
    ("ec_hvdc_ph2", "hvdc", "uljin", "dongseoul", 4000.0, 2, "2027-06-30", 730, 2190,
     "korea.md §2.3: Yangpyeong-Dongseoul, Dongseoul converter refused by Hanam (2024-25)"),
    ("wc_hvdc_1", "hvdc", "saemangeum", "hwaseong", 2000.0, 2, "2030-12-31", 1095, 3300,
     "korea.md §2.3: West Coast HVDC route 1 Saemangeum-Hwaseong by 2030 (was Dec 2031)"),
    ("wc_hvdc_2", "hvdc", "haenam", "dangjin", 2000.0, 2, "2036-12-31", 1095, 3300,
     "korea.md §2.3: 11th transmission plan route Haenam-Dangjin 2036"),
    ("wc_hvdc_3", "hvdc", "haenam", "incheon", 2000.0, 2, "2038-12-31", 1095, 3300,
     "korea.md §2.3: 11th transmission plan route Haenam-Incheon 2038"),
    ("wc_hvdc_4", "hvdc", "saemangeum", "incheon", 2000.0, 2, "2038-12-31", 1095, 3300,
     "korea.md §2.3: 11th transmission plan route Saemangeum-Incheon 2038"),
    ("solaseado_154", "ac", "nacc_haenam", "", 0.0, 2, "2028-12-31", 180, 730,
     "korea.md §2.4: Solaseado 154 kV S/S pulled to end-2028 by developer pre-funding"),
    ("busan_singangseo", "transformer", "busan_edc", "", 1000.0, 2, "2027-12-31", 270, 1095,
     "korea.md §3 #15: Singangseo substation ~1,000 MW by Dec 2027"),
]


def nearest_345(buses: dict, kept: list[int], bus: int) -> int:
    """Nearest other 345 kV bus."""
    pool = [b for b in kept if buses[b]["kv"] == 345 and b != bus]
    lon, lat = buses[bus]["lon"], buses[bus]["lat"]
    return min(pool, key=lambda b: km(lon, lat, buses[b]["lon"], buses[b]["lat"]))


def project_rows(buses: dict, kept: list[int], site_bus: dict) -> list[dict]:
    """projects.csv rows: a project adds one branch (HVDC at rated setpoint)."""
    rows = []
    for pid, kind, p0, p1, mw, circ, date, med, p90, src in PROJECTS:
        if kind == "hvdc":
            b0, b1, kv, x, length = hvdc_bus(buses, kept, p0), hvdc_bus(buses, kept, p1), 500, \
                0.0, 0.0
            setpoint = mw
        else:
            b0 = site_bus[p0]
            b1 = nearest_345(buses, kept, b0)
            length = km(buses[b0]["lon"], buses[b0]["lat"], buses[b1]["lon"], buses[b1]["lat"])
            if kind == "ac":
                kv = 154
                mw, x = line_params(154, CABLE_DETOUR * length, circ, underground=False)
            else:
                kv, x = 345, 0.15 * 100.0 / mw
            setpoint = 0.0
        rows.append(dict(project=pid, line=f"PRJ_{pid}", kind=kind, bus0=b0, bus1=b1, kv=kv,
                         circuits=circ, length_km=round(length, 2), rating_mw=round(mw, 1),
                         x_pu=round(x, 6), setpoint_mw=setpoint, planned_date=date,
                         delay_median_days=med, delay_p90_days=p90, source=src))
    return rows


def site_rows(buses: dict, site_bus: dict) -> list[dict]:
    """site_buses.csv rows."""
    rows = []
    for site, bus in site_bus.items():
        lat, lon = SITES[site]
        rows.append(dict(site=site, bus=bus, kv=buses[bus]["kv"], lat=lat, lon=lon,
                         distance_km=round(km(lon, lat, buses[bus]["lon"], buses[bus]["lat"]), 2),
                         method="nearest 154/345 kV OSM bus (haversine)",
                         source="coordinates: korea.md §3; bus: " + OSM_SOURCE))
    return rows


def generator_rows(cap: dict[str, dict[int, float]]) -> list[dict]:
    """generators.csv rows: installed MW per (bus, kind), the base of the dated fleet."""
    return [dict(bus=b, kind=f, installed_mw=round(mw, 3),
                 source="korea.md §2.2 province x fuel capacity (end-2024) at OSM plant "
                        "buses, else spread (grid README)")
            for f in FUELS for b, mw in sorted(cap[f].items()) if mw > 0]


# --- substation layer (sim/data/grid/substations.csv) ------------------------------------------
BANK_154 = (60.0, 4)
"""Standard KEPCO 154 kV substation: 4 banks of 60 MVA (korea.md §2.4, epnews 47731)."""
SERVED_154_MW = LOAD_154_MW
"""2024 load served by a 154 kV substation [EST]: half its nameplate, the rule of the kept
site substations above (README 'Loads')."""
BANK_345 = (TRAFO[(154, 345)][0], TRAFO[(154, 345)][1])
"""345/154 kV transformation of a 345 kV substation: 3 x 500 MVA banks [EST, README]."""
SUB_SOURCE_154 = ("location: " + OSM_SOURCE + "; [EST] banks 4 x 60 MVA = the standard 154 kV "
                  "S/S of korea.md §2.4 (epnews 47731), firm = N-1 of a bank at unity power "
                  "factor; served 2024 = 120 MW (half the nameplate, grid README 'Loads'), "
                  "scaled at run time with the province's demand (sim/grid/system.py)")
SUB_SOURCE_345 = ("location: " + OSM_SOURCE + "; [EST] 345/154 kV banks 3 x 500 MVA (grid "
                  "README 'Transformers'), firm = N-1 of a bank; served = the bus's load of "
                  "the provincial demand spread plus firm competing loads, at run time")
#: Substations that are not in OSM: observed (energised) or planned, each sourced.
ADDED_SUBSTATIONS = [
    # id, name, kv, lat, lon, province, in_service, status, banks, bank_mva, served_2024, source
    ("dongbieung_154", "Saemangeum Dongbieung 154 kV S/S", 154, 35.85, 126.60, "Jeonbuk",
     "2025-12-24", "observed", 4, 60.0, 0.0,
     "korea.md §10: energised 2025-12-24 ~1 yr early, 8 dedicated large-customer circuits up "
     "to 400 MW each + 26 feeders 240 MW (news1 local/jeonbuk/6019344; asiatoday "
     "20251224010013298); [EST] coords = Saemangeum complex (korea-connections-options.md "
     "B23) +-5 km; [EST] banks = the standard 4 x 60 MVA (MVA not published); served 0: new "
     "complex"),
    ("nambieung_154", "Saemangeum Nambieung 154 kV S/S (planned)", 154, 35.83, 126.62,
     "Jeonbuk", "2026-12-31", "planned", 4, 60.0, 0.0,
     "korea.md §10: KEPCO plans Nambieung S/S (2026) inside the complex (11th long-term T&D "
     "plan); [EST] date end of year, coords +-5 km of the complex, standard banks"),
    ("seobieung_154", "Saemangeum Seobieung 154 kV S/S (planned)", 154, 35.84, 126.55,
     "Jeonbuk", "2027-12-31", "planned", 4, 60.0, 0.0,
     "korea.md §10: KEPCO plans Seobieung S/S (2027) inside the complex; [EST] date end of "
     "year, coords +-5 km of the complex, standard banks"),
    ("solaseado_154", "Solaseado 154 kV S/S (planned, pre-funded)", 154, 34.71, 126.46,
     "Jeonnam", "2028-12-31", "planned", 4, 60.0, 0.0,
     "korea.md §2.4, §3 #1-2: 10th-plan date Sep 2030 pulled to end-2028 by developer "
     "pre-funding (kollo ea2iHw; mt 2024102314182316853); coords = Solaseado DC park (§3 #1); "
     "[EST] standard banks (the 2023 MOU's '300 MW substation', A.4, not confirmed)"),
    ("singangseo_345", "Busan Singangseo 345 kV S/S (planned)", 345, 35.19, 128.92, "Busan",
     "2027-12-31", "planned", 2, 1000.0, 0.0,
     "korea.md §3 #15: new Singangseo S/S ~1,000 MW by Dec 2027, shared with Mieum complex/MS "
     "DC (busan.com 2025031918154676863; KNN 152054); [EST] 1,000 MW firm (2 x 1,000, N-1); "
     "coords = Busan EDC (§3 #15)"),
]
SUB_COLS = ("substation", "name", "bus", "kv", "lat", "lon", "province", "status",
            "in_service", "banks", "bank_mva", "firm_mw", "served_2024_mw", "source")


def substation_rows(src: Path) -> list[dict]:
    """Every mainland OSM 154 kV bus and backbone 345 kV bus as a substation, plus the sourced
    observed/planned ones OSM lacks. Firm = N-1 of the banks."""
    buses, lines, trafos, _ = read_osm(src)
    rep = merge_same_kv_trafos(buses, lines, trafos)
    backbone = {int(r["bus"]): r for r in read_csv(OUT_DIR / "buses.csv")}
    rows = []
    for b in sorted(x for x in buses if rep[x] == x and buses[x]["kv"] == 154):
        lon, lat = buses[b]["lon"], buses[b]["lat"]
        rows.append(_sub_row(f"osm_{b}", "", b, 154, lat, lon, province_of(lon, lat),
                             "osm", "", *BANK_154, SERVED_154_MW, SUB_SOURCE_154))
    for b, r in sorted(backbone.items()):
        if int(r["kv"]) == 345:
            rows.append(_sub_row(f"osm_{b}", "", b, 345, float(r["lat"]), float(r["lon"]),
                                 r["province"], "osm", "", *BANK_345, 0.0, SUB_SOURCE_345))
    for sid, name, kv, lat, lon, prov, when, status, banks, mva, served, source in \
            ADDED_SUBSTATIONS:
        rows.append(_sub_row(sid, name, "", kv, lat, lon, prov, status, when, mva, banks,
                             served, source))
    return rows


def _sub_row(sid: str, name: str, bus, kv: int, lat: float, lon: float, province: str,
             status: str, in_service: str, bank_mva: float, banks: int, served: float,
             source: str) -> dict:
    return dict(substation=sid, name=name, bus=bus, kv=kv, lat=lat, lon=lon,
                province=province, status=status, in_service=in_service, banks=banks,
                bank_mva=bank_mva, firm_mw=round((banks - 1) * bank_mva, 1),
                served_2024_mw=served, source=source)


def fill_catalog(path: Path) -> None:
    """Nearest OSM 154 kV substation and nearest 345 kV bus of the grid model (haversine) of
    every catalog site, written into its columns (the hand-sourced columns are kept)."""
    subs = [r for r in read_csv(OUT_DIR / "substations.csv") if r["status"] == "osm"]
    rows = read_csv(path)
    for r in rows:
        lat, lon = float(r["lat"]), float(r["lon"])
        for kv in ("154", "345"):
            best = min((s for s in subs if s["kv"] == kv),
                       key=lambda s: km(lon, lat, float(s["lon"]), float(s["lat"])))
            r[f"nearest_{kv}_bus"] = best["bus"]
            r[f"km_{kv}"] = round(km(lon, lat, float(best["lon"]), float(best["lat"])), 2)
    write_csv(path, rows)
    print(f"{path.name}: {len(rows)} sites")


def write_csv(path: Path, rows: list[dict]) -> None:
    """Write rows with the first row's keys as header."""
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


LINE_COLS = ("line", "bus0", "bus1", "kv", "circuits", "length_km", "kind", "rating_mw",
             "x_pu", "setpoint_mw", "uplift_mw", "source")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=SRC_DEFAULT)
    ap.add_argument("--peak-mw", type=float, default=97_100.0)
    ap.add_argument("--catalog", action="store_true",
                    help="fill the nearest-bus columns of sim/data/site_catalog.csv only")
    ap.add_argument("--substations-only", action="store_true",
                    help="write substations.csv only (from the OSM source and buses.csv)")
    args = ap.parse_args()
    if args.catalog:
        fill_catalog(ROOT / "sim" / "data" / "site_catalog.csv")
        return
    if args.substations_only:
        write_csv(OUT_DIR / "substations.csv", substation_rows(args.src))
        print("substations.csv written")
        return
    buses, kept, lrows, site_bus, gens, notes = network_rows(args.src)
    load, cap, gen = nominal_dispatch(buses, kept, site_bus, gens, args.peak_mw)
    gen, uplift, off = redispatch(bus_rows(buses, kept, load, cap, gen), lrows, cap, gen)
    notes += apply_uplift(lrows, uplift)
    lrows = [{k: (round(r[k], 6) if isinstance(r[k], float) else r[k]) for k in LINE_COLS}
             for r in lrows]
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write_csv(OUT_DIR / "buses.csv", bus_rows(buses, kept, load, cap, gen, off))
    write_csv(OUT_DIR / "lines.csv", sorted(lrows, key=lambda r: r["line"]))
    write_csv(OUT_DIR / "site_buses.csv", site_rows(buses, site_bus))
    write_csv(OUT_DIR / "projects.csv", project_rows(buses, kept, site_bus))
    write_csv(OUT_DIR / "generators.csv", generator_rows(cap))
    write_csv(OUT_DIR / "substations.csv", substation_rows(args.src))
    shutil.copy(args.src / "LICENSE", OUT_DIR / "LICENSE")
    write_csv(OUT_DIR / "derivation_notes.csv",
              [{"note": n, "source": "tools/derive_grid.py"} for n in notes])
    print(f"{len(kept)} buses, {len(lrows)} lines; notes in derivation_notes.csv")
    for f in FUELS:
        print(f"  {f}: {sum(gen[f].values()) / 1000:.1f} GW of {sum(cap[f].values()) / 1000:.1f}")


if __name__ == "__main__":
    main()
