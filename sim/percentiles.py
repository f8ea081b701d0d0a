"""Ensemble summaries with "not reached" handling.

A milestone that a replicate never reaches is encoded as ``np.inf`` or ``NaN`` (NaN is treated as
``+inf``: it sorts last). Quantiles use numpy's default ``"linear"`` method (Hyndman-Fan type 7):
for ``n`` sorted values ``x[0..n-1]`` and level ``q``, ``h = (n - 1) q`` and
``Q = x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)])``. If the interpolation gives
any weight to an unreached value the quantile is ``inf`` ("not reached"); so with 10 replicates
of which 1 never finishes, P90 (h = 8.1) is already ``inf``. Use :func:`finite_or_none` to turn
``inf`` into ``None`` for JSON/reports.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _unreached_to_inf(samples: np.ndarray) -> np.ndarray:
    arr = np.asarray(samples, dtype=float)
    return np.where(np.isnan(arr), np.inf, arr)


def _type7(sorted_x: np.ndarray, q: float) -> np.ndarray:
    """Type-7 quantile along axis 0 of sorted data; inf when an inf value has positive weight."""
    h = (sorted_x.shape[0] - 1) * q
    lo = int(np.floor(h))
    t = h - lo
    x_lo = sorted_x[lo]
    if t == 0.0:
        return x_lo
    x_hi = sorted_x[lo + 1]
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(x_hi), np.inf, x_lo + t * (x_hi - x_lo))


def quantiles(
    samples: np.ndarray, qs: Sequence[float] = (0.1, 0.5, 0.9), axis: int = 0
) -> np.ndarray:
    """Type-7 quantiles of ``samples`` along ``axis`` (the replicate axis).

    Returns shape ``(len(qs), *other_axes)``; unreached quantiles are ``inf``.
    """
    levels = np.asarray(qs, dtype=float)
    if levels.ndim != 1 or not np.all((levels >= 0.0) & (levels <= 1.0)):
        raise ValueError(f"qs must be a 1-D sequence of levels in [0, 1], got {qs!r}")
    x = np.moveaxis(_unreached_to_inf(samples), axis, 0)
    if x.shape[0] == 0:
        raise ValueError("quantiles of an empty ensemble are undefined")
    x = np.sort(x, axis=0)
    return np.stack([_type7(x, float(q)) for q in levels])


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


def finite_or_none(value: float) -> float | None:
    """``None`` for a not-reached (infinite/NaN) value, else the float."""
    value = float(value)
    return value if np.isfinite(value) else None
