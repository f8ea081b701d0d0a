"""Issue 19, the faults that are not a bad table cell: a full disk, counts beyond int32, replays
of a run after its inputs changed, a shared run directory, scenario files that try to act,
`--install` outside its folders, the ultimate IT cap, and a run killed with SIGKILL."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from sim.app.search_files import check_install_name
from sim.core.errors import InputError
from sim.core.paths import CONF_DIR, SCENARIOS_DIR
from sim.inputs.catalog import load_inputs
from sim.model.rollout import Rollout
from sim.outputs.ensemble import ensemble_dataset
from sim.outputs.status import describe_status, is_stale
from sim.results.montecarlo import run_replications
from sim.uncertainty.draws import DrawTable
from tests.micro import START, Micro
from tests.test_cli import REPO

MICRO = ["+scenario=apex", "start=2026-01-01", "grid.enabled=false",
         "output.console_table=false"]


def micro_args(root: Path, *extra: str, racks: int = 4) -> tuple[list[str], Path]:
    data, scen = Micro(racks=racks).write(root)
    out = root / "run"
    return [*MICRO, f"data_dir={data}", f"scenario_dir={scen}", *extra,
            f"hydra.run.dir={out}"], out


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


# -- 6. a full disk: status failed, one line, no temporary file ---------------------------------
@pytest.mark.parametrize(("limit_bytes", "where"), [
    (5_000, "inputs/"),          # copying the climate table (17 kB)
    (40_000, "result.nc"),       # the micro result.nc is ~42 kB
    (100_000, ".png"),           # the map (~130 kB) or the report (~390 kB)
])
def test_a_full_disk_fails_cleanly(cli_server, tmp_path, limit_bytes, where):
    args, out = micro_args(tmp_path)
    line = one_error_line(cli_server.run("sim", *args, fsize=limit_bytes))
    assert "File too large" in line
    status = json.loads((out / "status.json").read_text())
    assert status["status"] == "failed" and "File too large" in status["error"]
    assert not list(out.rglob("*.tmp")), list(out.rglob("*.tmp"))
    assert not (out / "summary.json").exists() or where != "result.nc"
    assert not (out / "inputs").exists()   # a failed run keeps no replay copies


# -- 7. counts beyond int32 -------------------------------------------------------------------
@pytest.mark.parametrize("gpus", [40, 2**31 + 10, 3_000_000_000])
def test_ensemble_gpu_counts_never_wrap(tmp_path, gpus):
    """One unit of `gpus` GPUs (0.1 MW) delivered on day 0: all online in every replicate."""
    data, scen = Micro(racks=1).write(tmp_path)
    for name, column in (("owners.csv", "allocation_gpus"), ("plan.csv", "gpus"),
                         ("deliveries.csv", "gpus"), ("hardware.csv", "gpus_per_unit")):
        path = (scen if name in ("plan.csv", "deliveries.csv") else data) / name
        text = path.read_text().splitlines()
        k = text[0].split(",").index(column)
        cells = text[1].split(",")
        cells[k] = str(gpus)
        path.write_text("\n".join([text[0], ",".join(cells), *text[2:]]) + "\n")
    inputs = load_inputs(data, scen, START, START + dt.timedelta(days=400), 0.0)
    table = DrawTable({}, 2)
    results = run_replications(inputs, table)
    ds = ensemble_dataset(results, inputs, ["space", "power", "cooling", "install", "burn_in"])
    for name in ("gpus_delivered", "gpus_online"):   # int32 while the counts fit, else int64
        assert ds[name].dtype == (np.int32 if gpus < 2**31 else np.int64), name
    assert (ds.gpus_online.isel(time=-1).sum(["site", "owner"]) == gpus).all()
    assert int(ds.gpus_delivered.isel(time=-1).sum("owner").min()) == gpus


# -- 9. export replays the run's own copies; a run directory holds one run --------------------
def _three_bus(root: Path) -> None:
    from tests.test_grid_rollout import three_bus_grid

    three_bus_grid(root)


EDITS_AFTER_RUN = [
    ("grid/lines.csv", "0.25", "0.5"),
    ("grid/buses.csv", ",0,0,0,100,", ",500,0,0,100,"),
    ("site_connections.csv", ",100.0,", ",0.05,"),
    ("sites.csv", "seoul,1,1.0,", "seoul,1,0.01,"),
]


@pytest.mark.parametrize(("name", "old", "new"), EDITS_AFTER_RUN)
def test_export_is_unchanged_when_an_input_changes_after_the_run(cli_server, tmp_path, name,
                                                                 old, new):
    args, out = micro_args(tmp_path, "grid.n1=false", "grid.assessment.enabled=false",
                           "output.figures=false")
    _three_bus(tmp_path)
    args = [a for a in args if a != "grid.enabled=false"] + ["grid.dispatch=false"]
    assert cli_server.run("sim", *args).returncode == 0
    first = cli_server.run("sim.export", str(out), "--date", "2026-03-01")
    assert first.returncode == 0, first.stderr
    case = (out / "case_20260301.m").read_text()
    table = tmp_path / "data" / name
    text = table.read_text()
    assert old in text, (old, text)
    table.write_text(text.replace(old, new))
    again = cli_server.run("sim.export", str(out), "--date", "2026-03-01", "--out",
                           str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again" / "case_20260301.m").read_text() == case
    summary = json.loads((out / "summary.json").read_text())
    assert name in summary["inputs_sha256"]


def test_export_refuses_a_modified_input_copy(cli_server, tmp_path):
    args, out = micro_args(tmp_path, "output.figures=false")
    assert cli_server.run("sim", *args).returncode == 0
    copy = out / "inputs" / "sites.csv"
    copy.write_text(copy.read_text().replace("seoul", "busan"))
    line = one_error_line(cli_server.run("sim.export", str(out), "--date", "2026-03-01"))
    assert "sites.csv: input copy of the run was modified" in line


def _write_status(out: Path, status: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "status.json").write_text(json.dumps(status))


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _ours(out: Path) -> dict[Path, bytes]:
    """What the simulator wrote in a run directory (Hydra's .hydra/ and log file aside)."""
    return {p: p.read_bytes() for p in out.rglob("*")
            if p.is_file() and ".hydra" not in p.parts and p.name != "sim.log"}


HOST = socket.gethostname()
PRIOR_RUNS = [   # (what the directory holds, is a new run refused, words of the refusal)
    ("complete", True, "holds another run (complete)"),
    ("running-alive", True, "holds another run (running as pid"),
    ("running-stale", False, ""),
    ("failed", False, ""),
]


@pytest.mark.parametrize(("prior", "refused", "words"), PRIOR_RUNS)
def test_a_run_directory_holds_one_run(cli_server, tmp_path, prior, refused, words):
    args, out = micro_args(tmp_path, "output.figures=false")
    if prior == "complete":
        assert cli_server.run("sim", *args).returncode == 0
    elif prior == "running-alive":
        _write_status(out, {"status": "running", "pid": os.getpid(), "host": HOST})
    elif prior == "running-stale":
        _write_status(out, {"status": "running", "pid": _dead_pid(), "host": HOST})
    else:
        _write_status(out, {"status": "failed", "error": "x"})
    before = _ours(out)
    proc = cli_server.run("sim", *args, "seed=7")
    if refused:
        assert words in one_error_line(proc)
        assert _ours(out) == before   # the other run's files, status and input copies untouched
    else:
        assert proc.returncode == 0, proc.stderr
        status = json.loads((out / "status.json").read_text())
        assert status["status"] == "complete" and status["host"] == HOST


# -- 10. a scenario file cannot act ------------------------------------------------------------
CALLBACKS = [   # (callback body in the scenario file, file it would have touched, exists after)
    ("_target_: os.remove\n      path: {victim}", "victim", True),
    ("_target_: shutil.copyfile\n      src: {victim}\n      dst: {copy}", "copy", False),
    ("_target_: builtins.open\n      file: {copy}\n      mode: w", "copy", False),
]


@pytest.mark.parametrize(("body", "target", "exists"), CALLBACKS)
def test_a_scenario_file_that_sets_a_callback_is_refused(cli_server, tmp_path, body, target,
                                                         exists):
    args, out = micro_args(tmp_path)
    victim, copy = tmp_path / "victim", tmp_path / "copy"
    victim.write_text("keep me")
    overlay = tmp_path / "conf" / "scenario" / "shared.yaml"
    overlay.parent.mkdir(parents=True)
    overlay.write_text("# @package _global_\nscenario: shared\nhydra:\n  callbacks:\n"
                       "    x:\n      " + body.format(victim=victim, copy=copy) + "\n")
    args = [a for a in args if a != "+scenario=apex"]
    proc = cli_server.run("sim", f"--config-dir={tmp_path / 'conf'}", "+scenario=shared", *args)
    line = one_error_line(proc)
    assert "shared.yaml: key 'hydra.callbacks.x._target_' is not allowed" in line
    assert (tmp_path / target).exists() == exists
    assert victim.read_text() == "keep me"
    assert not out.exists()


def test_a_callback_added_on_the_command_line_runs(cli_server, tmp_path):
    """The documented, deliberate way (docs/planners.md)."""
    args, out = micro_args(tmp_path, "output.figures=false")
    proc = cli_server.run("sim", *args,
                          "+hydra.callbacks.mine._target_=hydra.experimental.callback.Callback")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "status.json").read_text())["status"] == "complete"


