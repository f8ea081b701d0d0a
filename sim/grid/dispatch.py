"""Security-constrained DC dispatch as a linear programme (HiGHS through ``highspy``).

Variables: output of every generating unit (MW, within its limits), the setpoint of every HVDC
link (MW, bus0 -> bus1, within +- rating), load shed per bus (MW, penalised: it keeps the
programme feasible and shows where a state is insecure) and, per bus, an extra load (MW, fixed
at 0 except when that bus's hosting capacity is asked). Constraints: supply = demand; every AC
branch within its limit before any outage (N-0) and after the loss of any one circuit or HVDC
pole (N-1, preventive: no post-contingency redispatch). Objective: merit-order cost plus the
shed penalty; for hosting capacity, the extra load at the bus.

N-0 and N-1 have m + m^2 (branch, outage) rows (44,000 for the Korean backbone). They are
generated lazily: solve with the balance row alone, add the N-0 and N-1 rows the solution
violates, re-solve (HiGHS starts from the previous basis), until none is violated. The result
is the exact optimum of the full programme, because every pair left out holds at it. A
programme may start from the pairs that bound in a similar state (``seed``): fewer rounds,
the same optimum.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import highspy
import numpy as np

from sim.grid.dcflow import HOSTING_CAP_MW, DCGrid

SHED_COST = 1_000.0
"""Cost of 1 MW of load shed, relative to merit costs of order 1."""
HOSTING_VALUE = 10 * SHED_COST
"""Objective weight of the extra load when hosting capacity is asked: above every cost."""
OUTPUT_VALUE = SHED_COST / 10
"""Objective weight of a region's output when its export limit is asked: above merit costs,
below the shed cost."""
REQUEST_VALUE = 100.0
"""Value of 1 MW of a connection request served (times its priority weight, 1 to 2): below
the shed cost (demand already connected is served first), far above merit costs."""
TOL_MW = 0.01
"""A flow this far over its limit counts as a violation when pairs are generated."""
MAX_ROUNDS = 200


def new_highs() -> highspy.Highs:
    """A silent HiGHS instance. HiGHS prints a banner to the process's stdout when the first
    instance is made, before any option can be set: that once, stdout is pointed elsewhere."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h


_BANNER_SHOWN = False


class DispatchError(RuntimeError):
    """The programme could not be solved (not expected: shedding keeps it feasible)."""


@dataclass(frozen=True)
class Fleet:
    """Generating units in bus-index space."""

    bus: np.ndarray
    pmin_mw: np.ndarray
    pmax_mw: np.ndarray
    cost: np.ndarray
    kind: tuple[str, ...]

    @property
    def n(self) -> int:
        return int(self.bus.size)


@dataclass(frozen=True)
class Dispatch:
    """A secure operating point."""

    gen_mw: np.ndarray
    #: per branch; nonzero only on HVDC links
    hvdc_mw: np.ndarray
    shed_mw: np.ndarray
    #: per bus: generation - load + shed (HVDC transfers not included)
    injection_mw: np.ndarray
    flow_mw: np.ndarray

    #: per connection request: MW admitted
    admitted_mw: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def shed_total_mw(self) -> float:
        return float(self.shed_mw.sum())


@dataclass(frozen=True)
class Requests:
    """Connection requests competing for the same network: bus index, MW asked, priority
    weight (1..2, earlier in the queue higher)."""

    bus: np.ndarray
    mw: np.ndarray
    weight: np.ndarray
    names: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return int(self.bus.size)


NO_REQUESTS = Requests(np.zeros(0, int), np.zeros(0), np.zeros(0))


