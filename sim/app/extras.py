"""Optional pieces (pip extras, SLURM) a command asks for, checked before they are used so a
missing one is one line naming what to install or why it cannot run (README: extras)."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable, Sequence

#: Hydra launcher option -> (module the plugin provides, pip extra that installs it)
LAUNCHERS = {
    "joblib": ("hydra_plugins.hydra_joblib_launcher", "local"),
    "workstation": ("hydra_plugins.hydra_joblib_launcher", "local"),
    "slurm": ("hydra_plugins.hydra_submitit_launcher", "slurm"),
    "submitit_slurm": ("hydra_plugins.hydra_submitit_launcher", "slurm"),
    "submitit_local": ("hydra_plugins.hydra_submitit_launcher", "slurm"),
}
#: launchers that submit to SLURM and need its `sbatch` command
SLURM_LAUNCHERS = ("slurm", "submitit_slurm")


def installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:      # a parent package is missing
        return False


def install_hint(extra: str) -> str:
    return f'pip install -e ".[{extra}]"'


def launcher_problem(argv: Sequence[str], is_installed: Callable[[str], bool] = installed,
                     which: Callable[[str], str | None] = shutil.which) -> str | None:
    """Why the `hydra/launcher=NAME` on the command line cannot run here, or None."""
    names = [a.split("=", 1)[1] for a in argv if a.lstrip("+").startswith("hydra/launcher=")]
    for name in names:
        if name not in LAUNCHERS:
            continue
        module, extra = LAUNCHERS[name]
        if not is_installed(module):
            return (f"hydra/launcher={name} needs the Hydra launcher plugin: install it with "
                    f"{install_hint(extra)}")
        if name in SLURM_LAUNCHERS and which("sbatch") is None:
            return (f"hydra/launcher={name} submits to SLURM, but 'sbatch' is not on PATH: run "
                    "on the cluster's login node (or try hydra/launcher=submitit_local here)")
    return None


def backend_problem(backend: str, replications: int,
                    is_installed: Callable[[str], bool] = installed) -> str | None:
    """Why mc.backend cannot run here, or None (a single replication needs no backend)."""
    if backend == "dask" and replications > 1 and not is_installed("distributed"):
        return ("config key 'mc.backend': dask needs Dask's distributed scheduler: install it "
                f"with {install_hint('cluster')}")
    return None
