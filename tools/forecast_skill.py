"""Forecast skill of the announcement run: `+scenario=apex` (start 2025-11-01) scored against
what was observed after it (scenarios/apex/observations.csv). Used by tools/validate.py.

For every scored observation the ensemble's value of the same quantity at the observation's
date (or at the date in `item` for o12) gives P10/P50/P90; the observation is inside when it
lies in [P10, P90] and the P50 is not zero against a positive value (sim/results/skill.py). Each
row carries a proper score, the CRPS in the quantity's unit, and the interval score of the
80 % interval. The mean over rows of different units uses each score divided by a scale fixed
by the observation alone (so the scaled score stays proper): the observed value for counts, MW
and fractions, the lead time from 2025-11-01 in days for dates.

The rollout of each replicate is cut the day after the last evaluation date: events after a
date cannot change what the model holds at that date, and the draws are the same named
streams as in the full run (common random numbers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from sim.app.configs import compose_config
from sim.app.run import draws_for, inputs_for
from sim.core import schemas
from sim.core.paths import SCENARIOS_DIR
from sim.inputs.records import Inputs
from sim.inputs.roadmap import planned_it_mw
from sim.model.assessment import approval_day
from sim.model.rollout import Rollout, RunLog
from sim.results.skill import crps, inside, interval_score
from sim.uncertainty.draws import apply_draws

OBSERVATIONS = SCENARIOS_DIR / "apex" / "observations.csv"
SCENARIO = "apex"
#: Fixed seed and replication count of the recorded verdicts (a verdict is never compared
#: across counts); the report also shows which verdicts differ at STABILITY_REPLICATIONS.
SEED = 0
REPLICATIONS = 400
STABILITY_REPLICATIONS = 1000
QS = (0.1, 0.5, 0.9)
#: day 0 of the announcement run (SimConfig.start)
START = dt.date(2025, 11, 1)
DATE_QUANTITIES = ("connection_date", "construction_start_date", "phase_start_date")


@dataclass(frozen=True)
class Observation:
    obs_id: str
    quantity: str
    site: str
    owner: str
    item: str
    date: dt.date
    value: str
    unit: str
    label: str
    depends_on: str
    source: str


@dataclass(frozen=True)
class Scored:
    obs: Observation
    observed: float            # in the quantity's unit (days from start for dates)
    p10: float
    p50: float
    p90: float
    inside: bool
    crps: float
    interval_score: float
    scale: float


def read_observations(path: Path = OBSERVATIONS) -> list[Observation]:
    return [Observation(r["obs_id"], r["quantity"], r["site"], r["owner"], r["item"],
                        r["date_observed"], r["value"], r["unit"], r["label"],
                        r["depends_on"], r["source"])
            for r in schemas.read(path, "observations.csv")]


# -- the model's value of each quantity in one replicate ----------------------------------------
Quantity = Callable[[Inputs, RunLog, Observation], float]


def _day(inputs: Inputs, obs: Observation) -> float:
    return inputs.day_of(obs.date)


def _match(obs: Observation, site: str, owner: str) -> bool:
    return obs.site in ("national", site) and obs.owner in ("all", owner)


def gpus_delivered(inputs: Inputs, log: RunLog, obs: Observation) -> float:
    return float(sum(d.gpus for d in inputs.deliveries
                     if obs.owner in ("all", d.owner) and d.day <= _day(inputs, obs)))


def gpus_installed(inputs: Inputs, log: RunLog, obs: Observation, shift: float = 0.0) -> float:
    day = _day(inputs, obs) - shift
    return float(sum(g.gpus_per_unit * int(np.sum(g.energised_day <= day))
                     for g in log.energised if _match(obs, g.site, g.owner)))


def gpus_online(inputs: Inputs, log: RunLog, obs: Observation) -> float:
    return gpus_installed(inputs, log, obs, shift=inputs.burn_in_days)


def connection_date(inputs: Inputs, log: RunLog, obs: Observation) -> float:
    return next(s.day for s in inputs.connections if (s.site, s.project) == (obs.site, obs.item))


def connection_mw(inputs: Inputs, log: RunLog, obs: Observation) -> float:
    return max((s.capacity_mw for s in inputs.connections
                if s.site == obs.site and s.day <= _day(inputs, obs)), default=0.0)


def _phase(inputs: Inputs, obs: Observation):
    return next(p for p in inputs.phases if (p.site, p.phase) == (obs.site, obs.item))


def construction_start_date(inputs: Inputs, log: RunLog, obs: Observation) -> float:
    phase = _phase(inputs, obs)
    return phase.start_day + phase.permit_days


def phase_start_date(inputs: Inputs, log: RunLog, obs: Observation) -> float:
    return _phase(inputs, obs).start_day


def planned_gpus(inputs: Inputs, log: RunLog, obs: Observation) -> float:
    return float(inputs.planned_gpus(obs.owner, obs.site))


def construction_progress(inputs: Inputs, log: RunLog, obs: Observation) -> float:
    phase = _phase(inputs, obs)
    elapsed = _day(inputs, obs) - construction_start_date(inputs, log, obs)
    return float(np.clip(elapsed / phase.construction_days, 0.0, 1.0))


def assessed_share_passed(inputs: Inputs, log: RunLog, obs: Observation) -> float:
    """Share of the planned facility MW at sites that need the assessment (not operating,
    at least 10 MW) that has passed by the date in `item`."""
    day = inputs.day_of(dt.date.fromisoformat(obs.item))
    approved = {a.site: approval_day(a) <= day for a in inputs.applications}
    it_mw = planned_it_mw(inputs)
    mw = {s: it_mw[s] * inputs.plants[s].design_pue for s in inputs.plan_sites
          if inputs.sites[s].status != "operating"}
    subject = {s: v for s, v in mw.items() if v >= 10.0}
    return sum(v for s, v in subject.items() if approved.get(s, True)) / sum(subject.values())


QUANTITIES: dict[str, Quantity] = {f.__name__: f for f in (
    gpus_delivered, gpus_installed, gpus_online, connection_date, connection_mw,
    construction_start_date, phase_start_date, planned_gpus, construction_progress,
    assessed_share_passed)}


# -- the ensemble and its scores -----------------------------------------------------------------
def observed_value(obs: Observation, start: dt.date) -> float:
    if obs.quantity in DATE_QUANTITIES:
        return float((dt.date.fromisoformat(obs.value) - start).days)
    return float(obs.value)


def scale_of(obs: Observation, observed: float, start: dt.date) -> float:
    if obs.quantity in DATE_QUANTITIES:
        return float(max((obs.date - start).days, 1))
    return abs(observed) or 1.0


def ensemble(observations: list[Observation], replications: int = REPLICATIONS,
             seed: int = SEED) -> tuple[dict[str, np.ndarray], dt.date]:
    """Each scored observation's model value in every replicate of the apex run."""
    cfg = compose_config([f"+scenario={SCENARIO}", f"seed={seed}",
                          f"mc.replications={replications}"])
    inputs = inputs_for(cfg)
    table = draws_for(cfg, inputs)
    last = max(max(o.date, dt.date.fromisoformat(o.item) if o.item[:2] == "20" else o.date)
               for o in observations)
    cut = inputs.day_of(last) + 1.0
    values = {o.obs_id: np.empty(table.replications) for o in observations}
    for r in range(table.replications):
        drawn = apply_draws(inputs, table.replicate(r))
        log = Rollout(replace(drawn, horizon_days=min(cut, drawn.horizon_days))).run()
        for o in observations:
            values[o.obs_id][r] = QUANTITIES[o.quantity](drawn, log, o)
    return values, inputs.start


