"""CF conventions (CF-1.8) for every NetCDF file the simulator writes: UDUNITS units (counts
and money as `1` with the unit in `long_name`), categorical text as flag-coded integers,
32-bit integers, a CF time axis, NetCDF-safe names, site latitude/longitude and the global
attributes CF asks for. Applied by sim.outputs.files.write_netcdf; checked by
tests/test_cf.py with the IOOS compliance checker."""

from __future__ import annotations

import re

import numpy as np

CONVENTIONS = "CF-1.8"
#: categorical text variables coded as integers with flag_values / flag_meanings
FLAG_VARIABLES = ("binding",)
#: attributes of coordinates that carry no unit of their own
COORD_ATTRS = {
    "site": {"long_name": "site identifier (sim/data/sites.csv)", "cf_role": "timeseries_id"},
    "owner": {"long_name": "owner of the GPUs (sim/data/owners.csv)"},
    "cause": {"long_name": "cause a rack waited for (README: wait causes)"},
    "line": {"long_name": "transmission line identifier (sim/data/grid/lines.csv)"},
    "replicate": {"long_name": "Monte Carlo replicate number", "units": "1"},
    "run": {"long_name": "Hydra job number of the run", "units": "1"},
}
LAT_LON = {
    "lat": {"standard_name": "latitude", "long_name": "site latitude", "units": "degrees_north"},
    "lon": {"standard_name": "longitude", "long_name": "site longitude",
            "units": "degrees_east"},
}


def netcdf_name(name: str) -> str:
    """A CF-legal variable name: letters, digits and underscores, starting with a letter."""
    out = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return out if out[:1].isalpha() else f"v_{out}"


def flag_coded(da):
    """A text variable as int8 codes with flag_values and flag_meanings (sorted, 'none'
    first when present); the text's long_name kept."""
    text = np.asarray(da.values).astype(str)
    names = sorted(set(text.ravel()) - {"none", ""})
    meanings = ["none", *names]
    code = {name: i for i, name in enumerate(meanings)}
    codes = np.vectorize(lambda v: code.get(v, 0), otypes=[np.int8])(text)
    attrs = {k: v for k, v in da.attrs.items() if k != "units"}
    attrs |= {"flag_values": np.arange(len(meanings), dtype=np.int8),
              "flag_meanings": " ".join(netcdf_name(m) for m in meanings)}
    out = da.copy(data=codes)
    out.attrs = attrs
    return out


def decode_flags(ds):
    """Flag-coded variables of FLAG_VARIABLES back to their text (for figures and reports)."""
    for name in FLAG_VARIABLES:
        if name in ds and "flag_meanings" in ds[name].attrs:
            meanings = np.array(str(ds[name].attrs["flag_meanings"]).split())
            ds[name] = ds[name].copy(data=meanings[np.asarray(ds[name].values, dtype=int)])
    return ds


def _int32(da):
    if da.dtype.kind not in "iu" or da.dtype.itemsize <= 4:
        return da
    values = np.asarray(da.values)
    if values.size and (values.max() > np.iinfo(np.int32).max
                        or values.min() < np.iinfo(np.int32).min):
        return da.astype(np.float64)
    return da.astype(np.int32)


def cf_ready(ds):
    """`ds` with CF names, dtypes, flag coding and coordinate attributes (a copy)."""
    ds = ds.rename({n: netcdf_name(str(n)) for n in ds.variables
                    if netcdf_name(str(n)) != str(n)})
    for name in FLAG_VARIABLES:
        if name in ds and ds[name].dtype.kind in "OUS":
            ds[name] = flag_coded(ds[name])
    for name in list(ds.variables):
        if ds[name].dtype.kind in "iu":
            ds[name] = _int32(ds[name])
        if name in COORD_ATTRS:
            ds[name].attrs = {**COORD_ATTRS[name], **ds[name].attrs}
        if name in LAT_LON:
            ds[name].attrs = {**ds[name].attrs, **LAT_LON[name]}
    if "time" in ds.coords:
        ds["time"].attrs = {"standard_name": "time", "long_name": "first day of the month",
                            "axis": "T"}
    return ds


def time_encoding(ds) -> dict:
    """days since the first time stamp, as float64 (CF time), for every datetime variable."""
    out = {}
    for name in ds.variables:
        if ds[name].dtype.kind == "M" and ds[name].size:
            first = str(np.min(ds[name].values))[:10]
            out[name] = {"units": f"days since {first} 00:00:00",
                         "calendar": "proleptic_gregorian", "dtype": "float64",
                         "_FillValue": None}
    return out


def global_attrs(attrs: dict) -> dict:
    """CF's global attributes around the caller's (which win, except Conventions)."""
    created = attrs.get("created", "")
    base = {"title": attrs.get("title") or f"korea-gpu-rollout-sim: {attrs.get('scenario', '')}",
            "institution": "korea-gpu-rollout-sim (open source)",
            "source": f"korea-gpu-rollout-sim {attrs.get('version', '')}".strip(),
            "history": f"{created} created by korea-gpu-rollout-sim".strip(),
            "references": "README.md and sim/data/SOURCES.md of the repository",
            "comment": "units '1' are counts or money; the unit is named in long_name"}
    return {**base, **{k: v for k, v in attrs.items() if v not in (None, "")},
            "Conventions": CONVENTIONS}
