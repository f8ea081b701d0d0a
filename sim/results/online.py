"""GPUs online at fixed dates: each year end by default, or the dates a planner lists
(`output.online_dates`). Counted from each unit's exact online day (no monthly sampling)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np


def report_dates(listed: Sequence[dt.date], start: dt.date, horizon: dt.date) -> list[dt.date]:
    """`listed` sorted, or 31 December of every year from `start` to `horizon` (inclusive)."""
    if listed:
        return sorted(set(listed))
    return [d for y in range(start.year, horizon.year + 1)
            if start <= (d := dt.date(y, 12, 31)) <= horizon]


def online_matrix(online_day: np.ndarray, gpus: np.ndarray, owner: np.ndarray, n_owners: int,
                  days: np.ndarray) -> np.ndarray:
    """GPUs online strictly before each of `days` (day boundaries): (1 + n_owners) x len(days),
    row 0 the total, row 1 + i owner i. `online_day`, `gpus`, `owner`: one entry per unit."""
    days = np.asarray(days, dtype=float)
    out = np.zeros((1 + n_owners, len(days)), dtype=np.int64)
    for row, mask in enumerate([np.ones(len(gpus), bool),
                                *(owner == i for i in range(n_owners))]):
        d, g = online_day[mask], np.asarray(gpus[mask], dtype=np.int64)
        order = np.argsort(d, kind="stable")
        reached = np.concatenate([[0], np.cumsum(g[order])])
        out[row] = reached[np.searchsorted(d[order], days, side="left")]
    return out


def end_of_days(dates: Sequence[dt.date], start: dt.date) -> np.ndarray:
    """Model day at which each date ends (midnight after it)."""
    return np.array([(d - start).days + 1 for d in dates], dtype=float)


def online_at(online_day: np.ndarray, gpus: np.ndarray, owner: np.ndarray, owners: list[str],
              dates: Sequence[dt.date], start: dt.date) -> dict[str, dict[str, int]]:
    """{ISO date: {"total": n, owner: n, ...}} of GPUs online at the end of each date."""
    days = end_of_days(dates, start)
    counts = online_matrix(online_day, gpus, owner, len(owners), days)
    who = ["total", *owners]
    return {d.isoformat(): {w: int(counts[i, k]) for i, w in enumerate(who)}
            for k, d in enumerate(dates)}