def test_an_overlay_may_set_its_output_folder(cli_server, tmp_path):
    args, _ = micro_args(tmp_path, "output.figures=false")
    overlay = tmp_path / "conf" / "scenario" / "mine.yaml"
    overlay.parent.mkdir(parents=True)
    out = tmp_path / "mine_run"
    overlay.write_text(f"# @package _global_\nscenario: mine\nhydra:\n  run:\n    dir: {out}\n")
    args = [a for a in args if a != "+scenario=apex" and not a.startswith("hydra.run.dir")]
    proc = cli_server.run("sim", f"--config-dir={tmp_path / 'conf'}", "+scenario=mine", *args)
    assert proc.returncode == 0, proc.stderr
    assert (out / "summary.json").is_file()


# -- 5. --install writes a new scenario name inside the repository's folders ------------------
INSTALL_NAMES = [   # (name, force, error words or None)
    ("backtest_gov13k", False, "scenario exists"),
    ("apex", False, "scenario exists"),
    ("../../..", False, "expected a scenario name"),
    ("../outside", False, "expected a scenario name"),
    ("/tmp/abs", False, "expected a scenario name"),
    ("a/b", False, "expected a scenario name"),
    ("", False, "expected a scenario name"),
    (".hidden", False, "expected a scenario name"),
    ("name.yaml", False, "expected a scenario name"),
    ("x" * 65, False, "expected a scenario name"),
    ("brand_new_plan", False, None),
    ("backtest_gov13k", True, None),
]


