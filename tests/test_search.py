"""The plan search finds the known better plan of a two-site scenario."""

from __future__ import annotations

import csv
from pathlib import Path

from sim.app.search import Objective, compose_config, search, write_outputs
from tests.micro import Micro, date_plus


def append_rows(path: Path, rows: list[dict]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        old = list(csv.DictReader(handle))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(old[0]))
        writer.writeheader()
        writer.writerows([*old, *rows])


def two_sites(root: Path) -> tuple[Path, Path]:
    """o1's 4 racks planned at s1 (power only from day 200); s2 is ready and powered at day 0.

    Best plan: all 4 racks at s2, online on day 4 (1 crew, 1 rack/day, no burn-in).
    """
    data, scen = Micro(racks=4, connection=[(0, 0.0), (200, 100.0)]).write(root)
    with (data / "sites.csv").open(newline="", encoding="utf-8") as handle:
        s1 = next(csv.DictReader(handle))
    append_rows(data / "sites.csv", [{**s1, "site": "s2", "name": "Site 2"}])
    append_rows(data / "site_phases.csv", [{"site": "s2", "phase": "p1", "it_mw": 100,
                "liquid_cooling_mw": 100, "air_cooling_mw": 0, "start_date": date_plus(0),
                "permit_days": 0, "construction_days": 0, "source": "test"}])
    append_rows(data / "site_connections.csv", [{"site": "s2", "date": date_plus(0),
                "capacity_mw": 100, "project": "step0", "source": "test"}])
    return data, scen


def test_search_finds_the_known_better_plan(tmp_path):
    data, scen = two_sites(tmp_path)
    cfg = compose_config(["+scenario=apex", f"data_dir={data}", f"scenario_dir={scen}",
                          "start=2026-01-01", "horizon_end=2027-12-31", "grid.enabled=false",
                          "rollout.burn_in_days=0"])
    result = search(cfg, Objective("total", "p50", 3), log=lambda _msg: None)
    assert result.base.date("total", 100, "p50") > "2026-07-01"
    assert result.best.moves == [{"owner": "o1", "from_site": "s1", "to_site": "s2",
                                  "gpus": 40}]
    assert result.best.date("total", 100, "p50") < "2026-06-01"
    central = search(cfg, Objective("total", "p50", 1), log=lambda _msg: None)
    assert central.best.date("total", 100, "p50") == "2026-01-05"
    written = write_outputs(cfg, central, tmp_path / "out", "test")
    plan = (tmp_path / "out" / "scenario" / "plan.csv").read_text()
    assert "o1,s2,rack,40," in plan and "sim.search" in plan
    assert (tmp_path / "out" / "scenario" / "deliveries.csv").is_file()
    assert any(p.name == "comparison.json" for p in written)


def test_the_search_summary_names_its_scenario_relative_to_where_it_runs(tmp_path,
                                                                            monkeypatch):
    from sim.core.paths import relative_to_cwd

    monkeypatch.chdir(tmp_path)
    assert relative_to_cwd(tmp_path / "outputs" / "search" / "x") == Path("outputs/search/x")
    outside = tmp_path.parent / "elsewhere"
    assert relative_to_cwd(outside) == outside
