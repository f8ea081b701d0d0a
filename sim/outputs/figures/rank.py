"""rank.png (python -m sim.rank): each grid project and connection step brought forward, left
the GPU-months online it gains by the date, right the KRW of idle GPUs it avoids; bar = mean,
dot = P50, whisker = P10-P90 of the paired differences. Best first, from the top."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.outputs.figures.common import new_figure, save, short
from sim.outputs.names import site_label

#: most entries drawn (the CSV has all)
MAX_ROWS = 30
BAR, WHISKER = "#0072B2", "#222222"


def row_label(row: dict, ranking: dict) -> str:
    sites = row["sites"] or [s for s, g in sorted(row["site_gpu_months"].items(),
                                                  key=lambda x: -x[1])[:1] if g > 0]
    where = f" · {short(site_label(ranking, sites[0]), 22)}" if sites else ""
    return f"{row['id']}{where}"


def _panel(ax, rows: list[dict], key: str, scale: float, xlabel: str) -> None:
    y = np.arange(len(rows))
    mean = np.array([r[key]["mean"] for r in rows]) / scale
    lo, mid, hi = (np.array([r[key][q] for r in rows]) / scale for q in ("p10", "p50", "p90"))
    ax.barh(y, mean, color=BAR, alpha=0.75, label="mean")
    ax.errorbar(mid, y, xerr=[np.clip(mid - lo, 0, None), np.clip(hi - mid, 0, None)],
                fmt="o", color=WHISKER, markersize=3.5, elinewidth=1.0, capsize=2.5,
                label="P50 with P10–P90")
    ax.axvline(0, color="#888888", linewidth=0.8)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel(xlabel)
    ax.grid(True, axis="x", alpha=0.3)


def rank_figure(ranking: dict, path: Path) -> None:
    rows = ranking["rows"][:MAX_ROWS]
    reps = ranking["replications"]
    spread = (f"mean, P50 and P10–P90 of {reps} paired replications (common random numbers)"
              if reps > 1 else "one run at central values")
    fig = new_figure(f"Which reinforcement matters: each project or step {ranking['months']:g} "
                     f"months earlier, gain by {ranking['by']}",
                     f"scenario {ranking['scenario']}; {spread}; "
                     f"{len(ranking['rows'])} ranked")
    left, right = fig.subplots(1, 2, sharey=True, width_ratios=[1.3, 1.0])
    _panel(left, rows, "gpu_months", 1e3, "GPU-months online gained (thousands)")
    _panel(right, rows, "idle_avoided_krw", 1e9,
           f"idle GPUs avoided (bn KRW at {ranking['gpu_hour_value_krw']:,.0f} KRW/GPU-h)")
    left.set_yticks(np.arange(len(rows)), [row_label(r, ranking) for r in rows], fontsize=8)
    left.legend(loc="lower right", fontsize=8)
    save(fig, path)
