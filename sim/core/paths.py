"""Where the package finds its config, scenarios and embedded data, and the one rule that picks
a table: the scenario's own copy, else the run's data directory, else the embedded default."""

from __future__ import annotations

from pathlib import Path

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


def locate(name: str, data_dir: Path, scenario_dir: Path | None = None) -> Path:
    """The scenario's copy of table or folder `name`, else the data directory's, else the
    embedded one."""
    for folder in (scenario_dir, data_dir):
        if folder is not None and (folder / name).exists():
            return folder / name
    return DATA_DIR / name
