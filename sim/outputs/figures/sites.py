"""sites.png: one small panel per planned site, sorted by the date all its GPUs are online, on
one y-axis in MW: the IT load of energised racks (filled) against the built IT space, the
connection and the cooling; a strip along the bottom shows the cause holding the site back."""

from __future__ import annotations

import numpy as np

from sim.outputs.figures.common import (
    CAUSE_COLOURS,
    LIMIT_STYLE,
    TITLE_Y,
    Run,
    by_completion,
    date_axis,
    grid_shape,
    new_figure,
    plot_spread,
    short,
    spread,
    subtitle,
    year_step,
)
from sim.outputs.names import cause_label, site_label

LOAD_COLOUR = "#2CA02C"


def binding_of(run: Run):
    """binding(time, site) as strings (mode across replicates), or None when absent."""
    if "binding" not in run.ds:
        return None
    da = run.ds["binding"].astype(str)
    if "replicate" not in da.dims:
        return da
    values = da.transpose("time", "site", "replicate").values
    modes = np.empty(values.shape[:2], dtype=object)
    for idx in np.ndindex(values.shape[:2]):
        names, counts = np.unique(values[idx], return_counts=True)
        modes[idx] = names[np.argmax(counts)]
    return da.isel(replicate=0).copy(data=modes.astype(str))


def sites_figure(run: Run):
    """Per planned site, earliest complete first: IT load vs limits (MW); binding strip."""
    sites = by_completion(run)
    fig = new_figure("Each site: IT load online against its limits, earliest complete first",
                     subtitle(run), fixed=True)
    rows, cols = grid_shape(len(sites))
    axes = fig.subplots(rows, cols, sharex=True, squeeze=False).ravel()
    binding = binding_of(run)
    for k, site in enumerate(sites):
        site_panel(axes[k], run, site, binding)
        date_axis(axes[k], run.times, label=False, step=year_step(run.times, cols))
        axes[k].tick_params(labelbottom=k + cols >= len(sites))
    for ax in axes[len(sites):]:
        ax.set_visible(False)
    fig.supylabel("MW", fontsize=10)
    sites_legend(fig, binding, run.replicated)
    return fig


def _full(info: dict) -> str:
    full = info.get("full_operation")
    full = full.get("p50") if isinstance(full, dict) else full
    return f"all online {full[:7]}" if full else "not all online by horizon"


def site_panel(ax, run: Run, site: str, binding) -> None:
    """One site: IT load of energised racks (filled) and its limits; binding-cause strip."""
    info = run.summary["sites"][site]
    mid, lo, hi = spread(run.ds["it_load_mw"].sel(site=site))
    ax.fill_between(run.times, 0, mid, color=LOAD_COLOUR, alpha=0.35, linewidth=0,
                    step="post")
    if lo is not None:
        ax.plot(run.times, hi, color=LOAD_COLOUR, linewidth=0.6, drawstyle="steps-post")
        ax.plot(run.times, lo, color=LOAD_COLOUR, linewidth=0.6, drawstyle="steps-post")
    for var, (label, colour, style) in LIMIT_STYLE.items():
        if var in run.ds:
            plot_spread(ax, run.times, run.ds[var].sel(site=site), color=colour,
                        linestyle=style, linewidth=1.3, label=label, drawstyle="steps-post")
    ax.set_ylim(0, ax.get_ylim()[1] * 1.25)     # room for the label above the lines
    ax.tick_params(labelsize=7)
    gpus = info.get("gpus_assigned", info["gpus_planned"])
    title = f"{short(site_label(run.summary, site), 30)}\n{gpus:,} GPUs, " \
            f"{_full(info)}"
    if binding is None:   # replicated runs: the cause with most rack-days, as text
        ax.text(0.02, 0.96, f"held by: {cause_label(info.get('binding_constraint', 'none'))}",
                transform=ax.transAxes, fontsize=7, va="top", ha="left",
                bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1})
    else:
        binding_strip(ax, run.times, binding.sel(site=site).values)
    ax.set_title(title, fontsize=8, y=TITLE_Y)


def binding_strip(ax, times: np.ndarray, causes: np.ndarray) -> None:
    """A strip along the panel's bottom coloured by the binding cause of each period."""
    import matplotlib.dates as mdates

    edges = mdates.date2num(np.append(times, times[-1] + (times[-1] - times[-2]
                                                         if len(times) > 1 else 30)))
    for i, cause in enumerate(causes):
        if cause in ("", "none"):
            continue
        ax.axvspan(edges[i], edges[i + 1], ymin=0, ymax=0.07,
                   color=CAUSE_COLOURS.get(str(cause), "#333333"), linewidth=0)


def sites_legend(fig, binding, replicated: bool) -> None:
    """One legend for all panels: load, limits, the band lines, binding causes present."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(color=LOAD_COLOUR, alpha=0.35, label="IT load of energised racks")]
    handles += [Line2D([], [], color=c, linestyle=s, label=lab)
                for lab, c, s in LIMIT_STYLE.values()]
    if replicated:
        handles.append(Line2D([], [], color=LOAD_COLOUR, linewidth=0.6,
                              label="thin lines / shading: P10–P90"))
    if binding is not None:
        present = sorted({str(v) for v in np.unique(binding.values)} - {"", "none"})
        handles += [Patch(color=CAUSE_COLOURS.get(c, "#333333"),
                          label=f"bottom strip: held by {cause_label(c)}") for c in present]
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0),
               ncol=min(len(handles), 4), fontsize=8, frameon=False)
