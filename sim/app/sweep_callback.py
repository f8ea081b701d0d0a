"""Hydra callback: at the end of every multirun, merge the job directories (sim/app/sweep.py).

Configured in conf/config.yaml under `hydra.callbacks.sweep`. Hydra hands no results to
`on_multirun_end` (it runs in the parent after all jobs), so the merge reads what each job
wrote. Hydra would also abort the sweep's end (and skip this merge) when a job raised, so in a
multirun `on_job_end` reports a failed job's traceback and marks it done: status.json already
says `failed`, and the merge lists it.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

from hydra.core.utils import JobReturn, JobStatus
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.app.sweep import merge, report


class SweepCallback(Callback):
    """Merge and rank a multirun (`who`: rank by the total or an owner; `figure`: plot)."""

    def __init__(self, who: str = "total", figure: bool = True, fail_exit_code: int = 1):
        self.who = who
        self.figure = figure
        self.fail_exit_code = fail_exit_code

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        multirun = config.hydra.mode in (RunMode.MULTIRUN, RunMode.MULTIRUN.name)
        if not multirun or job_return.status != JobStatus.FAILED:
            return
        try:
            _ = job_return.return_value   # public API: re-raises the job's exception
        except Exception as raised:
            err = raised
        else:
            return
        print(f"error: job {config.hydra.job.num} ({' '.join(job_return.overrides or [])}) "
              "failed:", file=sys.stderr)
        traceback.print_exception(err, file=sys.stderr)
        job_return.status = JobStatus.COMPLETED
        job_return.return_value = None

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        out = merge(Path(config.hydra.sweep.dir), self.who, self.figure)
        print(report(out))
        if out.failed and self.fail_exit_code:
            sys.exit(self.fail_exit_code)
