"""Derive the embedded station climate tables from the shared Open-Meteo/ERA5 climatology.

Usage: python tools/derive_climate.py [--src DIR] [--out DIR]

Reads `monthly_2016_2025.csv` and `extremes_2016_2025.csv` (Open-Meteo historical API, ERA5-based,
CC-BY 4.0) and writes:
- `stations_monthly.csv`: station, month, t_mean_c, t_max_mean_c, rh_mean_pct, wetbulb_mean_c,
  sea_proxy_c, source
- `stations_design.csv`: station, design_wetbulb_c, design_drybulb_c, design_sea_c,
  annual_mean_t_c, p99_daily_mean_wetbulb_c, p99_daily_max_t_c, source

Design rules (all [EST], see sim/data/climate/README.md):
- design wet-bulb = p99 of daily-mean wet-bulb + WETBULB_HOURLY_ALLOWANCE_C (Stull daily means
  miss hourly peaks by ~1-2 C; midpoint taken). Lands in korea.md s4.2 guidance 26.5-28 C.
- design dry-bulb = p99 of daily max temperature, no allowance: a daily max is already an hourly
  peak and 1 % of days (3.65 d/yr) is rarer than the 0.4 % of hours (35 h/yr) of ASHRAE design.
- sea proxy (coastal sites only) = previous month's mean air temperature, floored at SEA_FLOOR_C;
  design sea temperature = warmest monthly mean air temperature + SEA_DESIGN_MARGIN_C.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

STATIONS = (
    "seoul", "incheon", "yongin", "suwon", "ulsan", "gunsan", "jeonju", "goyang", "seongnam",
    "cheongju", "tongyeong", "geoje",
)
WETBULB_HOURLY_ALLOWANCE_C = 1.5
DRYBULB_HOURLY_ALLOWANCE_C = 0.0
SEA_FLOOR_C = 4.0
SEA_DESIGN_MARGIN_C = 1.5
SOURCE = "Open-Meteo historical API (ERA5-based) 2016-2025, CC-BY 4.0; daily WB by Stull (2011)"
REPO = Path(__file__).resolve().parents[1]
DEFAULT_SRC = Path("/work/shared/data/climate")
DEFAULT_OUT = REPO / "sim" / "data" / "climate"


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read a CSV file into a list of dict rows."""
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, fields: list[str], rows: list[dict[str, object]]) -> None:
    """Write dict rows to CSV with a fixed column order."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def sea_proxy_c(t_mean_by_month: list[float]) -> list[float]:
    """Coastal sea-temperature proxy: previous month's mean air temperature, floored [EST]."""
    return [round(max(t_mean_by_month[m - 1], SEA_FLOOR_C), 1) for m in range(12)]


def monthly_rows(src: list[dict[str, str]]) -> list[dict[str, object]]:
    """Station x month rows with the sea proxy added."""
    out: list[dict[str, object]] = []
    for station in STATIONS:
        rows = sorted((r for r in src if r["city"] == station), key=lambda r: int(r["month"]))
        if len(rows) != 12:
            raise ValueError(f"{station}: expected 12 months, got {len(rows)}")
        sea = sea_proxy_c([float(r["t_mean_c"]) for r in rows])
        for r, sea_c in zip(rows, sea, strict=True):
            out.append({
                "station": station, "month": int(r["month"]), "t_mean_c": r["t_mean_c"],
                "t_max_mean_c": r["t_max_mean_c"], "rh_mean_pct": r["rh_mean_pct"],
                "wetbulb_mean_c": r["wetbulb_mean_c"], "sea_proxy_c": sea_c, "source": SOURCE,
            })
    return out


def design_rows(extremes: list[dict[str, str]], monthly: list[dict[str, object]]
                ) -> list[dict[str, object]]:
    """One design-condition row per station."""
    by_city = {r["city"]: r for r in extremes}
    out: list[dict[str, object]] = []
    for station in STATIONS:
        ext = by_city[station]
        warmest_c = max(float(r["t_mean_c"]) for r in monthly if r["station"] == station)
        p99_wb = float(ext["p99_daily_mean_wetbulb_c"])
        p99_db = float(ext["p99_daily_max_t_c"])
        out.append({
            "station": station,
            "design_wetbulb_c": round(p99_wb + WETBULB_HOURLY_ALLOWANCE_C, 1),
            "design_drybulb_c": round(p99_db + DRYBULB_HOURLY_ALLOWANCE_C, 1),
            "design_sea_c": round(warmest_c + SEA_DESIGN_MARGIN_C, 1),
            "annual_mean_t_c": ext["annual_mean_t_c"],
            "p99_daily_mean_wetbulb_c": p99_wb, "p99_daily_max_t_c": p99_db,
            "source": f"[EST] {SOURCE}; WB = p99 daily-mean + {WETBULB_HOURLY_ALLOWANCE_C} C "
                      f"hourly allowance; DB = p99 daily max; sea = warmest month mean + "
                      f"{SEA_DESIGN_MARGIN_C} C",
        })
    return out


def main(argv: list[str] | None = None) -> None:
    """Derive and write both station tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    monthly = monthly_rows(read_rows(args.src / "monthly_2016_2025.csv"))
    design = design_rows(read_rows(args.src / "extremes_2016_2025.csv"), monthly)
    write_rows(args.out / "stations_monthly.csv", list(monthly[0]), monthly)
    write_rows(args.out / "stations_design.csv", list(design[0]), design)
    print(f"wrote {len(monthly)} monthly and {len(design)} design rows to {args.out}")


if __name__ == "__main__":
    main()
