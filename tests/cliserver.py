"""Run the command line many times fast: one Python process imports the package once and forks
a child per command, so the child starts with Hydra, numpy and xarray already loaded.

The child runs exactly what `python -m sim ...` runs (`sim.__main__`), with its own stdout and
stderr, and exits with the command's exit code: a test sees what a user sees. Start it with
`CliServer()`; `run(module, *args)` returns a `subprocess.CompletedProcess`.

Protocol (one JSON line each way): {"module": "sim", "argv": [...], "cwd": "..."} ->
{"code": int, "stdout": str, "stderr": str}.
"""

from __future__ import annotations

import json
import os
import runpy
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


def serve() -> None:
    """Read requests from stdin, answer on stdout, until stdin closes."""
    import xarray  # noqa: F401

    import sim.app.cli
    import sim.app.export
    import sim.app.search
    import sim.outputs.figures.write  # noqa: F401

    answer = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        with tempfile.TemporaryDirectory() as tmp:
            out_path, err_path = os.path.join(tmp, "out"), os.path.join(tmp, "err")
            for path in (out_path, err_path):
                Path(path).touch()
            answer.flush()
            pid = os.fork()
            if pid == 0:
                _child(request, out_path, err_path)
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            reply = {"code": code, "stdout": Path(out_path).read_text(errors="replace"),
                     "stderr": Path(err_path).read_text(errors="replace")}
        answer.write(json.dumps(reply) + "\n")
        answer.flush()


class CliServer:
    """A warm process that runs `python -m MODULE ARGS` in forked children."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.cliserver"], cwd=REPO,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env=env)

    def run(self, module: str, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
        assert module in MODULES, module
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"module": module, "argv": list(args),
                                          "cwd": str(cwd)}) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        return subprocess.CompletedProcess([module, *args], reply["code"], reply["stdout"],
                                           reply["stderr"])

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


if __name__ == "__main__":
    serve()