class Programme:
    """The dispatch LP of one network, fleet and load; hosting capacity of any bus."""

    def __init__(self, dc: DCGrid, fleet: Fleet, load_mw: np.ndarray,
                 limit_mw: np.ndarray | None = None, n1: bool = True,
                 requests: Requests = NO_REQUESTS, seed: list[tuple[int, int]] = ()):
        self.dc, self.fleet, self.n1, self.requests = dc, fleet, n1, requests
        self.load_mw = np.asarray(load_mw, float)
        self.limit_mw = np.asarray(dc.rating_mw if limit_mw is None else limit_mw, float)
        self.hvdc = np.flatnonzero(dc.br.is_hvdc)
        self.ac = np.flatnonzero(~dc.br.is_hvdc)
        self._outages = np.setdiff1d(np.arange(dc.br.n), dc.islanding)
        self._outage_set = set(self._outages.tolist())
        n, u, k, r = dc.n_bus, fleet.n, self.hvdc.size, requests.n
        self._cols = (u, k, n, n)  # gen, hvdc, shed, extra load; then requests
        self._req = u + k + 2 * n
        self.nz = self._req + r
        self._flow, self._const = self._flow_map()
        self._cost = np.concatenate([fleet.cost, np.zeros(k), np.full(n, SHED_COST),
                                     np.zeros(n), -REQUEST_VALUE * requests.weight])
        self._pairs: set[tuple[int, int]] = set()
        #: pairs in row order (row 0 is the balance)
        self._order: list[tuple[int, int]] = []
        self._highs = self._model()
        if seed:
            self._add_pairs([p for p in dict.fromkeys(seed) if self._valid(p)])
        self.base = self._optimise()

    # -- model -------------------------------------------------------------------------
    def _flow_map(self) -> tuple[np.ndarray, np.ndarray]:
        """Branch flows as ``flow @ z + const`` (HVDC rows: the setpoint)."""
        dc, (u, k, n, _) = self.dc, self._cols
        inj = np.zeros((n, self.nz))
        inj[self.fleet.bus, np.arange(u)] = 1.0
        inj[dc.br.bus0[self.hvdc], u + np.arange(k)] -= 1.0
        inj[dc.br.bus1[self.hvdc], u + np.arange(k)] += 1.0
        inj[np.arange(n), u + k + np.arange(n)] = 1.0
        inj[np.arange(n), u + k + n + np.arange(n)] = -1.0
        inj[self.requests.bus, self._req + np.arange(self.requests.n)] = -1.0
        flow = dc.ptdf @ inj
        flow[self.hvdc] = 0.0
        flow[self.hvdc, u + np.arange(k)] = 1.0
        const = -(dc.ptdf @ self.load_mw)
        const[self.hvdc] = 0.0
        return flow, const

    def _model(self) -> highspy.Highs:
        h = new_highs()
        u, k, n, _ = self._cols
        rating = self.dc.rating_mw[self.hvdc]
        r = self.requests.n
        lo = np.concatenate([self.fleet.pmin_mw, -rating, np.zeros(n), np.zeros(n),
                             np.zeros(r)])
        hi = np.concatenate([self.fleet.pmax_mw, rating, np.maximum(self.load_mw, 0.0),
                             np.zeros(n), self.requests.mw])
        h.addVars(self.nz, lo, hi)
        h.changeColsCost(self.nz, np.arange(self.nz, dtype=np.int32), self._cost)
        balance = np.concatenate([np.ones(u), np.zeros(k), np.ones(n), -np.ones(n),
                                  -np.ones(r)])
        total = float(self.load_mw.sum())
        self._add_dense(np.array([total]), np.array([total]), balance[None, :], h)
        return h

    def _add_dense(self, lo: np.ndarray, hi: np.ndarray, rows: np.ndarray,
                   h: highspy.Highs | None = None) -> None:
        h = self._highs if h is None else h
        nzr, nzc = np.nonzero(rows)
        starts = np.searchsorted(nzr, np.arange(rows.shape[0])).astype(np.int32)
        h.addRows(rows.shape[0], lo, hi, nzr.size, starts, nzc.astype(np.int32),
                  rows[nzr, nzc])

    def _pair_rows(self, pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients and constants of |flow of branch l after outage k| (k = -1: none)."""
        ls = np.array([p[0] for p in pairs])
        ks = np.array([p[1] for p in pairs])
        post = ks >= 0
        kk = np.where(post, ks, ls)
        lodf = np.where(post, self.dc.lodf[ls, kk], 0.0)
        rows = self._flow[ls] + lodf[:, None] * self._flow[kk]
        rows[np.abs(rows) < 1e-10] = 0.0
        return rows, self._const[ls] + lodf * self._const[kk]

    def _add_pairs(self, pairs: list[tuple[int, int]], h: highspy.Highs | None = None) -> None:
        """Rows |flow of branch l after outage k| <= limit_l (k = -1: no outage)."""
        rows, c = self._pair_rows(pairs)
        lim = self.limit_mw[np.array([p[0] for p in pairs])]
        self._add_dense(-lim - c, lim - c, rows, h)
        self._pairs.update(pairs)
        self._order.extend(pairs)

    def _valid(self, pair: tuple[int, int]) -> bool:
        """A monitorable (AC branch, outage) pair of this network (outage -1: none)."""
        line, outage = pair
        n = self.dc.br.n
        return (0 <= line < n and not self.dc.br.is_hvdc[line]
                and (outage == -1 or (self.n1 and outage in self._outage_set)))

    def binding_pairs(self, tol_mw: float = 1.0) -> list[tuple[int, int]]:
        """The pairs (in row order) at or within ``tol_mw`` of their limit at the base
        dispatch: what a similar state's programme may start from (``seed``)."""
        flow0 = self.base.flow_mw
        lodf = self.dc.lodf
        return [(b, k) for b, k in self._order
                if abs(flow0[b] + (lodf[b, k] * flow0[k] if k >= 0 else 0.0))
                >= self.limit_mw[b] - tol_mw]

    def _forget_slack(self, rows: int, before: list, flow0: np.ndarray) -> None:
        """Drop the rows added after row ``rows`` whose pair does not bind at ``flow0``."""
        new = self._order[len(before):]
        lodf = self.dc.lodf
        drop = [rows + i for i, (b, k) in enumerate(new)
                if abs(flow0[b] + (lodf[b, k] * flow0[k] if k >= 0 else 0.0))
                < self.limit_mw[b] - 1.0]
        if drop:
            self._highs.deleteRows(len(drop), np.array(drop, dtype=np.int32))
            gone = {new[i - rows] for i in drop}
            self._order = before + [p for p in new if p not in gone]
            self._pairs = set(self._order)

    # -- solving -----------------------------------------------------------------------
    def _run(self) -> np.ndarray:
        for _ in range(MAX_ROUNDS):
            status = self._solve()
            if status != highspy.HighsModelStatus.kOptimal:
                raise DispatchError(f"dispatch LP: {self._highs.modelStatusToString(status)}")
            z = np.asarray(self._highs.getSolution().col_value)
            new = self._violations(self._flow @ z + self._const)
            if not new:
                return z
            self._add_pairs(new)
        raise DispatchError("dispatch LP: N-1 pairs did not converge")

    def _solve(self) -> highspy.HighsModelStatus:
        """Run HiGHS from the current basis; if that ends without an answer (numerical
        trouble after many warm starts), once more from scratch."""
        self._highs.run()
        status = self._highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            self._highs.clearSolver()
            self._highs.run()
            status = self._highs.getModelStatus()
        return status

    def _violations(self, flow0: np.ndarray) -> list[tuple[int, int]]:
        n0 = [(int(b), -1) for b in self.ac
              if abs(flow0[b]) > self.limit_mw[b] + TOL_MW and (int(b), -1) not in self._pairs]
        if not self.n1:
            return n0
        post = self.dc.n1_flows(flow0)[np.ix_(self.ac, self._outages)]
        over = np.abs(post) > self.limit_mw[self.ac, None] + TOL_MW
        ls, ks = np.nonzero(over)
        pairs = ((int(self.ac[a]), int(self._outages[b])) for a, b in zip(ls, ks, strict=True))
        single = self.dc.br.circuits == 1  # a lost single circuit carries nothing
        return n0 + [p for p in pairs
                     if not (p[0] == p[1] and single[p[0]]) and p not in self._pairs]

    def _optimise(self) -> Dispatch:
        z = self._run()
        self._duals = np.asarray(self._highs.getSolution().row_dual)[1:].copy()
        self._dual_pairs = list(self._order)
        self._dual_rows: np.ndarray | None = None
        u, k, n, _ = self._cols
        gen, shed = z[:u], z[u + k:u + k + n]
        hvdc = np.zeros(self.dc.br.n)
        hvdc[self.hvdc] = z[u:u + k]
        inj = np.zeros(n)
        np.add.at(inj, self.fleet.bus, gen)
        inj += shed - self.load_mw
        admitted = z[self._req:]
        np.add.at(inj, self.requests.bus, -admitted)
        self._admitted = dict(zip(self.requests.names, admitted.tolist(), strict=True))
        return Dispatch(gen, hvdc, shed, inj, self._flow @ z + self._const, admitted)

    def binding_pair(self, name: str) -> tuple[int, int] | None:
        """The (branch, outage) whose limit most restrains request ``name`` at the optimum
        (largest |dual x sensitivity|); outage -1 is N-0. None if nothing binds it."""
        if not self._dual_pairs:
            return None
        j = self._req + self.requests.names.index(name)
        if self._dual_rows is None:
            self._dual_rows = self._pair_rows(self._dual_pairs)[0]
        rows = self._dual_rows
        weight = np.abs(self._duals * rows[:, j])
        best = int(weight.argmax())
        return self._dual_pairs[best] if weight[best] > 1e-9 else None

    def admitted(self) -> dict[str, float]:
        """MW admitted per named request at the optimum (do not modify)."""
        return self._admitted

    def spare_supply_mw(self) -> float:
        """Output the fleet could add to the base dispatch (shedding and admitted requests
        held): no bus can host more than this, whatever the network."""
        return float(self.fleet.pmax_mw.sum() - self.base.gen_mw.sum())

    def hosting_mw(self, bus: int, cap_mw: float = HOSTING_CAP_MW) -> float:
        """Largest extra load (up to ``cap_mw``) at ``bus`` for which the programme stays
        feasible, with the base dispatch's shedding and admitted requests held; every unit
        redispatches freely.

        Only the extra load's cost and a few bounds change, so HiGHS restarts from the base
        basis. Pairs added while solving are kept only if they bind at the answer, so that
        the programme grows by what matters near this bus."""
        h = self._highs
        col = self._cols[0] + self._cols[1] + self._cols[2] + bus
        self._hold_base(True)
        h.changeColCost(col, -HOSTING_VALUE)
        h.changeColBounds(col, 0.0, cap_mw)
        rows, before = h.getNumRow(), list(self._order)
        try:
            z = self._run()
            self._forget_slack(rows, before, self._flow @ z + self._const)
        finally:
            h.changeColBounds(col, 0.0, 0.0)
            h.changeColCost(col, 0.0)
            self._hold_base(False)
        return float(z[col])

    def max_output_mw(self, units: np.ndarray, hvdc_cap_mw: dict[int, float] | None = None
                      ) -> float:
        """Largest total output of ``units`` (indices into the fleet) in a secure dispatch of
        the same demand, other units redispatching freely and HVDC links free within their
        ratings or within +-cap (branch index -> MW; 0 holds a link idle). Output is worth
        less than serving demand, so load is shed only where no secure dispatch serves it."""
        cost = self._cost.copy()
        cost[units] = -OUTPUT_VALUE
        return float(self._variant(cost, hvdc_cap_mw or {})[units].sum())

    def merit_output_mw(self, units: np.ndarray, hvdc_cap_mw: dict[int, float]) -> float:
        """Total output of ``units`` in the merit-order (least-cost) secure dispatch of the
        same demand with HVDC links capped at +-MW (branch index -> MW): what the market
        runs, not the most the region could export."""
        return float(self._variant(self._cost, hvdc_cap_mw)[units].sum())

    def _variant(self, cost: np.ndarray, hvdc_cap_mw: dict[int, float]) -> np.ndarray:
        """Solution with objective ``cost`` and HVDC links capped; both restored after."""
        h, u = self._highs, self.fleet.n
        cols = {int(b): u + i for i, b in enumerate(self.hvdc)}
        every = np.arange(self.nz, dtype=np.int32)
        h.changeColsCost(self.nz, every, cost)
        for branch, cap in hvdc_cap_mw.items():
            h.changeColBounds(cols[branch], -cap, cap)
        rows, before = h.getNumRow(), list(self._order)
        try:
            z = self._run()
            self._forget_slack(rows, before, self._flow @ z + self._const)
        finally:
            for branch in hvdc_cap_mw:
                rating = self.dc.rating_mw[branch]
                h.changeColBounds(cols[branch], -rating, rating)
            h.changeColsCost(self.nz, every, self._cost)
        return z

    def _hold_base(self, hold: bool) -> None:
        """Fix (or free again) the base dispatch's load shed and admitted requests."""
        h, (u, k, n, _) = self._highs, self._cols
        shed_idx = np.arange(u + k, u + k + n, dtype=np.int32)
        req_idx = np.arange(self._req, self.nz, dtype=np.int32)
        if hold:
            shed, got = self.base.shed_mw, self.base.admitted_mw
            h.changeColsBounds(n, shed_idx, shed, shed)
            h.changeColsBounds(req_idx.size, req_idx, got, got)
        else:
            h.changeColsBounds(n, shed_idx, np.zeros(n), np.maximum(self.load_mw, 0.0))
            h.changeColsBounds(req_idx.size, req_idx, np.zeros(req_idx.size), self.requests.mw)