@pytest.mark.parametrize(("name", "force", "words"), INSTALL_NAMES)
def test_install_names(name, force, words):
    if words is None:
        folder, overlay = check_install_name(name, force)
        assert folder == SCENARIOS_DIR / name and overlay == CONF_DIR / "scenario" / f"{name}.yaml"
        return
    with pytest.raises(InputError, match=words):
        check_install_name(name, force)


def test_install_over_a_scenario_stops_before_the_search(cli_server):
    before = (CONF_DIR / "scenario" / "backtest_gov13k.yaml").read_bytes()
    proc = cli_server.run("sim.search", "+scenario=apex", "--install", "backtest_gov13k")
    assert "--install 'backtest_gov13k': scenario exists" in one_error_line(proc)
    assert (CONF_DIR / "scenario" / "backtest_gov13k.yaml").read_bytes() == before


# -- 11. the ultimate IT cap applies in the model ----------------------------------------------
@pytest.mark.parametrize(("ultimate_mw", "phase_mw", "online_racks"), [
    (1000.0, 100.0, 4),    # the phases bind: all 4 racks (0.1 MW each)
    (1.0, 0.2, 2),         # phases total 0.2 MW: 2 racks
    (0.2, 100.0, 2),       # the site can never hold more than 0.2 MW IT: 2 racks
    (0.25, 100.0, 2),      # 2.5 racks' worth: 2 whole racks
    (0.1, 2.0, 1),         # the case, scaled: cap 1 rack, phases 20 racks
])
def test_ultimate_it_cap_holds_in_the_rollout(tmp_path, ultimate_mw, phase_mw, online_racks):
    data, scen = Micro(racks=4, it_mw=phase_mw).write(tmp_path)
    sites = data / "sites.csv"
    sites.write_text(sites.read_text().replace(",1000,", f",{ultimate_mw},"))
    with pytest.warns(UserWarning) if online_racks < 4 else _no_warning():
        inputs = load_inputs(data, scen, START, START + dt.timedelta(days=3650), 0.0)
    log = Rollout(inputs).run()
    assert sum(len(g.energised_day) for g in log.energised) == online_racks
    assert sum(b.units for b in log.waiting) == 4 - online_racks


