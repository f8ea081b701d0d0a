"""power.png: the national data-centre facility load, stacked by site (what the grid has to
carry), and each site's load against its own connection, sites sorted by completion.

Summing the sites' connection capacities would suggest national headroom that no single site
can use (each site is limited by its own connection), so the national panel shows the load
only."""

from __future__ import annotations

import numpy as np

from sim.outputs.figures.common import (
    TITLE_Y,
    Run,
    by_completion,
    date_axis,
    grid_shape,
    mark_announcement,
    new_figure,
    plot_spread,
    short,
    spread,
    subtitle,
    year_step,
)
from sim.outputs.names import site_label

#: sites drawn as their own band in the stack; the rest are summed as "other sites"
STACKED_SITES = 7
STACK_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
                 "#BBBBBB")


def power_figure(run: Run):
    """National facility load stacked by site; each planned site's load vs its connection."""
    fig = new_figure("Data-centre power: what the grid carries, and each site against its "
                     "connection", subtitle(run), fixed=True)
    sites = by_completion(run)
    gs = fig.add_gridspec(1, 2, width_ratios=[1.0, 1.6], wspace=0.12)
    national_panel(fig.add_subplot(gs[0, 0]), run)
    rows, cols = grid_shape(len(sites))
    sub = gs[0, 1].subgridspec(rows, cols, hspace=0.7, wspace=0.3)
    first = None
    for k, site in enumerate(sites):
        ax = fig.add_subplot(sub[k // cols, k % cols], sharex=first)
        first = first or ax
        site_power_panel(ax, run, site)
        date_axis(ax, run.times, label=False, step=year_step(run.times, 2 * cols))
        if k < len(sites) - cols:
            ax.tick_params(labelbottom=False)
    _site_legend(fig)
    return fig


def national_panel(ax, run: Run) -> None:
    """Facility load of all sites (median across replicates per site), stacked: the largest
    STACKED_SITES loads at the horizon on their own, the others together."""
    load = run.ds["facility_load_mw"]
    if "replicate" in load.dims:
        load = load.median("replicate")
    final = load.isel(time=-1).values
    order = [str(s) for s in load["site"].values[np.argsort(-final)] if final[
        list(load["site"].values).index(s)] > 0]
    top, rest = order[:STACKED_SITES], order[STACKED_SITES:]
    layers = [load.sel(site=s).values for s in top]
    labels = [short(site_label(run.summary, s), 28) for s in top]
    if rest:
        layers.append(load.sel(site=rest).sum("site").values)
        labels.append(f"{len(rest)} other sites")
    ax.stackplot(run.times, *layers, labels=labels, colors=STACK_COLOURS[:len(layers)],
                 alpha=0.85, linewidth=0)
    if "replicate" in run.ds["facility_load_mw"].dims:
        total = run.ds["facility_load_mw"].sum("site")
        _mid, lo, hi = spread(total)
        ax.plot(run.times, lo, color="black", linewidth=0.8, linestyle="--")
        ax.plot(run.times, hi, color="black", linewidth=0.8, linestyle="--",
                label="total: P10 and P90")
    mark_announcement(ax)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("MW (facility load, IT x PUE)")
    ax.set_title("National data-centre load of the modelled sites", fontsize=10, y=TITLE_Y)
    date_axis(ax, run.times, step=year_step(run.times, 2))
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], names[::-1], loc="upper left", fontsize=7.5, frameon=True)


def site_power_panel(ax, run: Run, site: str) -> None:
    """One site's facility load (filled) against its connection capacity (step)."""
    mid, lo, hi = spread(run.ds["facility_load_mw"].sel(site=site))
    ax.fill_between(run.times, 0, mid, color="#555555", alpha=0.35, linewidth=0)
    if lo is not None:
        ax.fill_between(run.times, lo, hi, color="black", alpha=0.15, linewidth=0)
    plot_spread(ax, run.times, run.ds["power_limit_mw"].sel(site=site), color="#D62728",
                linewidth=1.2, drawstyle="steps-post")
    ax.set_ylim(bottom=0)
    ax.set_title(short(site_label(run.summary, site), 26), fontsize=7.5, y=TITLE_Y)
    ax.tick_params(labelsize=7)


def _site_legend(fig) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fig.legend(handles=[Patch(color="#555555", alpha=0.35, label="site facility load (MW)"),
                        Line2D([], [], color="#D62728", label="site connection (MW facility)")],
               loc="lower right", ncol=2, fontsize=8, frameon=False)
