"""What every figure shares: the run it reads, size, colours, date axes and P10-P90 bands.

Every figure is FIGSIZE_IN at DPI (1200 x 700 px), drawn on a `matplotlib.figure.Figure` (no
pyplot, no global state) and written atomically. Import this module lazily: matplotlib is
slow to import and not needed to simulate. When the dataset has a `replicate` dimension, lines
are medians across replicates and bands span P10-P90.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.outputs.cf import decode_flags
from sim.outputs.figures.places import Places
from sim.outputs.files import atomic_write

FIGSIZE_IN = (12.0, 7.0)
DPI = 100
TITLE_Y = 1.0
"""Axes titles at the top of their axes, where matplotlib would put them: an explicit y skips
its automatic title placement, which measures every axes' decorations at each draw to lift
titles above top-side ticks these panels do not have (about 0.3-0.5 s of the ~4.5 s the four
figures of a 1,000-replication apex run take, wall, on 2 cores). The pixels are the same."""
FIGURES = ("gpus_online.png", "sites.png", "map.png", "power.png", "time_to_power.png")
ANNOUNCEMENT = np.datetime64("2025-10-31")
#: Owner colours, stable across figures and runs (Okabe-Ito palette, colour-blind safe).
OWNER_COLOURS = {"gov": "#0072B2", "samsung": "#56B4E9", "sk": "#D55E00",
                 "hyundai": "#009E73", "naver": "#E69F00"}
FALLBACK_COLOURS = ("#CC79A7", "#F0E442", "#999999", "#882255", "#44AA99", "#332288")
CAUSE_COLOURS = {"space": "#8C6D31", "power": "#D62728", "local_power": "#FF7F0E",
                 "grid": "#9467BD", "assessment": "#E377C2", "cooling": "#1F77B4",
                 "install": "#7F7F7F", "burn_in": "#BCBD22", "none": "#FFFFFF", "": "#FFFFFF"}
LIMIT_STYLE = {"it_capacity_mw": ("built IT space (MW IT)", "#8C6D31", "-"),
               "power_limit_mw": ("connection (MW facility)", "#D62728", "-"),
               "cooling_limit_mw": ("cooling (MW heat)", "#1F77B4", "--")}
BANDS = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class Run:
    """What the figures read from a run directory."""

    run_dir: Path
    ds: object  # xarray.Dataset, loaded into memory
    summary: dict
    #: site and grid locations for the map (None: the map shows the outline only)
    places: Places | None = None

    @property
    def replicated(self) -> bool:
        return "replicate" in self.ds.dims

    @property
    def times(self) -> np.ndarray:
        return self.ds["time"].values

    @property
    def planned_sites(self) -> list[str]:
        return [s for s in self.summary.get("sites", {}) if s in self.ds["site"].values]


def load_run(run_dir: Path, places: Places | None = None, ds=None) -> Run:
    """result.nc (loaded, file closed) and summary.json of `run_dir`; `ds`: the dataset the
    run just wrote, already in memory (then result.nc is not read again)."""
    import xarray as xr  # lazy: matplotlib figures are optional

    if ds is not None:
        data = decode_flags(ds)
    else:
        with xr.open_dataset(run_dir / "result.nc", engine="h5netcdf") as opened:
            data = decode_flags(opened.load())
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    return Run(Path(run_dir), data, summary, places)


#: Fixed margins for the small-multiple figures: constrained layout costs ~2 s on 13 panels.
GRID_MARGINS = {"left": 0.06, "right": 0.985, "top": 0.87, "bottom": 0.14, "hspace": 0.75,
                "wspace": 0.22}


def preload() -> None:
    """Import matplotlib's figure machinery now (~0.4 s), e.g. in a thread while a parallel
    run's workers compute, not after them."""
    from matplotlib.backends import backend_agg  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401