def test_a_warning_names_the_planners_file_not_the_runs_copy(cli_server, tmp_path):
    data, scen = Micro(racks=4, it_mw=100.0).write(tmp_path)
    sites = data / "sites.csv"
    sites.write_text(sites.read_text().replace(",1000,", ",0.2,"))   # holds 2 of 4 racks
    out = tmp_path / "run"
    proc = cli_server.run("sim", "+scenario=apex", f"data_dir={data}", f"scenario_dir={scen}",
                          "start=2026-01-01", "horizon_end=2027-12-31", "grid.enabled=false",
                          "output.figures=false", "output.console_table=false",
                          f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr
    warning = next(line for line in proc.stderr.splitlines() if "can hold" in line)
    assert warning.startswith(f"warning: {scen / 'plan.csv'}: site 's1'"), warning
    assert str(out) not in warning


class _no_warning:
    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


# -- 12. SIGKILL: status.json says which process, and its workers do not outlive it -----------
def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _wait_for(condition, limit_s: float) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_sigkill_leaves_a_recognisably_stale_status_and_no_workers(tmp_path):
    data, scen = Micro(racks=4).write(tmp_path)
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "sim", *MICRO, f"data_dir={data}",
                             f"scenario_dir={scen}", "mc.replications=200000", "mc.n_jobs=2",
                             "mc.chunk_size=5", f"hydra.run.dir={out}"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        assert _wait_for(lambda: len(_busy(_workers(proc.pid))) >= 2, 120), "no busy workers"
        workers = _workers(proc.pid)
        status = json.loads((out / "status.json").read_text())
        assert status["status"] == "running" and status["pid"] == proc.pid
        assert status["host"] == HOST and not is_stale(status)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _wait_for(lambda: not any(_alive(w) for w in workers), 20), "workers outlived"
        status = json.loads((out / "status.json").read_text())
        assert is_stale(status) and describe_status(status).startswith("stale")
    finally:
        for pid in [proc.pid, *workers]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        proc.wait()


def _workers(pid: int) -> list[int]:
    """Loky worker processes started by `pid` (not its resource trackers)."""
    return [c for c in _children(pid) if "LokyProcess" in _cmdline(c)]


def _busy(pids: list[int], cpu_s: float = 3.0) -> list[int]:
    """Workers that have used `cpu_s` of CPU: imported, unpickled and simulating chunks."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = []
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if (int(fields[11]) + int(fields[12])) / ticks >= cpu_s:
            out.append(pid)
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
