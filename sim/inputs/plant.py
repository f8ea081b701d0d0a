"""Each site's cooling plant at its climate: design PUE (for grid checks), monthly PUE (for
energy) and the share of nameplate heat rejection available at summer design conditions.

A site names a cooling technology (`cooling.csv`) and a climate station (`climate/`): the
cooling model gives everything from those. A site may instead state a design PUE and no
technology: its PUE is then that value every month and its plant does not derate.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from sim.core.errors import InputError
from sim.core.paths import locate
from sim.inputs import cooling
from sim.inputs.records import Inputs, Plant, Site


def site_liquid_share(inputs: Inputs, site: str) -> float:
    """Liquid share of heat of the site's plant: its phases' liquid / total nameplate."""
    liquid: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    for phase in inputs.phases:
        liquid[phase.site] += phase.liquid_cooling_mw
        total[phase.site] += phase.liquid_cooling_mw + phase.air_cooling_mw
    return liquid[site] / total[site] if total[site] > 0 else cooling.DEFAULT_LIQUID_SHARE


def _load_climate_and_cooling(data_dir: Path, scenario_dir: Path) -> tuple[dict, dict]:
    techs_path = locate("cooling.csv", data_dir, scenario_dir)
    stations_path = locate("climate", data_dir, scenario_dir)
    try:
        techs = cooling.load_technologies(techs_path)
    except OSError as err:
        raise InputError(f"{techs_path}: cannot read cooling technologies: {err}") from None
    try:
        stations = cooling.load_stations(stations_path)
    except OSError as err:
        raise InputError(f"{stations_path}: cannot read climate stations: {err}") from None
    return techs, stations


def build_plants(inputs: Inputs, data_dir: Path, scenario_dir: Path,
                 sites_path: Path) -> dict[str, Plant]:
    techs = stations = None
    plants = {}
    for number, site in enumerate(inputs.sites.values(), start=2):
        where = f"{sites_path}: row {number}"
        if (site.cooling_tech is None) == (site.design_pue is None):
            raise InputError(f"{where}: give either column 'cooling_tech' or column "
                             "'design_pue' (a stated design PUE), not both or neither")
        if site.design_pue is not None:
            plants[site.site] = Plant(site.design_pue, (site.design_pue,) * 12, 1.0, 1.0)
            continue
        if techs is None:
            techs, stations = _load_climate_and_cooling(data_dir, scenario_dir)
        plants[site.site] = _modelled(site, where, techs, stations,
                                      site_liquid_share(inputs, site.site))
    return plants


def _modelled(site: Site, where: str, techs: dict, stations: dict, share: float) -> Plant:
    if site.cooling_tech not in techs:
        raise InputError(f"{where}, column 'cooling_tech': unknown technology "
                         f"{site.cooling_tech!r} (cooling.csv has {', '.join(techs)})")
    if site.climate_station not in stations:
        raise InputError(f"{where}, column 'climate_station': unknown station "
                         f"{site.climate_station!r} (climate/ has {', '.join(stations)})")
    tech, station = techs[site.cooling_tech], stations[site.climate_station]
    liquid, air = cooling.design_capacity_mw(tech, station, 1.0, 1.0)
    return Plant(design_pue=float(cooling.design_pue(tech, station, share)),
                 monthly_pue=tuple(float(x) for x in cooling.monthly_pue(tech, station, share)),
                 liquid_fraction=float(liquid), air_fraction=float(air))
