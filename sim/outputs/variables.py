"""What result.nc holds: each variable's dimensions, unit and long name; the time axis;
dates as ISO text."""

from __future__ import annotations

import numpy as np

from sim.inputs.records import Inputs

VARIABLES = {
    "gpus_delivered": (("time", "owner"), "1", "number of GPUs delivered to Korea (cumulative)"),
    "gpus_arrived": (("time", "site", "owner"), "1",
                     "number of GPUs arrived at the site as racks (cumulative)"),
    "gpus_online": (("time", "site", "owner"), "1", "number of GPUs online (past burn-in)"),
    "it_load_mw": (("time", "site"), "MW", "IT load of energised racks"),
    "facility_load_mw": (("time", "site"), "MW", "facility load (IT x PUE)"),
    "power_limit_mw": (("time", "site"), "MW", "local connection capacity (facility MW)"),
    "cooling_limit_mw": (("time", "site"), "MW", "built heat-rejection capacity (MW of heat)"),
    "it_capacity_mw": (("time", "site"), "MW", "built IT space (MW of racks)"),
    "wait_days": (("site", "owner", "cause"), "day", "rack-days waited, by cause"),
    "pue": (("time", "site"), "1", "power usage effectiveness of the month (cooling model)"),
    "energy_mwh": (("time", "site"), "MW h",
                   "facility energy in the month beginning at time"),
    "cost_krw": (("time", "site"), "1",
                 "electricity cost in the month beginning at time, in KRW (South Korean won)"),
    "emissions_tco2": (("time", "site"), "t",
                       "grid emissions in the month, tonnes CO2-equivalent (location-based)"),
    "idle_gpu_months": (("site", "owner"), "month",
                        "GPU-months between arrival at the site and online (or the horizon)"),
}


def site_coords(inputs: Inputs, sites: list[str]) -> dict:
    """Latitude and longitude of each site as coordinates along `site`."""
    return {"lat": ("site", [inputs.sites[s].lat for s in sites]),
            "lon": ("site", [inputs.sites[s].lon for s in sites])}


def time_coord(inputs: Inputs, time_days: np.ndarray) -> np.ndarray:
    """Sample days as datetime64[ns] stamps."""
    return np.datetime64(inputs.start, "ns") + (time_days * 86400e9).astype("timedelta64[ns]")


def iso(inputs: Inputs, day: float | None) -> str | None:
    return None if day is None else inputs.date_of(day).isoformat()
