"""Which reinforcement matters (python -m sim.rank): a gain worked by hand, exactly zero for a
step no GPUs depend on, paired replications, and the files it writes."""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from sim.app.rank import main, rank
from sim.app.search import compose_config
from sim.inputs.records import ConnectionStep
from sim.inputs.steps import drop_overtaken
from sim.outputs.ranking import write_ranking
from tests.micro import START, Micro, date_plus

#: by this day (2027-05-16) every variant of every replicate has all racks online
BY = START + dt.timedelta(days=500)
GPU_HOUR_KRW = 4260.0   # sim/data/energy.csv gpu_hour_value_krw


def rewrite(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def scenario(root: Path) -> tuple[Path, Path]:
    """o1's 4 racks (10 GPUs each, 100 kW, PUE 1.0) arrive at s1 on day 0; s1 has no power
    until step `s1_supply` (100 MW) on day 200; one crew installs 1 rack/day, no burn-in.
    Site s2 has no GPUs planned and its own step `s2_supply` on day 100."""
    data, scen = Micro(racks=4, connection=[(0, 0.0), (200, 100.0)]).write(root)
    with (data / "sites.csv").open(newline="", encoding="utf-8") as handle:
        s1 = next(csv.DictReader(handle))
    rewrite(data / "sites.csv", [s1, {**s1, "site": "s2", "name": "Site 2"}])
    src = {"source": "test"}
    rewrite(data / "site_connections.csv", [
        {"site": "s1", "date": date_plus(0), "capacity_mw": 0, "project": "none", "step": "",
         **src},
        {"site": "s1", "date": date_plus(200), "capacity_mw": 100, "project": "S1 supply",
         "step": "s1_supply", **src},
        {"site": "s2", "date": date_plus(0), "capacity_mw": 0, "project": "none", "step": "",
         **src},
        {"site": "s2", "date": date_plus(100), "capacity_mw": 50, "project": "S2 supply",
         "step": "s2_supply", **src}])
    return data, scen


def config(data: Path, scen: Path):
    """Deliveries on time; each step late by uniform(0, 100) days, drawn per replicate."""
    cfg = compose_config([
        "+scenario=apex", f"data_dir={data}", f"scenario_dir={scen}", "start=2026-01-01",
        "horizon_end=2027-12-31", "grid.enabled=false", "rollout.burn_in_days=0"])
    return replace(cfg, uncertainty=replace(
        cfg.uncertainty, delivery_slip_days={"dist": "fixed", "value": 0},
        reinforcement_delay_days={"dist": "uniform", "low": 0, "high": 100}))


@pytest.fixture(scope="module")
def ranked(tmp_path_factory) -> dict:
    data, scen = scenario(tmp_path_factory.mktemp("rank"))
    return rank(config(data, scen), BY, 2.0, 6, log=lambda _m: None)


def test_two_months_earlier_gains_forty_gpus_times_two_months(ranked):
    """By hand: the step comes 2 x 30.4375 = 60.875 days earlier in every replicate (its
    drawn delay is added to both runs); the 4 racks were waiting for it since day 0, so each
    is installed and online 60.875 days earlier: 40 GPUs x 2 months = 80 GPU-months gained,
    and 80 GPU-months less idle = 80 x 30.4375 x 24 h x 4,260 KRW = 248,954,400 KRW."""
    row = next(r for r in ranked["rows"] if r["id"] == "s1_supply")
    for stat in ("mean", "p10", "p50", "p90"):
        assert row["gpu_months"][stat] == pytest.approx(80.0, abs=1e-6)
        assert row["idle_avoided_krw"][stat] == pytest.approx(80 * 30.4375 * 24 * GPU_HOUR_KRW,
                                                              rel=1e-9)
    assert row["site_gpu_months"] == pytest.approx({"s1": 80.0})
    assert ranked["rows"][0]["id"] == "s1_supply"
    assert ranked["replications"] == 6


def test_a_step_no_gpus_depend_on_gains_exactly_zero(ranked):
    row = next(r for r in ranked["rows"] if r["id"] == "s2_supply")
    assert row["gpu_months"] == {"mean": 0.0, "p10": 0.0, "p50": 0.0, "p90": 0.0}
    assert row["idle_avoided_krw"] == {"mean": 0.0, "p10": 0.0, "p50": 0.0, "p90": 0.0}
    assert row["site_gpu_months"] == {}


def test_base_varies_between_replicates_so_the_pairing_is_what_makes_the_gain_exact(tmp_path):
    """The base's GPU-months differ between replicates (the step's drawn delay), yet every
    paired difference above is exactly 80: the shifted run used the same draws."""
    from sim.app.rank import ranking_config, shared_draws
    from sim.app.run import inputs_for
    from sim.results.reinforcement import run_variants

    data, scen = scenario(tmp_path)
    cfg = ranking_config(config(data, scen), BY, 6)
    base = inputs_for(cfg)
    outcomes, _ = run_variants([base], shared_draws(cfg, [base]), base.day_of(BY))
    totals = outcomes[0].online.sum(axis=1)
    assert totals.max() - totals.min() > 50.0     # comparable to the 80 gained


def test_outputs_explain_the_top_entry(ranked, tmp_path):
    ranked = {**ranked, "command": "test"}
    paths = write_ranking(tmp_path, ranked, top=2)
    assert [p.name for p in paths] == ["rank.csv", "rank.json", "rank.png", "report.html"]
    with (tmp_path / "rank.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == ["s1_supply", "s2_supply"]
    assert rows[0]["brought_forward_to"] == date_plus(200 - 61)   # day 139.125
    assert "Site 1 (+80)" in rows[0]["explanation"]
    assert "held by grid connection 100 %" in rows[0]["explanation"]
    assert "gains nothing" in rows[1]["explanation"]
    assert json.loads((tmp_path / "rank.json").read_text())["rows"][0]["id"] == "s1_supply"
    assert "Site 1 (+80)" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_console_table_columns_line_up_for_long_ids(ranked):
    from sim.outputs.ranking import console_lines

    long_id = "conn_a_site_with_a_long_name"
    rows = [{**ranked["rows"][0], "id": long_id}, *ranked["rows"][1:]]
    table = console_lines({**ranked, "rows": rows}, top=0)[1:1 + 1 + len(rows)]
    assert len({len(line) for line in table}) == 1      # every row as wide as the header
    assert table[1].split()[1] == long_id


def test_a_shift_that_loses_on_average_says_so(ranked):
    from sim.outputs.rank_text import explain

    row = ranked["rows"][0]
    worse = {**row, "gpu_months": {**row["gpu_months"], "mean": -50.0},
             "idle_avoided_krw": {**row["idle_avoided_krw"], "mean": -2e9}}
    text = explain(worse, ranked)
    assert "loses 50 GPU-months" in text and "adds 2.0 bn KRW of idle GPUs" in text
    assert "gains -" not in text and "avoids -" not in text


def test_bad_arguments_give_one_line(tmp_path, capsys):
    data, scen = scenario(tmp_path)
    base = ["+scenario=apex", f"data_dir={data}", f"scenario_dir={scen}", "start=2026-01-01",
            "grid.enabled=false"]
    for args, expected in ((["--by", "2026-13-01"], "error: --by: expected a date"),
                           (["--by", "2025-06-01"], "error: --by: expected a date after"),
                           (["--by", "2027-01-01", "--months", "-1"], "error: --months:"),
                           (["--by", "2027-01-01", "--ids", "nope"],
                            "error: --ids: unknown project or step 'nope'")):
        assert main([*args, *base]) == 2
        err = capsys.readouterr().err
        assert err.startswith(expected) and err.count("\n") == 1, err


@pytest.mark.filterwarnings("default::UserWarning")
def test_an_input_warning_is_one_line_without_code_location(tmp_path, capsys, monkeypatch):
    import warnings
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)   # main() sets it
    data, scen = scenario(tmp_path)
    sites = data / "sites.csv"
    sites.write_text(sites.read_text().replace(",1000,", ",0.2,"))   # holds 2 of 4 racks
    assert main(["--by", "2027-01-01", "--ids", "s1_supply", "--replications", "1", "--out",
                 str(tmp_path / "out"), "+scenario=apex", f"data_dir={data}",
                 f"scenario_dir={scen}", "start=2026-01-01", "grid.enabled=false"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("warning: "), lines
    assert "plan.csv: site 's1'" in lines[0] and "UserWarning" not in lines[0]


def test_a_shift_that_overtakes_a_smaller_step_drops_it():
    """A 156 MW step brought before a 25 MW one: the 25 MW step no longer lowers the level."""
    small = ConnectionStep("a", 300.0, 25.0, "154 kV", "a154")
    big = ConnectionStep("a", 250.0, 156.0, "345 kV", "a345")
    other = ConnectionStep("b", 400.0, 10.0, "b", "b1")
    assert drop_overtaken([small, big, other], {"a"}) == [big, other]
    assert drop_overtaken([small, big, other], {"b"}) == [small, big, other]
    later = ConnectionStep("a", 500.0, 156.0, "345 kV", "a345")
    assert drop_overtaken([small, later], {"a"}) == [small, later]
