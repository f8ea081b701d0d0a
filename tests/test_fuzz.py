"""Fuzz the input layer: random bytes, random CSV mutations and random config overrides written
into a scenario. Every example ends in exactly one of two ways: one clean error line (an
InputError, or an OmegaConf type error that the CLI prints as one line) or a run whose outputs
satisfy the model invariants. Anything else (another exception, a NaN in an output, more GPUs
online than delivered) is a defect.

Most examples exercise the parsing/validation layer and a micro simulation in process (fast);
`test_fuzz_through_the_command_line` sends a few through `python -m sim` as a user would.

Profiles (hypothesis, derandomised: the same examples on every run), chosen with the
environment variable SIM_FUZZ_PROFILE: `fuzz-default` (300 examples, what `python -m pytest`
runs), `ci-deep` (2,000, the thorough run: `SIM_FUZZ_PROFILE=ci-deep python -m pytest
tests/test_fuzz.py`) and `fuzz-nightly` (20,000).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.app.run import inputs_for, prices_for, simulate
from sim.core.config import GridConfig, SimConfig, check_keys
from sim.core.errors import InputError
from sim.core.paths import DATA_DIR
from tests.micro import Micro

_COMMON = {"deadline": None, "derandomize": True, "print_blob": True,
           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture]}
settings.register_profile("fuzz-default", max_examples=300, **_COMMON)
settings.register_profile("ci-deep", max_examples=2000, **_COMMON)
settings.register_profile("fuzz-nightly", max_examples=20000, **_COMMON)
PROFILE = settings.get_profile(os.environ.get("SIM_FUZZ_PROFILE", "fuzz-default"))

DATA_TABLES = ("hardware.csv", "owners.csv", "sites.csv", "site_phases.csv",
               "site_connections.csv", "cooling.csv", "climate/stations_monthly.csv",
               "climate/stations_design.csv", "energy.csv")
SCENARIO_TABLES = ("plan.csv", "deliveries.csv")
NASTY = ["nan", "NaN", "inf", "-inf", "", " ", "-1", "0", "1e308", "1e30", "-0", "2.5",
         "abc", "9999-12-31", "0001-01-01", "2026-02-30", "true", "maybe", ";", "o1;o9",
         "s9", "rack", "o1", "s1", "13", "999", "1e-300", "0x10", "١٢", "\u00a0", "'", "1_000"]
CONFIG_KEYS = ["seed", "start", "horizon_end", "rollout.burn_in_days", "grid.hvdc_delay_years",
               "grid.n1", "grid.assessment.enabled", "grid.assessment.threshold_mw",
               "grid.assessment.approval_elsewhere", "energy.tariff_krw_per_kwh",
               "energy.gpu_hour_value_krw", "mc.replications", "mc.chunk_size",
               "uncertainty.permit_factor.low", "uncertainty.permit_factor.high",
               "uncertainty.delivery_slip_days.dist", "plan", "title",
               # typos and unknown keys, as a planner would add them with '+'
               "mc.replicatons", "grid.hvdc_delay_year", "rollout.burn_in", "foo",
               "grid.assessment.enable", "output.figurs"]
CONFIG_VALUES = ["nan", "inf", "-inf", "-1", "0", "1", "2", "0.5", "1e9", "true", "false",
                 "null", "abc", "2030-01-01", "9999-12-31", "2025-01-01", "18446744073709551616",
                 "weibull", "[1,2]", "{a: 1}", "''"]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The micro scenario with a modelled cooling plant (so cooling.csv and climate/ are
    read), and copies of the embedded cooling, climate and energy tables to mutate."""
    root = tmp_path_factory.mktemp("fuzz_base")
    data, _scen = Micro(racks=4, cooling_tech="dlc_tower").write(root)
    shutil.copyfile(DATA_DIR / "cooling.csv", data / "cooling.csv")
    shutil.copytree(DATA_DIR / "climate", data / "climate")
    shutil.copyfile(DATA_DIR / "energy.csv", data / "energy.csv")
    return root


# -- mutations -------------------------------------------------------------------------------
def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    comments = [ln for ln in text.splitlines() if ln.startswith("#")]
    body = [ln for ln in text.splitlines() if not ln.startswith("#")]
    return comments, list(csv.reader(body))


