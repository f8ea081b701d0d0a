"""power.png: national data-centre facility load, and each site's load against its connection."""

from __future__ import annotations

from sim.outputs.figures.common import (
    Run,
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


def power_figure(run: Run):
    """National data-centre facility load; each planned site's load vs its connection."""
    fig = new_figure("Data-centre power: facility load against connection capacity",
                     subtitle(run), fixed=True)
    sites = run.planned_sites
    gs = fig.add_gridspec(1, 2, width_ratios=[1.0, 1.6])
    national_panel(fig.add_subplot(gs[0, 0]), run)
    rows, cols = grid_shape(len(sites))
    sub = gs[0, 1].subgridspec(rows, cols)
    first = None
    for k, site in enumerate(sites):
        ax = fig.add_subplot(sub[k // cols, k % cols], sharex=first)
        first = first or ax
        site_power_panel(ax, run, site)
        date_axis(ax, run.times, label=False, step=year_step(run.times, 2 * cols))
        if k < len(sites) - cols:
            ax.tick_params(labelbottom=False)
    fig.text(0.985, 0.5, "facility load (grey) and connection (red), MW", rotation=90,
             va="center", ha="right", fontsize=9)
    return fig


def national_panel(ax, run: Run) -> None:
    """Sum of facility load over all sites, and of planned sites' connection capacity."""
    sites = run.planned_sites
    load = run.ds["facility_load_mw"].sum("site")
    plot_spread(ax, run.times, load, color="black", linewidth=2.2,
                label="facility load, all sites")
    limit = run.ds["power_limit_mw"].sel(site=sites).sum("site")
    plot_spread(ax, run.times, limit, color="#D62728", linewidth=1.4, drawstyle="steps-post",
                label="connection capacity, planned sites")
    mark_announcement(ax)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("MW (facility)")
    ax.set_title("Korea, all modelled sites", fontsize=10)
    date_axis(ax, run.times, step=year_step(run.times, 2))
    ax.legend(loc="lower right", fontsize=8)


def site_power_panel(ax, run: Run, site: str) -> None:
    """One site's facility load (filled) against its connection capacity (step)."""
    mid, lo, hi = spread(run.ds["facility_load_mw"].sel(site=site))
    ax.fill_between(run.times, 0, mid, color="#555555", alpha=0.35, linewidth=0)
    if lo is not None:
        ax.fill_between(run.times, lo, hi, color="black", alpha=0.15, linewidth=0)
    plot_spread(ax, run.times, run.ds["power_limit_mw"].sel(site=site), color="#D62728",
                linewidth=1.2, drawstyle="steps-post")
    ax.set_ylim(bottom=0)
    ax.set_title(short(site, 18), fontsize=8)
    ax.tick_params(labelsize=7)
