"""sites.png: per planned site, its limits (MW), its share of GPUs online and a strip of the
cause holding it back."""

from __future__ import annotations

import numpy as np

from sim.outputs.figures.common import (
    CAUSE_COLOURS,
    LIMIT_STYLE,
    Run,
    date_axis,
    grid_shape,
    new_figure,
    plot_spread,
    short,
    spread,
    subtitle,
    year_step,
)


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
    """Per planned site: limits (MW) and share of planned GPUs online; binding cause strip."""
    sites = run.planned_sites
    fig = new_figure("Site timelines: capacity limits and GPUs online", subtitle(run),
                     fixed=True)
    rows, cols = grid_shape(len(sites))
    axes = fig.subplots(rows, cols, sharex=True, squeeze=False).ravel()
    binding = binding_of(run)
    for k, site in enumerate(sites):
        site_panel(axes[k], run, site, binding, right_label=(k % cols == cols - 1))
        date_axis(axes[k], run.times, label=False,
                  step=year_step(run.times, cols))
        axes[k].tick_params(labelbottom=k + cols >= len(sites))
    for ax in axes[len(sites):]:
        ax.set_visible(False)
    fig.supylabel("capacity (MW)")
    sites_legend(fig, binding)
    return fig


def site_panel(ax, run: Run, site: str, binding, right_label: bool) -> None:
    """One site's limits, online share and (if available) binding-cause strip."""
    info = run.summary["sites"][site]
    for var, (label, colour, style) in LIMIT_STYLE.items():
        if var in run.ds:
            plot_spread(ax, run.times, run.ds[var].sel(site=site), color=colour,
                        linestyle=style, linewidth=1.4, label=label, drawstyle="steps-post")
    ax.set_ylim(bottom=0)
    twin = ax.twinx()
    online = run.ds["gpus_online"].sel(site=site).sum("owner") / max(info["gpus_planned"], 1)
    mid, lo, hi = spread(online * 100.0)
    twin.fill_between(run.times, 0, mid, color="#2CA02C", alpha=0.25, linewidth=0)
    if lo is not None:
        twin.plot(run.times, lo, color="#2CA02C", linewidth=0.6)
        twin.plot(run.times, hi, color="#2CA02C", linewidth=0.6)
    twin.set_ylim(0, 105)
    twin.set_yticks([0, 50, 100])
    twin.tick_params(labelsize=7)
    if right_label:
        twin.set_ylabel("% online", fontsize=8)
    ax.set_zorder(twin.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.tick_params(labelsize=7)
    title = f"{short(site)}: {info['gpus_planned']:,} GPUs"
    if binding is None:
        title += f"\nbinding: {info.get('binding_constraint', '?')}"
    else:
        binding_strip(ax, run.times, binding.sel(site=site).values)
    ax.set_title(title, fontsize=8.5)


def binding_strip(ax, times: np.ndarray, causes: np.ndarray) -> None:
    """A thin strip along the panel's bottom coloured by the binding cause of each period."""
    import matplotlib.dates as mdates

    edges = mdates.date2num(np.append(times, times[-1] + (times[-1] - times[-2]
                                                         if len(times) > 1 else 30)))
    for i, cause in enumerate(causes):
        if cause in ("", "none"):
            continue
        ax.axvspan(edges[i], edges[i + 1], ymin=0, ymax=0.06,
                   color=CAUSE_COLOURS.get(str(cause), "#333333"), linewidth=0)


def sites_legend(fig, binding) -> None:
    """One legend for all panels: limits, online share, binding causes present."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Line2D([], [], color=c, linestyle=s, label=lab)
               for lab, c, s in LIMIT_STYLE.values()]
    handles.append(Patch(color="#2CA02C", alpha=0.25, label="GPUs online (% of planned)"))
    if binding is not None:
        present = sorted({str(v) for v in np.unique(binding.values)} - {"", "none"})
        handles += [Patch(color=CAUSE_COLOURS.get(c, "#333333"), label=f"binding: {c}")
                    for c in present]
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0),
               ncol=min(len(handles), 6), fontsize=8, frameon=False)
