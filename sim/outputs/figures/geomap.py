"""map.png: Korea with the planned sites (size: planned GPUs; colour: full-operation date),
the backbone coloured by loading, and a numbered site table."""

from __future__ import annotations

import math

import numpy as np

from sim.core import schemas
from sim.core.paths import GEO_DIR
from sim.outputs.figures.common import Run, new_figure, short, spread, subtitle, wrap
from sim.outputs.names import cause_label, site_label


def read_rings(path) -> list[np.ndarray]:
    """lon,lat,ring CSV as a list of (n, 2) arrays."""
    rings: dict[str, list[tuple[float, float]]] = {}
    for row in schemas.read(path, "geo/rings"):
        rings.setdefault(row["ring"], []).append((row["lon"], row["lat"]))
    return [np.asarray(r) for r in rings.values()]


def full_dates(run: Run) -> dict[str, np.datetime64 | None]:
    """Per planned site, the date all its GPUs are online (P50 when replicated), from
    summary.json."""
    out = {}
    for site in run.planned_sites:
        date = run.summary["sites"][site].get("full_operation")
        if isinstance(date, dict):
            date = date.get("p50")
        out[site] = None if date is None else np.datetime64(date)
    return out


def map_figure(run: Run):
    """Korea with candidate sites (size: planned GPUs; colour: full-operation date), grid."""
    fig = new_figure("Where the GPUs go and when each site is fully online", subtitle(run))
    gs = fig.add_gridspec(1, 2, width_ratios=[1.25, 1.0])
    ax = fig.add_subplot(gs[0, 0])
    draw_outlines(ax)
    loading_note = draw_grid(ax, run)
    placed = draw_sites(fig, ax, run)
    korea_frame(ax)
    site_table(fig.add_subplot(gs[0, 1]), run, placed, loading_note)
    return fig


def korea_frame(ax) -> None:
    """Axes of a map of South Korea: equal distances at 36 N, the mainland and Jeju."""
    ax.set_aspect(1 / math.cos(math.radians(36.0)))
    ax.set_xlim(124.5, 130.0)
    ax.set_ylim(33.0, 38.7)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.grid(True, alpha=0.2)


def draw_outlines(ax) -> None:
    """South Korea (Natural Earth) and the approximate capital region."""
    for ring in read_rings(GEO_DIR / "korea_outline.csv"):
        ax.fill(ring[:, 0], ring[:, 1], facecolor="#F2F0EB", edgecolor="#555555",
                linewidth=0.7, zorder=1)
    for k, ring in enumerate(read_rings(GEO_DIR / "capital_region.csv")):
        ax.plot(ring[:, 0], ring[:, 1], color="#444444", linestyle="--", linewidth=1.0,
                zorder=2, label="capital region (approx.)" if k == 0 else None)


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

    places = run.places
    where, lines = (places.buses, places.lines) if places else ({}, [])
    if not lines:
        return "transmission grid: no data"
    loading, date = loading_at(run)
    ac = [r for r in lines if r.get("kind") == "ac" and r["bus0"] in where and r["bus1"] in where]
    segs = [[where[r["bus0"]], where[r["bus1"]]] for r in ac]
    widths = [1.8 if r["kv"] >= 700 else 0.9 for r in ac]
    if loading:
        values = [loading.get(r["line"], np.nan) for r in ac]
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


def draw_hvdc(ax, lines: list[dict], where: dict) -> None:
    """HVDC links as dashed purple lines (planned projects lighter)."""
    for r in lines:
        if r.get("kind") != "hvdc" or r["bus0"] not in where or r["bus1"] not in where:
            continue
        (x0, y0), (x1, y1) = where[r["bus0"]], where[r["bus1"]]
        planned = r["planned"]
        ax.plot([x0, x1], [y0, y1], color="#7B3294", linestyle="--", linewidth=2.2,
                alpha=0.5 if planned else 0.9, zorder=4)


LABEL_OFFSETS = ((0.12, 0.08), (0.12, -0.12), (-0.2, 0.08), (-0.2, -0.12), (0.0, 0.2),
                 (0.0, -0.25), (0.25, 0.0), (-0.3, 0.0))


def draw_sites(fig, ax, run: Run) -> list[str]:
    """Site bubbles with numbered labels; returns the sites drawn, in label order."""
    import matplotlib.dates as mdates

    where = run.places.sites if run.places else {}
    dates = full_dates(run)
    sites = [s for s in run.planned_sites if s in where]
    if not sites:
        ax.text(0.5, 0.02, "no site locations (sites.csv) found", transform=ax.transAxes,
                ha="center", fontsize=9)
        return []
    lon = np.array([where[s][0] for s in sites])
    lat = np.array([where[s][1] for s in sites])
    info = run.summary["sites"]
    gpus = np.array([info[s].get("gpus_assigned", info[s]["gpus_planned"]) for s in sites],
                    dtype=float)
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
        cbar.set_label("fully online (P50 date)" if run.replicated else "fully online",
                       fontsize=8)
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
    lines = [f"{'#':>2}  {'site':<24} {'GPUs':>7}  {'fully online':<14} held back by"]
    for k, site in enumerate(sites):
        info = run.summary["sites"][site]
        date = dates[site]
        when = str(date)[:7] if date is not None else "not by horizon"
        name = short(site_label(run.summary, site), 24)
        cause = short(cause_label(info.get("binding_constraint", "none")), 22)
        gpus = info.get("gpus_assigned", info["gpus_planned"])
        lines.append(f"{k + 1:>2}  {name:<24} {gpus:>7,}  {when:<14} {cause}")
    missing = [s for s in run.planned_sites if s not in sites]
    if missing:
        lines.append(f"no location: {', '.join(missing)}")
    lines += ["", "bubble area ~ GPUs (after owner policies); grey with red edge:",
              "not fully online by the horizon", "dashed outline: capital region (approx.)",
              *wrap(note, 52)]
    ax.text(0.0, 1.0, "\n".join(lines), va="top", ha="left", family="monospace", fontsize=8.5,
            transform=ax.transAxes)
