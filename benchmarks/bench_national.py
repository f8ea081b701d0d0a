"""Issue 21 ("fast at national scale"): every ratio of its Done-when, measured in one run.
Prints figures, asserts nothing.

    python benchmarks/bench_national.py                    # all sections
    python benchmarks/bench_national.py scale output       # some of them
    python benchmarks/bench_national.py --readme           # all, then rewrite README's table
    python benchmarks/bench_national.py output --repeat=1  # deterministic runs once, not 3x

Sections (ratios are measured in the same run; load average printed with each):
  scale    one replication of a k=10 apex / k=1 apex, grid on, a national queue of 300+
           competing loads (benchmarks/scaled.py), process CPU time, median of replications
  output   a deterministic apex run with figures and report / the same with
           output.figures=false (CPU and wall, median of 3); the share of a 1,000-replication
           run (n_jobs=2, figures on) after its last replication (from sim.log's timestamps)
  parallel 1,000 and 200 replications, mc.n_jobs=1 / mc.n_jobs=2 (wall; CPU printed too)
  sweep    a 12-job multirun of deterministic apex runs with the basic launcher / the same 12
           runs simulated in one process
  memory   peak summed RSS of the process tree of the 1,000-replication run (`output`)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

README_BEGIN = "<!-- bench_national: begin -->"
README_END = "<!-- bench_national: end -->"
SWEEP = ["plan=null,hyundai_ulsan,naver_all_sejong", "grid.hvdc_delay_years=0,1,2,3"]
ROWS: list[tuple[str, str, str]] = []    # (what, measured, target) for the README table


def load() -> str:
    return "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def record(what: str, measured: str, target: str) -> None:
    ROWS.append((what, f"{measured} ({load()})", target))
    print(f"{what}: {measured}  target {target}  [{load()}]", flush=True)


def children_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class TreeMemory:
    """Peak summed RSS of a process and its descendants, sampled every 0.1 s."""

    def __init__(self, pid: int):
        import psutil

        self.proc, self.peak_mb, self.stop = psutil.Process(pid), 0.0, threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        import psutil

        while not self.stop.wait(0.1):
            total = 0
            with contextlib.suppress(psutil.Error):
                for proc in [self.proc, *self.proc.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += proc.memory_info().rss
            self.peak_mb = max(self.peak_mb, total / 2**20)

    def close(self) -> float:
        self.stop.set()
        self.thread.join()
        return self.peak_mb


def cli(*overrides: str, multirun: bool = False) -> dict:
    """One `python -m sim` run in a temporary directory: wall s, CPU s (with children), peak
    tree RSS MB, and the wall seconds after its last replication (if it logged one)."""
    with tempfile.TemporaryDirectory() as tmp:
        where = (f"hydra.sweep.dir={tmp}/sweep" if multirun else f"hydra.run.dir={tmp}/run")
        args = [sys.executable, "-m", "sim", *(["-m"] if multirun else []), "+scenario=apex",
                *overrides, "output.console_table=false", where]
        cpu0, t0 = children_cpu_s(), time.time()
        proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        memory = TreeMemory(proc.pid)
        if proc.wait():
            memory.close()
            raise SystemExit(f"failed: {' '.join(args)}")
        end = time.time()
        out = {"wall": end - t0, "cpu": children_cpu_s() - cpu0, "mb": memory.close()}
        log = Path(tmp) / "run" / "sim.log"
        if log.exists():
            done = _logged_at(log.read_text(encoding="utf-8"), "replications done")
            if done is not None:
                out["after_s"] = end - done
    return out


def _logged_at(text: str, marker: str) -> float | None:
    """Epoch seconds of the first sim.log line containing `marker` (Hydra's [asctime])."""
    for line in text.splitlines():
        if marker in line and (m := re.match(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\]",
                                             line)):
            return dt.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
    return None


def scale(replications: int = 3) -> None:
    import scaled
    from omegaconf import OmegaConf

    from sim.app.run import draws_for, inputs_for, prices_for
    from sim.core.config import SimConfig
    from sim.results import montecarlo as mc

    per_rep, states_cpu, sizes = {}, {}, {}
    for k in (1, 10):
        with tempfile.TemporaryDirectory() as tmp:
            data, scenario = scaled.build(Path(tmp) / "apex_k", k)
            cfg = OmegaConf.to_object(OmegaConf.merge(
                OmegaConf.structured(SimConfig),
                {"scenario": "apex", "data_dir": str(data), "scenario_dir": str(scenario),
                 "mc": {"replications": replications}}))
            inputs = inputs_for(cfg)
            table = draws_for(cfg, inputs)
            c0 = time.process_time()
            states = mc.grid_states(inputs, table, 1)
            states_cpu[k] = time.process_time() - c0
            shared = mc.Shared(inputs, prices_for(cfg), None, states)
            shared.install()
            times = []
            for draws, ids in mc.chunks(table, 1):
                c0 = time.process_time()
                mc.run_chunk(shared, draws, ids)
                times.append(time.process_time() - c0)
            per_rep[k] = statistics.median(times)
            sizes[k] = (len(inputs.owners), len(inputs.sites), inputs.target_gpus,
                        _queue(data))
    for k in (1, 10):
        owners, sites, gpus, queue = sizes[k]
        print(f"  k={k}: {owners} owners, {sites} sites and halls, {gpus:,} GPUs, "
              f"{queue} competing loads in the 2030 queue; one replication "
              f"{per_rep[k]:.3f} s CPU (median of {replications}); dated states "
              f"{states_cpu[k]:.1f} s CPU (once per run)")
    record("scale: one replication k=10 / k=1 (grid on, 300+ queued loads)",
           f"{per_rep[10] / per_rep[1]:.1f}x ({per_rep[1]:.3f} -> {per_rep[10]:.3f} s CPU)",
           "<= 12")


