"""Figures of a run: gpus_online.png, sites.png, map.png, power.png (matplotlib, Agg).

Every figure is FIGSIZE_IN at DPI (1200 x 700 px), drawn on a `matplotlib.figure.Figure` (no
pyplot, no global state) and written atomically. Import this module lazily: matplotlib is
slow to import and not needed to simulate. When the dataset has a `replicate` dimension, lines
are medians across replicates and bands span P10-P90.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.output import atomic_write

FIGSIZE_IN = (12.0, 7.0)
DPI = 100
FIGURES = ("gpus_online.png", "sites.png", "map.png", "power.png")
ANNOUNCEMENT = np.datetime64("2025-10-31")
PACKAGE_DIR = Path(__file__).resolve().parent
GEO_DIR = PACKAGE_DIR / "data" / "geo"
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

    @property
    def replicated(self) -> bool:
        return "replicate" in self.ds.dims

    @property
    def times(self) -> np.ndarray:
        return self.ds["time"].values

    @property
    def planned_sites(self) -> list[str]:
        return [s for s in self.summary.get("sites", {}) if s in self.ds["site"].values]


def load_run(run_dir: Path) -> Run:
    """result.nc (loaded, file closed) and summary.json of `run_dir`."""
    import xarray as xr

    with xr.open_dataset(run_dir / "result.nc", engine="h5netcdf") as ds:
        data = ds.load()
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    return Run(Path(run_dir), data, summary)


def write_figures(run_dir: Path) -> list[Path]:
    """Write the four figures into `run_dir`; returns their paths."""
    run = load_run(Path(run_dir))
    makers = (gpus_online_figure, sites_figure, map_figure, power_figure)
    paths = []
    for name, make in zip(FIGURES, makers, strict=True):
        path = run.run_dir / name
        save(make(run), path)
        paths.append(path)
    return paths


# ---------------------------------------------------------------- helpers


#: Fixed margins for the small-multiple figures: constrained layout costs ~2 s on 13 panels.
GRID_MARGINS = {"left": 0.06, "right": 0.95, "top": 0.87, "bottom": 0.12, "hspace": 0.55,
                "wspace": 0.32}


def new_figure(title: str, subtitle: str = "", fixed: bool = False):
    """A fixed-size figure with a title: constrained layout, or fixed margins if `fixed`."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE_IN, dpi=DPI, layout=None if fixed else "constrained")
    if fixed:
        fig.subplots_adjust(**GRID_MARGINS)
    fig.suptitle(title + (f"\n{subtitle}" if subtitle else ""), fontsize=13)
    return fig


def save(fig, path: Path) -> None:
    """PNG at the fixed size (no tight bbox, so every figure is 1200 x 700 px)."""
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=DPI, format="png"))


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
    q = da.quantile(list(BANDS), dim="replicate").values.astype(float)
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


def grid_shape(n: int) -> tuple[int, int]:
    """(rows, cols) of small multiples for n panels."""
    cols = 1 if n <= 1 else 2 if n <= 4 else 3 if n <= 9 else 4
    return max(1, math.ceil(n / cols)), cols


def short(name: str, width: int = 24) -> str:
    return name if len(name) <= width else name[:width - 1] + "…"


# ---------------------------------------------------------------- 1. GPUs online


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


def mark_announcement(ax) -> None:
    """Vertical marker at the APEC announcement, with the x-range widened to include it."""
    ax.axvline(ANNOUNCEMENT, color="#555555", linestyle=":", linewidth=1.2)
    ax.annotate("announced\n2025-10-31", (ANNOUNCEMENT, 1.0), xycoords=("data", "axes fraction"),
                xytext=(4, -4), textcoords="offset points", va="top", fontsize=8,
                color="#555555")
    left, right = ax.get_xlim()
    import matplotlib.dates as mdates

    ax.set_xlim(min(left, mdates.date2num(ANNOUNCEMENT - np.timedelta64(60, "D"))), right)


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


# ---------------------------------------------------------------- 2. sites


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


