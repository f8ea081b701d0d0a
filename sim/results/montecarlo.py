"""Monte Carlo replications: the same pure function run serially, on loky workers or on Dask.

Draws are made up front in the parent (one array per named entity), so a replicate's result
depends only on its own draws: identical whatever the backend, the number of workers or the
chunking.
"""

from __future__ import annotations

import math
import os
import pickle
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from sim.core.errors import InputError
from sim.inputs.energy import Prices, default_prices
from sim.inputs.records import Inputs
from sim.model.grid_states import install_states, prepare_states
from sim.model.rollout import Rollout
from sim.results.critical_path import sentence
from sim.results.online import online_matrix
from sim.results.policy_outcome import owner_outcome
from sim.results.series import MILESTONES_PCT, Series, build_series, milestone_day
from sim.uncertainty.draws import DrawTable, apply_draws

#: time-series variables kept per replicate, with their storage dtype (the run's stack keeps
#: GPU counts as int32 while they fit, as result.nc does: `_Collector`)
ENSEMBLE_VARIABLES = {
    "gpus_delivered": np.int64, "gpus_arrived": np.int64, "gpus_online": np.int64,
    "it_load_mw": np.float32, "pue": np.float32,
    "facility_load_mw": np.float32, "power_limit_mw": np.float32,
    "cooling_limit_mw": np.float32, "it_capacity_mw": np.float32, "wait_days": np.float32,
    "energy_mwh": np.float32, "cost_krw": np.float32, "emissions_tco2": np.float32,
    "idle_gpu_months": np.float32,
}


@dataclass(frozen=True)
class ReplicateResult:
    replicate: int
    arrays: dict[str, np.ndarray]
    milestone_days: np.ndarray    # who x pct, NaN if not reached by the horizon
    online_at_horizon: np.ndarray  # who
    site_full_day: np.ndarray      # site, NaN if not all planned GPUs online by the horizon
    online_at_days: np.ndarray     # who x report day: GPUs online before each day boundary
    #: per who (total, owners): the cause that set the 100 % date and its sentence
    why_cause: list[str] = field(default_factory=list)
    why_sentence: list[str] = field(default_factory=list)
    #: what owner policies did, per owner
    outcome: dict[str, dict] = field(default_factory=dict)
    #: per site with GPUs: the cause that set its date of full operation, and its GPUs
    site_cause: dict[str, str] = field(default_factory=dict)
    site_gpus: dict[str, int] = field(default_factory=dict)


def who_of(inputs: Inputs) -> list[str]:
    return ["total", *inputs.owners]


def summarise_replicate(replicate: int, series: Series, inputs: Inputs,
                        online_days: np.ndarray | None = None,
                        prices: Prices | None = None) -> ReplicateResult:
    """What the ensemble keeps of a replication; `online_days`: day boundaries at which to
    count GPUs online (see sim.results.online)."""
    units = series.units
    order = np.argsort(units.online_day, kind="stable")
    days, gpus, owner, site = (units.online_day[order], units.gpus[order], units.owner[order],
                               units.site[order])
    end = inputs.horizon_days
    targets = [inputs.target_gpus] + [inputs.planned_gpus(owner=o) for o in inputs.owners]
    # units of the total and of each owner, and of each site, in day order
    picks = [np.arange(len(days)), *_groups(owner, len(inputs.owners))]
    milestones = np.array([[_nan(milestone_day(days[m], gpus[m], target * p / 100, end))
                            for p in MILESTONES_PCT] for m, target in zip(picks, targets,
                                                                         strict=True)])
    online = np.array([int(gpus[m[days[m] <= end]].sum()) for m in picks])
    full = np.array([_nan(milestone_day(days[m], gpus[m], series.site_targets.get(s, 0), end))
                     if series.site_targets.get(s, 0) else np.nan
                     for m, s in zip(_groups(site, len(series.sites)), series.sites,
                                     strict=True)])
    arrays = {k: getattr(series, k).astype(dtype) for k, dtype in ENSEMBLE_VARIABLES.items()}
    at_days = online_matrix(units.online_day, units.gpus, units.owner, len(inputs.owners),
                            np.zeros(0) if online_days is None else online_days)
    whys = [series.whys[w][100] for w in who_of(inputs)]
    return ReplicateResult(
        replicate, arrays, milestones, online, full, at_days, [w.cause for w in whys],
        [sentence(w, who, 100, inputs) for w, who in zip(whys, who_of(inputs), strict=True)],
        owner_outcome(inputs, series.moves, prices or default_prices()),
        {site: why.cause for site, why in series.site_whys.items()}, dict(series.site_targets))


