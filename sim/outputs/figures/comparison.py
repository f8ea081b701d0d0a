"""comparison.png: total GPUs online vs date for the runs of a sweep, one panel per value of
the first swept parameter (when two or more are swept), one colour per value of the others;
median with a P10-P90 band when the runs are replicated. Without swept parameters (or for runs
that form no grid) the best-ranked MAX_RUNS runs share one panel."""

from __future__ import annotations

from pathlib import Path

from sim.outputs.figures.common import (
    date_axis,
    grid_shape,
    load_run,
    mark_announcement,
    new_figure,
    plot_spread,
    save,
)

MAX_RUNS = 8
#: colours for the values of the non-facet parameters (Okabe-Ito, colour-blind safe)
PALETTE = ("#000000", "#E69F00", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9",
           "#F0E442")


def label_of(row: dict, params: list[str]) -> str:
    text = ", ".join(f"{p}={row[p]}" for p in params) or f"job {row['job']}"
    return f"#{row['rank']} {text}"


def _facets(rows: list[dict], params: list[str]) -> tuple[str | None, list[str], list]:
    """(facet parameter, colour parameters, facet values in first-seen order)."""
    if len(params) < 2:
        return None, params, [None]
    facet = params[0]
    return facet, params[1:], list(dict.fromkeys(r[facet] for r in _by_job(rows)))


def _by_job(rows: list[dict]) -> list[dict]:
    """Rows in sweep order (job number), so panels and colours follow the command line."""
    return sorted(rows, key=lambda r: r["job"])


def comparison_figure(rows: list[dict], params: list[str], who: str = "total"):
    """`rows`: ranked rows with `run_dir` (see sim.app.sweep.rank); completed runs only."""
    rows = [r for r in rows if r.get("status", "complete") == "complete"]
    facet, colour_params, facet_values = _facets(rows, params)
    if facet is None and not params:
        rows = rows[:MAX_RUNS]
    runs = {r["job"]: load_run(Path(r["run_dir"])) for r in rows}
    replicated = any(run.replicated for run in runs.values())
    note = "line: median, band: P10–P90 of the replications" if replicated else \
        "deterministic runs (add mc.replications=N for P10–P90 bands)"
    fig = new_figure(f"GPUs online ({who}) across the sweep", note, fixed=True)
    n_rows, n_cols = grid_shape(len(facet_values))
    axes = fig.subplots(n_rows, n_cols, sharex=True, sharey=True, squeeze=False).ravel()
    fig.subplots_adjust(hspace=0.3, wspace=0.12)   # one-line panel titles: less space
    colours = _colours(rows, colour_params)
    first = next(iter(runs.values()))
    for ax, value in zip(axes, facet_values, strict=False):
        for row in (r for r in rows if facet is None or r[facet] == value):
            run = runs[row["job"]]
            online = run.ds["gpus_online"].sum("site")
            online = online.sum("owner") if who == "total" else online.sel(owner=who)
            key = _key(row, colour_params)
            # earlier values thicker, so identical curves stay visible under later ones
            width = max(1.2, 3.4 - 0.6 * list(colours).index(key))
            plot_spread(ax, run.times, online / 1000.0, color=colours[key], linewidth=width,
                        label=key)
        _decorate(ax, first, who, f"{facet} = {value}" if facet else "")
    for ax in axes[len(facet_values):]:
        ax.set_visible(False)
    _legend(fig, colours, colour_params)
    return fig


def _key(row: dict, colour_params: list[str]) -> str:
    if not colour_params:
        return f"job {row['job']}"
    if len(colour_params) == 1:      # the legend's title names the parameter
        return str(row[colour_params[0]])
    return ", ".join(f"{p}={row[p]}" for p in colour_params)


def _colours(rows: list[dict], colour_params: list[str]) -> dict[str, str]:
    keys = list(dict.fromkeys(_key(r, colour_params) for r in _by_job(rows)))
    return {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(keys)}


def _decorate(ax, run, who: str, title: str) -> None:
    target = run.summary.get("target_gpus") if who == "total" else None
    if target:
        ax.axhline(target / 1000.0, color="grey", linestyle="--", linewidth=1.0)
    mark_announcement(ax)
    ax.set_ylim(bottom=0)
    date_axis(ax, run.times, label=False, step=2)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel("GPUs online (thousands)", fontsize=9)
    ax.tick_params(labelsize=8)


def _legend(fig, colours: dict[str, str], colour_params: list[str]) -> None:
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=c, linewidth=max(1.2, 3.4 - 0.6 * i), label=k)
               for i, (k, c) in enumerate(colours.items())]
    handles.append(Line2D([], [], color="grey", linestyle="--", label="target"))
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 5), fontsize=9,
               frameon=False, title=", ".join(colour_params) or None)


def write_comparison(out_dir: Path, rows: list[dict], params: list[str],
                     who: str = "total") -> Path:
    path = Path(out_dir) / "comparison.png"
    save(comparison_figure(rows, params, who), path)
    return path
