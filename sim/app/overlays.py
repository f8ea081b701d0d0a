"""Scenario overlays (`conf/scenario/NAME.yaml`, chosen with `+scenario=NAME`) are shared
between planners, so they may set model keys only. Anything under `hydra:` other than the
output folders, and any defaults list, is refused before Hydra composes (and so before it
instantiates a single callback or launcher).

A planner who wants a Hydra callback adds it on the command line, where it is visible:
`python -m sim +scenario=apex +hydra.callbacks.mine._target_=package.module.Callback`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sim.core.config import SimConfig
from sim.core.errors import InputError
from sim.core.paths import CONF_DIR

#: the only `hydra.*` keys a scenario file may set: where its outputs go
HYDRA_OUTPUT_KEYS = ("hydra.run.dir", "hydra.sweep.dir", "hydra.sweep.subdir")
_SCENARIO = re.compile(r"^\+{0,2}scenario=(.*)$")
_DIR_FLAGS = ("--config-dir", "-cd", "--config-path", "-cp")


def _flag_values(argv: list[str]) -> list[str]:
    """Values of --config-dir/-cd/--config-path/-cp, as `--flag X` or `--flag=X`."""
    values = []
    for i, arg in enumerate(argv):
        flag, eq, value = arg.partition("=")
        if flag in _DIR_FLAGS:
            if eq:
                values.append(value)
            elif i + 1 < len(argv):
                values.append(argv[i + 1])
    return values


def _search_path(argv: list[str]) -> list[str]:
    """Directories named by `hydra.searchpath=[...]` overrides (file paths only)."""
    out = []
    for arg in argv:
        if arg.lstrip("+").startswith("hydra.searchpath="):
            items = arg.split("=", 1)[1].strip("[]")
            out += [i.strip().removeprefix("file://") for i in items.split(",")
                    if i.strip() and not i.strip().startswith("pkg://")]
    return out


def scenario_names(argv: list[str]) -> list[str]:
    """Scenario names chosen on a command line, sweeps (`a,b`, `choice(a,b)`) included."""
    names = []
    for arg in argv:
        if match := _SCENARIO.match(arg):
            value = re.sub(r"^(choice|range|glob)\((.*)\)$", r"\2", match[1].strip())
            names += [v.strip().strip("'\"") for v in value.split(",") if v.strip()]
    return names


def overlay_files(argv: list[str]) -> list[Path]:
    """Every `scenario/NAME.yaml` the command line may compose, in any config directory."""
    dirs = [Path(d) for d in (*_flag_values(argv), *_search_path(argv))] + [CONF_DIR]
    return [d / "scenario" / f"{name}.yaml" for name in scenario_names(argv) for d in dirs
            if (d / "scenario" / f"{name}.yaml").is_file()]


def _leaves(tree: Any, prefix: str) -> list[str]:
    if isinstance(tree, dict) and tree:
        return [leaf for k, v in tree.items() for leaf in _leaves(v, f"{prefix}.{k}")]
    return [prefix]


def check_overlay(path: Path) -> None:
    """One InputError line if a scenario file sets anything but model keys and outputs."""
    import yaml  # lazy: only entry points read overlays (PyYAML comes with Hydra)

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise InputError(f"{path}: not a readable YAML file: {str(err).splitlines()[0]}"
                         ) from None
    if data is None:
        return
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of config keys")
    known = set(SimConfig.__dataclass_fields__)
    for key, value in data.items():
        if key == "defaults":
            raise InputError(f"{path}: key 'defaults': a scenario file may not pull in other "
                             "configs (model keys only); choose them on the command line")
        if key == "hydra":
            for leaf in _leaves(value, "hydra"):
                if leaf not in HYDRA_OUTPUT_KEYS:
                    raise InputError(
                        f"{path}: key '{leaf}' is not allowed in a scenario file (allowed "
                        f"under hydra: {', '.join(HYDRA_OUTPUT_KEYS)}); add callbacks and "
                        "other Hydra settings on the command line (docs/planners.md)")
        elif key not in known:
            raise InputError(f"{path}: key '{key}': not a config key (known: "
                             f"{', '.join(sorted(known))})")


def check_overlays(argv: list[str]) -> None:
    """Check every scenario overlay a command line (argv or override list) would compose."""
    for path in overlay_files(argv):
        check_overlay(path)
