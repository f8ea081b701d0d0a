"""Named random streams for common random numbers (CRN).

A stream's generator is a pure function of ``(seed, name, replicate)``::

    SeedSequence(entropy=seed, spawn_key=(hi32(h), lo32(h), replicate)),  h = blake2b-64(name)

so an entity draws the same numbers in every scenario that contains it, whatever other entities
exist, in whatever order streams are requested and in whichever worker process the replicate runs.
The name hash is ``hashlib.blake2b`` (stable across processes), never Python's salted ``hash()``.

Name streams after the *uncertain quantity*, e.g. ``"delivery_slip/owner=naver"`` or
``"permit/site=ulsan/phase=2"``, and use one stream per quantity so a scenario that adds draws to
one quantity does not shift another's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

_MAX_REPLICATE = 2**32


def name_key(name: str) -> tuple[int, int]:
    """Stable 64-bit hash of ``name`` as two 32-bit words (first 8 bytes of blake2b, big-endian)."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"stream name must be a non-empty string, got {name!r}")
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return (int.from_bytes(digest[:4], "big"), int.from_bytes(digest[4:], "big"))


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")


def _check_replicate(replicate: int) -> None:
    ok = isinstance(replicate, int | np.integer) and not isinstance(replicate, bool)
    if not ok or not 0 <= replicate < _MAX_REPLICATE:
        raise ValueError(f"replicate must be an integer in [0, 2**32), got {replicate!r}")


@dataclass(frozen=True)
class Streams:
    """Factory of named, independent, reproducible generators for one master ``seed``."""

    seed: int

    def __post_init__(self) -> None:
        _check_seed(self.seed)

    def seed_sequence(self, name: str, replicate: int = 0) -> np.random.SeedSequence:
        """The SeedSequence behind :meth:`rng` (for spawning or provenance)."""
        _check_replicate(replicate)
        return np.random.SeedSequence(
            entropy=int(self.seed), spawn_key=(*name_key(name), int(replicate))
        )

    def rng(self, name: str, replicate: int = 0) -> np.random.Generator:
        """A FRESH generator for ``(seed, name, replicate)``.

        Each call restarts the stream: create it once per quantity and keep it.
        """
        return np.random.Generator(np.random.PCG64(self.seed_sequence(name, replicate)))