def _groups(codes: np.ndarray, n: int) -> list[np.ndarray]:
    """Indices of each code 0..n-1 in `codes`, in their order (one stable sort, not n masks)."""
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(n + 1))
    return [order[bounds[j]:bounds[j + 1]] for j in range(n)]


def _nan(day: float | None) -> float:
    return np.nan if day is None else day


@dataclass(frozen=True)
class Shared:
    """What every task of a run needs: sent to each worker once, not with every task."""

    inputs: Inputs
    prices: Prices
    online_days: np.ndarray | None = None
    #: dated grid states solved up front (see `sim.model.grid_states`)
    states: dict = field(default_factory=dict)

    def install(self) -> None:
        """Make this process use the run's grid states."""
        grid = self.inputs.grid
        if self.states and grid is not None and grid.rules is not None:
            install_states(grid, self.states)


def run_chunk(shared: Shared, draws: dict[str, np.ndarray], replicates: list[int]
              ) -> list[ReplicateResult]:
    """Simulate replicates; `draws[name][k]` belongs to `replicates[k]` (states installed)."""
    inputs, prices = shared.inputs, shared.prices
    out = []
    for k, r in enumerate(replicates):
        drawn = apply_draws(inputs, {n: float(v[k]) for n, v in draws.items()})
        series = build_series(Rollout(drawn).run(), drawn, prices, whole=False)
        out.append(summarise_replicate(r, series, drawn, shared.online_days, prices))
    return out


def chunks(table: DrawTable, size: int | list[int]
           ) -> Iterator[tuple[dict[str, np.ndarray], list[int]]]:
    """Tasks of `size` replicates each (or of each size in turn: see `task_sizes`)."""
    sizes = size if isinstance(size, list) else [size] * math.ceil(table.replications / size)
    lo = 0
    for n in sizes:
        ids = list(range(lo, min(lo + n, table.replications)))
        if not ids:
            return
        yield {name: v[lo:ids[-1] + 1] for name, v in table.values.items()}, ids
        lo += n


#: a task holds at most 1/(TAIL_SHARE * workers) of the replicates not yet handed out
TAIL_SHARE = 2


def task_sizes(replications: int, n_jobs: int, chunk_size: int) -> list[int]:
    """Replicates per task, in dispatch order. One process: `chunk_size` each. Several: at
    most `chunk_size`, and shrinking with what is left (guided scheduling), so that the last
    tasks are short and no worker idles long while another finishes a big one."""
    if n_jobs <= 1:
        return [chunk_size] * math.ceil(replications / chunk_size)
    sizes, left = [], replications
    while left > 0:
        sizes.append(max(1, min(chunk_size, math.ceil(left / (TAIL_SHARE * n_jobs)))))
        left -= sizes[-1]
    return sizes


class Replicates(list):
    """Replicate results sorted by index; `arrays[name]` stacks every replicate's array
    along a first axis and each result's `arrays[name]` is a view into it (no second copy)."""

    arrays: dict[str, np.ndarray]


def stacked(results: list[ReplicateResult], name: str) -> np.ndarray:
    """replicate x ... array of `name` (the stored stack of a `Replicates`, no copy)."""
    arrays = getattr(results, "arrays", None)
    if arrays is not None and name in arrays:
        return arrays[name]
    return np.stack([r.arrays[name] for r in results])


