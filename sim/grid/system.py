"""The power system over time: demand per bus and generating fleet per bus, by year.

Sources and rules are in ``sim/data/grid/README.md`` (section "The system over time"):

* Demand of year Y: the national summer peak of the chosen path (``demand_national.csv``)
  times each province's share (``demand_provinces.csv``, mainland only). A bus keeps its 2024
  share of its province. With competing loads modelled explicitly the plan's data-centre and
  chip allowances (``plan_allowances.csv``) are taken out, so they are not counted twice.
* Fleet on a date: installed MW per (bus, kind) of end-2024 (``generators.csv``) plus every
  dated addition and retirement up to that date (``fleet_changes.csv``) of the chosen
  renewables scenario. Placement [EST]: a row's bus; a retirement larger than what its bus
  holds takes the rest from the province's other buses of that kind pro rata; a row with a
  province but no bus is spread equally over the province's 345 kV buses (additions) or pro
  rata to the kind's MW there (retirements); a row with no province (an open site) goes pro
  rata to the kind's national MW. Jeju is outside the mainland network and skipped.
* A unit's output lies within ``pmin_share``..``pmax_share`` of installed (``fuels.csv``),
  its merit cost is the rank given there.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import networkx as nx
import numpy as np

from sim.core import schemas
from sim.core.errors import InputError
from sim.grid.dispatch import Fleet

BASE_YEAR = 2024
PEAK_MONTH_DAY = (8, 1)
"""The state of year Y is its summer peak: fleet in service on Y-08-01 (korea.md §2.1)."""
RENEWABLE_SCENARIOS = ("re_trend", "re_plan11")


@dataclass(frozen=True)
class SystemOptions:
    """Which dated paths a run follows."""

    demand_path: str = "basic_plan_11"
    renewables: str = "re_trend"
    #: competing loads modelled explicitly: the plan's DC and chip allowances are removed
    explicit_loads: bool = True


def _rows(grid_dir: Path, name: str) -> list[dict]:
    return schemas.read(grid_dir / name, f"grid/{name}")


def _bad(grid_dir: Path, name: str, row: int, column: str, message: str) -> InputError:
    return InputError(f"{grid_dir / name}: row {row}, column '{column}': {message}")


class System:
    """Dated demand and fleet of one network (its buses in a fixed order)."""

    def __init__(self, grid_dir: Path, graph: nx.MultiGraph, bus_ids: list[int],
                 options: SystemOptions = SystemOptions()):
        self.grid_dir, self.graph, self.bus_ids, self.options = grid_dir, graph, bus_ids, options
        self.index = {b: i for i, b in enumerate(bus_ids)}
        self.province = [graph.nodes[b]["province"] for b in bus_ids]
        self.base_load_mw = np.array([graph.nodes[b]["load_mw"] for b in bus_ids])
        self._peaks = self._read_peaks()
        self._shares = self._read_shares()
        self._share_years: dict[str, tuple[int, int]] = {}
        for p, y in self._shares:
            lo, hi = self._share_years.get(p, (y, y))
            self._share_years[p] = (min(lo, y), max(hi, y))
        self._allow = self._read_allowances()
        self.fuels = {r["kind"]: r for r in _rows(grid_dir, "fuels.csv")}
        self._base_cap = self._read_generators()
        self._changes = self._read_changes()
        self._fleets: dict[dt.date, Fleet] = {}

    # -- demand --------------------------------------------------------------------------
    def _read_peaks(self) -> dict[int, float]:
        rows = _rows(self.grid_dir, "demand_national.csv")
        paths = sorted({r["path"] for r in rows})
        if self.options.demand_path not in paths:
            raise InputError(f"config key 'grid.demand_path': expected one of {', '.join(paths)}"
                             f", got {self.options.demand_path!r}")
        return {r["year"]: r["peak_mw"] for r in rows if r["path"] == self.options.demand_path}

    def _read_shares(self) -> dict[tuple[str, int], float]:
        rows = _rows(self.grid_dir, "demand_provinces.csv")
        known = set(self.province)
        for i, r in enumerate(rows, start=2):
            if r["mainland"] and r["province"] not in known:
                raise _bad(self.grid_dir, "demand_provinces.csv", i, "province",
                           f"unknown province {r['province']!r} (not in buses.csv)")
        return {(r["province"], r["year"]): r["peak_share"] for r in rows if r["mainland"]}

    def _read_allowances(self) -> dict[int, float]:
        out: dict[int, float] = defaultdict(float)
        for r in _rows(self.grid_dir, "plan_allowances.csv"):
            out[r["year"]] += r["mw"]
        return out

    def year_of(self, date: dt.date) -> int:
        """The demand year whose table row applies (clamped to the table's years)."""
        return min(max(date.year, min(self._peaks)), max(self._peaks))

    def net_peak_mw(self, year: int) -> float:
        """National peak of the path, less the plan's DC/chip allowances if loads are explicit."""
        year = min(max(year, min(self._peaks)), max(self._peaks))
        allow = self._allow.get(year, 0.0) if self.options.explicit_loads else 0.0
        return self._peaks[year] - allow

    def load_mw(self, year: int) -> np.ndarray:
        """Bus loads of year ``year`` (MW): base bus share of province x province share x peak."""
        scale = np.ones(len(self.bus_ids))
        base_year_peak = self._peaks.get(BASE_YEAR, self.net_peak_mw(BASE_YEAR))
        for i, p in enumerate(self.province):
            now = self._share(p, year) * self.net_peak_mw(year)
            then = self._share(p, BASE_YEAR) * base_year_peak
            scale[i] = now / then if then > 0 else 1.0
        return self.base_load_mw * scale

    def _share(self, province: str, year: int) -> float:
        years = self._share_years.get(province)
        if not years:
            return 1.0
        return self._shares[(province, min(max(year, years[0]), years[1]))]

    # -- fleet ---------------------------------------------------------------------------
    def _read_generators(self) -> dict[tuple[int, str], float]:
        out: dict[tuple[int, str], float] = defaultdict(float)
        for i, r in enumerate(_rows(self.grid_dir, "generators.csv"), start=2):
            if r["bus"] not in self.index:
                raise _bad(self.grid_dir, "generators.csv", i, "bus", f"unknown bus {r['bus']}")
            if r["kind"] not in self.fuels:
                raise _bad(self.grid_dir, "generators.csv", i, "kind",
                           f"unknown kind {r['kind']!r} (not in fuels.csv)")
            out[(r["bus"], r["kind"])] += r["installed_mw"]
        return dict(out)

    def _read_changes(self) -> list[dict]:
        name, keep = "fleet_changes.csv", {"all", self.options.renewables}
        if self.options.renewables not in RENEWABLE_SCENARIOS:
            raise InputError(f"config key 'grid.renewables': expected one of "
                             f"{', '.join(RENEWABLE_SCENARIOS)}, got {self.options.renewables!r}")
        rows = []
        for i, r in enumerate(_rows(self.grid_dir, name), start=2):
            self._check_change(name, i, r)
            if r["scenario"] in keep and r["province"] != "Jeju":
                rows.append(r)
        return sorted(rows, key=lambda r: r["date"])

    def _check_change(self, name: str, i: int, r: dict) -> None:
        if r["kind"] not in self.fuels:
            raise _bad(self.grid_dir, name, i, "kind", f"unknown kind {r['kind']!r} (fuels.csv)")
        if r["province"] and r["province"] != "Jeju" and r["province"] not in set(self.province):
            raise _bad(self.grid_dir, name, i, "province", f"unknown province {r['province']!r}")
        if r["bus"] is not None and r["bus"] not in self.index:
            raise _bad(self.grid_dir, name, i, "bus", f"unknown bus {r['bus']}")
        if r["scenario"] not in ("all", *RENEWABLE_SCENARIOS):
            raise _bad(self.grid_dir, name, i, "scenario",
                       f"expected all, {', '.join(RENEWABLE_SCENARIOS)}")
        made = r["commissioned_year"]
        if r["change"] == "retire" and made is not None and r["date"].year < made:
            raise _bad(self.grid_dir, name, i, "date",
                       f"retirement {r['date']} before commissioning in {made}")

    def capacity_mw(self, date: dt.date) -> tuple[dict, dict]:
        """Installed MW per (bus, kind) on ``date``: (end-2024 units still in service, units
        added since). Retirements take the old units first."""
        cap = defaultdict(float, self._base_cap)
        new: dict[tuple[int, str], float] = defaultdict(float)
        both = _Sum(cap, new)
        for r in self._changes:
            if r["date"] > date:
                break
            for bus, mw in self._placement(r, both).items():
                key = (bus, r["kind"])
                if r["change"] == "add":
                    new[key] += mw
                else:
                    old = min(cap[key], mw)
                    cap[key] -= old
                    new[key] = max(0.0, new[key] - (mw - old))
        return ({k: v for k, v in cap.items() if v > 0}, {k: v for k, v in new.items() if v > 0})

    def _placement(self, r: dict, cap: dict) -> dict[int, float]:
        kind, mw = r["kind"], r["mw"]
        if r["bus"] is not None and (r["change"] == "add" or cap[(r["bus"], kind)] >= mw):
            return {r["bus"]: mw}
        if r["bus"] is not None:  # retirement beyond the bus: the rest from the province
            here = cap[(r["bus"], kind)]
            rest = self._pro_rata(kind, mw - here, r["province"], cap, exclude=r["bus"])
            return {r["bus"]: here, **rest}
        if r["province"] and r["change"] == "add":
            pool = self._province_345(r["province"])
            return {b: mw / len(pool) for b in pool}
        return self._pro_rata(kind, mw, r["province"] or None, cap)

    def _province_345(self, province: str) -> list[int]:
        pool = [b for b, p in zip(self.bus_ids, self.province, strict=True)
                if p == province and self.graph.nodes[b]["kv"] >= 345]
        return pool or [b for b, p in zip(self.bus_ids, self.province, strict=True)
                        if p == province]

    def _pro_rata(self, kind: str, mw: float, province: str | None, cap,
                  exclude: int | None = None) -> dict[int, float]:
        held = {b: v for b, p in zip(self.bus_ids, self.province, strict=True)
                if (province is None or p == province) and b != exclude
                and (v := cap[(b, kind)]) > 0}
        total = sum(held.values())
        if total <= 0:
            pool = self._province_345(province) if province else \
                [b for b in self.bus_ids if self.graph.nodes[b]["kv"] >= 345]
            return {b: mw / len(pool) for b in pool}
        return {b: mw * v / total for b, v in held.items()}

    def fleet(self, date: dt.date) -> Fleet:
        """Units (one per bus and kind) with output limits and merit costs on ``date``; units
        added after 2024 reach ``pmax_share_new`` of installed, older ones ``pmax_share``.
        Computed once per date (the fleet does not depend on the topology)."""
        if date not in self._fleets:
            self._fleets[date] = self._fleet(date)
        return self._fleets[date]

    def _fleet(self, date: dt.date) -> Fleet:
        old, new = self.capacity_mw(date)
        keys = sorted(set(old) | set(new))
        kinds = tuple(k for _, k in keys)
        old_mw = np.array([old.get(k, 0.0) for k in keys])
        new_mw = np.array([new.get(k, 0.0) for k in keys])
        share = lambda col: np.array([self.fuels[k][col] for k in kinds])  # noqa: E731
        pmax = old_mw * share("pmax_share") + new_mw * share("pmax_share_new")
        return Fleet(np.array([self.index[b] for b, _ in keys], int),
                     (old_mw + new_mw) * share("pmin_share"), pmax,
                     share("merit_cost").astype(float), kinds)

    @cached_property
    def years(self) -> tuple[int, int]:
        return min(self._peaks), max(self._peaks)


def peak_date(year: int) -> dt.date:
    """The summer-peak date that stands for year ``year``."""
    return dt.date(year, *PEAK_MONTH_DAY)


class _Sum:
    """Read-only view of two (bus, kind) -> MW maps added together."""

    def __init__(self, a: dict, b: dict):
        self.a, self.b = a, b

    def __getitem__(self, key: tuple[int, str]) -> float:
        return self.a.get(key, 0.0) + self.b.get(key, 0.0)
