"""sweep.nc: the runs of a sweep as one labelled cube, one dimension per swept parameter when
the jobs form a full grid, else along `run`."""

from __future__ import annotations

from pathlib import Path

from sim.app.sweep_jobs import Job, param_values
from sim.outputs.files import write_netcdf
from sim.outputs.variables import VARIABLES

#: Variables of result.nc carried into sweep.nc: every one a Monte Carlo run keeps.
CUBE_VARIABLES = tuple(VARIABLES)


def load_job(job: Job):
    """The cube variables of one job, in memory, encodings and dataset attributes dropped
    (variable units and long names kept), `replicate` always present."""
    import xarray as xr  # lazy: merging is the only user

    with xr.open_dataset(job.path / "result.nc", engine="h5netcdf") as ds:
        data = ds[[v for v in CUBE_VARIABLES if v in ds]].drop_vars(
            ["lat", "lon"], errors="ignore").load()
    if "replicate" not in data.dims:
        data = data.expand_dims(replicate=[0])
    return data.drop_encoding().drop_attrs(deep=False)


def cube(jobs: list[Job], params: list[str], grid: bool):
    """All completed jobs on one grid (or along `run`), outer-joined on time, site and owner;
    cells of failed jobs are NaN."""
    import xarray as xr

    done = [j for j in jobs if j.ok]
    if not done:
        return None
    pieces = [_with_job(load_job(j), j.num).expand_dims(run=[j.num]) for j in done]
    ds = xr.concat(pieces, dim="run", join="outer", combine_attrs="drop_conflicts",
                   coords="minimal", compat="override")
    ds = ds.assign_coords({p: ("run", param_values(done, p)) for p in params})
    if grid:   # one dimension per parameter, every value of every job (failed cells NaN)
        ds = (ds.swap_dims(run=params[0]).drop_vars("run") if len(params) == 1
              else ds.set_index(run=params).unstack("run"))
        ds = ds.reindex({p: sorted(dict.fromkeys(param_values(jobs, p))) for p in params})
    if ds.sizes.get("replicate") == 1:
        ds = ds.squeeze("replicate", drop=True)
    for name, (_dims, units, long_name) in VARIABLES.items():
        if name in ds:
            ds[name].attrs = {"units": units, "long_name": long_name}
    for p in params:
        ds[p].attrs = {"long_name": f"swept config key {p}"}
    ds = _with_sites(ds, done[0])
    return ds.transpose(*(params if grid else ["run"]), ...).drop_encoding()


def _with_sites(ds, job: Job):
    """Site latitude/longitude from a job's result.nc (the same in every job of a scenario)."""
    import xarray as xr

    with xr.open_dataset(job.path / "result.nc", engine="h5netcdf") as one:
        if "lat" in one.coords:
            ds = ds.assign_coords(lat=one["lat"].load(), lon=one["lon"].load())
    return ds


def _with_job(ds, num: int):
    ds["job"] = ((), num, {"long_name": "Hydra job number (sub-directory of the sweep)"})
    return ds


def write_cube(ds, path: Path, attrs: dict) -> None:
    write_netcdf(ds, path, attrs, compress=True)
