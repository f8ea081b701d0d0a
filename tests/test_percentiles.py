"""Tests for sim.percentiles on hand-made ensembles."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.results.percentiles import prob_by, quantiles

# 5 replicates x 2 milestones (days). Replicate 4 never reaches milestone 0 (NaN).
ENSEMBLE = np.array([[100.0, 10.0], [140.0, 20.0], [120.0, 30.0], [np.nan, 40.0], [180.0, 50.0]])


def test_hand_made_ensemble() -> None:
    """Milestone 0 sorted: [100, 120, 140, 180, inf]; n = 5, so h = (n - 1) q = 4q.

    q=0.10: h=0.4 -> 100 + 0.4 (120 - 100) = 108
    q=0.50: h=2.0 -> x[2] = 140
    q=0.75: h=3.0 -> x[3] = 180 (the unreached x[4] gets zero weight)
    q=0.90: h=3.6 -> 0.6 of the weight on the unreached replicate -> inf (not reached)
    Milestone 1 [10..50]: 14, 30, 40, 46 (same as np.quantile, all reached).
    """
    got = quantiles(ENSEMBLE, qs=(0.1, 0.5, 0.75, 0.9))
    expected = np.array([[108.0, 14.0], [140.0, 30.0], [180.0, 40.0], [np.inf, 46.0]])
    np.testing.assert_allclose(got, expected)
    np.testing.assert_allclose(quantiles(ENSEMBLE.T, qs=(0.1, 0.5, 0.75, 0.9), axis=1), expected)
    assert list(got[:, 0]) == [108.0, 140.0, 180.0, np.inf]


def test_default_levels_and_1d_input() -> None:
    np.testing.assert_allclose(quantiles(ENSEMBLE[:, 0]), [108.0, 140.0, np.inf])


def test_prob_by_counts_unreached_as_not_reached() -> None:
    """Milestone 0 reached on days 100, 120, 140, 180 by 4 of 5 replicates."""
    dates = ENSEMBLE[:, 0]
    assert prob_by(dates, 99.0) == 0.0
    assert prob_by(dates, 140.0) == pytest.approx(0.6)  # on the deadline counts
    assert prob_by(dates, 139.9) == pytest.approx(0.4)
    assert prob_by(dates, 1e9) == pytest.approx(0.8)
    assert prob_by(np.where(np.isnan(dates), np.inf, dates), math.inf) == pytest.approx(0.8)
    np.testing.assert_allclose(prob_by(dates, np.array([99.0, 140.0, 1e9])), [0.0, 0.6, 0.8])


def test_nothing_reached() -> None:
    assert np.all(np.isinf(quantiles(np.full(4, np.nan))))
    assert prob_by(np.full(4, np.inf), 1e9) == 0.0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: quantiles(np.empty((0, 3))), "empty"),
        (lambda: quantiles(ENSEMBLE, qs=(0.5, 1.2)), "qs"),
        (lambda: prob_by(np.array([]), 1.0), "non-empty"),
        (lambda: prob_by(ENSEMBLE, 1.0), "1-D"),
    ],
)
def test_invalid_inputs(call: Callable[[], object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


@settings(max_examples=60, deadline=None)
@given(
    data=hnp.arrays(
        float,
        st.tuples(st.integers(1, 30), st.integers(1, 4)),
        elements=st.floats(-1e6, 1e6, allow_nan=False),
    ),
    qs=st.lists(st.floats(0, 1), min_size=1, max_size=5),
)
def test_matches_numpy_linear_when_all_reached(data: np.ndarray, qs: list[float]) -> None:
    expected = np.quantile(data, qs, axis=0, method="linear")
    np.testing.assert_allclose(quantiles(data, qs), expected, rtol=1e-12, atol=1e-6)
