"""Siting options: alternative plan files and moves given on the command line."""

from __future__ import annotations

import datetime as dt
import warnings
from collections import Counter

import pytest

from sim.core.paths import DATA_DIR, SCENARIOS_DIR
from sim.inputs.catalog import load_inputs
from sim.inputs.moves import apply_moves


def apex(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_inputs(DATA_DIR, SCENARIOS_DIR / "apex", dt.date(2025, 11, 1),
                           dt.date(2035, 12, 31), 30.0, **kwargs)


def by_site(inputs, owner):
    out = Counter()
    for row in inputs.plan:
        if row.owner == owner:
            out[row.site] += row.gpus
    return out


def test_moving_hyundai_to_ulsan_keeps_totals_and_moves_only_hyundai():
    base = apex()
    moved = apex(moves=[{"owner": "hyundai", "from_site": "hyundai_saemangeum",
                         "to_site": "sk_aws_ulsan", "gpus": 30000}])
    assert by_site(moved, "hyundai") == {"hyundai_saemangeum": 20000, "sk_aws_ulsan": 30000}
    assert by_site(moved, "sk") == by_site(base, "sk")
    assert moved.target_gpus == base.target_gpus == 260_000


def test_moves_take_rows_in_order_and_append_new_rows_last():
    """Hyundai has 49,968 NVL72 GPUs then 32 HGX GPUs at Saemangeum: moving 49,980 takes
    all NVL72 and 12 HGX; the new Ulsan rows come after Hyundai's own rows."""
    moved = apex(moves=[{"owner": "hyundai", "from_site": "hyundai_saemangeum",
                         "to_site": "sk_aws_ulsan", "gpus": 49980}])
    rows = [(r.site, r.sku, r.gpus) for r in moved.plan if r.owner == "hyundai"]
    assert rows == [("hyundai_saemangeum", "hgx_server", 20),
                    ("sk_aws_ulsan", "rack_scale", 49968), ("sk_aws_ulsan", "hgx_server", 12)]


def test_moves_are_validated():
    from sim.core.errors import InputError

    base = apex()
    with pytest.raises(InputError, match=r"moves\[0\]': expected keys"):
        apply_moves(base, [{"owner": "gov"}])
    with pytest.raises(InputError, match="'gpus' expected a whole number > 0"):
        apply_moves(base, [{"owner": "gov", "from_site": "nhn_gwangju",
                            "to_site": "kakao_ansan", "gpus": -5}])
