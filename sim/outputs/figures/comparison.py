"""comparison.png: GPUs online vs date for the runs of a sweep (or any run directories).

Same look as the run figures (size, date axis, announcement marker, P10-P90 bands). The best-ranked
run is drawn thick in black; at most MAX_RUNS runs (the best ranked) are shown.
"""

from __future__ import annotations

from pathlib import Path

from sim.outputs.figures.common import (
    FALLBACK_COLOURS,
    OWNER_COLOURS,
    date_axis,
    load_run,
    mark_announcement,
    new_figure,
    plot_spread,
    save,
)

MAX_RUNS = 12
LINESTYLES = ("-", "--", "-.", ":")
PALETTE = (*OWNER_COLOURS.values(), *FALLBACK_COLOURS)


def label_of(row: dict, params: list[str]) -> str:
    text = ", ".join(f"{p}={row[p]}" for p in params) or f"job {row['job']}"
    return f"#{row['rank']} {text}"


def comparison_figure(rows: list[dict], params: list[str], who: str = "total"):
    """`rows`: ranked rows with `run_dir` (see sim.sweep.rank); completed runs only."""
    rows = [r for r in rows if r.get("status", "complete") == "complete"][:MAX_RUNS]
    runs = [load_run(Path(r["run_dir"])) for r in rows]
    replicated = any(run.replicated for run in runs)
    note = ", median and P10-P90 across replications" if replicated else ""
    fig = new_figure(f"GPUs online ({who}): comparison of {len(rows)} runs",
                     f"ranked by the date of 100 % online{note}")
    ax = fig.add_subplot()
    for i, (row, run) in enumerate(zip(rows, runs, strict=True)):
        online = run.ds["gpus_online"].sum("site")
        online = online.sum("owner") if who == "total" else online.sel(owner=who)
        style = ({"color": "black", "linewidth": 2.6} if i == 0
                 else {"color": PALETTE[(i - 1) % len(PALETTE)], "linewidth": 1.5,
                       "linestyle": LINESTYLES[(i - 1) // len(PALETTE) % 4 if i > len(PALETTE)
                                               else (i - 1) % 2]})
        plot_spread(ax, run.times, online / 1000.0, label=label_of(row, params), **style)
    target = _target(runs, who)
    if target:
        ax.axhline(target / 1000.0, color="grey", linestyle="--", linewidth=1.2,
                   label=f"target {target / 1000:g}k GPUs")
    mark_announcement(ax)
    ax.set_ylabel("GPUs online (thousands)")
    ax.set_ylim(bottom=0)
    date_axis(ax, runs[0].times)
    ax.legend(loc="lower right", fontsize=8, frameon=True)
    return fig


def _target(runs, who: str) -> int | None:
    return runs[0].summary.get("target_gpus") if who == "total" else None


def write_comparison(out_dir: Path, rows: list[dict], params: list[str],
                     who: str = "total") -> Path:
    path = Path(out_dir) / "comparison.png"
    save(comparison_figure(rows, params, who), path)
    return path
