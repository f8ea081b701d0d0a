"""Tests for sim.distributions: parameters vs analytic/scipy values, parsing and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.uncertainty.distributions import Z90, Distribution
from sim.uncertainty.families import (
    DURATION_FAMILIES,
    Empirical,
    Fixed,
    LogNormal,
    Pert,
    Triangular,
    Uniform,
)
from sim.uncertainty.specs import parse_distribution

N = 200_000
QS = np.array([0.1, 0.5, 0.9])


def _draw(spec: dict, seed: int = 12345) -> tuple[Distribution, np.ndarray]:
    dist = parse_distribution(spec, "test")
    return dist, np.asarray(dist.sample(np.random.default_rng(seed), N))


def _check_against(dist: Distribution, x: np.ndarray, ref: stats.rv_continuous) -> None:
    """Sample mean within 5 standard errors, sample quantiles within 0.004 in probability,
    KS test passes, and the analytic quantile matches scipy's ppf."""
    assert abs(x.mean() - ref.mean()) < 5 * ref.std() / math.sqrt(N)
    assert dist.mean() == pytest.approx(ref.mean(), rel=1e-12)
    np.testing.assert_allclose(ref.cdf(np.quantile(x, QS)), QS, atol=0.004)
    assert stats.kstest(x, ref.cdf).pvalue > 1e-3
    levels = np.linspace(0.0, 1.0, 41)[1:-1]
    width = dist.support()[1] - dist.support()[0] if np.isfinite(dist.support()[1]) else 1.0
    np.testing.assert_allclose(dist.quantile(levels), ref.ppf(levels), rtol=1e-9, atol=1e-5 * width)


def test_uniform_matches_scipy() -> None:
    dist, x = _draw({"dist": "uniform", "low": 5, "high": 25})
    _check_against(dist, x, stats.uniform(loc=5, scale=20))
    assert dist.central() == 15


def test_triangular_matches_scipy() -> None:
    dist, x = _draw({"dist": "triangular", "low": 10, "mode": 20, "high": 40})
    _check_against(dist, x, stats.triang(c=1 / 3, loc=10, scale=30))
    assert dist.central() == 20
    assert x.min() >= 10 and x.max() <= 40


@pytest.mark.parametrize("mode", [10, 40])
def test_triangular_mode_at_edge(mode: float) -> None:
    dist, x = _draw({"dist": "triangular", "low": 10, "mode": mode, "high": 40})
    _check_against(dist, x, stats.triang(c=(mode - 10) / 30, loc=10, scale=30))


@pytest.mark.parametrize("lamb", [4.0, 1.5, 20.0])
def test_pert_matches_scipy_beta(lamb: float) -> None:
    spec = {"dist": "pert", "low": 30, "mode": 60, "high": 180, "lamb": lamb}
    dist, x = _draw(spec)
    a = 1 + lamb * (60 - 30) / 150
    b = 1 + lamb * (180 - 60) / 150
    assert isinstance(dist, Pert) and dist.shape() == pytest.approx((a, b))
    _check_against(dist, x, stats.beta(a, b, loc=30, scale=150))
    assert dist.central() == 60
    assert dist.mean() == pytest.approx((30 + lamb * 60 + 180) / (lamb + 2))


def test_pert_default_lamb_is_4() -> None:
    assert parse_distribution({"dist": "pert", "low": 0, "mode": 1, "high": 3}, "k").lamb == 4.0


@pytest.mark.parametrize("shift", [0.0, 30.0])
def test_lognormal_median_p90_match(shift: float) -> None:
    spec = {"dist": "lognormal", "median": 90, "p90": 365, "shift": shift}
    dist, x = _draw(spec)
    assert isinstance(dist, LogNormal)
    sigma = math.log((365 - shift) / (90 - shift)) / stats.norm.ppf(0.9)
    assert dist.sigma == pytest.approx(sigma, rel=1e-12)
    ref = stats.lognorm(s=sigma, loc=shift, scale=90 - shift)
    _check_against(dist, x, ref)
    assert dist.quantile(0.5) == pytest.approx(90, rel=1e-12)
    assert dist.quantile(0.9) == pytest.approx(365, rel=1e-12)
    assert dist.central() == 90
    assert dist.quantile(0.0) == shift and dist.quantile(1.0) == math.inf
    assert np.median(x) == pytest.approx(90, rel=0.01)
    assert np.quantile(x, 0.9) == pytest.approx(365, rel=0.01)


def test_lognormal_without_shift_uses_brief_formula() -> None:
    dist = parse_distribution({"dist": "lognormal", "median": 90, "p90": 365}, "k")
    assert dist.sigma == pytest.approx(math.log(365 / 90) / Z90)
    assert pytest.approx(1.2815515655446004) == Z90


