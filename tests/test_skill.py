"""Proper scores of sim/results/skill.py against values worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.results.skill import crps, inside, interval_score


def test_crps_of_two_members_by_hand():
    # E|X - 5| = 5; E|X - X'| = (0 + 10 + 10 + 0) / 4 = 5, halved 2.5
    assert crps(np.array([0.0, 10.0]), 5.0) == pytest.approx(2.5)


def test_crps_of_a_point_forecast_is_the_absolute_error():
    assert crps(np.array([3.0, 3.0, 3.0]), 5.0) == pytest.approx(2.0)


def test_interval_score_by_hand():
    assert interval_score(0.0, 10.0, 5.0) == 10.0            # inside: the width
    assert interval_score(0.0, 10.0, 15.0) == 10.0 + 10 * 5  # 2 / 0.2 per unit of miss
    assert interval_score(0.0, 10.0, -2.0, alpha=0.5) == 10.0 + 4 * 2


def test_a_p50_of_zero_against_a_positive_observation_is_a_miss():
    assert not inside(0, 0, 2424, 2040)
    assert inside(0, 1, 2424, 2040)
    assert inside(0, 0, 0, 0)
    assert not inside(10, 20, 30, 31)


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=40), st.floats(-1e6, 1e6))
def test_crps_matches_the_pairwise_definition(samples, y):
    x = np.array(samples)
    pairwise = np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :]))
    assert crps(x, y) == pytest.approx(pairwise, rel=1e-9, abs=1e-6)
    assert crps(x, y) >= -1e-6
