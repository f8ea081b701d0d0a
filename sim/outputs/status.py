"""`status.json` of a run directory: which process writes it, whether it finished, and the
rule that a run never writes into a directory that holds another run.

A running run records its pid and host; a reader on the same host can tell a live run from one
that was killed (SIGKILL, power loss) and left "running" behind: `describe_status` says so.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from pathlib import Path

from sim.core.errors import InputError
from sim.core.paths import present
from sim.outputs.files import create_exclusive, write_json
from sim.outputs.provenance import created_stamp

STATUS = "status.json"
#: what a finished or started run leaves in its directory (Hydra's own `.hydra/` aside)
RUN_MARKERS = (STATUS, "summary.json", "result.nc", "inputs")


def _me() -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname()}


def read_status(run_dir: Path) -> dict:
    """The status record of `run_dir` ({} if absent or unreadable)."""
    try:
        payload = json.loads((run_dir / STATUS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return payload if isinstance(payload, dict) else {}


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, ValueError, OSError):
        return False
    return True


def is_stale(status: dict) -> bool:
    """True for a 'running' record whose process is gone (checked on the same host only)."""
    if status.get("status") != "running" or status.get("host") != socket.gethostname():
        return False
    pid = status.get("pid")
    return not isinstance(pid, int) or not pid_alive(pid)


def describe_status(status: dict) -> str:
    """One phrase: complete / failed: ERROR / running as pid N on HOST / stale ..."""
    state = status.get("status")
    if state is None:
        return "no readable status.json"
    if state == "running":
        where = f"pid {status.get('pid', '?')} on {status.get('host', '?')}"
        if is_stale(status):
            return f"stale: 'running' but {where} is gone (killed or crashed)"
        return f"running as {where}"
    if state == "failed":
        return f"failed: {status.get('error', 'no error recorded')}"
    return str(state)


def claim_run_dir(out_dir: Path) -> None:
    """Mark `out_dir` as this process's run, or raise one line if it holds another run.

    A directory whose run failed (or was killed, on this host) without results may be reused.
    """
    old = read_status(out_dir)
    if present(out_dir / STATUS) and _reusable(out_dir, old):
        (out_dir / STATUS).unlink()
    elif any(present(out_dir / name) for name in RUN_MARKERS):
        _refuse(out_dir)
    try:
        create_exclusive(out_dir / STATUS, _payload("running"))
    except FileExistsError:
        _refuse(out_dir)


def _reusable(out_dir: Path, status: dict) -> bool:
    finished = any(present(out_dir / n) for n in ("summary.json", "result.nc"))
    return not finished and (status.get("status") == "failed" or is_stale(status))


def _refuse(out_dir: Path) -> None:
    raise InputError(f"{out_dir}: holds another run ({describe_status(read_status(out_dir))}); "
                     "choose another hydra.run.dir")


def _payload(status: str, error: str | None = None) -> str:
    record = {"status": status, **_me(), "updated": created_stamp()}
    if error is not None:
        record["error"] = error
    return json.dumps(record, indent=2) + "\n"


def finish_status(out_dir: Path, status: str, error: str | None = None) -> None:
    """Record 'complete' or 'failed' (with the error line). Best effort when failing: a full
    disk must not turn a one-line error into a traceback."""
    record = json.loads(_payload(status, error))
    if status != "failed":
        write_json(out_dir / STATUS, record)
        return
    with contextlib.suppress(OSError):
        write_json(out_dir / STATUS, record)


def os_error_line(err: OSError) -> str:
    """An OSError as one line naming the file: 'PATH: cannot write: No space left on device'."""
    where = err.filename or "output"
    return f"{where}: {err.strerror or err}"