def test_empirical_resamples_uniformly() -> None:
    values = [120, 30, 45, 60, 90]
    dist, x = _draw({"dist": "empirical", "values": values})
    assert set(np.unique(x)) == set(values)
    freqs = np.array([(x == v).mean() for v in sorted(values)])
    np.testing.assert_allclose(freqs, 0.2, atol=5 * math.sqrt(0.16 / N))
    assert dist.central() == 60
    assert dist.mean() == pytest.approx(np.mean(values))
    np.testing.assert_array_equal(dist.quantile([0.0, 0.2, 0.21, 0.5, 1.0]), [30, 30, 45, 60, 120])


def test_empirical_central_is_np_median_for_even_count() -> None:
    dist = parse_distribution({"dist": "empirical", "values": [10, 20, 40, 80]}, "k")
    assert dist.central() == 30.0  # midpoint of the two middle values
    assert dist.quantile(0.5) == 20.0  # exact inverse CDF of the resampling distribution


def test_fixed_consumes_no_draws() -> None:
    rng = np.random.default_rng(7)
    before = rng.bit_generator.state
    dist = parse_distribution({"dist": "fixed", "value": 30}, "k")
    assert dist.sample(rng) == 30.0
    np.testing.assert_array_equal(dist.sample(rng, 4), [30.0] * 4)
    assert rng.bit_generator.state == before
    assert dist.central() == dist.mean() == dist.quantile(0.3) == 30.0


ALL_SPECS = [
    {"dist": "fixed", "value": 30},
    {"dist": "uniform", "low": 1, "high": 3},
    {"dist": "triangular", "low": 10, "mode": 20, "high": 40},
    {"dist": "pert", "low": 10, "mode": 20, "high": 40, "lamb": 4},
    {"dist": "lognormal", "median": 90, "p90": 365, "shift": 10},
    {"dist": "empirical", "values": [1, 2, 3]},
]


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda s: s["dist"])
def test_scalar_sample_roundtrip_and_describe(spec: dict) -> None:
    dist = parse_distribution(spec, "k")
    value = dist.sample(np.random.default_rng(0))
    assert isinstance(value, float)
    assert dist.sample(np.random.default_rng(0), (2, 3)).shape == (2, 3)
    assert parse_distribution(dist.to_spec(), "k") == dist
    text = dist.describe()
    assert text.startswith(spec["dist"] + "(") and "\n" not in text
    assert dist.quantile(0.5) == dist.quantile(np.array([0.5]))[0]
    with pytest.raises(ValueError, match="quantile levels"):
        dist.quantile(1.5)


@pytest.mark.parametrize(
    ("narrow", "wide"),
    [
        (Triangular(10, 20, 40), Triangular(10, 25, 80)),
        (LogNormal(90, 365), LogNormal(120, 700, 20)),
        (Uniform(0, 1), Uniform(5, 50)),
        (Empirical((1, 5, 9)), Empirical((2, 6, 10))),
    ],
)
def test_parameter_changes_keep_draws_coupled(narrow: Distribution, wide: Distribution) -> None:
    """Common random numbers: same stream, changed parameters -> draws keep their ranks."""
    a = np.asarray(narrow.sample(np.random.default_rng(3), 2000))
    b = np.asarray(wide.sample(np.random.default_rng(3), 2000))
    assert np.all(np.diff(b[np.argsort(a, kind="stable")]) >= 0)


def test_degenerate_ranges_are_constant() -> None:
    rng = np.random.default_rng(0)
    for dist in (Triangular(5, 5, 5), Pert(5, 5, 5), Uniform(5, 5)):
        np.testing.assert_array_equal(dist.sample(rng, 3), [5.0] * 3)
        assert dist.quantile(0.7) == 5.0


def test_bare_number_is_fixed_and_mapping_like_objects_work() -> None:
    assert parse_distribution(30, "k") == Fixed(30.0)
    assert parse_distribution({"dist": "empirical", "values": np.array([2, 1])}, "k") == Empirical(
        (1.0, 2.0)
    )


PERT_SPEC = {"dist": "pert", "low": 0, "mode": 1, "high": 2}


def test_families_restriction_and_signed_quantities() -> None:
    with pytest.raises(ValueError, match=r"^k: dist 'pert' is not allowed here"):
        parse_distribution(PERT_SPEC, "k", families={"fixed", "uniform"})
    assert parse_distribution(PERT_SPEC, "k", families=DURATION_FAMILIES).family == "pert"
    slip = {"dist": "triangular", "low": -10, "mode": 0, "high": 30}
    assert parse_distribution(slip, "k", nonnegative=False).support() == (-10, 30)


