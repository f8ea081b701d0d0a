"""Where things are, for the map: sites and the backbone's buses, lines and planned projects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sim.core import schemas
from sim.inputs.records import Inputs


@dataclass(frozen=True)
class Places:
    """Site positions and names, bus positions, and branches (planned ones flagged)."""

    sites: dict[str, tuple[float, float, str]]
    buses: dict[int, tuple[float, float]] = field(default_factory=dict)
    lines: list[dict] = field(default_factory=list)


def places_of(inputs: Inputs, grid_dir: Path | None) -> Places:
    """The run's sites, and the backbone of `grid_dir` (none if it has no buses.csv)."""
    sites = {name: (s.lon, s.lat, s.name) for name, s in inputs.sites.items()}
    if grid_dir is None or not (grid_dir / "buses.csv").is_file():
        return Places(sites)
    buses = {r["bus"]: (r["lon"], r["lat"])
             for r in schemas.read(grid_dir / "buses.csv", "grid/buses.csv")}
    lines = [{**r, "planned": False}
             for r in schemas.read(grid_dir / "lines.csv", "grid/lines.csv")]
    lines += [{**r, "planned": True}
              for r in schemas.read(grid_dir / "projects.csv", "grid/projects.csv")]
    return Places(sites, buses, lines)
