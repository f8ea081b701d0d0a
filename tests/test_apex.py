"""The APEC announcement scenario on the embedded data."""

from __future__ import annotations

import json
import warnings
from collections import defaultdict

import numpy as np
import pytest
import xarray as xr

from sim.app.run import simulate
from sim.core.paths import DATA_DIR, SCENARIOS_DIR
from sim.core.tables import read_table


@pytest.fixture(scope="module")
def apex():
    import datetime as dt

    from sim.inputs.catalog import load_inputs

    with warnings.catch_warnings():     # plan rows above a site's ceiling (network overhead)
        warnings.simplefilter("ignore", UserWarning)
        inputs = load_inputs(DATA_DIR, SCENARIOS_DIR / "apex", dt.date(2025, 11, 1),
                             dt.date(2035, 12, 31), 30.0)
    return inputs, simulate(inputs)


def test_owner_totals_are_the_announcement(apex):
    inputs, _ = apex
    planned = defaultdict(int)
    for row in inputs.plan:
        planned[row.owner] += row.gpus
    assert dict(planned) == {"gov": 50_000, "samsung": 50_000, "sk": 50_000,
                             "hyundai": 50_000, "naver": 60_000}
    assert inputs.target_gpus == 260_000


def test_every_embedded_row_has_a_source():
    for name in ("hardware.csv", "owners.csv", "sites.csv", "site_phases.csv",
                 "site_connections.csv"):
        for row in read_table(DATA_DIR / name, {}):
            assert row["source"].strip(), name
    for name in ("plan.csv", "deliveries.csv"):
        for row in read_table(SCENARIOS_DIR / "apex" / name, {}):
            assert row["source"].strip(), name


def test_pue_varies_by_month_and_site(apex):
    _, s = apex
    planned = [j for j, site in enumerate(s.sites) if s.gpus_arrived[-1, j].sum() > 0]
    pue = s.pue[:, planned]
    assert np.ptp(pue[:12], axis=0).min() > 0          # every site's PUE moves with the season
    assert len({round(float(x), 4) for x in pue[9]}) > 2  # and sites differ (August)
    assert np.all(s.facility_load_mw <= s.power_limit_mw + 1e-6)


@pytest.mark.apex_runs("short")
def test_cli_smoke_on_a_short_horizon(apex_runs):
    # `python -m sim +scenario=apex horizon_end=2030-12-31 'output.online_dates=[2027-06-30]'`
    # (tests/conftest.py: JOBS["short"]; the fixture asserts its exit status 0)
    out = apex_runs.short
    summary = json.loads((out / "summary.json").read_text())
    assert summary["target_gpus"] == 260_000
    owners = {"total", "gov", "samsung", "sk", "hyundai", "naver"}
    assert set(summary["milestones"]) == owners == set(summary["why"])
    assert all(w["100"]["sentence"].startswith(f"{who} 100 % ")
               for who, w in summary["why"].items())
    assert "none" not in {site["binding_constraint"] for site in summary["sites"].values()}
    # issue 20's rule: listed dates replace the default year ends
    assert list(summary["online_at_dates"]) == ["2027-06-30"]
    policies = summary["policies"]
    assert {o: p["policy"] for o, p in policies.items()} == {
        "gov": "resite", "samsung": "resite", "sk": "resite", "hyundai": "defer",
        "naver": "resite"}
    assert sum(site["gpus_assigned"] for site in summary["sites"].values()) == 260_000
    with xr.open_dataset(out / "result.nc", engine="h5netcdf") as ds:
        assert str(ds.time.values[-1])[:10] == "2030-12-01"
        online = int(ds.gpus_online.isel(time=-1).sum())
    assert 0 < online <= summary["online_at_horizon"]["total"] <= 260_000