class _Collector:
    """Copies each arriving result's arrays into one preallocated stack per variable; integer
    counts in int32 while every value fits (half the memory), int64 from the first that does
    not."""

    def __init__(self, replications: int):
        self.n, self.arrays, self.rows = replications, {}, [None] * replications

    def add(self, result: ReplicateResult) -> None:
        if not self.arrays:
            self.arrays = {k: np.empty((self.n, *v.shape), _narrow(v.dtype))
                           for k, v in result.arrays.items()}
        for name, values in result.arrays.items():
            if not np.can_cast(_range_dtype(values), self.arrays[name].dtype):
                self._widen(name, values.dtype)
            self.arrays[name][result.replicate] = values
        self.rows[result.replicate] = replace(result, arrays=self._views(result.replicate))

    def _views(self, replicate: int) -> dict[str, np.ndarray]:
        return {name: stack[replicate] for name, stack in self.arrays.items()}

    def _widen(self, name: str, dtype: np.dtype) -> None:
        self.arrays[name] = self.arrays[name].astype(dtype)
        for k, row in enumerate(self.rows):
            if row is not None:
                self.rows[k] = replace(row, arrays=self._views(k))

    def results(self) -> Replicates:
        out = Replicates(self.rows)
        out.arrays = self.arrays
        return out


def _narrow(dtype: np.dtype) -> np.dtype:
    return np.dtype(np.int32) if dtype == np.int64 else dtype


def _range_dtype(values: np.ndarray) -> np.dtype:
    """The smallest of int32/int64 holding `values` (their own dtype if not int64)."""
    if values.dtype != np.int64 or not values.size:
        return _narrow(values.dtype)
    limit = np.iinfo(np.int32)
    fits = limit.min <= values.min() and values.max() <= limit.max
    return np.dtype(np.int32 if fits else np.int64)


def run_replications(inputs: Inputs, table: DrawTable, n_jobs: int = 1, backend: str = "loky",
                     scheduler: str | None = None, chunk_size: int = 50,
                     progress: bool | None = None, prices: Prices | None = None,
                     online_days: np.ndarray | None = None, states: dict | None = None
                     ) -> Replicates:
    """All replicates of `table`, sorted by replicate index; `states`: the dated grid states
    already solved for them (`grid_states`), else solved here."""
    if states is None:
        states = grid_states(inputs, table, n_jobs if backend == "loky" else 1)
    shared = Shared(inputs, prices or default_prices(), online_days, states)
    tasks = list(chunks(table, task_sizes(table.replications, n_jobs, chunk_size)))
    runner = {"loky": _run_loky, "dask": _run_dask}[backend]
    collector = _Collector(table.replications)
    with _progress(table.replications, progress) as advance:
        for chunk in (_run_serial(shared, tasks) if n_jobs == 1 and backend == "loky"
                      else runner(shared, tasks, n_jobs, scheduler)):
            for result in chunk:
                collector.add(result)
            advance(len(chunk))
    return collector.results()


def grid_states(inputs: Inputs, table: DrawTable, n_jobs: int,
                extra: dict[str, float] | None = None) -> dict:
    """Every dated grid state the replicates will visit (and a replicate drawn `extra`, e.g.
    the central run), solved once (none without a dated grid)."""
    if inputs.grid is None or inputs.grid.rules is None:
        return {}
    prefix = "grid_project/project="
    draws = {name[len(prefix):]: [*values, *([extra[name]] if extra else [])]
             for name, values in table.values.items() if name.startswith(prefix)}
    return prepare_states(inputs.grid, inputs.start, inputs.horizon_days, draws, n_jobs)


def warm_workers(n_jobs: int) -> threading.Thread:
    """Start `n_jobs` loky workers in a background thread (each imports this module) while
    this process goes on preparing the run; join the thread before the next parallel call,
    which then finds them ready."""
    def start() -> None:
        from joblib import Parallel, delayed

        Parallel(n_jobs=n_jobs, backend="loky")(delayed(_ready)() for _ in range(n_jobs))
    thread = threading.Thread(target=start, name="warm-workers", daemon=True)
    thread.start()
    return thread


def _ready() -> int:
    """A task that makes a worker import this module (and all the replications need)."""
    return os.getpid()


def release_workers() -> None:
    """Stop this process's idle loky workers (they keep their memory until loky's 300 s
    timeout; the next parallel run starts new ones)."""
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)


