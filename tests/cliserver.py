"""Run the command line many times fast: one Python process imports the package once and forks
a child per command, so the child starts with Hydra, numpy and xarray already loaded.

The child runs exactly what `python -m sim ...` runs (`sim.__main__`), with its own stdout and
stderr, and exits with the command's exit code: a test sees what a user sees. Start it with
`CliServer()`; `run(module, *args)` returns a `subprocess.CompletedProcess`.

Protocol (one JSON line each way): {"batch": [{"module": "sim", "argv": [...], "cwd": "..."},
...], "parallel": N} -> [{"code": int, "stdout": str, "stderr": str}, ...]; up to N children run
at once (`run_many`), each in its own process, so cases never share state.
"""

from __future__ import annotations

import json
import os
import resource
import runpy
import signal
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODULES = ("sim", "sim.export", "sim.search", "sim.sweep")


def _child(request: dict, out_path: str, err_path: str) -> None:
    """In the forked child: redirect stdout/stderr to files, run the module, exit."""
    for fd, path in ((1, out_path), (2, err_path)):
        target = os.open(path, os.O_WRONLY | os.O_TRUNC)
        os.dup2(target, fd)
        os.close(target)
    os.chdir(request.get("cwd", str(REPO)))
    if request.get("fsize"):   # a full disk: writes past this size fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (request["fsize"], request["fsize"]))
    code = 0
    sys.argv = [request["module"], *request["argv"]]
    try:
        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
    except BaseException:   # what the interpreter would print for an uncaught error
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _start(request: dict, tmp: str, k: int) -> tuple[int, str, str]:
    out_path, err_path = os.path.join(tmp, f"out{k}"), os.path.join(tmp, f"err{k}")
    for path in (out_path, err_path):
        Path(path).touch()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        _child(request, out_path, err_path)
    return pid, out_path, err_path


def _batch(requests: list[dict], parallel: int) -> list[dict]:
    replies: list[dict | None] = [None] * len(requests)
    running: dict[int, tuple[int, str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        pending = list(enumerate(requests))
        while pending or running:
            while pending and len(running) < parallel:
                k, request = pending.pop(0)
                pid, out_path, err_path = _start(request, tmp, k)
                running[pid] = (k, out_path, err_path)
            pid, status = os.wait()
            k, out_path, err_path = running.pop(pid)
            replies[k] = {"code": os.waitstatus_to_exitcode(status),
                          "stdout": Path(out_path).read_text(errors="replace"),
                          "stderr": Path(err_path).read_text(errors="replace")}
    return [r for r in replies if r is not None]


def serve() -> None:
    """Read requests from stdin, answer on stdout, until stdin closes."""
    import xarray  # noqa: F401

    import sim.app.cli
    import sim.app.export
    import sim.app.search
    import sim.outputs.figures.write  # noqa: F401

    answer = sys.stdout
    for line in sys.stdin:
        message = json.loads(line)
        replies = _batch(message["batch"], message.get("parallel", 1))
        answer.write(json.dumps(replies) + "\n")
        answer.flush()


class CliServer:
    """A warm process that runs `python -m MODULE ARGS` in forked children."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.cliserver"], cwd=REPO,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env=env)

    def run(self, module: str, *args: str, cwd: Path = REPO,
            fsize: int | None = None) -> subprocess.CompletedProcess:
        """`python -m MODULE ARGS`; `fsize` caps the size of any file it writes (bytes)."""
        return self.run_many([(module, list(args))], cwd=cwd, fsize=fsize)[0]

    def run_many(self, commands: list[tuple[str, list[str]]], cwd: Path = REPO,
                 parallel: int = 1, fsize: int | None = None
                 ) -> list[subprocess.CompletedProcess]:
        """Run (module, args) commands, up to `parallel` at once; results in order."""
        assert all(module in MODULES for module, _ in commands), commands
        assert self.proc.stdin is not None and self.proc.stdout is not None
        batch = [{"module": m, "argv": list(a), "cwd": str(cwd), "fsize": fsize}
                 for m, a in commands]
        self.proc.stdin.write(json.dumps({"batch": batch, "parallel": parallel}) + "\n")
        self.proc.stdin.flush()
        replies = json.loads(self.proc.stdout.readline())
        return [subprocess.CompletedProcess([m, *a], r["code"], r["stdout"], r["stderr"])
                for (m, a), r in zip(commands, replies, strict=True)]

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


if __name__ == "__main__":
    serve()
