"""Missing extras or SLURM: one line naming what to install (or why it cannot run), never a
traceback. The extras are hidden from a child process by an import blocker on its path, so the
test runs the real command as a user with only `pip install -e .` would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sim.app.extras import backend_problem, launcher_problem
from tests.conftest import REPO

BLOCKER = '''
import importlib.abc, sys
HIDDEN = ("hydra_plugins.hydra_joblib_launcher", "hydra_plugins.hydra_submitit_launcher",
          "distributed", "submitit")
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in HIDDEN or name.startswith(tuple(h + "." for h in HIDDEN)):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Hide())
'''


def without_extras(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "sitecustomize.py").write_text(BLOCKER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]),
           "PATH": "/usr/bin:/bin"}   # no sbatch
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def one_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_joblib_preset_without_the_local_extra(tmp_path):
    line = one_line(without_extras(tmp_path, "-m", "+scenario=apex", "plan=null,hyundai_ulsan",
                                   "hydra/launcher=workstation",
                                   f"hydra.sweep.dir={tmp_path / 'sweep'}"))
    assert 'pip install -e ".[local]"' in line


def test_dask_backend_without_the_cluster_extra(tmp_path):
    line = one_line(without_extras(tmp_path, "+scenario=apex", "mc.replications=2",
                                   "mc.backend=dask", "output.figures=false",
                                   f"hydra.run.dir={tmp_path / 'run'}"))
    assert 'pip install -e ".[cluster]"' in line and "mc.backend" in line


def test_slurm_preset_without_the_extra_and_without_slurm(tmp_path):
    line = one_line(without_extras(tmp_path, "-m", "+scenario=apex", "hydra/launcher=slurm",
                                   f"hydra.sweep.dir={tmp_path / 'sweep'}"))
    assert 'pip install -e ".[slurm]"' in line
    # with the plugin installed but no SLURM on this machine
    assert "sbatch" in launcher_problem(["hydra/launcher=slurm"], lambda _m: True,
                                        lambda _cmd: None)
    assert launcher_problem(["hydra/launcher=slurm"], lambda _m: True, lambda _c: "/x") is None


def test_nothing_to_report_when_installed():
    assert launcher_problem(["hydra/launcher=joblib"], lambda _m: True) is None
    assert launcher_problem(["plan=a"], lambda _m: False) is None
    assert backend_problem("dask", 1, lambda _m: False) is None     # one run needs no Dask
    assert backend_problem("loky", 100, lambda _m: False) is None
