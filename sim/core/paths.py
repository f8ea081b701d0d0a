"""Where the package finds its config, scenarios and embedded data, and the one rule for every
path a run reads: the scenario's own copy of a table, else the run's data directory's, else the
embedded default. A name that is present in a folder (even as a broken link) must be usable:
it is never skipped in favour of the next folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sim.core.errors import InputError

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO_DIR = PACKAGE_DIR.parent


def _first_dir(*candidates: Path) -> Path:
    for path in candidates:
        if path.is_dir():
            return path
    return candidates[-1]


#: Hydra config directory: `<repo>/conf` in a checkout, `sim/conf` inside an installed wheel.
CONF_DIR = _first_dir(REPO_DIR / "conf", PACKAGE_DIR / "conf")
#: Planner-editable scenario tables: `<repo>/scenarios` or `sim/scenarios` in a wheel.
SCENARIOS_DIR = _first_dir(REPO_DIR / "scenarios", PACKAGE_DIR / "scenarios")
#: Embedded default datasets.
DATA_DIR = PACKAGE_DIR / "data"
#: Outlines for the map figure.
GEO_DIR = DATA_DIR / "geo"


def _kind(path: Path) -> str:
    """What `path` is, in words, for a message."""
    try:
        mode = path.stat().st_mode
    except OSError as err:
        if path.is_symlink():
            return f"a broken symbolic link ({err.strerror.lower() if err.strerror else err})"
        return "missing"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    return "not a regular file"


def check_file(path: Path) -> Path:
    """`path` if it is a readable regular file (or a link to one), else one InputError line."""
    kind = _kind(path)
    if kind == "missing":
        raise InputError(f"{path}: file not found")
    if kind != "a file":
        raise InputError(f"{path}: expected a regular file, found {kind}")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: file not readable (permissions)")
    return path


def check_dir(path: Path, what: str = "directory") -> Path:
    """`path` if it is a readable directory (or a link to one), else one InputError line."""
    kind = _kind(path)
    if kind == "missing":
        raise InputError(f"{path}: {what} not found")
    if kind != "a directory":
        raise InputError(f"{path}: expected a {what}, found {kind}")
    if not os.access(path, os.R_OK | os.X_OK):
        raise InputError(f"{path}: {what} not readable (permissions)")
    return path


def relative_to_cwd(path: Path) -> Path:
    """`path` as a command run from the current directory names it (no machine path when it
    lies below that directory)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def present(path: Path) -> bool:
    """True if anything at all has this name, a broken or looping link included."""
    return os.path.lexists(path)


def locate(name: str, data_dir: Path, scenario_dir: Path | None = None) -> Path:
    """The scenario's copy of table `name` (a folder if `name` has no suffix, e.g. `grid`),
    else the data directory's, else the embedded one. The first place in which the name is
    present wins and must be a readable file (folder): a broken link, a loop, a directory
    where a file is expected or a pipe is an error there, never a reason to look further."""
    folder = not Path(name).suffix
    for parent in (scenario_dir, data_dir):
        if parent is not None and present(parent / name):
            path = parent / name
            return check_dir(path, "folder") if folder else check_file(path)
    return DATA_DIR / name
