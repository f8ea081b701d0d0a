"""gpus_online.png: GPUs online in total (with the target, the announcement and the milestone
dates) and, beside it, one small panel per owner on its own scale, so owners' P10-P90 bands do
not overlap; the legend says what the shading is."""

from __future__ import annotations

import numpy as np

from sim.outputs.figures.common import (
    TITLE_Y,
    Run,
    date_axis,
    mark_announcement,
    new_figure,
    owner_colour,
    plot_spread,
    subtitle,
)
from sim.outputs.names import owner_label


def gpus_online_figure(run: Run):
    """Total GPUs online vs date (left) and each owner's (right, own panels)."""
    fig = new_figure("GPUs online in Korea", subtitle(run), fixed=True)
    owners = [str(o) for o in run.ds["owner"].values]
    gs = fig.add_gridspec(max(len(owners), 1), 2, width_ratios=[1.9, 1.0], wspace=0.18,
                          hspace=0.45)
    by_owner = run.ds["gpus_online"].sum("site") / 1000.0
    total_panel(fig.add_subplot(gs[:, 0]), run, by_owner.sum("owner"))
    first = None
    for i, owner in enumerate(owners):
        ax = fig.add_subplot(gs[i, 1], sharex=first)
        first = first or ax
        owner_panel(ax, run, by_owner.sel(owner=owner), owner, i)
        date_axis(ax, run.times, label=False, step=2)
        ax.tick_params(labelbottom=i == len(owners) - 1, labelsize=7)
    return fig


def total_panel(ax, run: Run, total) -> None:
    plot_spread(ax, run.times, total, color="black", linewidth=2.6, label="total (median)"
                if run.replicated else "total")
    if run.replicated:
        ax.fill_between([], [], color="black", alpha=0.2, label="shading: P10–P90 of "
                        f"{run.ds.sizes['replicate']} replications")
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


def owner_panel(ax, run: Run, online, owner: str, index: int) -> None:
    """One owner's GPUs online (thousands) up to its planned total."""
    colour = owner_colour(owner, index)
    plot_spread(ax, run.times, online, color=colour, linewidth=1.6)
    planned = run.summary.get("owner_gpus_planned", {}).get(owner, 0) / 1000.0
    if planned:
        ax.axhline(planned, color=colour, linestyle=":", linewidth=1)
        ax.set_ylim(0, planned * 1.15)
    ax.set_title(f"{owner_label(run.summary, owner)} ({planned:g}k planned)", fontsize=8.5,
                 loc="left", y=TITLE_Y)
    ax.grid(True, alpha=0.3)


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
