"""gpus_online.png: GPUs online by owner and in total, the target and the milestones."""

from __future__ import annotations

import numpy as np

from sim.outputs.figures.common import (
    Run,
    date_axis,
    mark_announcement,
    new_figure,
    owner_colour,
    plot_spread,
    subtitle,
)


def gpus_online_figure(run: Run):
    """Total and per-owner GPUs online vs date, the target, the announcement, milestones."""
    fig = new_figure("GPUs online in Korea", subtitle(run))
    ax = fig.add_subplot()
    by_owner = run.ds["gpus_online"].sum("site") / 1000.0
    for i, owner in enumerate(run.ds["owner"].values):
        plot_spread(ax, run.times, by_owner.sel(owner=owner), color=owner_colour(owner, i),
                    linewidth=1.6, label=str(owner))
    plot_spread(ax, run.times, by_owner.sum("owner"), color="black", linewidth=2.6,
                label="total")
    target = run.summary.get("target_gpus")
    if target:
        ax.axhline(target / 1000.0, color="grey", linestyle="--", linewidth=1.2,
                   label=f"target {target / 1000:g}k GPUs")
    mark_announcement(ax)
    mark_milestones(ax, run)
    ax.set_ylabel("GPUs online (thousands)")
    ax.set_ylim(bottom=0)
    date_axis(ax, run.times)
    ax.legend(loc="center right", frameon=True, fontsize=9)
    return fig


def mark_milestones(ax, run: Run) -> None:
    """Dots on the total line at the summary's 25/50/90/100 % dates, labelled with the date."""
    target = run.summary.get("target_gpus") or 0
    dates = run.summary.get("milestones", {}).get("total", {})
    for pct, date in dates.items():
        if isinstance(date, dict):      # Monte Carlo: mark the P50 date
            date = date.get("p50")
        if date is None:
            continue
        y = target * int(pct) / 100 / 1000.0
        ax.plot(np.datetime64(date), y, "o", color="black", markersize=5, zorder=5)
        ax.annotate(f"{pct} %: {date}", (np.datetime64(date), y), xytext=(-8, 6),
                    textcoords="offset points", fontsize=8, ha="right",
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none",
                          "alpha": 0.8})
