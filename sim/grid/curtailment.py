"""Expected curtailment of a flexible (non-firm) connection: a load `load_mw` above its firm
(N-1) headroom `firm_mw`, at most its intact-network (N-0) limit `n0_mw`.

Mechanism (docs/buying_time.md; data in sim/data/options/flexible.csv, load_duration.csv):
- the site is curtailed only while an element at its bus is out (probability `p_out` =
  faults per year x outage hours / 8,766) and national load is high enough that the
  post-contingency limit falls below the load;
- [EST rule] the post-contingency limit rises linearly with falling national load, from
  `firm_mw` at the annual peak to `n0_mw` at the annual minimum (the margin at the bus grows
  as background flows shrink); national load follows the load-duration curve.
Curtailed share of hours = p_out x share of hours with national load >= x*, where the limit
equals the load at x*. The estimate is checked against `simulate_hours` (tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOURS_PER_YEAR = 8766.0


@dataclass(frozen=True)
class Exposure:
    """What curtails a flexible site: its bus's outage probability and the load shape."""

    p_out: float
    #: load-duration curve: share of peak (descending) -> share of hours at or above it
    share_of_peak: tuple[float, ...]
    share_of_hours: tuple[float, ...]

    @property
    def min_share(self) -> float:
        return self.share_of_peak[-1]

    def hours_above(self, x: float) -> float:
        """Share of hours with national load >= x x peak (linear between the points)."""
        peaks, hours = np.asarray(self.share_of_peak), np.asarray(self.share_of_hours)
        return float(np.interp(x, peaks[::-1], hours[::-1], left=1.0, right=0.0))


def outage_probability(circuit_km: float, faults_per_100km_yr: float,
                       outage_hours: float) -> float:
    """Share of the year an element at the bus is out."""
    return min(1.0, faults_per_100km_yr * circuit_km / 100.0 * outage_hours / HOURS_PER_YEAR)


def limit_mw(x: np.ndarray | float, firm_mw: float, n0_mw: float, min_share: float):
    """Post-contingency limit at national load share `x` of the peak ([EST] linear rule)."""
    return firm_mw + (n0_mw - firm_mw) * (1.0 - np.asarray(x)) / (1.0 - min_share)


def curtailed_share(load_mw: float, firm_mw: float, n0_mw: float, exp: Exposure) -> float:
    """Expected share of hours the site is curtailed (1.0 above the N-0 limit)."""
    if load_mw <= firm_mw + 1e-9:
        return 0.0
    if load_mw > n0_mw + 1e-9:
        return 1.0
    x_star = 1.0 - (load_mw - firm_mw) / (n0_mw - firm_mw) * (1.0 - exp.min_share)
    return exp.p_out * exp.hours_above(x_star)


def curtailed_mwh_per_yr(load_mw: float, firm_mw: float, n0_mw: float, exp: Exposure,
                         points: int = 2001) -> float:
    """Expected MWh a year cut: p_out x hours x mean over the load-duration curve of the
    load above the post-contingency limit."""
    if load_mw <= firm_mw:
        return 0.0
    shares = np.linspace(0.0, 1.0, points)        # share of hours, load descending
    peaks, hours = np.asarray(exp.share_of_peak), np.asarray(exp.share_of_hours)
    x = np.interp(shares, hours, peaks)
    cut = np.clip(load_mw - limit_mw(x, firm_mw, n0_mw, exp.min_share), 0.0, None)
    return float(exp.p_out * HOURS_PER_YEAR * np.trapezoid(cut, shares))


def max_load_mw(firm_mw: float, n0_mw: float, exp: Exposure, tolerance: float) -> float:
    """Largest load up to the N-0 limit whose curtailed share stays within `tolerance`."""
    if n0_mw <= firm_mw or curtailed_share(n0_mw, firm_mw, n0_mw, exp) <= tolerance:
        return max(firm_mw, n0_mw)
    low, high = firm_mw, n0_mw
    for _ in range(60):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if curtailed_share(mid, firm_mw, n0_mw, exp) <= tolerance \
            else (low, mid)
    return low


def simulate_hours(load_mw: float, firm_mw: float, n0_mw: float, exp: Exposure,
                   faults_per_yr: float, outage_hours: float, years: int,
                   rng: np.random.Generator) -> float:
    """Curtailed share of hours in a direct hourly simulation: each hour's national load drawn
    from the load-duration curve, faults a Poisson process lasting `outage_hours` each."""
    n = int(years * HOURS_PER_YEAR)
    x = np.interp(rng.random(n), exp.share_of_hours, exp.share_of_peak)
    out = np.zeros(n + int(np.ceil(outage_hours)) + 1)
    starts = np.flatnonzero(rng.random(n) < faults_per_yr / HOURS_PER_YEAR)
    for k in range(int(np.ceil(outage_hours))):
        share = min(1.0, outage_hours - k)      # the last hour may be partial
        np.maximum.at(out, starts + k, share)
    over = load_mw > limit_mw(x, firm_mw, n0_mw, exp.min_share)
    return float(np.sum(out[:n] * over) / n)
