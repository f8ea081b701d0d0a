"""Shifting connection steps: a shift cannot turn a step still to come into supply that was in
place at the start (that supply skips the backbone queue)."""

from __future__ import annotations

import warnings

from omegaconf import OmegaConf

from sim.app.run import inputs_for
from sim.core.config import SimConfig
from sim.inputs.gridsetup import _rules
from sim.inputs.steps import FIRST_SHIFTED_DAY


def apex(shift_days: dict[str, float]):
    cfg = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(SimConfig), {
        "scenario": "apex", "grid": {"shift_days": shift_days}}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return inputs_for(cfg)


def kisti_steps(inputs) -> list[tuple[float, float]]:
    return [(s.day, s.capacity_mw) for s in inputs.connections if s.site == "kisti_daejeon"]


def test_a_step_shifted_before_the_start_lands_on_the_first_day_and_still_queues():
    """KISTI's 22 MW derived feeder is due 2026-05-14 (day 194 of apex: filed 2025-05-14 +
    12 months); 400 days earlier would be before the start. It lands on day 1, and KISTI's
    request to the grid stays its full facility MW (nothing was in place at the start), as
    without the shift."""
    base, shifted = apex({}), apex({"conn_kisti_daejeon": -400})
    assert (194.0, 22.0) in kisti_steps(base)
    assert (FIRST_SHIFTED_DAY, 22.0) in kisti_steps(shifted)
    assert (0.0, 22.0) not in kisti_steps(shifted)

    grid_cfg = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(SimConfig),
                                                    {"scenario": "apex"})).grid

    def request(inputs):
        rules = _rules(inputs, inputs.grid.site_bus, grid_cfg)
        return next(s for s in rules.sites if s.site == "kisti_daejeon")

    assert request(shifted).existing_mw == request(base).existing_mw == 0.0
    assert request(shifted).mw == request(base).mw > 0.0

