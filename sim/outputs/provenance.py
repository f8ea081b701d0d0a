"""Where a result came from: package and library versions, git revision, config hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

from sim import __version__
from sim.core.errors import InputError
from sim.core.paths import REPO_DIR
from sim.outputs.files import atomic_write

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


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def snapshot_inputs(files: dict[str, Path], dest: Path) -> dict[str, str]:
    """Copy every input file into `dest` under its name (atomically) and return
    {name: sha256} of the copies: the run then reads exactly what it records."""
    hashes = {}
    for name, source in files.items():
        target = dest / name
        atomic_write(target, lambda tmp, src=source: shutil.copyfile(src, tmp))
        hashes[name] = file_hash(target)
    return hashes


def check_snapshot(dest: Path, hashes: dict[str, str]) -> None:
    """Raise one line if a copied input is missing or no longer matches its recorded hash."""
    for name, expected in hashes.items():
        path = dest / name
        if not path.is_file():
            raise InputError(f"{path}: input copy of the run is missing")
        if file_hash(path) != expected:
            raise InputError(f"{path}: input copy of the run was modified after the run "
                             "(sha256 differs from the run's provenance)")


def provenance(config: dict, seed: int, inputs: dict[str, str] | None = None) -> dict:
    extra = {"inputs_sha256": inputs} if inputs is not None else {}
    return {
        "version": __version__,
        "git_revision": git_revision() or "unknown",
        "config_hash": config_hash(config),
        "seed": seed,
        "python": platform.python_version(),
        "libraries": library_versions(),
        **extra,
    }


def created_stamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