# ---------------------------------------------------------------- 3. map


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file, or [] when it does not exist."""
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_rings(path: Path) -> list[np.ndarray]:
    """lon,lat,ring CSV as a list of (n, 2) arrays."""
    rings: dict[str, list[tuple[float, float]]] = {}
    for row in read_rows(path):
        rings.setdefault(row["ring"], []).append((float(row["lon"]), float(row["lat"])))
    return [np.asarray(r) for r in rings.values()]


def run_config(run_dir: Path) -> dict:
    """The resolved config of the run (.hydra/config.yaml), or {} when absent."""
    path = run_dir / ".hydra" / "config.yaml"
    if not path.is_file():
        return {}
    from omegaconf import OmegaConf

    return OmegaConf.to_container(OmegaConf.load(path), resolve=False)  # type: ignore[return-value]


def data_dirs(run_dir: Path) -> tuple[Path, Path | None]:
    """(data_dir, scenario_dir) of the run, from its config; defaults as sim.config does."""
    from sim.config import DATA_DIR, SCENARIOS_DIR

    cfg = run_config(run_dir)
    data = Path(cfg["data_dir"]) if cfg.get("data_dir") else DATA_DIR
    scen = cfg.get("scenario_dir") or (SCENARIOS_DIR / cfg["scenario"]
                                       if cfg.get("scenario") else None)
    return data, (Path(scen) if scen else None)


def site_locations(run_dir: Path) -> dict[str, tuple[float, float, str]]:
    """site -> (lon, lat, name): the scenario's sites.csv override, else the run's data dir."""
    data, scen = data_dirs(run_dir)
    candidates = [*([scen / "sites.csv"] if scen else []), data / "sites.csv"]
    for path in candidates:
        rows = read_rows(path)
        if rows:
            return {r["site"]: (float(r["lon"]), float(r["lat"]), r.get("name", r["site"]))
                    for r in rows}
    return {}


def full_dates(run: Run) -> dict[str, np.datetime64 | None]:
    """Per planned site, the first sample date with all planned GPUs online (P50)."""
    out = {}
    online = run.ds["gpus_online"].sum("owner")
    t = (run.times - run.times[0]).astype("timedelta64[D]").astype(float)
    for site in run.planned_sites:
        planned = run.summary["sites"][site]["gpus_planned"]
        reached = (online.sel(site=site) >= planned).transpose("time", ...).values
        reached = reached.reshape(len(t), -1)
        first = np.where(reached.any(axis=0), t[np.argmax(reached, axis=0)], np.inf)
        day = float(np.median(first))
        out[site] = None if not np.isfinite(day) else run.times[0] + np.timedelta64(
            round(day), "D")
    return out


def map_figure(run: Run):
    """Korea with candidate sites (size: planned GPUs; colour: full-operation date), grid."""
    fig = new_figure("Where the GPUs go and when each site is fully online", subtitle(run))
    gs = fig.add_gridspec(1, 2, width_ratios=[1.25, 1.0])
    ax = fig.add_subplot(gs[0, 0])
    draw_outlines(ax)
    loading_note = draw_grid(ax, run)
    placed = draw_sites(fig, ax, run)
    ax.set_aspect(1 / math.cos(math.radians(36.0)))
    ax.set_xlim(124.5, 130.0)
    ax.set_ylim(33.0, 38.7)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.grid(True, alpha=0.2)
    site_table(fig.add_subplot(gs[0, 1]), run, placed, loading_note)
    return fig


def draw_outlines(ax) -> None:
    """South Korea (Natural Earth) and the approximate capital region."""
    for ring in read_rings(GEO_DIR / "korea_outline.csv"):
        ax.fill(ring[:, 0], ring[:, 1], facecolor="#F2F0EB", edgecolor="#555555",
                linewidth=0.7, zorder=1)
    for k, ring in enumerate(read_rings(GEO_DIR / "capital_region.csv")):
        ax.plot(ring[:, 0], ring[:, 1], color="#444444", linestyle="--", linewidth=1.0,
                zorder=2, label="capital region (approx.)" if k == 0 else None)


def grid_lines(run_dir: Path) -> tuple[dict[str, tuple[float, float]], list[dict[str, str]]]:
    """Buses (bus -> lon, lat) and lines (+ planned projects) of the run's data_dir/grid."""
    folder = data_dirs(run_dir)[0] / "grid"
    buses = read_rows(folder / "buses.csv")
    projects = [{**r, "planned": "1"} for r in read_rows(folder / "projects.csv")]
    where = {r["bus"]: (float(r["lon"]), float(r["lat"])) for r in buses}
    return where, (read_rows(folder / "lines.csv") + projects) if buses else []


