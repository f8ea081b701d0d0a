"""compare.png (python -m sim.compare): left, total GPUs online vs date for each run (median
and P10-P90 band when replicated); right, the date all GPUs are online for the total, each
owner and each site, one marker per run with its P10-P90 range."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.outputs.figures.common import (
    date_axis,
    load_run,
    mark_announcement,
    new_figure,
    plot_spread,
    save,
)
from sim.outputs.names import owner_label, site_label

#: run colours (Okabe-Ito, colour-blind safe), the first run black
RUN_COLOURS = ("#000000", "#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
MARKERS = ("o", "s", "D", "^", "v", "P", "X")


def _full_dates(summary: dict) -> list[tuple[str, dict | str | None]]:
    """(label, value) of the 100 % date for the total, owners, then planned sites."""
    out = [(owner_label(summary, who), dates.get("100"))
           for who, dates in summary.get("milestones", {}).items()]
    out += [(site_label(summary, site), info.get("full_operation"))
            for site, info in summary.get("sites", {}).items()]
    return out


def _as_num(date: str | None, fallback: float) -> float:
    import matplotlib.dates as mdates

    return fallback if date is None else mdates.date2num(np.datetime64(date))


def compare_figure(runs: list[tuple[Path, str]]):
    import matplotlib.dates as mdates

    loaded = [load_run(Path(path)) for path, _ in runs]
    fig = new_figure("Comparison of runs: GPUs online and when each part is fully online",
                     "; ".join(f"[{i + 1}] {label}" for i, (_, label) in enumerate(runs)))
    left, right = fig.subplots(1, 2, width_ratios=[1.0, 1.1])
    for i, (run, (_, label)) in enumerate(zip(loaded, runs, strict=True)):
        total = run.ds["gpus_online"].sum(("site", "owner")) / 1000.0
        plot_spread(left, run.times, total, color=RUN_COLOURS[i % len(RUN_COLOURS)],
                    linewidth=2.2 if i == 0 else 1.6, label=f"[{i + 1}] {label}")
    target = loaded[0].summary.get("target_gpus")
    if target:
        left.axhline(target / 1000.0, color="grey", linestyle="--", linewidth=1.0,
                     label=f"target {target / 1000:g}k")
    mark_announcement(left)
    left.set_ylim(bottom=0)
    left.set_ylabel("GPUs online, total (thousands)")
    left.set_title("Total GPUs online (line: median, band: P10–P90)" if any(
        r.replicated for r in loaded) else "Total GPUs online", fontsize=10)
    date_axis(left, loaded[0].times, step=2)
    left.legend(loc="lower right", fontsize=8)
    _full_panel(right, loaded, runs, mdates)
    return fig


def _full_panel(ax, loaded, runs, mdates) -> None:
    """Dots: date all GPUs online (P50), whiskers P10-P90; arrows: beyond the horizon."""
    names = list(dict.fromkeys(name for run in loaded for name, _ in _full_dates(run.summary)))
    horizon = max(mdates.date2num(np.datetime64(r.summary["horizon_end"])) for r in loaded)
    n = len(loaded)
    for i, run in enumerate(loaded):
        colour, marker = RUN_COLOURS[i % len(RUN_COLOURS)], MARKERS[i % len(MARKERS)]
        values = dict(_full_dates(run.summary))
        for k, name in enumerate(names):
            if name not in values:
                continue
            y = k + (i - (n - 1) / 2) * 0.8 / max(n, 1)
            value = values[name]
            mid = value.get("p50") if isinstance(value, dict) else value
            if isinstance(value, dict):
                lo, hi = (_as_num(value.get(s), horizon) for s in ("p10", "p90"))
                ax.plot([lo, hi], [y, y], color=colour, linewidth=1.2, alpha=0.8)
            x = _as_num(mid, horizon)
            ax.plot(x, y, marker=marker if mid else ">", color=colour, markersize=6,
                    linestyle="none")
    ax.axvline(horizon, color="grey", linestyle=":", linewidth=1)
    ax.annotate("horizon ", (horizon, 0.0), xycoords=("data", "axes fraction"), fontsize=8,
                ha="right", va="bottom", color="grey", xytext=(0, 3),
                textcoords="offset points")
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=RUN_COLOURS[i % len(RUN_COLOURS)], linestyle="none",
                      marker=MARKERS[i % len(MARKERS)], label=f"[{i + 1}]") for i in range(n)]
    ax.legend(handles=handles, loc="best", fontsize=8, title="run")
    owners = len(loaded[0].summary.get("milestones", {}))
    ax.axhline(owners - 0.5, color="#999999", linewidth=0.8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_title("Date all GPUs are online (marker: P50, line: P10–P90, ▶: not by horizon)",
                 fontsize=10)
    ax.xaxis_date()
    ax.grid(True, axis="x", alpha=0.3)


def write_compare_figure(path: Path, runs: list[tuple[Path, str]]) -> Path:
    save(compare_figure(runs), path)
    return path