def score(observations: list[Observation], values: dict[str, np.ndarray],
          start: dt.date) -> list[Scored]:
    out = []
    for o in observations:
        samples = values[o.obs_id]
        p10, p50, p90 = (float(v) for v in np.quantile(samples, QS))
        y = observed_value(o, start)
        out.append(Scored(o, y, p10, p50, p90, inside(p10, p50, p90, y), crps(samples, y),
                          interval_score(p10, p90, y), scale_of(o, y, start)))
    return out


def summary(rows: list[Scored]) -> dict[str, float]:
    """Coverage of the 80 % interval and the mean scaled scores."""
    if not rows:
        return {"n": 0}
    return {"n": len(rows), "coverage": float(np.mean([r.inside for r in rows])),
            "mean_crps_scaled": float(np.mean([r.crps / r.scale for r in rows])),
            "mean_interval_score_scaled": float(np.mean([r.interval_score / r.scale
                                                         for r in rows]))}


def forecast_skill(replications: int = REPLICATIONS, seed: int = SEED
                   ) -> tuple[list[Scored], list[Observation]]:
    """Scored rows and the recorded observations that are not scored (quantity `none`)."""
    observations = read_observations()
    scored = [o for o in observations if o.quantity != "none"]
    values, start = ensemble(scored, replications, seed)
    return score(scored, values, start), [o for o in observations if o.quantity == "none"]


