"""result.nc (single and Monte Carlo) and sweep.nc pass the IOOS compliance checker's CF-1.8
suite with no errors (its high-priority checks); warnings are allowed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sim.outputs.cf import decode_flags, flag_coded, netcdf_name
from sim.outputs.variables import VARIABLES

pytest.importorskip("compliance_checker", reason="the test extra installs compliance-checker")


def cf_errors(path: Path, tmp_path: Path) -> list[str]:
    report = tmp_path / f"{path.parent.name}-{path.stem}.json"
    script = Path(sys.executable).parent / "compliance-checker"   # the package's console script
    subprocess.run([str(script), "--test", "cf:1.8", "--format", "json", "-o", str(report),
                    str(path)], capture_output=True, text=True, timeout=300)
    result = json.loads(report.read_text())["cf:1.8"]
    return [f"{c['name']}: {m}" for c in result["high_priorities"] for m in c["msgs"]]


@pytest.mark.apex_runs("single", "replicated")
@pytest.mark.parametrize("which", ["single", "replicated"])
def test_result_nc_is_cf_clean(apex_runs, which, tmp_path):
    path = getattr(apex_runs, which) / "result.nc"
    assert cf_errors(path, tmp_path) == []
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        assert ds.attrs["Conventions"] == "CF-1.8"
        assert set(VARIABLES) <= set(ds.data_vars)     # every variable the README lists
        assert ds["lat"].attrs["units"] == "degrees_north"
        assert float(ds["lat"].sel(site="sk_aws_ulsan")) == 35.49     # sites.csv
        for name, var in ds.data_vars.items():
            assert var.attrs.get("long_name"), name


@pytest.mark.apex_runs("sweep")
def test_sweep_nc_is_cf_clean_and_names_the_base_plan(apex_runs, tmp_path):
    path = apex_runs.sweep / "sweep.nc"
    assert cf_errors(path, tmp_path) == []
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        assert list(ds["plan"].values) == ["base", "hyundai_ulsan"]
        assert ds["gpus_online"].attrs["units"] == "1"
        assert ds["facility_load_mw"].attrs["units"] == "MW"
        assert ds.sizes["replicate"] == 2
        assert set(VARIABLES) <= set(ds.data_vars)


def test_flag_coding_round_trips():
    da = xr.DataArray(np.array([["none", "grid"], ["space", "grid"]]), dims=("time", "site"),
                      attrs={"long_name": "x"})
    coded = flag_coded(da)
    assert coded.attrs["flag_meanings"] == "none grid space"
    assert coded.values.tolist() == [[0, 1], [2, 1]]
    assert decode_flags(xr.Dataset({"binding": coded}))["binding"].values.tolist() == \
        da.values.tolist()


def test_netcdf_names_are_cf_legal():
    assert netcdf_name("grid.hvdc_delay_years") == "grid_hvdc_delay_years"
    assert netcdf_name("2x") == "v_2x"