def loading_at(run: Run) -> tuple[dict[str, float], str]:
    """line -> loading (fraction of rating) at 90 % online (else the horizon), and the date."""
    if "line_loading" not in run.ds:
        return {}, ""
    date = (run.summary.get("milestones", {}).get("total", {}).get("90")
            or str(run.times[-1])[:10])
    da = run.ds["line_loading"].sel(time=np.datetime64(date), method="nearest")
    values = spread(da)[0]
    if run.ds["line_loading"].attrs.get("units", "") in ("%", "percent"):
        values = values / 100.0
    return dict(zip(map(str, da["line"].values), values, strict=True)), date


def draw_grid(ax, run: Run) -> str:
    """Transmission lines coloured by loading when available; returns a note for the legend."""
    from matplotlib.collections import LineCollection

    where, lines = grid_lines(run.run_dir)
    if not lines:
        return "transmission grid: no data"
    loading, date = loading_at(run)
    ac = [r for r in lines if r.get("kind") == "ac" and r["bus0"] in where and r["bus1"] in where]
    segs = [[where[r["bus0"]], where[r["bus1"]]] for r in ac]
    widths = [1.8 if int(r.get("kv") or 0) >= 700 else 0.9 for r in ac]
    if loading:
        values = [loading.get(r.get("line", ""), np.nan) for r in ac]
        coll = LineCollection(segs, linewidths=widths, cmap="RdYlGn_r", zorder=3)
        coll.set_array(np.ma.masked_invalid(np.asarray(values, dtype=float)))
        coll.set_clim(0.0, 1.0)
        ax.add_collection(coll)
        cbar = ax.figure.colorbar(coll, ax=ax, shrink=0.6, pad=0.01, location="bottom")
        cbar.set_label(f"line loading on {date} (fraction of rating)", fontsize=8)
    else:
        ax.add_collection(LineCollection(segs, linewidths=widths, colors="#9A9A9A", zorder=3))
    draw_hvdc(ax, lines, where)
    return ("grid: 765 kV thick, 345 kV thin, HVDC dashed purple"
            + (f"; coloured by loading on {date}" if loading else ""))


def draw_hvdc(ax, lines: list[dict[str, str]], where: dict) -> None:
    """HVDC links as dashed purple lines (planned projects lighter)."""
    for r in lines:
        if r.get("kind") != "hvdc" or r["bus0"] not in where or r["bus1"] not in where:
            continue
        (x0, y0), (x1, y1) = where[r["bus0"]], where[r["bus1"]]
        planned = r.get("planned") == "1"
        ax.plot([x0, x1], [y0, y1], color="#7B3294", linestyle="--", linewidth=2.2,
                alpha=0.5 if planned else 0.9, zorder=4)


LABEL_OFFSETS = ((0.12, 0.08), (0.12, -0.12), (-0.2, 0.08), (-0.2, -0.12), (0.0, 0.2),
                 (0.0, -0.25), (0.25, 0.0), (-0.3, 0.0))