# -- record and report ----------------------------------------------------------------------------
def _fmt(row: Scored, value: float, start: dt.date) -> str:
    if row.obs.quantity in DATE_QUANTITIES:
        return (start + dt.timedelta(days=round(value))).isoformat()
    if row.obs.unit == "fraction":
        return f"{value:.2f}"
    return f"{value:,.0f}" if row.obs.unit.startswith("gpus") else f"{value:,.1f}"


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _unit(row: Scored) -> str:
    return "days" if row.obs.quantity in DATE_QUANTITIES else row.obs.unit


def record(rows: list[Scored], start: dt.date = START) -> dict:
    """The skill part of docs/validation.json."""
    return {"seed": SEED, "replications": REPLICATIONS,
            "summary": {k: round(v, 6) for k, v in summary(rows).items()},
            "observations": {r.obs.obs_id: {
                "inside": r.inside, "observed": _fmt(r, r.observed, start),
                "p10": _fmt(r, r.p10, start), "p50": _fmt(r, r.p50, start),
                "p90": _fmt(r, r.p90, start), "crps": round(r.crps, 6)} for r in rows}}


def regressions(rows: list[Scored], previous: dict) -> list[str]:
    """Observations recorded inside their interval that are outside now."""
    before = previous.get("observations", {})
    return [f"REGRESSION {r.obs.obs_id}: inside the 80 % interval before, outside now "
            f"({_fmt(r, r.p10, START)}..{_fmt(r, r.p90, START)} vs "
            f"{_fmt(r, r.observed, START)})"
            for r in rows if not r.inside and before.get(r.obs.obs_id, {}).get("inside")]



def _table(rows: list[Scored]) -> list[str]:
    lines = ["| obs | quantity (site, owner) | date | observed | P10 | P50 | P90 | inside | "
             "CRPS | IS / scale | label |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        o = r.obs
        lines.append(
            f"| `{o.obs_id}` | {o.quantity} ({o.site}, {o.owner}"
            f"{'' if o.item == '-' else ', ' + o.item}) | {o.date} | "
            f"{_fmt(r, r.observed, START)} | {_fmt(r, r.p10, START)} | "
            f"{_fmt(r, r.p50, START)} | {_fmt(r, r.p90, START)} | "
            f"{'yes' if r.inside else '**no**'} | {_number(r.crps)} {_unit(r)} | "
            f"{r.interval_score / r.scale:.3g} | {o.label} |")
    return lines


def _summary_lines(rows: list[Scored]) -> list[str]:
    lines = ["| observations | n | 80 % interval coverage | mean CRPS / scale | "
             "mean interval score / scale |", "|---|---|---|---|---|"]
    for name, part in (("all scored", rows),
                       ("validation only", [r for r in rows if r.obs.label == "validation"]),
                       ("calibration only", [r for r in rows if r.obs.label == "calibration"])):
        s = summary(part)
        if s["n"]:
            lines.append(f"| {name} | {s['n']} | {s['coverage']:.0%} | "
                         f"{s['mean_crps_scaled']:.3g} | {s['mean_interval_score_scaled']:.3g} |")
    return lines


def report_section(rows: list[Scored], not_scored: list[Observation],
                   unstable: list[str] | None) -> list[str]:
    """The forecast-skill section of docs/validation.md."""
    lines = ["## Forecast skill of the announcement run", "",
             f"`+scenario={SCENARIO}` (start 2025-11-01, default parameters) with "
             f"{REPLICATIONS} replications, seed {SEED}, scored against {len(rows)} "
             "observations made after 2025-11-01 (`scenarios/apex/observations.csv`). "
             "P10/P50/P90 are the model's values at the observation's date; *inside* = "
             "P10 <= observed <= P90 and not a P50 of 0 against a positive observation. "
             "CRPS is in the quantity's unit; IS is the interval score of the 80 % interval "
             "(width + 10 x miss); both are divided by a scale fixed by the observation alone "
             "(the observed value; for dates the lead time in days from 2025-11-01) so they can "
             "be averaged. *calibration* = an input the forecast depends on was derived from "
             "this observation (not a test of skill); *validation* = none was.", "",
             *_summary_lines(rows), "", *_table(rows), ""]
    if unstable is not None:
        lines += [f"Verdicts at {STABILITY_REPLICATIONS} replications (same seed): "
                  + ("all the same." if not unstable else
                     "different for " + ", ".join(f"`{k}`" for k in unstable) + "."), ""]
    lines += ["### What each scored observation depends on", ""]
    for r in rows:
        lines += [f"- `{r.obs.obs_id}` ({r.obs.label}): {r.obs.depends_on}.",
                  f"  Source: {r.obs.source}."]
    lines += ["", "### Recorded, not scored", ""]
    lines += [f"- `{o.obs_id}` ({o.date}): {o.depends_on}. Source: {o.source}."
              for o in not_scored]
    return lines
