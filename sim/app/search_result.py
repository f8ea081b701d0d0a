"""What the plan search optimises and what it found: objective, score, evaluated plans."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from sim.inputs.records import PlanRow
from sim.results.series import MILESTONES_PCT

QUANTILE = {"p10": 0.1, "p50": 0.5, "p90": 0.9}


@dataclass(frozen=True)
class Objective:
    """What the search minimises: `stat` over replications of the 100 % day of `who`."""

    who: str = "total"
    stat: str = "p50"
    replications: int = 8

    def describe(self) -> str:
        reps = f"{self.replications} replications" if self.replications > 1 else "central values"
        return f"{self.stat.upper()} date of 100 % online ({self.who}), {reps}"


@dataclass(frozen=True)
class Score:
    full_day: float
    mean_day: float

    def better_than(self, other: Score, tol: float = 0.5) -> bool:
        if self.full_day < other.full_day - tol:
            return True
        return abs(self.full_day - other.full_day) <= tol and self.mean_day < other.mean_day - tol


@dataclass
class Evaluation:
    """A plan (the run's moves plus the search's) and its replicate milestone days."""

    moves: list[dict]
    plan: tuple[PlanRow, ...]
    days: np.ndarray          # replicate x who x pct (penalised where not reached)
    who: list[str]
    horizon_days: float
    start: dt.date

    def score(self, objective: Objective) -> Score:
        q = QUANTILE[objective.stat]
        i = self.who.index(objective.who)
        return Score(float(np.quantile(self.days[:, i, -1], q)),
                     float(np.quantile(self.days[:, i, :].mean(axis=1), q)))

    def date(self, who: str, pct: int, stat: str) -> str | None:
        day = float(np.quantile(self.days[:, self.who.index(who), MILESTONES_PCT.index(pct)],
                                QUANTILE[stat]))
        return None if day > self.horizon_days else (self.start
                                                     + dt.timedelta(days=int(day))).isoformat()


@dataclass
class SearchResult:
    objective: Objective
    base: Evaluation
    best: Evaluation
    steps: list[dict] = field(default_factory=list)
    evaluations: int = 0


def fmt_score(score: Score) -> str:
    return f"100 % on day {score.full_day:.0f} (mean milestone day {score.mean_day:.0f})"


def describe_move(move: dict) -> str:
    if "option" in move:
        what = ("flexible connection" if move["option"] == "flexible"
                else f"on-site {move['value']}")
        return f"{move['owner']}: {what} at {move['site']}"
    return f"{move['owner']}: {move['gpus']:,} GPUs {move['from_site']} -> {move['to_site']}"