def draw_sites(fig, ax, run: Run) -> list[str]:
    """Site bubbles with numbered labels; returns the sites drawn, in label order."""
    import matplotlib.dates as mdates

    where = site_locations(run.run_dir)
    dates = full_dates(run)
    sites = [s for s in run.planned_sites if s in where]
    if not sites:
        ax.text(0.5, 0.02, "no site locations (sites.csv) found", transform=ax.transAxes,
                ha="center", fontsize=9)
        return []
    lon = np.array([where[s][0] for s in sites])
    lat = np.array([where[s][1] for s in sites])
    gpus = np.array([run.summary["sites"][s]["gpus_planned"] for s in sites], dtype=float)
    size = 40 + 600 * gpus / gpus.max()
    num = np.array([mdates.date2num(dates[s]) if dates[s] is not None else np.nan
                    for s in sites])
    done = np.isfinite(num)
    if (~done).any():
        ax.scatter(lon[~done], lat[~done], s=size[~done], facecolor="#DDDDDD",
                   edgecolor="#B00000", linewidth=1.5, zorder=5)
    if done.any():
        sc = ax.scatter(lon[done], lat[done], s=size[done], c=num[done], cmap="viridis",
                        edgecolor="black", linewidth=0.6, alpha=0.9, zorder=6)
        if np.ptp(num[done]) == 0:
            sc.set_clim(num[done][0] - 180, num[done][0] + 180)
        cbar = fig.colorbar(sc, ax=ax, shrink=0.6, pad=0.02, location="right")
        cbar.set_ticks(half_years(*sc.get_clim()))
        cbar.ax.yaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        cbar.set_label("fully online (first month)", fontsize=8)
    label_sites(ax, lon, lat)
    return sites


def half_years(lo: float, hi: float) -> list[float]:
    """Matplotlib date numbers of 1 January and 1 July between lo and hi (or just lo, hi)."""
    import matplotlib.dates as mdates

    first, last = mdates.num2date(lo).year, mdates.num2date(hi).year
    ticks = [mdates.date2num(np.datetime64(f"{y}-{m:02d}-01")) for y in range(first, last + 1)
             for m in (1, 7)]
    ticks = [t for t in ticks if lo <= t <= hi]
    if len(ticks) > 8:
        ticks = ticks[::2]
    return ticks if len(ticks) >= 2 else [lo, hi]


def label_sites(ax, lon: np.ndarray, lat: np.ndarray) -> None:
    """Number each site, offsetting labels away from labels already placed."""
    placed: list[tuple[float, float]] = []
    for k in range(len(lon)):
        for dx, dy in LABEL_OFFSETS:
            x, y = lon[k] + dx, lat[k] + dy
            if all(abs(x - px) > 0.22 or abs(y - py) > 0.16 for px, py in placed):
                break
        placed.append((x, y))
        ax.text(x, y, str(k + 1), fontsize=9, fontweight="bold", ha="center", va="center",
                zorder=7, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                                "alpha": 0.8})


def site_table(ax, run: Run, sites: list[str], note: str) -> None:
    """Numbered list of the sites: planned GPUs and full-operation date (P50)."""
    ax.axis("off")
    dates = full_dates(run)
    lines = [f"{'#':>2}  {'site':<20} {'GPUs':>7}  {'fully online':<14} binding"]
    for k, site in enumerate(sites):
        info = run.summary["sites"][site]
        date = dates[site]
        when = str(date)[:7] if date is not None else "not by horizon"
        lines.append(f"{k + 1:>2}  {short(site, 20):<20} {info['gpus_planned']:>7,}  {when:<14} "
                     f"{info.get('binding_constraint', '?')}")
    missing = [s for s in run.planned_sites if s not in sites]
    if missing:
        lines.append(f"no location: {', '.join(missing)}")
    lines += ["", "bubble area ~ planned GPUs; grey with red edge:",
              "not fully online by the horizon", "dashed outline: capital region (approx.)",
              *wrap(note, 52)]
    ax.text(0.0, 1.0, "\n".join(lines), va="top", ha="left", family="monospace", fontsize=8.5,
            transform=ax.transAxes)


def wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) if text else []


# ---------------------------------------------------------------- 4. power


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


def describe() -> dict[str, str]:
    """What each figure shows (for the report's captions)."""
    return {
        "gpus_online.png": "GPUs online (thousands) by owner and in total; dashed: the target;"
                           " dots: the milestone dates of summary.json.",
        "sites.png": "Per planned site: built IT space, connection and cooling limits (MW, "
                     "left) and the share of its planned GPUs online (green, right).",
        "map.png": "Candidate sites sized by planned GPUs and coloured by the first month all "
                   "their GPUs are online; transmission backbone and HVDC links.",
        "power.png": "Left: facility load of all sites vs the planned sites' connection "
                     "capacity. Right: each site's facility load (grey) vs its connection "
                     "(red).",
    }
