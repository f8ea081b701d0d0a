"""Draw every figure of a run into its directory."""

from __future__ import annotations

from pathlib import Path

from sim.outputs.figures.common import FIGURES, load_run, save
from sim.outputs.figures.geomap import map_figure
from sim.outputs.figures.online import gpus_online_figure
from sim.outputs.figures.places import Places
from sim.outputs.figures.power import power_figure
from sim.outputs.figures.sites import sites_figure
from sim.outputs.figures.timetopower import time_to_power_figure

MAKERS = dict(zip(FIGURES, (gpus_online_figure, sites_figure, map_figure, power_figure,
                            time_to_power_figure), strict=True))


def write_figures(run_dir: Path, places: Places | None = None, ds=None) -> list[Path]:
    """Write the figures into `run_dir`; returns their paths. `ds`: the run's result dataset
    if still in memory (else result.nc is read)."""
    run = load_run(Path(run_dir), places, ds)
    paths = []
    for name, make in MAKERS.items():
        if name == "time_to_power.png" and "time_to_power" not in run.ds:
            continue  # the map exists for single runs with the dispatched grid only
        path = run.run_dir / name
        save(make(run), path)
        paths.append(path)
    return paths


def describe() -> dict[str, str]:
    """What each figure shows (for the report's captions)."""
    return {
        "gpus_online.png": "GPUs online (thousands): the total with the target, the "
                           "announcement and the milestone dates (left); each owner on its own "
                           "scale up to its planned GPUs (right). Shading: P10-P90 when "
                           "replicated.",
        "sites.png": "One panel per planned site, earliest fully online first: IT load of "
                     "energised racks (green) against built IT space, cooling and the "
                     "connection (MW); the strip along the bottom shows what held the site "
                     "back, month by month.",
        "map.png": "Candidate sites sized by planned GPUs and coloured by the first month all "
                   "their GPUs are online; transmission backbone and HVDC links.",
        "power.png": "Left: the national data-centre facility load, stacked by site (what the "
                     "grid carries). Right: each site's facility load (grey) against its own "
                     "connection (red).",
        "time_to_power.png": "For a reference block (grid.reference_block_mw, default 100 MW)"
                             ", the first year each backbone bus can take it: N-1 secure "
                             "dispatch of that year's demand and fleet, after every connection"
                             " request ahead of it in the queue.",
    }
