"""Invariants of the rollout on random small scenarios (hypothesis)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.inputs.records import (
    ConnectionStep,
    Delivery,
    Inputs,
    Owner,
    Phase,
    PlanRow,
    Plant,
    Site,
    Sku,
)
from sim.model.rollout import Rollout
from sim.results.series import build_series

SKUS = {"big": Sku("big", 72, 130.0, 0.85), "small": Sku("small", 8, 14.3, 0.0)}


def site(name: str, crews: int, rate: float, pue: float) -> Site:
    return Site(name, name, 36.0, 127.0, "sejong", False, ("o1", "o2"), "planned", "seoul",
                crews, rate, 1e6, None, pue)


@st.composite
def scenarios(draw) -> Inputs:
    n_sites = draw(st.integers(1, 3))
    names = [f"s{i}" for i in range(n_sites)]
    sites = {n: site(n, draw(st.integers(1, 3)), draw(st.sampled_from([0.5, 1.0, 4.0])),
                     draw(st.sampled_from([1.0, 1.2, 1.45]))) for n in names}
    phases = tuple(Phase(n, f"p{k}", draw(st.floats(0.1, 5.0)), draw(st.floats(0.0, 5.0)),
                         draw(st.floats(0.0, 2.0)), float(draw(st.integers(0, 400))),
                         float(draw(st.integers(0, 200))), float(draw(st.integers(0, 300))))
                   for n in names for k in range(draw(st.integers(1, 2))))
    connections = tuple(ConnectionStep(n, float(day), mw, "step")
                        for n in names
                        for day, mw in zip(sorted(draw(st.lists(st.integers(0, 1500), min_size=1,
                                                                 max_size=3, unique=True))),
                                           sorted(draw(st.lists(st.floats(0.0, 8.0), min_size=3,
                                                                max_size=3))), strict=False))
    plan, deliveries, owners = [], [], {}
    for owner in ("o1", "o2"):
        total = 0
        for n in names:
            if draw(st.booleans()):
                gpus = draw(st.integers(1, 600))
                plan.append(PlanRow(owner, n, draw(st.sampled_from(list(SKUS))), gpus))
                total += gpus
        if total:
            owners[owner] = Owner(owner, owner, total)
            cuts = sorted(draw(st.lists(st.integers(1, total - 1), max_size=3, unique=True))
                          if total > 1 else [])
            parts = np.diff([0, *cuts, total])
            for part in parts:
                deliveries.append(Delivery(owner, float(draw(st.integers(0, 700))), int(part)))
    if not plan:
        plan.append(PlanRow("o1", names[0], "small", 8))
        owners["o1"] = Owner("o1", "o1", 8)
        deliveries.append(Delivery("o1", 0.0, 8))
    return Inputs(start=dt.date(2026, 1, 1), horizon_days=1800.0, skus=SKUS, owners=owners,
                  sites=sites, phases=phases, connections=connections,
                  deliveries=tuple(sorted(deliveries, key=lambda d: (d.day, d.owner))),
                  plan=tuple(plan), burn_in_days=float(draw(st.integers(0, 60))),
                  plants={n: Plant(s.design_pue, (s.design_pue,) * 12,
                                   draw(st.sampled_from([1.0, 0.9])), 1.0)
                          for n, s in sites.items()})


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_rollout_invariants(inputs: Inputs):
    log = Rollout(inputs).run()
    s = build_series(log, inputs)
    online = s.gpus_online
    # conservation: online <= arrived at site <= delivered; at the horizon all arrived GPUs
    # are either online or still waiting/installing
    assert np.all(online <= s.gpus_arrived)
    assert np.all(s.gpus_arrived.sum(axis=1) <= s.gpus_delivered)
    assert s.gpus_delivered[-1].sum() == sum(d.gpus for d in inputs.deliveries
                                             if d.day <= s.time_days[-1])
    waiting_gpus = sum(b.units * b.gpus_per_unit for b in log.waiting)
    admitted_gpus = sum(len(g.energised_day) * g.gpus_per_unit for g in log.energised)
    assert waiting_gpus + admitted_gpus == inputs.target_gpus
    # online counts never decrease
    assert np.all(np.diff(online, axis=0) >= 0)
    # limits hold at every sample
    assert np.all(s.facility_load_mw <= s.power_limit_mw + 1e-6)
    assert np.all(s.it_load_mw <= s.cooling_limit_mw + 1e-6)
    assert np.all(s.it_load_mw <= s.it_capacity_mw + 1e-6)
    # no rack online before delivery + install + burn-in
    rate = {n: x.racks_per_crew_per_day for n, x in inputs.sites.items()}
    for g in log.energised:
        assert np.all(g.energised_day >= g.admit_day + 1 / rate[g.site] - 1e-9)
        assert g.admit_day >= g.arrival_day
    # wait attribution covers exactly the gate wait
    gate = sum((g.admit_day - g.arrival_day) * len(g.energised_day) for g in log.energised)
    gate += sum((inputs.horizon_days - b.arrival_day) * b.units for b in log.waiting)
    gating = [i for i, c in enumerate(s.causes) if c in ("space", "power", "cooling")]
    assert np.isclose(s.wait_days[..., gating].sum(), gate, rtol=1e-9, atol=1e-6)
