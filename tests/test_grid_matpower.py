"""MATPOWER export re-solved by an independent B-matrix DC solver."""

from __future__ import annotations

import csv
import re

import numpy as np

from sim.grid import load_default_grid
from sim.grid.matpower import case_text, flow_rows
from sim.outputs.files import write_csv, write_text


def matrix(text: str, name: str) -> np.ndarray:
    body = re.search(rf"mpc\.{name} = \[(.*?)\];", text, re.S).group(1)
    return np.array([[float(v) for v in row.split()] for row in body.split(";") if row.strip()])


def independent_flows(text: str) -> np.ndarray:
    """Branch flows (MW) of a MATPOWER case by a plain B-matrix DC solve."""
    base = float(re.search(r"mpc\.baseMVA = ([\d.]+);", text).group(1))
    bus, gen, br = matrix(text, "bus"), matrix(text, "gen"), matrix(text, "branch")
    ids = {int(b): i for i, b in enumerate(bus[:, 0])}
    n = len(ids)
    p = -bus[:, 2].copy()
    for row in gen:
        p[ids[int(row[0])]] += row[1]
    if re.search(r"mpc\.dcline = \[(.*?)\];", text, re.S).group(1).strip():
        for row in matrix(text, "dcline"):  # lossless: Pf leaves fbus, Pt enters tbus
            p[ids[int(row[0])]] -= row[3]
            p[ids[int(row[1])]] += row[4]
    f, t = [ids[int(v)] for v in br[:, 0]], [ids[int(v)] for v in br[:, 1]]
    bmat = np.zeros((n, n))
    for a, b, x in zip(f, t, br[:, 3], strict=True):
        bmat[[a, b], [a, b]] += 1 / x
        bmat[a, b] -= 1 / x
        bmat[b, a] -= 1 / x
    slack = int(np.flatnonzero(bus[:, 1] == 3)[0])
    keep = [i for i in range(n) if i != slack]
    theta = np.zeros(n)
    theta[keep] = np.linalg.solve(bmat[np.ix_(keep, keep)], p[keep] / base)
    return base * (theta[f] - theta[t]) / br[:, 3]


def csv_flows(path) -> np.ndarray:
    with open(path) as fh:
        return np.array([float(r["flow_mw"]) for r in csv.DictReader(fh)])


def test_matpower_resolves_to_csv_flows(tmp_path):
    grid = load_default_grid()
    grid.add_load(grid.bus_of_site["sk_aws_ulsan"], 100.0)
    write_text(tmp_path / "case.m", case_text(grid, "case"))
    write_csv(tmp_path / "flows.csv", flow_rows(grid))
    flows = independent_flows((tmp_path / "case.m").read_text())
    np.testing.assert_allclose(flows, csv_flows(tmp_path / "flows.csv"), atol=0.1)
