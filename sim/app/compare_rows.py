"""The rows of a run comparison, from each run's summary.json: per owner (and the total) the
milestone dates (P10/P50/P90 when replicated), GPUs online at dates, idle GPU-months and their
value; per site the date all its GPUs are online and what holds it back; differences against
the first run (days for dates, counts for counts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sim.outputs.names import cause_label, owner_label, site_label
from sim.outputs.summaries import load_summary
from sim.results.accounting import DAYS_PER_MONTH
from sim.results.series import MILESTONES_PCT

NOT_REACHED = "not by horizon"
NOT_PLANNED = "not planned"
#: overrides that do not change results (or name the scenario anyway): left out of labels
IGNORED_OVERRIDES = ("hydra.", "output.", "+scenario=", "scenario=", "mc.n_jobs=",
                     "mc.backend=", "mc.scheduler=", "mc.chunk_size=")


@dataclass(frozen=True)
class RunInfo:
    """A run directory, its label and its summary."""

    path: Path
    label: str
    summary: dict

    @property
    def replicated(self) -> bool:
        return self.summary.get("replications", 1) > 1


def run_label(path: Path, summary: dict) -> str:
    """What distinguishes the run: its command-line overrides (Hydra's record), else scenario
    and plan."""
    from omegaconf import OmegaConf

    overrides = path / ".hydra" / "overrides.yaml"
    keep = []
    if overrides.is_file():
        keep = [str(o) for o in OmegaConf.to_container(OmegaConf.load(overrides))
                if not str(o).startswith(IGNORED_OVERRIDES)]
    reps = summary.get("replications", 1)
    parts = [summary.get("scenario", "?"), *keep] if keep else \
        [summary.get("scenario", "?"), f"plan={summary.get('plan') or 'base'}"]
    return " ".join(parts) + (f" ({reps} reps)" if reps > 1 and
                              not any(k.startswith("mc.replications") for k in keep) else "")


def load_runs(paths: list[Path], labels: list[str] | None = None) -> list[RunInfo]:
    runs = []
    for i, path in enumerate(paths):
        summary = load_summary(path)
        label = labels[i] if labels else run_label(path, summary)
        runs.append(RunInfo(Path(path), label, summary))
    if not labels:   # identical labels: number them
        seen = [r.label for r in runs]
        if len(set(seen)) < len(seen):
            runs = [RunInfo(r.path, f"{r.label} #{i + 1}", r.summary) for i, r in enumerate(runs)]
    return runs


def _value(summary: dict, getter, stat: str):
    value = getter(summary)
    if isinstance(value, dict):
        return value.get(stat)
    return value if stat == "p50" or value == NOT_PLANNED else None


def _days_between(a, b) -> int | None:
    try:
        return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days
    except (TypeError, ValueError):    # not reached, not planned
        return None


def _number_diff(a, b) -> float | None:
    if not isinstance(a, int | float) or not isinstance(b, int | float):
        return None
    return round(b - a, 1)


def _row(runs: list[RunInfo], section: str, key: str, name: str, metric: str, kind: str,
         getter, stats: tuple[str, ...]) -> list[dict]:
    """One row per statistic: each run's value and its difference from the first run."""
    rows = []
    for stat in stats:
        values = [_value(r.summary, getter, stat) for r in runs]
        if stat != "p50" and all(v in (None, NOT_PLANNED) for v in values):
            continue
        row = {"section": section, "id": key, "name": name, "metric": metric,
               "stat": stat if any(r.replicated for r in runs) else "", "kind": kind}
        diff = _days_between if kind == "date" else _number_diff
        for i, (run, value) in enumerate(zip(runs, values, strict=True)):
            row[run.label] = NOT_REACHED if value is None and kind == "date" else value
            if i:
                row[f"diff: {run.label}"] = diff(values[0], value)
        rows.append(row)
    return rows


def owner_rows(runs: list[RunInfo], dates: list[str]) -> list[dict]:
    first = runs[0].summary
    stats = ("p50", "p10", "p90")
    rows = []
    for who in first.get("milestones", {}):
        name = owner_label(first, who)
        for pct in MILESTONES_PCT:
            rows += _row(runs, "owner", who, name, f"{pct} % online", "date",
                         lambda s, w=who, p=str(pct): s["milestones"].get(w, {}).get(p), stats)
        for date in dates:
            rows += _row(runs, "owner", who, name, f"GPUs online {date}", "count",
                         lambda s, w=who, d=date: s.get("online_at_dates", {}).get(d, {}).get(w),
                         stats)
        rows += _row(runs, "owner", who, name, "idle GPU-months", "count",
                     lambda s, w=who: _idle(s, w), ("p50",))
        rows += _row(runs, "owner", who, name, "idle value (bn KRW)", "count",
                     lambda s, w=who: _idle_value(s, w), ("p50",))
    return rows


def _idle(summary: dict, who: str) -> float | None:
    energy = summary.get("energy", {})
    idle = energy.get("idle_gpu_months_mean") or energy.get("idle_gpu_months") or {}
    value = sum(idle.values()) if who == "total" else idle.get(who)
    return None if value is None else round(value)


def _idle_value(summary: dict, who: str) -> float | None:
    months, per_hour = _idle(summary, who), summary.get("energy", {}).get("gpu_hour_value_krw")
    if months is None or per_hour is None:
        return None
    return round(months * DAYS_PER_MONTH * 24 * per_hour / 1e9, 1)


def site_rows(runs: list[RunInfo]) -> list[dict]:
    """Every site planned in any run: GPUs planned, date all online, binding constraint."""
    sites = list(dict.fromkeys(s for r in runs for s in r.summary.get("sites", {})))
    rows = []
    for site in sites:
        holder = next(r.summary for r in runs if site in r.summary.get("sites", {}))
        name = site_label(holder, site)

        def info(s, key, site=site):
            return s.get("sites", {}).get(site, {}).get(key)

        rows += _row(runs, "site", site, name, "GPUs planned", "count",
                     lambda s: info(s, "gpus_planned") or 0, ("p50",))
        rows += _row(runs, "site", site, name, "all GPUs online", "date",
                     lambda s: info(s, "full_operation") if info(s, "gpus_planned")
                     else NOT_PLANNED, ("p50", "p10", "p90"))
        rows += _row(runs, "site", site, name, "binding constraint", "text",
                     lambda s: cause_label(info(s, "binding_constraint") or "none")
                     if info(s, "gpus_planned") else "not planned", ("p50",))
    return rows


def common_dates(runs: list[RunInfo], wanted: list[str] | None) -> list[str]:
    """The dates to compare GPUs online at: `wanted`, else those every run reports."""
    have = [set(r.summary.get("online_at_dates", {})) for r in runs]
    if wanted:
        for run, dates in zip(runs, have, strict=True):
            missing = [d for d in wanted if d not in dates]
            if missing:
                raise ValueError(f"{run.label}: no GPUs-online count at {', '.join(missing)}; "
                                 f"rerun it with 'output.online_dates=[{','.join(wanted)}]'")
        return list(wanted)
    return sorted(set.intersection(*have)) if have else []


def compare_rows(runs: list[RunInfo], dates: list[str]) -> list[dict]:
    return owner_rows(runs, dates) + site_rows(runs)
