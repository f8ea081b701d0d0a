"""Where a result came from: package and library versions, git revision, config hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import subprocess
from importlib import metadata

from sim import __version__
from sim.core.paths import REPO_DIR

LIBRARIES = ("simpy", "numpy", "networkx", "xarray", "hydra-core", "h5netcdf")


def git_revision() -> str | None:
    """The checkout's commit (with '-dirty' if modified), or None outside a git checkout."""
    try:
        rev = subprocess.run(["git", "-C", str(REPO_DIR), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO_DIR), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True,
                               timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{rev}-dirty" if dirty else rev


def config_hash(config: dict) -> str:
    canonical = json.dumps(config, sort_keys=True, default=str).encode()
    return hashlib.sha256(canonical).hexdigest()[:16]


def library_versions() -> dict[str, str]:
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def provenance(config: dict, seed: int) -> dict:
    return {
        "version": __version__,
        "git_revision": git_revision() or "unknown",
        "config_hash": config_hash(config),
        "seed": seed,
        "python": platform.python_version(),
        "libraries": library_versions(),
    }


def created_stamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
