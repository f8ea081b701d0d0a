"""Which reinforcement matters: what bringing one grid project or connection step forward
gains by a date, paired with the base run replicate by replicate.

Every variant (the base, and the base with one id shifted by `grid.shift_days`) runs the same
replicates with the same draws: one draw table over the union of the variants' entities,
each entity's values from its own named stream (sim.uncertainty.streams), so a replicate's
difference is the effect of the shift, not noise (common random numbers). The dated grid
states all variants visit are solved once, together, and shared.

Per replicate and site, up to the date `by_day` (days from the start; the runs end there):
- GPU-months online: sum over units of GPUs x (by - online day), in months of 30.4375 days;
- idle GPU-months: GPUs arrived but not yet online (sim.results.series.idle_months, the
  run's own accounting);
- rack-days waited per gating cause (sim.results.waits.gate_waits), averaged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from sim.core.causes import STAGES, cause_names
from sim.inputs.records import Inputs
from sim.model.grid_states import install_states, replicate_keys, solve_keys
from sim.model.rollout import Rollout
from sim.results.accounting import DAYS_PER_MONTH
from sim.results.series import idle_months
from sim.results.waits import gate_waits
from sim.uncertainty.draws import DrawTable, apply_draws

QUANTILES = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class Outcome:
    """One variant over the replicates, up to the date."""

    #: replicate x site: GPU-months online by the date
    online: np.ndarray
    #: replicate x site: GPU-months arrived but not online by the date
    idle: np.ndarray
    #: site x gating cause: rack-days waited by the date, mean over replicates
    waits: np.ndarray


def gating_causes(inputs: Inputs) -> list[str]:
    """The causes that hold racks back in these inputs (install and burn-in excluded)."""
    causes = cause_names(inputs.grid is not None, bool(inputs.assessment_requests))
    return [c for c in causes if c not in STAGES]


def replicate_outcome(inputs: Inputs, by_day: float) -> tuple[np.ndarray, ...]:
    """(online, idle) GPU-months per site and rack-days per site x gating cause, of one
    drawn replication of `inputs` (whose horizon is `by_day`)."""
    log = Rollout(inputs).run()
    sites, owners = list(inputs.sites), list(inputs.owners)
    online = np.zeros(len(sites))
    index = {s: j for j, s in enumerate(sites)}
    for g in log.energised:
        days = np.clip(by_day - (g.energised_day + inputs.burn_in_days), 0.0, None)
        online[index[g.site]] += g.gpus_per_unit * float(days.sum()) / DAYS_PER_MONTH
    idle = idle_months(log, inputs, sites, owners).sum(axis=1)
    causes = list(log.causes)
    waits = gate_waits(log, inputs, sites, owners, causes).sum(axis=1)
    keep = [causes.index(c) for c in gating_causes(inputs)]
    return online, idle, waits[:, keep]


def run_variant(inputs: Inputs, draws: dict[str, np.ndarray], by_day: float,
                states: dict | None = None) -> Outcome:
    """Every replicate of `draws` (name -> one value per replicate) on `inputs`."""
    if states and inputs.grid is not None and inputs.grid.rules is not None:
        install_states(inputs.grid, states)
    n = len(next(iter(draws.values()))) if draws else 1
    parts = [replicate_outcome(apply_draws(inputs, {k: float(v[r]) for k, v in draws.items()}),
                               by_day) for r in range(n)]
    return Outcome(np.stack([p[0] for p in parts]), np.stack([p[1] for p in parts]),
                   np.mean([p[2] for p in parts], axis=0))


def shared_states(variants: list[Inputs], table: DrawTable, n_jobs: int = 1
                  ) -> tuple[list[dict], int, int]:
    """The dated grid states of every variant, solved once per distinct operating rules.

    Returns one state dict per variant (shared objects), the number of states solved and the
    number a variant-by-variant solve would have needed."""
    prefix = "grid_project/project="
    draws = {k[len(prefix):]: list(v) for k, v in table.values.items() if k.startswith(prefix)}
    groups: dict[object, set] = {}
    separate = 0
    for inputs in variants:
        if inputs.grid is None or inputs.grid.rules is None:
            continue
        keys = replicate_keys(inputs.grid, inputs.start, inputs.horizon_days, draws)
        separate += len(keys)
        groups.setdefault(inputs.grid.rules, set()).update(keys)
    solved = {}
    for inputs in variants:
        rules = None if inputs.grid is None else inputs.grid.rules
        if rules is not None and rules not in solved:
            solved[rules] = solve_keys(inputs.grid, groups[rules], n_jobs)
    per_variant = [solved.get(None if v.grid is None else v.grid.rules, {}) for v in variants]
    return per_variant, sum(len(s) for s in solved.values()), separate


def run_variants(variants: list[Inputs], table: DrawTable, by_day: float, n_jobs: int = 1
                 ) -> tuple[list[Outcome], dict[str, int]]:
    """The outcome of each variant with the same draws; and how many grid states were
    solved (`solved`) against a variant-by-variant solve (`separate`), and the seconds spent
    solving and running."""
    t0 = time.perf_counter()
    states, solved, separate = shared_states(variants, table, n_jobs)
    t1 = time.perf_counter()
    tasks = list(zip(variants, states, strict=True))
    if n_jobs <= 1 or len(tasks) < 2:
        out = [run_variant(v, table.values, by_day, s) for v, s in tasks]
    else:
        from joblib import Parallel, delayed  # lazy: only parallel rankings need it

        out = Parallel(n_jobs=n_jobs, backend="loky")(
            delayed(run_variant)(v, table.values, by_day, s) for v, s in tasks)
    return out, {"solved": solved, "separate": separate,
                 "solve_seconds": round(t1 - t0, 1),
                 "run_seconds": round(time.perf_counter() - t1, 1)}


def spread(values: np.ndarray) -> dict[str, float]:
    """Mean and P10/P50/P90 (numpy's linear quantiles) of per-replicate values."""
    q = np.quantile(values, QUANTILES) if len(values) else np.full(3, np.nan)
    return {"mean": float(np.mean(values)), "p10": float(q[0]), "p50": float(q[1]),
            "p90": float(q[2])}


def paired_gain(base: Outcome, variant: Outcome, krw_per_gpu_month: float) -> dict:
    """Per-replicate differences variant - base: GPU-months online gained, idle GPU-months
    avoided and their value in KRW; per site the mean GPU-months gained."""
    online = variant.online.sum(axis=1) - base.online.sum(axis=1)
    avoided = base.idle.sum(axis=1) - variant.idle.sum(axis=1)
    return {"gpu_months": spread(online), "idle_avoided_krw": spread(avoided
                                                                      * krw_per_gpu_month),
            "site_gpu_months": (variant.online - base.online).mean(axis=0)}
