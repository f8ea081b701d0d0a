"""time_to_power.png: for a reference block (default 100 MW), the earliest month each
154/345 kV bus of the backbone can take it, from the run's dispatched grid states."""

from __future__ import annotations

import numpy as np

from sim.outputs.figures.common import Run, new_figure, subtitle
from sim.outputs.figures.geomap import draw_grid, draw_outlines, korea_frame

#: colour bins of the first year a bus can take the block (last: not within the run)
BIN_COLOURS = ("#1A9850", "#91CF60", "#D9EF8B", "#FEE08B", "#FC8D59", "#D73027", "#4D4D4D")


def year_bins(years: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(label, mask) per colour bin: each of the first five years, later, never."""
    never = np.isnan(years)
    first = int(np.nanmin(years)) if (~never).any() else 0
    bins = [(str(first + k), years == first + k) for k in range(5)]
    bins.append((f"{first + 5} or later", ~never & (years >= first + 5)))
    bins.append(("not within the run", never))
    return bins


def time_to_power_figure(run: Run):
    ds = run.ds
    if "time_to_power" not in ds:
        fig = new_figure("Time to power: not available", "needs the dispatched grid "
                         "(grid.enabled=true, grid.dispatch=true) in a single run")
        return fig
    when = ds["time_to_power"].values  # datetime64 (NaT: never)
    years = np.array([np.nan if np.isnat(t) else t.astype("datetime64[Y]").astype(int) + 1970
                      for t in when], float)
    block = float(ds["time_to_power"].attrs.get("block_mw", 100.0))
    fig = new_figure(f"Time to power: the first year each backbone bus can take {block:g} MW "
                     "more", subtitle(run) + " · after every request ahead of it in the queue;"
                     " N-1 secure dispatch with full redispatch")
    ax = fig.add_subplot(1, 1, 1)
    draw_outlines(ax)
    draw_grid(ax, run)
    lon, lat = ds["bus_lon"].values, ds["bus_lat"].values
    kv = ds["bus_kv"].values
    for (label, mask), colour in zip(year_bins(years), BIN_COLOURS, strict=True):
        if mask.any():
            ax.scatter(lon[mask], lat[mask], s=np.where(kv[mask] >= 345, 46, 26), c=colour,
                       edgecolors="#222222", linewidths=0.5, zorder=6,
                       label=f"{label} ({int(mask.sum())} buses)")
    korea_frame(ax)
    ax.legend(loc="lower left", bbox_to_anchor=(1.02, 0.0), fontsize=9, framealpha=0.95,
              title="first year (large: 345 kV, small: 154 kV)", title_fontsize=9)
    return fig
