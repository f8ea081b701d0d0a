"""Scores of an ensemble forecast against one observed value (Gneiting & Raftery 2007, JASA
102:359): the continuous ranked probability score, the interval score of the central
(1 - alpha) interval, and the inside rule of the validation report."""

from __future__ import annotations

import numpy as np

#: the central 80 % interval: P10 to P90
ALPHA = 0.2


def crps(samples: np.ndarray, observed: float) -> float:
    """CRPS of the ensemble's empirical distribution: E|X - y| - E|X - X'| / 2, in the unit of
    the quantity (0 for a perfect point forecast)."""
    x = np.sort(np.asarray(samples, dtype=float))
    n = len(x)
    spread = np.sum((2 * np.arange(1, n + 1) - n - 1) * x) / (n * n)
    return float(np.mean(np.abs(x - observed)) - spread)


def interval_score(lower: float, upper: float, observed: float, alpha: float = ALPHA) -> float:
    """Width of the interval plus 2/alpha times the distance by which it misses."""
    miss = max(lower - observed, 0.0) + max(observed - upper, 0.0)
    return float(upper - lower + 2.0 / alpha * miss)


def inside(p10: float, p50: float, p90: float, observed: float) -> bool:
    """The observation lies in [P10, P90]; a P50 of zero against a positive observation is a
    miss whatever the interval (most of the ensemble says nothing happened)."""
    if p50 == 0 and observed > 0:
        return False
    return p10 <= observed <= p90
