"""Figures and report of a run: valid fixed-size PNGs, numbers from summary.json, MC bands."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sim.outputs.figures import common as figures
from sim.outputs.figures.geomap import full_dates, map_figure
from sim.outputs.figures.online import gpus_online_figure
from sim.outputs.figures.places import Places
from sim.outputs.figures.write import write_figures
from sim.outputs.report import write_report
from tests.micro import Micro, write_csv

SIZE_PX = (int(figures.FIGSIZE_IN[1] * figures.DPI), int(figures.FIGSIZE_IN[0] * figures.DPI))


#: the micro site and the three-bus grid of `write_grid`, as the run hands them to the map
PLACES = Places(
    sites={"s1": (127.0, 37.0, "micro site")},
    buses={1: (126.8, 36.2), 2: (127.4, 37.3), 3: (128.9, 35.6)},
    lines=[{"line": "L12", "bus0": 1, "bus1": 2, "kv": 345, "kind": "ac", "planned": False},
           {"line": "H23", "bus0": 2, "bus1": 3, "kv": 500, "kind": "hvdc", "planned": True}])


def write_grid(data: Path) -> None:
    """A three-bus grid with one AC line and one HVDC link near the micro site."""
    src = {"source": "test"}
    write_csv(data / "grid" / "buses.csv", [
        {"bus": b, "kv": 345, "lon": lon, "lat": lat, **src}
        for b, lon, lat in ((1, 126.8, 36.2), (2, 127.4, 37.3), (3, 128.9, 35.6))])
    write_csv(data / "grid" / "lines.csv", [
        {"line": "L12", "bus0": 1, "bus1": 2, "kv": 345, "kind": "ac", **src},
        {"line": "H23", "bus0": 2, "bus1": 3, "kv": 500, "kind": "hvdc", **src}])


@pytest.fixture(scope="module")
def run_dir(cli_server, tmp_path_factory) -> Path:
    """A micro scenario run through the CLI (figures off; the tests draw them)."""
    root = tmp_path_factory.mktemp("figs")
    data, scen = Micro(racks=40, delivery_period="2026Q1", connection=[(0, 1.2), (200, 5.0)],
                       burn_in_days=7).write(root)
    write_grid(data)
    out = root / "run"
    proc = cli_server.run("sim", "+scenario=apex", f"data_dir={data}", f"scenario_dir={scen}",
                          "start=2026-01-01", "rollout.burn_in_days=7", "output.figures=false",
                          "output.console_table=false", "grid.enabled=false",
                          f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr
    return out


def assert_png(path: Path) -> None:
    from matplotlib.image import imread

    image = imread(path)
    assert image.shape[:2] == SIZE_PX, (path.name, image.shape)
    assert float(np.var(image[..., :3])) > 0, path.name


def test_every_figure_is_a_fixed_size_non_blank_png(run_dir):
    paths = write_figures(run_dir, PLACES)
    # the micro run has no grid, so no time-to-power map (drawn for dispatched-grid runs)
    assert [p.name for p in paths] == [f for f in figures.FIGURES if f != "time_to_power.png"]
    for path in paths:
        assert_png(path)


def test_report_shows_summary_numbers(run_dir):
    summary = json.loads((run_dir / "summary.json").read_text())
    write_figures(run_dir, PLACES)
    text = write_report(run_dir).read_text()
    for dates in summary["milestones"].values():
        for date in dates.values():
            assert date is None or date in text
    for who, gpus in summary["online_at_horizon"].items():
        label = "Total" if who == "total" else summary["names"]["owners"][who]["name"]
        assert re.search(rf"<td>{re.escape(label)}</td>.*<td class=n>{gpus:,}</td>", text), who
    for site, info in summary["sites"].items():
        assert summary["names"]["sites"][site]["name"] in text
        assert f"{info['gpus_planned']:,}" in text
    assert summary["title"] in text and "data:image/png;base64," in text
    assert not re.search(r"(src|href)=\"https?:", text)
    for year, values in summary["energy"]["annual"].items():
        assert year in text and all(str(v) in text for v in values.values()), year
    assert f"{summary['energy']['idle_value_krw_bn']} bn KRW" in text


def test_report_energy_section_only_with_energy_key(run_dir, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    summary = json.loads((copy / "summary.json").read_text())
    summary["energy"] = {"annual": {"2026": {"energy_twh": 0.012345, "cost_krw_bn": 6.789}},
                         "idle_gpu_months": {"o1": 98.7}, "idle_value_krw_bn": 4.321,
                         "gpu_hour_value_krw": 4260}
    (copy / "summary.json").write_text(json.dumps(summary))
    text = write_report(copy).read_text()
    assert "Energy, cost and emissions" in text
    for shown in ("0.012345", "6.789", "energy (TWh)", ">99<", "4.321 bn KRW", "4,260 KRW"):
        assert shown in text, shown
    summary.pop("energy")
    (copy / "summary.json").write_text(json.dumps(summary))
    assert "Energy, cost and emissions" not in write_report(copy).read_text()


def test_report_shortens_machine_paths():
    from sim.outputs.report import redact_paths

    assert redact_paths("scenario_dir: /home/ana/runs/scenario") == "scenario_dir: …/scenario"
    assert redact_paths("a 1/2 share, 2026-01-01") == "a 1/2 share, 2026-01-01"


def replicated(ds: xr.Dataset, n: int = 5) -> xr.Dataset:
    """n replicates of `ds`, each delayed by a few months, plus line_loading and binding."""
    reps = [ds.shift(time=k, fill_value=0) for k in range(n)]
    out = xr.concat(reps, dim=xr.DataArray(np.arange(n), dims="replicate", name="replicate"))
    shape = (n, ds.sizes["time"], 2)
    out["line_loading"] = (("replicate", "time", "line"),
                           np.linspace(0.2, 1.1, np.prod(shape)).reshape(shape),
                           {"units": "1", "long_name": "loading"})
    out = out.assign_coords(line=["L12", "H23"])
    causes = np.where(np.arange(ds.sizes["time"]) < 8, "power", "")
    out["binding"] = (("time", "site"), np.repeat(causes[:, None], ds.sizes["site"], axis=1))
    return out


def test_replicated_dataset_renders_bands(run_dir, tmp_path):
    copy = tmp_path / "mc"
    shutil.copytree(run_dir, copy)
    with xr.open_dataset(run_dir / "result.nc", engine="h5netcdf") as ds:
        replicated(ds.load()).to_netcdf(copy / "result.nc", engine="h5netcdf")
    run = figures.load_run(copy, PLACES)
    assert run.replicated
    fig = gpus_online_figure(run)
    bands = [c for c in fig.axes[0].collections if type(c).__name__ == "FillBetweenPolyCollection"
             or type(c).__name__ == "PolyCollection"]
    assert len(bands) == 2   # one owner + total
    assert full_dates(run)["s1"] is not None
    for path in write_figures(copy, PLACES):
        assert_png(path)


def test_map_without_site_locations_or_grid(run_dir, tmp_path):
    run = figures.load_run(run_dir, places=None)
    path = tmp_path / "map.png"
    figures.save(map_figure(run), path)
    assert_png(path)
