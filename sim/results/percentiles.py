"""Ensemble summaries with "not reached" handling.

A milestone that a replicate never reaches is encoded as ``np.inf`` or ``NaN`` (NaN is treated as
``+inf``: it sorts last). Quantiles use numpy's default ``"linear"`` method (Hyndman-Fan type 7):
for ``n`` sorted values ``x[0..n-1]`` and level ``q``, ``h = (n - 1) q`` and
``Q = x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)])``. If the interpolation gives
any weight to an unreached value the quantile is ``inf`` ("not reached"); so with 10 replicates
of which 1 never finishes, P90 (h = 8.1) is already ``inf``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _unreached_to_inf(samples: np.ndarray) -> np.ndarray:
    arr = np.asarray(samples, dtype=float)
    return np.where(np.isnan(arr), np.inf, arr)


def quantiles(
    samples: np.ndarray, qs: Sequence[float] = (0.1, 0.5, 0.9), axis: int = 0
) -> np.ndarray:
    """Type-7 quantiles of ``samples`` along ``axis`` (the replicate axis).

    Returns shape ``(len(qs), *other_axes)``; unreached quantiles are ``inf``: numpy's linear
    quantile, set to ``inf`` wherever the upper order statistic it interpolates towards is.
    """
    levels = np.asarray(qs, dtype=float)
    if levels.ndim != 1 or not np.all((levels >= 0.0) & (levels <= 1.0)):
        raise ValueError(f"qs must be a 1-D sequence of levels in [0, 1], got {qs!r}")
    x = np.moveaxis(_unreached_to_inf(samples), axis, 0)
    if x.shape[0] == 0:
        raise ValueError("quantiles of an empty ensemble are undefined")
    lower = np.quantile(x, levels, axis=0, method="lower")
    upper = np.quantile(x, levels, axis=0, method="higher")
    with np.errstate(invalid="ignore"):
        linear = np.quantile(x, levels, axis=0, method="linear")
    # numpy interpolates finite + 0 * inf = NaN at an exact order statistic: that is `lower`
    return np.where(np.isinf(upper), np.inf, np.where(np.isnan(linear), lower, linear))


def prob_by(dates_days: np.ndarray, deadline_days: float | np.ndarray) -> float | np.ndarray:
    """Fraction of replicates reached on or before ``deadline_days`` (unreached never count).

    ``dates_days`` is 1-D (one value per replicate). An array of deadlines gives the whole
    S-curve at once.
    """
    dates = _unreached_to_inf(dates_days)
    if dates.ndim != 1 or dates.size == 0:
        raise ValueError(f"dates_days must be a non-empty 1-D array, got shape {dates.shape}")
    reached = np.sort(dates[np.isfinite(dates)])
    counts = np.searchsorted(reached, deadline_days, side="right")
    frac = np.asarray(counts, dtype=float) / dates.size
    return float(frac) if frac.ndim == 0 else frac