def _queue(data: Path, year: int = 2030) -> int:
    """Competing loads in the year's connection queue (applied and speculative ones filed by
    the year's end; sim.grid.operating.Operation.queue)."""
    import csv

    with open(data / "grid" / "competing_loads.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(ln for ln in f if not ln.startswith("#")))
    end = f"{year}-12-31"
    return sum(1 for r in rows if r["status"] in ("applied", "speculative")
               and (r["filed_date"] or r["date"]) <= end
               and (r["status"] == "applied" or r["date"] <= f"{year}-07-31"))


def output(repeat: int = 3) -> None:
    on, off = [], []
    for _ in range(repeat):
        off.append(cli("output.figures=false"))
        on.append(cli("output.figures=true"))
    cpu = statistics.median(r["cpu"] for r in on) / statistics.median(r["cpu"] for r in off)
    wall = statistics.median(r["wall"] for r in on) / statistics.median(r["wall"] for r in off)
    record("output: deterministic run with figures and report / without",
           f"{cpu:.2f}x CPU, {wall:.2f}x wall (median of {repeat})", "<= 1.5")
    run = cli("mc.replications=1000", "mc.n_jobs=2")
    record("output: share of a 1,000-replication run (n_jobs=2) after its last replication",
           f"{run['after_s'] / run['wall']:.0%} ({run['after_s']:.1f} of {run['wall']:.1f} s)",
           "<= 20 %")
    record("memory: 1,000 replications, n_jobs=2, whole process tree (peak RSS)",
           f"{run['mb']:.0f} MB", "< 1 GB")


def parallel() -> None:
    for n, target in ((1000, ">= 1.7"), (200, ">= 1.3")):
        one = cli(f"mc.replications={n}", "mc.n_jobs=1", "output.figures=false")
        two = cli(f"mc.replications={n}", "mc.n_jobs=2", "output.figures=false")
        record(f"parallel: {n:,} replications, time(n_jobs=1) / time(n_jobs=2)",
               f"{one['wall'] / two['wall']:.2f}x wall ({one['wall']:.1f} / "
               f"{two['wall']:.1f} s; CPU {one['cpu']:.1f} / {two['cpu']:.1f} s)", target)


def sweep() -> None:
    from itertools import product

    from omegaconf import OmegaConf

    from sim.app.run import draws_for, inputs_for, prices_for, simulate
    from sim.core.config import SimConfig
    from sim.uncertainty.draws import apply_draws

    multirun = cli(*SWEEP, multirun=True)
    values = [s.split("=", 1)[1].split(",") for s in SWEEP]
    keys = [s.split("=", 1)[0] for s in SWEEP]
    cpu0, t0 = time.process_time(), time.perf_counter()
    for combo in product(*values):
        dotlist = [f"{k}={v}" for k, v in zip(keys, combo, strict=True)]
        cfg = OmegaConf.to_object(OmegaConf.merge(
            OmegaConf.structured(SimConfig), {"scenario": "apex"},
            OmegaConf.from_dotlist(dotlist)))
        inputs = inputs_for(cfg)
        simulate(apply_draws(inputs, draws_for(cfg, inputs, 1).replicate(0)), prices_for(cfg),
                 record_grid=True)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
    record("sweep: 12-job multirun (basic launcher) / the 12 runs in one process",
           f"{multirun['wall'] / wall:.2f}x wall ({multirun['wall']:.1f} / {wall:.1f} s), "
           f"{multirun['cpu'] / cpu:.2f}x CPU", "<= 4")


def readme() -> None:
    """README's table: the rows measured now, the others kept as they were."""
    path = REPO / "README.md"
    text = path.read_text(encoding="utf-8")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    rows = {w: f"| {w} | {m}, {stamp} | {t} |" for w, m, t in ROWS}
    old = re.search(re.escape(README_BEGIN) + "(.*?)" + re.escape(README_END), text, re.S)
    for line in (old.group(1).splitlines() if old else []):
        what = line.split("|")[1].strip() if line.startswith("| ") else ""
        if what and what != "issue 21" and what not in rows:
            rows[what] = line
    order = ("scale", "output", "memory", "parallel", "sweep")
    lines = sorted(rows.values(), key=lambda r: order.index(r.split("|")[1].split(":")[0]
                                                            .strip()))
    table = (f"{README_BEGIN}\n`python benchmarks/bench_national.py --readme` on "
             f"{os.cpu_count()} cores, load average (1/5/15 min) beside each figure: on this "
             "shared machine only the ratios measured in the same run count.\n\n"
             "| issue 21 | measured | target |\n|---|---|---|\n" + "\n".join(lines)
             + f"\n{README_END}")
    if README_BEGIN in text:
        text = re.sub(re.escape(README_BEGIN) + ".*?" + re.escape(README_END),
                      lambda _m: table, text, flags=re.S)
    else:
        text = text.replace("## The planners' loop", f"{table}\n\n## The planners' loop", 1)
    path.write_text(text, encoding="utf-8")
    print(f"README.md table rewritten ({len(ROWS)} rows)")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    repeat = next((int(a.split("=")[1]) for a in sys.argv if a.startswith("--repeat=")), 3)
    sections = {"scale": scale, "output": lambda: output(repeat), "parallel": parallel,
                "sweep": sweep}
    for name in args or list(sections):
        sections[name]()
    if "--readme" in sys.argv:
        readme()


if __name__ == "__main__":
    main()
