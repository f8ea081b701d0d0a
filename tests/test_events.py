"""sim.log: the dated events of a run (gate openings, connection steps, grid projects, KEPCO
verdicts), checked against the inputs by hand."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from sim.inputs.records import Application
from sim.results.events import assessment_verdicts


def test_verdicts_follow_the_attempt_count_and_reapply_days():
    # p = 0.5, u = 0.9: 1 - 0.5^k >= 0.9 first at k = 4 (0.9375); decisions 100 days after
    # applying (day 10) and after each reapply day that follows a decision
    app = Application("s", apply_day=10, duration_days=100, approval_probability=0.5, u=0.9,
                      reapply_days=(50, 200, 400, 900))
    assert assessment_verdicts(app) == [(110, "rejected (attempt 1)"),
                                        (300, "rejected (attempt 2)"),
                                        (500, "rejected (attempt 3)"),
                                        (1000, "approved (attempt 4)")]


def test_a_site_without_reapply_days_stays_rejected():
    app = Application("s", 0, 30, approval_probability=0.0, u=0.5, reapply_days=())
    assert assessment_verdicts(app) == [
        (30, "rejected (attempt 1); no later reinforcement to reapply after")]


@pytest.mark.apex_runs("single")
def test_sim_log_of_apex_tells_the_story(apex_runs):
    text = (apex_runs.single / "sim.log").read_text()
    events = re.findall(r" - (\d{4}-\d\d-\d\d) (.*)$", text, flags=re.M)
    kinds = {what.split(":")[0].split(" at ")[0] for _, what in events}
    assert {"gate opens", "connection step", "grid project completes",
            "KEPCO assessment"} <= kinds
    dates = [dt.date.fromisoformat(d) for d, _ in events]
    assert dates == sorted(dates)
    # site_connections.csv: SK-AWS Ulsan's 300 MW CHP supply; the gate there opens after it
    step = next(d for d, w in events if w.startswith("connection step at sk_aws_ulsan: 300 MW"))
    first_gate = next(d for d, w in events if w.startswith("gate opens at sk_aws_ulsan"))
    assert first_gate >= step
    assert "distributed" not in text
