"""Install crews at a site: identical crews, deterministic time per rack, earliest-free first.

Scheduling a block of k racks needs no simulation events: with identical service times the
greedy schedule completes racks at the k smallest values of {free_i + j * d : j >= 1}.
"""

from __future__ import annotations

import math

import numpy as np


class CrewPool:
    def __init__(self, crews: int, racks_per_crew_per_day: float):
        self.free_day = np.zeros(crews)
        self.days_per_rack = 1.0 / racks_per_crew_per_day

    def install(self, day: float, racks: int) -> np.ndarray:
        """Completion days of `racks` racks handed to the crews at `day` (sorted)."""
        start = np.maximum(self.free_day, day)
        d = self.days_per_rack
        crews = len(start)
        per_crew = min(racks, math.ceil(racks / crews) + math.ceil((start.max() - start.min()) / d)
                       + 1)
        slots = start[:, None] + d * np.arange(1, per_crew + 1)[None, :]
        flat = slots.ravel()
        chosen = np.argpartition(flat, racks - 1)[:racks] if racks < flat.size else \
            np.arange(flat.size)
        taken = np.bincount(chosen // per_crew, minlength=crews)
        busy = taken > 0
        self.free_day[busy] = start[busy] + taken[busy] * d
        return np.sort(flat[chosen])
