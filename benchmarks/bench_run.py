"""Benchmarks of the rollout (issue 9): prints figures, asserts nothing.

    python benchmarks/bench_run.py            # all of (a), (b), (c), (e)
    python benchmarks/bench_run.py a c        # a subset

(a) one apex replication in-process after warm-up (median of 7)
(b) 1,000 apex replications with n_jobs=2: wall time and peak memory (parent + workers)
(c) the model's simulated events/s divided by a bare SimPy loop's events/s, same process
(e) cold start: `python -m sim +scenario=apex` wall time, one replication, imports included
    (with and without figures)
(g) the backbone security check per energisation, as the apex rollout calls it
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def apex_inputs(replications: int = 1):
    from omegaconf import OmegaConf

    from sim.app.run import draws_for, inputs_for
    from sim.core.config import SimConfig

    cfg = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(SimConfig),
                                              {"scenario": "apex",
                                               "mc": {"replications": replications}}))
    inputs = inputs_for(cfg)
    return cfg, inputs, draws_for(cfg, inputs)


def bench_a() -> None:
    from sim.app.run import simulate
    from sim.uncertainty.draws import apply_draws

    _, inputs, table = apex_inputs()
    drawn = apply_draws(inputs, table.replicate(0))
    simulate(drawn)
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        simulate(drawn)
        times.append(time.perf_counter() - t0)
    print(f"(a) one apex replication in-process: {statistics.median(times):.3f} s "
          f"(median of 7; min {min(times):.3f} s)  target <= 0.1 s")


class TreeMemory:
    """Peak summed RSS of this process and its children (loky workers stay alive, so
    RUSAGE_CHILDREN would miss them), sampled every 0.1 s with psutil."""

    def __enter__(self):
        import threading

        import psutil

        self.peak_mb, self.stop = 0.0, threading.Event()
        me = psutil.Process()

        def watch() -> None:
            while not self.stop.wait(0.1):
                procs = [me, *me.children(recursive=True)]
                total = 0
                for proc in procs:
                    with contextlib.suppress(psutil.Error):
                        total += proc.memory_info().rss
                self.peak_mb = max(self.peak_mb, total / 2**20)

        self.thread = threading.Thread(target=watch, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def bench_b(n: int = 1000) -> None:
    from sim.core.causes import cause_names
    from sim.outputs.ensemble import ensemble_dataset
    from sim.results.montecarlo import run_replications

    _, inputs, table = apex_inputs(n)
    with TreeMemory() as memory:
        t0 = time.perf_counter()
        results = run_replications(inputs, table, n_jobs=2, chunk_size=50, progress=False)
        wall = time.perf_counter() - t0
        ensemble_dataset(results, inputs, list(cause_names(grid=True, assessment=True)))
    print(f"(b) {len(results)} apex replications, n_jobs=2: {wall:.1f} s wall; peak memory "
          f"(parent + workers, incl. the ensemble dataset) {memory.peak_mb:.0f} MB  "
          "target <= 60 s, < 1 GB")


def counting_env():
    """A SimPy environment that counts the events it schedules."""
    import simpy

    class CountingEnvironment(simpy.Environment):
        scheduled = 0

        def schedule(self, event, priority=1, delay=0):
            self.scheduled += 1
            super().schedule(event, priority, delay)

    return CountingEnvironment()


def bare_simpy_events_per_s(n_procs: int = 3600, steps: int = 5) -> float:
    """Processes that take a Container level and a Resource, then wait: a bare SimPy loop."""
    import simpy

    env = counting_env()
    crews = simpy.Resource(env, capacity=8)
    power = simpy.Container(env, init=1e9)

    def rack(i: int):
        yield env.timeout(i % 97)
        for _ in range(steps):
            yield power.get(1)
            with crews.request() as req:
                yield req
                yield env.timeout(1)

    for i in range(n_procs):
        env.process(rack(i))
    t0 = time.perf_counter()
    env.run()
    elapsed = time.perf_counter() - t0
    return env.scheduled / elapsed


def bench_c() -> None:
    from sim.model.rollout import Rollout
    from sim.uncertainty.draws import apply_draws

    _, inputs, table = apex_inputs()
    drawn = apply_draws(inputs, table.replicate(0))
    Rollout(drawn).run()
    model_rates, rack_rates = [], []
    for _ in range(5):
        rollout = Rollout(drawn)
        rollout.env = counting_env()
        t0 = time.perf_counter()
        log = rollout.run()
        elapsed = time.perf_counter() - t0
        model_rates.append(rollout.env.scheduled / elapsed)
        # a per-rack model needs 4 events per rack: arrive, energise, installed, online
        racks = sum(len(g.energised_day) for g in log.energised)
        rack_rates.append(4 * racks / elapsed)
    bare = statistics.median(bare_simpy_events_per_s() for _ in range(3))
    model, per_rack = statistics.median(model_rates), statistics.median(rack_rates)
    print(f"(c) model {model:,.0f} SimPy events/s vs bare SimPy {bare:,.0f} events/s: ratio "
          f"{model / bare:.2f}  target >= 0.5\n"
          f"    rack-level transitions represented: {per_rack:,.0f}/s, ratio "
          f"{per_rack / bare:.2f} (blocks of racks, crews computed in closed form: few events, "
          "each carrying an N-1 grid check)")


def bench_g() -> None:
    """The backbone security check as the apex rollout calls it (one per energisation try)."""
    from sim.model.backbone import Backbone
    from sim.model.rollout import Rollout
    from sim.uncertainty.draws import apply_draws

    _, inputs, table = apex_inputs()
    drawn = apply_draws(inputs, table.replicate(0))
    Rollout(drawn).run()
    times: list[float] = []
    plain = Backbone.max_units

    def timed(self, *args):
        t0 = time.perf_counter()
        out = plain(self, *args)
        times.append(time.perf_counter() - t0)
        return out

    Backbone.max_units = timed
    try:
        for _ in range(5):
            Rollout(drawn).run()
    finally:
        Backbone.max_units = plain
    times.sort()
    print(f"(g) backbone N-1 check in the apex rollout: {len(times) // 5} per replication, "
          f"median {statistics.median(times) * 1e6:.1f} us, p90 "
          f"{times[int(0.9 * len(times))] * 1e6:.1f} us  target <= 50 us")


def bench_e() -> None:
    for figures in ("false", "true"):
        times = []
        for _ in range(3):
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-m", "sim", "+scenario=apex",
                                f"output.figures={figures}", "output.console_table=false",
                                f"hydra.run.dir={tmp}/run"], cwd=REPO, check=True,
                               env={**os.environ, "PYTHONDONTWRITEBYTECODE": "0"})
                times.append(time.perf_counter() - t0)
        print(f"(e) cold start `python -m sim +scenario=apex` (figures={figures}): "
              f"{statistics.median(times):.2f} s (median of 3)  target <= 3 s")


def main() -> None:
    wanted = sys.argv[1:] or ["a", "c", "g", "e", "b"]
    for key in wanted:
        {"a": bench_a, "b": bench_b, "c": bench_c, "e": bench_e, "g": bench_g}[key]()


if __name__ == "__main__":
    main()
