"""`python -m sim --help` lists the schema's keys with meaning, default and unit; tab
completion of `python -m sim` through tools/sim-completion.bash."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from sim.app.help import field_comments, schema_keys, unit_of
from sim.core.config import GridConfig
from tests.conftest import REPO


def test_help_lists_main_keys_with_meaning_default_and_unit():
    proc = subprocess.run([sys.executable, "-m", "sim", "--help"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "grid.hvdc_delay_years=0.0 [years]" in text
    assert "extra delay added to every HVDC project's planned date" in text
    assert "rollout.burn_in_days=30.0 [days]" in text
    assert "output.online_dates=[]" in text and "scenario: apex" in text
    assert "powered by Hydra" not in text


def test_every_schema_key_has_a_meaning():
    keys = schema_keys()
    assert len(keys) > 30
    assert all(k["meaning"] for k in keys)
    assert field_comments(GridConfig)["n1"].startswith("N-1 security")
    assert unit_of("threshold_mw", "") == "MW" and unit_of("seed", "") == ""


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_completion_of_python_dash_m_sim():
    line = "python -m sim grid.hvdc"
    script = (f"source tools/sim-completion.bash; COMP_LINE='{line}'; "
              f"COMP_WORDS=(python -m sim grid.hvdc); COMP_CWORD=3; "
              f"COMP_WORDS[0]='{sys.executable}'; _sim_complete; echo \"${{COMPREPLY[@]}}\"")
    proc = subprocess.run(["bash", "-c", script], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "grid.hvdc_delay_years=" in proc.stdout, proc.stderr