def _run_serial(shared: Shared, tasks) -> Iterator[list[ReplicateResult]]:
    shared.install()
    for task in tasks:
        yield run_chunk(shared, *task)


def _run_loky(shared: Shared, tasks, n_jobs: int, _scheduler
              ) -> Iterator[list[ReplicateResult]]:
    """Tasks carry their draws and the path of the run's pickled `Shared`, which each worker
    reads once (loky would pickle it again with every task)."""
    from joblib import Parallel, delayed

    handle, name = tempfile.mkstemp(prefix="sim-shared-", suffix=".pkl")
    try:
        with os.fdopen(handle, "wb") as file:
            pickle.dump(shared, file, protocol=pickle.HIGHEST_PROTOCOL)
        parallel = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator_unordered")
        parent = os.getpid()
        yield from parallel(delayed(_worker_chunk)(parent, name, *task) for task in tasks)
    finally:
        Path(name).unlink(missing_ok=True)


#: the `Shared` this worker process read last, by file path
_shared: dict[str, Shared] = {}


def _worker_chunk(parent_pid: int, shared_path: str, *task) -> list[ReplicateResult]:
    """`run_chunk` in a loky worker that exits as soon as the run's process is gone."""
    _watch_parent(parent_pid)
    if shared_path not in _shared:
        _shared.clear()
        with open(shared_path, "rb") as file:
            _shared[shared_path] = pickle.load(file)
        _shared[shared_path].install()
    return narrowed(run_chunk(_shared[shared_path], *task))


def narrowed(results: list[ReplicateResult]) -> list[ReplicateResult]:
    """`results` with GPU counts as int32 where they fit: a third fewer bytes to send back
    (the run's `_Collector` stores them so anyway, and widens on the first that does not)."""
    return [replace(r, arrays={k: v.astype(_range_dtype(v), copy=False)
                               for k, v in r.arrays.items()}) for r in results]


_watching: list[int] = []


def _watch_parent(parent_pid: int, period_s: float = 0.5) -> None:
    """Start (once per worker) a daemon thread that ends this process when `parent_pid` is no
    longer its parent: a run killed with SIGKILL cannot stop its workers, so they stop
    themselves instead of finishing their chunks and idling for loky's 300 s."""
    if _watching or os.getppid() != parent_pid:
        return
    _watching.append(parent_pid)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(period_s)
        os._exit(1)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _dask_chunk(shared: Shared, *task) -> list[ReplicateResult]:
    shared.install()
    return narrowed(run_chunk(shared, *task))


def _run_dask(shared: Shared, tasks, n_jobs: int, scheduler: str | None
              ) -> Iterator[list[ReplicateResult]]:
    import logging

    from distributed import Client, LocalCluster, as_completed

    logging.getLogger("distributed").setLevel(logging.WARNING)   # its INFO is cluster chatter
    cluster = None if scheduler else LocalCluster(n_workers=n_jobs, threads_per_worker=1,
                                                  processes=True, dashboard_address=None,
                                                  silence_logs=logging.WARNING)
    try:
        client = Client(scheduler or cluster, timeout="10s")
    except (OSError, TimeoutError) as err:
        if cluster is not None:
            cluster.close()
        raise InputError(f"config key 'mc.scheduler': cannot reach {scheduler}: "
                         f"{str(err).splitlines()[0]}") from None
    try:
        remote = client.scatter(shared, broadcast=True)
        futures = [client.submit(_dask_chunk, remote, *task, pure=False) for task in tasks]
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _progress:
    """A rich progress bar on a terminal; silent otherwise."""

    def __init__(self, total: int, enabled: bool | None):
        self.total = total
        self.enabled = sys.stderr.isatty() if enabled is None else enabled

    def __enter__(self) -> Callable[[int], None]:
        if not self.enabled:
            return lambda _n: None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(TextColumn("replications"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                            console=Console(stderr=True))
        self.bar.start()
        task = self.bar.add_task("mc", total=self.total, rate="")

        def advance(n: int) -> None:
            self.bar.advance(task, n)
            speed = self.bar.tasks[0].speed
            self.bar.update(task, rate=f"{speed:.1f} rep/s" if speed else "")
        return advance

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self.bar.stop()