BAD_SPECS = [
    (
        {"dist": "triangular", "low": 50, "mode": 20, "high": 40},
        "triangular needs low <= mode <= high, got low=50, mode=20, high=40",
    ),
    (
        {"dist": "pert", "low": 10, "mode": 50, "high": 40},
        "pert needs low <= mode <= high, got low=10, mode=50, high=40",
    ),
    (
        {"dist": "pert", "low": 10, "mode": 20, "high": 40, "lamb": 0},
        "pert needs lamb > 0 (4 is classic PERT), got 0",
    ),
    (
        {"dist": "lognormal", "median": 90, "p90": 60},
        "lognormal needs shift < median < p90, got shift=0, median=90, p90=60",
    ),
    (
        {"dist": "lognormal", "median": 90, "p90": 90},
        "lognormal needs shift < median < p90, got shift=0, median=90, p90=90",
    ),
    (
        {"dist": "lognormal", "median": 90, "p90": 365, "shift": 95},
        "lognormal needs shift < median < p90, got shift=95, median=90, p90=365",
    ),
    (
        {"dist": "lognormal", "median": 90, "p90": 365, "shift": -5},
        "lognormal can be negative (lowest value -5); expected >= 0",
    ),
    ({"dist": "fixed", "value": -3}, "fixed can be negative (lowest value -3); expected >= 0"),
    (
        {"dist": "triangular", "low": -1, "mode": 2, "high": 4},
        "triangular can be negative (lowest value -1); expected >= 0",
    ),
    ({"dist": "empirical", "values": []}, "empirical needs a non-empty list 'values'"),
    ({"dist": "empirical", "values": "1,2"}, "'values' must be a list of numbers, got '1,2'"),
    ({"dist": "empirical", "values": [1, float("nan")]}, "'values[1]' must be finite, got nan"),
    (
        {"dist": "empirical", "values": [5, -1]},
        "empirical can be negative (lowest value -1); expected >= 0",
    ),
    (
        {"dist": "gamma", "k": 2},
        "unknown dist 'gamma'; expected one of: empirical, fixed, lognormal, pert, triangular, "
        "uniform",
    ),
    (
        {"value": 3},
        "missing key 'dist'; expected one of: empirical, fixed, lognormal, pert, triangular, "
        "uniform",
    ),
    (
        {"dist": "triangular", "low": 1, "high": 4},
        "missing key 'mode' for dist 'triangular'; expected keys for triangular: dist, low, mode, "
        "high",
    ),
    (
        {"dist": "triangular", "low": 1, "mode": 2, "high": 4, "median": 2},
        "unexpected key 'median' for dist 'triangular'; expected keys for triangular: dist, low, "
        "mode, high",
    ),
    (
        {"dist": "lognormal", "median": 1, "p90": 2, "sigma": 1},
        "unexpected key 'sigma' for dist 'lognormal'; expected keys for lognormal: dist, median, "
        "p90, [shift]",
    ),
    ({"dist": "fixed", "value": float("inf")}, "'value' must be finite, got inf"),
    ({"dist": "uniform", "low": float("nan"), "high": 3}, "'low' must be finite, got nan"),
    ({"dist": "fixed", "value": "30"}, "'value' must be a number, got '30'"),
    ({"dist": "fixed", "value": True}, "'value' must be a number, got True"),
    ({"dist": "uniform", "low": 4, "high": 3}, "uniform needs low <= high, got low=4, high=3"),
    ([1, 2, 3], "expected a mapping like {dist: fixed, value: 30}, got [1, 2, 3]"),
    (None, "expected a mapping like {dist: fixed, value: 30}, got None"),
]


@pytest.mark.parametrize(("spec", "expected"), BAD_SPECS, ids=lambda v: repr(v)[:40])
def test_bad_specs_give_one_clear_line(spec: object, expected: str) -> None:
    where = "delays.east_coast_hvdc"
    with pytest.raises(ValueError) as info:
        parse_distribution(spec, where)  # type: ignore[arg-type]
    message = str(info.value)
    assert message == f"{where}: {expected}"
    assert "\n" not in message
    exc = info.value
    assert exc.__context__ is None or exc.__suppress_context__  # no chained traceback


@settings(max_examples=60, deadline=None)
@given(
    low=st.floats(0, 1e4),
    d1=st.floats(0, 1e4),
    d2=st.floats(0, 1e4),
    q=st.lists(st.floats(0, 1), min_size=2, max_size=8),
)
def test_quantiles_are_monotone_and_within_support(
    low: float, d1: float, d2: float, q: list[float]
) -> None:
    levels = np.sort(np.array(q))
    for dist in (Triangular(low, low + d1, low + d1 + d2), Pert(low, low + d1, low + d1 + d2)):
        values = np.asarray(dist.quantile(levels))
        assert np.all(np.diff(values) >= -1e-9 * (1 + abs(values).max()))
        lo, hi = dist.support()
        assert np.all((values >= lo - 1e-9 * (1 + hi)) & (values <= hi + 1e-9 * (1 + hi)))
