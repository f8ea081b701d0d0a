"""Shared fixtures: a warm command-line runner (tests/cliserver.py) for the many CLI cases, and
session-scoped runs of the apex scenario, each made once through the command line (a real
`python -m sim` process, as a user runs it) for every test that reads its outputs: the CF
checks, the report in a browser, sim.compare, sim.export, the event log, the short-horizon
smoke test, the run from today (apex_now) and the same-seed determinism check.

The apex runs are slow (each solves the dispatched grid's states and, for a single run, the
time-to-power map), so they start in the background as soon as the tests are collected, side
by side with the rest of the suite, and the tests that read them run last. A reader names the
runs it reads with `@pytest.mark.apex_runs("single", ...)` (no names: all), so that a few
selected tests start only the runs they read."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cliserver import CliServer

REPO = Path(__file__).resolve().parents[1]
FIXTURE = "apex_runs"


@pytest.fixture(scope="session")
def cli_server():
    server = CliServer()
    yield server
    server.close()


@dataclass(frozen=True)
class ApexRuns:
    single: Path            # deterministic apex, with figures and report
    replicated: Path        # apex, 4 replications, with figures and report
    replicated_again: Path  # the same command as `replicated`, in another process
    sweep: Path             # plan=null,hyundai_ulsan x 2 replications, no figures per job
    short: Path             # apex to 2030-12-31, one listed online date, console tables on
    now: Path               # +scenario=apex_now (from the observed state), no figures


QUIET = "output.console_table=false"
#: each run's command line (after `python -m sim`); {dir} is its output directory
JOBS: dict[str, list[str]] = {
    "single": ["+scenario=apex", QUIET, "hydra.run.dir={dir}"],
    "replicated": ["+scenario=apex", "mc.replications=4", QUIET, "hydra.run.dir={dir}"],
    "replicated_again": ["+scenario=apex", "mc.replications=4", QUIET, "hydra.run.dir={dir}"],
    "sweep": ["-m", "+scenario=apex", "plan=null,hyundai_ulsan", "mc.replications=2",
              "output.figures=false", QUIET, "hydra.sweep.dir={dir}"],
    "short": ["+scenario=apex", "horizon_end=2030-12-31", "output.online_dates=[2027-06-30]",
              "hydra.run.dir={dir}"],
    "now": ["+scenario=apex_now", "output.figures=false", "hydra.run.dir={dir}"],
}


class Background:
    """The apex runs `names` as child processes, each writing its stdout/stderr to files."""

    def __init__(self, names: set[str]) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="apex_runs_"))
        self.procs: dict[str, subprocess.Popen] = {}
        for name, args in JOBS.items():
            if name not in names:
                continue
            argv = [a.replace("{dir}", str(self.root / name)) for a in args]
            with (self.root / f"{name}.out").open("w") as out, \
                    (self.root / f"{name}.err").open("w") as err:
                self.procs[name] = subprocess.Popen([sys.executable, "-m", "sim", *argv],
                                                    cwd=REPO, stdout=out, stderr=err,
                                                    stdin=subprocess.DEVNULL)

    def wait(self, timeout_s: float = 1200) -> ApexRuns:
        for name, proc in self.procs.items():
            proc.wait(timeout=timeout_s)
            err = (self.root / f"{name}.err").read_text()
            assert proc.returncode == 0, f"{name}: {err}"
        return ApexRuns(**{name: self.root / name for name in JOBS})

    def close(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


_background: list[Background] = []


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items) -> None:
    """If a selected test reads the apex runs: start them now and run those tests last."""
    readers = [item for item in items if FIXTURE in getattr(item, "fixturenames", ())]
    if not readers or config.option.collectonly:
        return
    chosen = set(map(id, readers))
    items[:] = [item for item in items if id(item) not in chosen] + readers
    _background.append(Background(set().union(*map(_runs_read, readers))))


def _runs_read(item) -> set[str]:
    marker = item.get_closest_marker(FIXTURE)
    names = set(marker.args) if marker is not None and marker.args else set(JOBS)
    assert names <= set(JOBS), f"{item.nodeid}: unknown apex run(s) {names - set(JOBS)}"
    return names


def pytest_sessionfinish(session, exitstatus) -> None:
    while _background:
        _background.pop().close()


@pytest.fixture(scope="session")
def apex_runs() -> ApexRuns:
    if not _background:    # not started at collection (e.g. requested dynamically)
        _background.append(Background(set(JOBS)))
    return _background[0].wait()