def new_figure(title: str, subtitle: str = "", fixed: bool = False):
    """A fixed-size figure with a title: constrained layout, or fixed margins if `fixed`."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE_IN, dpi=DPI, layout=None if fixed else "constrained")
    if fixed:
        fig.subplots_adjust(**GRID_MARGINS)
    fig.suptitle(title + (f"\n{subtitle}" if subtitle else ""), fontsize=13)
    return fig


PNG_COMPRESS_LEVEL = 1
"""zlib level of the PNGs: the same pixels as the default 6, encoded in about half the time
for files ~5 % larger."""


def save(fig, path: Path) -> None:
    """PNG at the fixed size (no tight bbox, so every figure is 1200 x 700 px)."""
    atomic_write(path, lambda tmp: fig.savefig(
        tmp, dpi=DPI, format="png", pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL}))


def owner_colour(owner: str, index: int) -> str:
    """Colour of an owner: by known name prefix, else a fallback by position."""
    for key, colour in OWNER_COLOURS.items():
        if owner.lower().startswith(key):
            return colour
    return FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)]


def spread(da) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(median, p10, p90) across replicates, or (values, None, None) without replicates."""
    if "replicate" not in da.dims:
        return np.asarray(da.values, dtype=float), None, None
    values = np.asarray(da.transpose("replicate", ...).values, dtype=float)
    # xarray's quantile skips NaN with a 1-D loop (~0.1 s per band of 1,000 replicates);
    # without NaN, np.quantile gives the same numbers in one vectorised call
    pick = np.nanquantile if np.isnan(values).any() else np.quantile
    q = pick(values, list(BANDS), axis=0)
    return q[1], q[0], q[2]


def plot_spread(ax, times, da, **style) -> None:
    """Median line plus a P10-P90 band when `da` has a replicate dimension."""
    mid, lo, hi = spread(da)
    ax.plot(times, mid, **style)
    if lo is not None:
        step = "post" if style.get("drawstyle") == "steps-post" else None
        ax.fill_between(times, lo, hi, color=style.get("color"), alpha=0.2, linewidth=0,
                        step=step)


def date_axis(ax, times: np.ndarray, label: bool = True, step: int = 1) -> None:
    """Ticks on 1 January every `step` years (fixed positions: rrule locators are slow)."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import FixedFormatter, FixedLocator

    first = int(str(times[0])[:4])
    last = int(str(times[-1])[:4]) + 1
    years = [y for y in range(first, last + 1) if y % step == 0]
    ticks = [mdates.date2num(np.datetime64(f"{y}-01-01")) for y in years]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FixedFormatter([str(y) for y in years]))
    if label:
        ax.set_xlabel("date")
    ax.grid(True, which="major", alpha=0.3)


def year_step(times: np.ndarray, cols: int) -> int:
    """Years between ticks so that a panel 1/cols of the figure wide keeps ~<=12/cols ticks."""
    years = (times[-1] - times[0]).astype("timedelta64[D]").astype(float) / 365.25
    return max(1, math.ceil(years * cols / 16))


def subtitle(run: Run) -> str:
    s = run.summary
    reps = run.ds.sizes.get("replicate", s.get("replications", 1))
    spread_note = f", median and P10-P90 of {reps} replications" if run.replicated else ""
    return (f"scenario {s.get('scenario', '?')}, {s.get('start', '?')} to "
            f"{s.get('horizon_end', '?')}{spread_note}")


def by_completion(run: Run) -> list[str]:
    """Planned sites, earliest fully online first (P50 when replicated); not by the horizon
    last, in plan order."""
    def key(site: str) -> str:
        full = run.summary["sites"][site].get("full_operation")
        full = full.get("p50") if isinstance(full, dict) else full
        return full or "9999"
    return sorted(run.planned_sites, key=key)


def grid_shape(n: int) -> tuple[int, int]:
    """(rows, cols) of small multiples for n panels."""
    cols = 1 if n <= 1 else 2 if n <= 4 else 3 if n <= 9 else 4
    return max(1, math.ceil(n / cols)), cols


def short(name: str, width: int = 24) -> str:
    return name if len(name) <= width else name[:width - 1] + "…"


def mark_announcement(ax) -> None:
    """Vertical marker at the APEC announcement, with the x-range widened to include it."""
    ax.axvline(ANNOUNCEMENT, color="#555555", linestyle=":", linewidth=1.2)
    ax.annotate("announced\n2025-10-31", (ANNOUNCEMENT, 1.0), xycoords=("data", "axes fraction"),
                xytext=(4, -4), textcoords="offset points", va="top", fontsize=8,
                color="#555555")
    left, right = ax.get_xlim()
    import matplotlib.dates as mdates

    ax.set_xlim(min(left, mdates.date2num(ANNOUNCEMENT - np.timedelta64(60, "D"))), right)


def wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) if text else []
