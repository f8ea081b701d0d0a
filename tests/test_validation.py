"""Back-tests against Korean history and the forecast skill (tools/validate.py) do not regress.

Runs the script's check at the replication count of the committed record docs/validation.json
(~25 s) and asserts that no back-test that passed there fails now, no observation that was
inside its 80 % interval falls outside, and the recorded skill is what the fixed seed and
replication count give (docs/validation.md is current).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from omegaconf import OmegaConf

from sim.core.paths import CONF_DIR, SCENARIOS_DIR
from sim.core.tables import read_table

ROOT = Path(__file__).resolve().parents[1]


def load_validate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("validate", ROOT / "tools" / "validate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module      # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def validate() -> ModuleType:
    return load_validate()


@pytest.fixture(scope="module")
def outcome(validate):
    record = json.loads(validate.RECORD_PATH.read_text())
    tests, found, extra = validate.check(record["replications"], diagnostics=False)
    return record, tests, found, extra["skill"]


def test_no_backtest_regresses(outcome):
    assert outcome[2] == []


def test_every_recorded_backtest_still_runs(outcome):
    record, tests = outcome[:2]
    assert set(record["backtests"]) <= {t.key for t in tests}


def test_every_failure_is_explained(outcome, validate):
    tests = outcome[1]
    assert all(t.key in validate.FAILURE_NOTES for t in tests if not t.passed)


def test_problems_flags_regressions_and_unexplained_failures(validate):
    def fake(key: str, passed: bool):
        return validate.BackTest(key, key, "obs", "-", "x", "-", passed, "rule", "src")

    known = next(iter(validate.FAILURE_NOTES))
    tests = [fake(known, False), fake("was_green", False), fake("new_red", False),
             fake("green", True)]
    found = validate.problems(tests, {known: False, "was_green": True, "green": True})
    assert [line.split()[:2] for line in found] == [["REGRESSION", "was_green:"],
                                                   ["UNEXPLAINED", "new_red:"]]


def test_backtest_scenario_keeps_default_parameters():
    overlay = OmegaConf.load(CONF_DIR / "scenario" / "backtest_gov13k.yaml")
    assert set(overlay) <= {"scenario", "title", "start", "horizon_end"}


def test_backtest_tables_have_sources():
    for path in sorted((SCENARIOS_DIR / "backtest_gov13k").glob("*.csv")):
        for row in read_table(path, {}):
            assert row["source"].strip(), path.name


# -- forecast skill of the announcement run ------------------------------------------------------
def test_skill_scores_at_least_ten_documented_observations(validate):
    rows = validate.skill.read_observations()
    scored = [o for o in rows if o.quantity != "none"]
    assert len(scored) >= 10
    assert all(o.date > validate.skill.START for o in scored)
    for o in scored:
        assert o.label in ("calibration", "validation"), o.obs_id
        assert o.source.strip() and o.depends_on.strip(), o.obs_id
        assert o.quantity in validate.skill.QUANTITIES, o.obs_id


def test_skill_record_is_reproduced_at_its_seed_and_count(outcome, validate):
    record, scored = outcome[0], outcome[3]
    assert validate.skill.record(scored) == record["forecast_skill"]
