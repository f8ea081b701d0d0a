"""Tests for sim.streams: reproducibility, independence and common random numbers."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.uncertainty.specs import parse_distribution
from sim.uncertainty.streams import Streams, name_key

ROOT = Path(__file__).resolve().parents[1]


def _draws(streams: Streams, name: str, replicate: int = 0, n: int = 8) -> np.ndarray:
    return streams.rng(name, replicate).random(n)


def test_same_seed_and_name_give_identical_draws() -> None:
    a = _draws(Streams(42), "delivery_slip/owner=naver")
    b = _draws(Streams(42), "delivery_slip/owner=naver")
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("other_seed", "other_name", "other_replicate"),
    [
        (42, "delivery_slip/owner=sk", 0),
        (43, "delivery_slip/owner=naver", 0),
        (42, "delivery_slip/owner=naver", 1),
    ],
)
def test_seed_name_and_replicate_each_change_the_draws(
    other_seed: int, other_name: str, other_replicate: int
) -> None:
    base = _draws(Streams(42), "delivery_slip/owner=naver")
    other = _draws(Streams(other_seed), other_name, other_replicate)
    assert not np.any(base == other)


def test_many_streams_are_uncorrelated() -> None:
    streams = Streams(7)
    draws = np.stack([_draws(streams, f"site_{i}", n=2000) for i in range(30)])
    corr = np.corrcoef(draws)[np.triu_indices(30, k=1)]
    assert np.abs(corr).max() < 5 / np.sqrt(2000)


def test_request_order_does_not_matter() -> None:
    names = [f"permit/site={i}" for i in range(6)]
    forward = {n: _draws(Streams(1), n) for n in names}
    backward = {n: _draws(Streams(1), n) for n in reversed(names)}
    for n in names:
        np.testing.assert_array_equal(forward[n], backward[n])


def _scenario(entities: list[str], seed: int, replicate: int) -> dict[str, list[float]]:
    """Entities draw permit durations interleaved (round-robin), as a simulation would."""
    permit = parse_distribution({"dist": "lognormal", "median": 90, "p90": 365}, "permit")
    streams = Streams(seed)
    rngs = {e: streams.rng(f"permit/{e}", replicate) for e in entities}
    out: dict[str, list[float]] = {e: [] for e in entities}
    for _ in range(5):
        for e in entities:
            out[e].append(float(permit.sample(rngs[e])))
    return out


def test_two_scenarios_share_draws_for_shared_entities() -> None:
    base = _scenario(["ulsan", "pohang", "jeonnam"], seed=2026, replicate=3)
    variant = _scenario(["saemangeum", "jeonnam", "ulsan", "busan"], seed=2026, replicate=3)
    assert base["ulsan"] == variant["ulsan"]
    assert base["jeonnam"] == variant["jeonnam"]
    assert base["ulsan"] != variant["saemangeum"]
    assert _scenario(["ulsan"], seed=2026, replicate=4)["ulsan"] != base["ulsan"]


def test_rng_restarts_each_call() -> None:
    streams = Streams(5)
    assert streams.rng("x").random() == streams.rng("x").random()


def test_name_key_is_blake2b_and_pinned() -> None:
    digest = hashlib.blake2b(b"abc", digest_size=8).digest()
    assert name_key("abc") == (int.from_bytes(digest[:4], "big"), int.from_bytes(digest[4:], "big"))
    assert name_key("abc") == (3636139224, 869635417)
    ss = Streams(42).seed_sequence("abc", 0)
    assert ss.entropy == 42 and ss.spawn_key == (3636139224, 869635417, 0)


def test_independent_of_python_hash_randomisation() -> None:
    code = ("from sim.uncertainty.streams import Streams; "
            "print(Streams(9).rng('grid/hvdc', 1).random())")
    outputs = set()
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        proc = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(proc.stdout.strip())
    assert outputs == {repr(Streams(9).rng("grid/hvdc", 1).random())}


@pytest.mark.parametrize(
    ("seed", "name", "replicate", "match"),
    [
        (-1, "a", 0, "seed"),
        (True, "a", 0, "seed"),
        (1.5, "a", 0, "seed"),
        (1, "", 0, "stream name"),
        (1, "a", -1, "replicate"),
        (1, "a", 2**32, "replicate"),
    ],
)
def test_invalid_inputs(seed: int, name: str, replicate: int, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Streams(seed).rng(name, replicate)
