"""The jobs of a Hydra multirun, read from their directories: overrides, status, which
parameters were swept and whether they form a full grid."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product
from pathlib import Path

from sim.outputs.status import describe_status, read_status

MISSING_VALUE = "(default)"
#: how a job that kept the scenario's own plan.csv is labelled along `plan`
BASE_PLAN = "base"


@dataclass(frozen=True)
class Job:
    """One job directory of a sweep."""

    num: int
    path: Path
    overrides: dict[str, str]
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def override_pairs(lines: list[str]) -> dict[str, str]:
    """`key=value` overrides as {key: value}, `+`/`++`/`~` prefixes stripped."""
    out = {}
    for line in lines:
        key, _, value = str(line).partition("=")
        out[key.lstrip("+~")] = value
    return out


def job_error(path: Path) -> str | None:
    """None if the job completed with its files, else why it counts as failed."""
    status_path = path / "status.json"
    if not status_path.is_file():
        return "no status.json (job did not start or was killed)"
    status = read_status(path)
    if status.get("status") != "complete":
        return describe_status(status)
    for name in ("result.nc", "summary.json"):
        if not (path / name).is_file():
            return f"{name} missing"
    return None


def find_jobs(sweep_dir: Path) -> list[Job]:
    """Every job directory under `sweep_dir` (those holding .hydra/overrides.yaml)."""
    from omegaconf import OmegaConf

    jobs = []
    for overrides in sorted(sweep_dir.glob("**/.hydra/overrides.yaml")):
        path = overrides.parent.parent
        lines = OmegaConf.to_container(OmegaConf.load(overrides))
        jobs.append(Job(_job_num(path), path, override_pairs(lines), job_error(path)))
    return sorted(jobs, key=lambda j: j.num)


def _job_num(path: Path) -> int:
    from omegaconf import OmegaConf

    hydra_yaml = path / ".hydra" / "hydra.yaml"
    if hydra_yaml.is_file():
        num = OmegaConf.select(OmegaConf.load(hydra_yaml), "hydra.job.num")
        if isinstance(num, int):
            return num
    return int(path.name) if path.name.isdigit() else -1


def swept_params(jobs: list[Job]) -> list[str]:
    """Override keys whose value differs between jobs, in first-seen order."""
    keys: list[str] = []
    for job in jobs:
        keys += [k for k in job.overrides if k not in keys]
    return [k for k in keys if len({j.overrides.get(k) for j in jobs}) > 1]


def param_text(job: Job, key: str) -> str:
    """The override value of `key` in `job` as text (the scenario's own plan reads `base`)."""
    text = job.overrides.get(key, MISSING_VALUE)
    return BASE_PLAN if key == "plan" and text in ("null", "", MISSING_VALUE) else text


def param_values(jobs: list[Job], key: str) -> list:
    """The typed value of `key` per job: all ints, else all floats, else all strings."""
    texts = [param_text(j, key) for j in jobs]
    for kind in (int, float):
        try:
            return [kind(t) for t in texts]
        except ValueError:
            continue
    return texts


def is_grid(jobs: list[Job], params: list[str]) -> bool:
    """True when the jobs are exactly the Cartesian product of the swept values."""
    if not params:
        return False
    cells = list(zip(*(param_values(jobs, p) for p in params), strict=True))
    axes = [list(dict.fromkeys(c[i] for c in cells)) for i in range(len(params))]
    return len(cells) == len(set(cells)) == math.prod(len(a) for a in axes) and \
        set(cells) == set(product(*axes))