def _join(comments: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return "".join(c + "\n" for c in comments) + buffer.getvalue()


@st.composite
def mutations(draw) -> tuple[str, str, object]:
    """(table, kind, payload) applied by `_apply`."""
    table = draw(st.sampled_from(DATA_TABLES + SCENARIO_TABLES))
    kind = draw(st.sampled_from(["cell", "cell", "cell", "bytes", "truncate", "drop_row",
                                 "dup_row", "drop_col", "short_row", "extra_cell"]))
    if kind == "bytes":
        return table, kind, draw(st.binary(max_size=64))
    if kind == "cell":
        value = draw(st.one_of(st.sampled_from(NASTY), st.text(max_size=6),
                               st.floats(allow_nan=True, allow_infinity=True).map(repr),
                               st.integers(-2**70, 2**70).map(str)))
        return table, kind, (draw(st.integers(0, 30)), draw(st.integers(0, 20)), value)
    return table, kind, draw(st.integers(0, 1000))


def _apply(root: Path, table: str, kind: str, payload) -> None:
    path = root / "scenario" / table
    if kind == "bytes":
        path.write_bytes(payload)
        return
    raw = path.read_bytes()
    if kind == "truncate":
        path.write_bytes(raw[: payload % (len(raw) + 1)])
        return
    try:
        comments, rows = _rows(raw.decode("utf-8"))
    except (UnicodeDecodeError, csv.Error):
        return
    if not rows:
        return
    _edit_rows(rows, kind, payload)
    path.write_text(_join(comments, rows), encoding="utf-8")


def _edit_rows(rows: list[list[str]], kind: str, payload) -> None:
    if kind == "cell":
        r, c, value = payload
        row = rows[r % len(rows)]
        if row:
            row[c % len(row)] = value
    elif kind == "drop_row":
        del rows[payload % len(rows)]
    elif kind == "dup_row":
        rows.append(list(rows[payload % len(rows)]))
    elif kind == "drop_col" and rows[0]:
        k = payload % len(rows[0])
        for row in rows:
            del row[k:k + 1]
    elif kind == "short_row" and rows[payload % len(rows)]:
        rows[payload % len(rows)].pop()
    elif kind == "extra_cell":
        rows[payload % len(rows)].append("extra")


# -- config ----------------------------------------------------------------------------------
def typed_config(data: Path, scen: Path, overrides: dict[str, str]) -> SimConfig:
    """What `python -m sim +key=value ...` would build, without Hydra: every override added
    as with '+', then the same key check and validation as the CLI."""
    base = {"scenario": "apex", "data_dir": str(data), "scenario_dir": str(scen),
            "start": "2026-01-01", "horizon_end": "2028-12-31"}
    if not overrides:   # the same config, built directly (OmegaConf is the slow part)
        return SimConfig(**base, grid=GridConfig(enabled=False))
    base["grid.enabled"] = "false"
    dotlist = OmegaConf.from_dotlist([f"{k}={v}" for k, v in {**base, **overrides}.items()])
    cfg = OmegaConf.merge(_schema(), dotlist)   # an unknown key: OmegaConf's one-line error
    check_keys(cfg)
    return OmegaConf.to_object(cfg)


@cache
def _schema():
    return OmegaConf.structured(SimConfig)


# -- the property ----------------------------------------------------------------------------
def check_invariants(inputs, series) -> None:
    """What any run's outputs must satisfy, whatever its inputs."""
    planned = sum(row.gpus for row in inputs.plan)
    online = series.gpus_online.sum(axis=(1, 2))
    delivered = series.gpus_delivered.sum(axis=1)
    assert np.all(np.diff(online) >= 0), "GPUs went offline"
    assert np.all(online <= delivered), "more GPUs online than delivered"
    assert online[-1] <= planned
    for name in ("it_load_mw", "facility_load_mw", "energy_mwh", "cost_krw", "pue",
                 "emissions_tco2", "wait_days", "idle_gpu_months"):
        values = getattr(series, name)
        assert np.all(np.isfinite(values)) and np.all(values >= 0), name
    assert np.all(series.it_load_mw <= series.it_capacity_mw + 1e-6)
    assert np.all(series.facility_load_mw <= series.power_limit_mw + 1e-6)
    for site in inputs.sites.values():
        k = series.sites.index(site.site)
        assert np.all(series.it_capacity_mw[:, k] <= site.ultimate_it_mw + 1e-9)


def scenario_copy(base: Path, root: Path, edits: list) -> None:
    """The scenario's own tables under `root/scenario`, plus a copy of every table an edit
    touches (a scenario's copy of a table replaces the data directory's)."""
    shutil.copytree(base / "scenario", root / "scenario")
    for table, _, _ in edits:
        target = root / "scenario" / table
        if not target.exists() and "/" in table:
            shutil.copytree(base / "data" / table.split("/")[0], target.parent)
        elif not target.exists():
            shutil.copyfile(base / "data" / table, target)
    for edit in edits:
        _apply(root, *edit)


def one_case(base: Path, edits: list, overrides: dict[str, str]) -> str:
    """Run one example; 'error' or 'run'. Raises AssertionError on a defect."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        scenario_copy(base, root, edits)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cfg = typed_config(base / "data", root / "scenario", overrides)
                inputs = inputs_for(cfg)
                series = simulate(inputs, prices_for(cfg))
        except InputError as err:
            assert "\n" not in str(err).strip(), str(err)
            assert str(err).strip(), "empty error message"
            return "error"
        except OmegaConfBaseException as err:
            assert str(err).splitlines()[0].strip(), "empty config error"
            return "error"
        check_invariants(inputs, series)
        json.dumps(series.wait_days.tolist(), allow_nan=False)
        return "run"


NO_OVERRIDES = st.just({})
OVERRIDES = st.dictionaries(st.sampled_from(CONFIG_KEYS), st.sampled_from(CONFIG_VALUES),
                            min_size=1, max_size=2)


@PROFILE
@given(edits=st.lists(mutations(), max_size=3),
       overrides=st.one_of(NO_OVERRIDES, NO_OVERRIDES, NO_OVERRIDES, OVERRIDES))
def test_fuzz_inputs_give_one_line_or_a_valid_run(base, edits, overrides):
    one_case(base, edits, overrides)


def test_fuzz_runs_both_ways(base):
    """The fuzz's two outcomes both occur (a fuzz that only ever errors would prove little)."""
    assert one_case(base, [], {}) == "run"
    assert one_case(base, [("plan.csv", "cell", (1, 3, "nan"))], {}) == "error"
    assert one_case(base, [], {"grid.hvdc_delay_years": "nan"}) == "error"


@settings(max_examples=12, **_COMMON)
@given(edits=st.lists(mutations(), min_size=1, max_size=2))
def test_fuzz_through_the_command_line(cli_server, base, edits):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        scenario_copy(base, root, edits)
        out = root / "run"
        proc = cli_server.run("sim", "+scenario=apex", f"data_dir={base / 'data'}",
                              f"scenario_dir={root / 'scenario'}", "start=2026-01-01",
                              "horizon_end=2028-12-31", "grid.enabled=false",
                              "output.figures=false", "output.console_table=false",
                              f"hydra.run.dir={out}")
        assert "Traceback" not in proc.stderr
        status = json.loads((out / "status.json").read_text())
        if proc.returncode == 0:
            assert status["status"] == "complete"
            summary = json.loads((out / "summary.json").read_text())
            assert summary["online_at_horizon"] is not None
        else:
            assert proc.returncode == 2
            errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
            assert len(errors) == 1, proc.stderr
            assert status["status"] == "failed"
            assert not (out / "result.nc").exists() and not (out / "summary.json").exists()


def test_profiles_give_ci_at_least_2000_examples():
    """The default run fuzzes at least 200 reproducible examples; ci-deep at least 2,000."""
    default = settings.get_profile("fuzz-default")
    assert default.max_examples >= 200 and default.derandomize
    assert settings.get_profile("ci-deep").max_examples >= 2000
    assert settings.get_profile("fuzz-nightly").max_examples > 2000
    assert all(settings.get_profile(p).derandomize for p in ("ci-deep", "fuzz-nightly"))
