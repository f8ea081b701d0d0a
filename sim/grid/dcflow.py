"""DC power flow with PTDF/LODF sensitivities, N-1 screening and hosting capacity.

Conventions
-----------
* Injections are MW, positive = generation; flows are MW, positive from ``bus0`` to ``bus1``.
* PTDF reference (slack) bus is ``slack`` (index 0 by default). The reference only matters for
  unbalanced injection vectors: any imbalance is taken by the slack bus.
* A branch with ``circuits = c`` is ``c`` identical parallel circuits. N-1 is the loss of ONE
  circuit (alpha = 1/c of the branch). For a multi-circuit branch the post-contingency
  "flow" of the branch itself is the flow it would need if it kept its full rating, i.e.
  flow / rating is the loading of each surviving circuit.
* HVDC links are controllable transfers: their flow is the setpoint (PTDF row = 0), applied as
  a withdrawal at ``bus0`` and injection at ``bus1``. Losing one pole (1/c of the link) returns
  that share of the transfer to the AC network.
* Extra load at a bus is supplied by the generator participation vector ``participation``
  (non-negative, sums to 1): a distributed slack.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS_SENS = 1e-6
"""Sensitivities below this (MW per MW) are treated as zero in ratio tests."""
HOSTING_CAP_MW = 100_000.0
"""Upper bound returned by hosting capacity when nothing binds."""
FIRST_ROWS = 6
"""Branches with the smallest N-1 bounds evaluated first to tighten the screen."""
REFRESH_ROWS = 24
"""Recompute exact N-1 margins when more candidate branches than this need checking."""


@dataclass(frozen=True)
class Branches:
    """Branch arrays (AC lines, transformers, HVDC links) in bus-index space."""

    bus0: np.ndarray
    bus1: np.ndarray
    x_pu: np.ndarray
    rating_mw: np.ndarray
    circuits: np.ndarray
    is_hvdc: np.ndarray
    setpoint_mw: np.ndarray

    @property
    def n(self) -> int:
        return int(self.bus0.size)


def ptdf_matrix(n_bus: int, br: Branches, slack: int = 0) -> np.ndarray:
    """Branch x bus PTDF (MW on branch per MW injected at bus, withdrawn at ``slack``)."""
    ac = np.flatnonzero(~br.is_hvdc)
    inc = np.zeros((ac.size, n_bus))
    inc[np.arange(ac.size), br.bus0[ac]] = 1.0
    inc[np.arange(ac.size), br.bus1[ac]] = -1.0
    b = 1.0 / br.x_pu[ac]
    bbus = inc.T @ (b[:, None] * inc)
    keep = np.flatnonzero(np.arange(n_bus) != slack)
    x_red = np.linalg.inv(bbus[np.ix_(keep, keep)])
    ptdf = np.zeros((br.n, n_bus))
    ptdf[np.ix_(ac, keep)] = (b[:, None] * inc[:, keep]) @ x_red
    return ptdf


def lodf_matrix(ptdf: np.ndarray, br: Branches) -> tuple[np.ndarray, np.ndarray]:
    """Branch x outage LODF for the loss of one circuit; also the islanding outages.

    Column k gives the flow change on every branch per MW of pre-outage flow on branch k.
    Islanding outages (single-circuit bridges) get a zero column and are returned.
    """
    transfer = ptdf[:, br.bus0] - ptdf[:, br.bus1]
    alpha = 1.0 / br.circuits
    self_ptdf = np.diag(transfer).copy()
    denom = np.where(br.is_hvdc, 1.0, 1.0 - alpha * self_ptdf)
    islanding = (~br.is_hvdc) & (np.abs(denom) < 1e-9)
    lodf = transfer * (alpha / np.where(islanding, 1.0, denom))[None, :]
    single = (~br.is_hvdc) & (br.circuits == 1)
    idx = np.flatnonzero(single)
    lodf[idx, idx] = -1.0
    lodf[:, islanding] = 0.0
    return lodf, np.flatnonzero(islanding)


def max_step(flow: np.ndarray, sens: np.ndarray, rating: np.ndarray, signed: bool = False
             ) -> float:
    """Largest t >= 0 with |flow + t*sens| <= rating elementwise (0 if already violated).

    With ``signed`` the upper end of the feasible t-interval is returned even if negative
    (how far the change must be reversed to remove existing violations).
    """
    up, dn = rating - flow, rating + flow
    if not signed and up.min() > 0.0 and dn.min() > 0.0:
        # secure state: t = 1 / max(s / up, -s / dn); |s| < EPS_SENS cannot bind below CAP
        q = max(float((sens / up).max()), float((sens / dn).min()) * -1.0)
        return HOSTING_CAP_MW if q * HOSTING_CAP_MW <= 1.0 else 1.0 / q
    return _max_step_masked(flow, sens, rating, signed)


def _max_step_masked(flow: np.ndarray, sens: np.ndarray, rating: np.ndarray,
                     signed: bool) -> float:
    """General ratio test (any state), ignoring |sens| < EPS_SENS."""
    rating = np.broadcast_to(rating, np.broadcast_shapes(flow.shape, sens.shape))
    pos, neg = sens > EPS_SENS, sens < -EPS_SENS
    num = np.where(pos, rating - flow, -rating - flow)
    ratio = np.divide(num, sens, out=np.full(num.shape, np.inf), where=pos | neg)
    t = float(ratio.min(initial=np.inf))
    return min(t, HOSTING_CAP_MW) if signed else float(np.clip(t, 0.0, HOSTING_CAP_MW))


def _ratios(flow: np.ndarray, sens: np.ndarray, rating: np.ndarray) -> np.ndarray:
    """Per element, the step t at which |flow + t*sens| reaches rating (inf if never)."""
    rating = np.broadcast_to(rating, np.broadcast_shapes(flow.shape, sens.shape))
    pos, neg = sens > EPS_SENS, sens < -EPS_SENS
    num = np.where(pos, rating - flow, -rating - flow)
    return np.divide(num, sens, out=np.full(num.shape, np.inf), where=pos | neg)


class DCGrid:
    """Sensitivities of one topology plus the current pre/post-contingency flow state."""

    def __init__(
        self,
        n_bus: int,
        branches: Branches,
        injection_mw: np.ndarray,
        participation: np.ndarray,
        slack: int = 0,
    ) -> None:
        self.n_bus = n_bus
        self.br = branches
        self.slack = slack
        self.ptdf = ptdf_matrix(n_bus, branches, slack)
        self.lodf, self.islanding = lodf_matrix(self.ptdf, branches)
        self.set_participation(participation)
        self.rating_mw = branches.rating_mw.astype(float)
        self._limit_mw = np.where(branches.is_hvdc, np.inf, self.rating_mw)
        """Ratings used in security checks: HVDC flows are set points, not constraints."""
        self.setpoint_mw = branches.setpoint_mw.astype(float).copy()
        self.injection_mw = np.asarray(injection_mw, float).copy()
        self._abs_lodf = np.abs(self.lodf)
        single = np.flatnonzero((~branches.is_hvdc) & (branches.circuits == 1))
        self._abs_lodf[single, single] = 0.0  # a lost single circuit carries nothing
        self.lodf_row_max = self._abs_lodf.max(axis=1)
        self.flow0 = self.flows(self.injection_mw)
        self.refresh_margins()

    @property
    def flow1(self) -> np.ndarray:
        """Post-contingency flows: entry [l, k] is branch l after losing a circuit of k."""
        return self.n1_flows(self.flow0)

    def refresh_margins(self) -> None:
        """Exact per-branch N-1 margin R_l - max_k |flow1[l, k]| (MW)."""
        self.margin_lb = self._limit_mw - np.abs(self.flow1).max(axis=1)
        self._fresh = True

    def set_participation(self, participation: np.ndarray) -> None:
        """Share of extra load supplied at each bus (normalised to sum 1)."""
        self.participation = participation / participation.sum()
        self._supply_sens = self.ptdf @ self.participation
        self._bus_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def set_operating_point(self, injection_mw: np.ndarray, setpoint_mw: np.ndarray,
                            participation: np.ndarray, limit_share: float = 1.0) -> None:
        """Replace the operating point (a dispatch), the supply of extra load and the share of
        each rating the security checks allow (a planning margin)."""
        self.injection_mw = np.asarray(injection_mw, float).copy()
        self.setpoint_mw = np.where(self.br.is_hvdc, setpoint_mw, self.setpoint_mw)
        self._limit_mw = np.where(self.br.is_hvdc, np.inf, self.rating_mw * limit_share)
        self.set_participation(participation if participation.sum() > 0
                               else np.ones(self.n_bus))
        self.flow0 = self.flows(self.injection_mw)
        self.refresh_margins()

    def hvdc_injection(self) -> np.ndarray:
        """Bus injections (MW) produced by the HVDC setpoints."""
        inj = np.zeros(self.n_bus)
        k = np.flatnonzero(self.br.is_hvdc)
        np.add.at(inj, self.br.bus0[k], -self.setpoint_mw[k])
        np.add.at(inj, self.br.bus1[k], self.setpoint_mw[k])
        return inj

    def flows(self, injection_mw: np.ndarray) -> np.ndarray:
        """Pre-contingency branch flows (MW) for AC bus injections plus HVDC setpoints."""
        flow = self.ptdf @ (injection_mw + self.hvdc_injection())
        return np.where(self.br.is_hvdc, self.setpoint_mw, flow)

    def n1_flows(self, flow0: np.ndarray) -> np.ndarray:
        """Post-contingency flows: entry [l, k] is branch l after losing a circuit of k."""
        return flow0[:, None] + self.lodf * flow0[None, :]

    def sensitivity(self, bus: int) -> np.ndarray:
        """Branch flow change per MW of extra load at ``bus`` (supplied by participation)."""
        return self._supply_sens - self.ptdf[:, bus]

    def _bus_terms(self, bus: int) -> tuple[np.ndarray, np.ndarray]:
        """Cached (sensitivity, N-1 sensitivity bound) of a bus (fixed per topology)."""
        terms = self._bus_cache.get(bus)
        if terms is None:
            sens = self.sensitivity(bus)
            terms = self._bus_cache[bus] = (sens, self._sens_bound(sens))
        return terms

    def n1_sensitivity(self, sens: np.ndarray) -> np.ndarray:
        """Post-contingency version of a pre-contingency flow sensitivity."""
        return sens[:, None] + self.lodf * sens[None, :]

    def hosting_mw(self, bus: int, n1: bool = True) -> float:
        """Largest extra load (MW) at ``bus`` keeping all branches within rating.

        N-1 is screened exactly: branch l cannot bind before ``margin_lb[l] / bound_l`` with
        ``bound_l >= max_k |s_l + LODF[l, k] s_k|``, so only branches whose lower bound is
        below the best answer so far are evaluated over all outages (O(m) each).
        """
        sens, scale = self._bus_terms(bus)
        t0 = max_step(self.flow0, sens, self._limit_mw)
        if not n1 or t0 == 0.0:
            return t0
        bound = self.margin_lb / scale
        rows = np.flatnonzero(bound < t0)
        if rows.size > FIRST_ROWS:  # tighten with the most promising rows first
            first = rows[np.argpartition(bound[rows], FIRST_ROWS)[:FIRST_ROWS]]
            t0 = min(t0, self._rows_step(first, sens))
            rows = rows[bound[rows] < t0]
        if rows.size > REFRESH_ROWS and not self._fresh:
            self.refresh_margins()
            rows = np.flatnonzero(self.margin_lb < t0 * scale)
        return min(t0, self._rows_step(rows, sens)) if rows.size else t0

    def can_host(self, bus: int, mw: float, n1: bool = True) -> bool:
        """Whether ``mw`` more load at ``bus`` keeps every branch within rating.

        Exact; cheaper than :meth:`hosting_mw` when the load fits: after the N-0 step, only
        branches whose N-1 lower bound falls below ``mw`` are evaluated over all outages.
        """
        sens, scale = self._bus_terms(bus)
        if max_step(self.flow0, sens, self._limit_mw) < mw:
            return False
        if not n1:
            return True
        rows = np.flatnonzero(self.margin_lb < mw * scale)
        return not rows.size or self._rows_step(rows, sens) >= mw

    def binding_branch(self, bus: int, n1: bool = True) -> tuple[int, int]:
        """(monitored branch, outaged branch or -1) that limits extra load at ``bus``."""
        sens, _ = self._bus_terms(bus)
        n0 = _ratios(self.flow0, sens, self._limit_mw)
        best, where = float(n0.min()), (int(n0.argmin()), -1)
        if n1:
            ratios = _ratios(self.flow1, self.n1_sensitivity(sens), self._limit_mw[:, None])
            np.fill_diagonal(ratios, np.inf)
            ratios[:, self.islanding] = np.inf
            if ratios.min() < best:
                row, col = np.unravel_index(int(ratios.argmin()), ratios.shape)
                where = (int(row), int(col))
        return where

    def _rows_step(self, rows: np.ndarray, sens: np.ndarray) -> float:
        """Exact N-1 hosting step over all outages for the given monitored branches."""
        lodf = self.lodf[rows]
        flow1 = lodf * self.flow0
        flow1 += self.flow0[rows, None]
        sens1 = lodf * sens
        sens1 += sens[rows, None]
        return max_step(flow1, sens1, self._limit_mw[rows, None])

    def _sens_bound(self, sens: np.ndarray) -> np.ndarray:
        """Per-branch upper bound on max_k |sens_l + LODF[l, k] * sens_k|."""
        abs_s = np.abs(sens)
        cross = np.minimum(self.lodf_row_max * abs_s.max(), self._abs_lodf @ abs_s)
        return abs_s + cross + 1e-12

    def add_load(self, bus: int, mw: float) -> None:
        """Add load at ``bus``: O(m) update of flows and of the N-1 margin bounds."""
        sens, scale = self._bus_terms(bus)
        self.injection_mw[bus] -= mw
        self.injection_mw += mw * self.participation
        self.flow0 += mw * sens
        self.margin_lb -= abs(mw) * scale
        self._fresh = False

    def hvdc_sensitivity(self, k: int) -> np.ndarray:
        """Branch flow change per MW of setpoint on HVDC link ``k`` (its own row: 1)."""
        sens = self.ptdf[:, self.br.bus1[k]] - self.ptdf[:, self.br.bus0[k]]
        sens[k] = 1.0
        return sens

    def best_hvdc_mw(self, k: int, max_mw: float, iters: int = 30) -> float:
        """Setpoint in [0, max_mw] of link ``k`` minimising the worst N-0/N-1 loading
        (ties broken towards larger transfers); golden-section search on a convex function."""
        base = self.setpoint_mw[k]
        ac = ~self.br.is_hvdc
        sens = self.hvdc_sensitivity(k)
        sens1 = self.n1_sensitivity(sens)[ac]
        f0 = (self.flow0 - base * sens)[ac]
        f1 = self.flow1[ac] - base * sens1
        sens, rating = sens[ac], self.rating_mw[ac]

        def worst(p: float) -> float:
            n0 = np.max(np.abs(f0 + p * sens) / rating)
            n1 = np.max(np.abs(f1 + p * sens1) / rating[:, None])
            return max(n0, n1) - 1e-6 * p / max(max_mw, 1.0)

        a, b = 0.0, max_mw
        ratio = (np.sqrt(5.0) - 1.0) / 2.0
        for _ in range(iters):
            c, d = b - ratio * (b - a), a + ratio * (b - a)
            if worst(c) <= worst(d):
                b = d
            else:
                a = c
        return 0.5 * (a + b)

    def set_hvdc(self, k: int, mw: float) -> None:
        """Change the setpoint of HVDC link ``k`` and refresh the flow state."""
        self.setpoint_mw[k] = mw
        self.flow0 = self.flows(self.injection_mw)
        self.refresh_margins()

    def line_loading(self) -> np.ndarray:
        """Worst of N-0 and N-1 |flow| / rating per branch."""
        worst = np.maximum(np.abs(self.flow0), np.abs(self.flow1).max(axis=1))
        return worst / self.rating_mw
