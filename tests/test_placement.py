"""The plan search's placement rules: own sites, own plus colocation halls, anywhere."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sim.app.run import inputs_for
from sim.app.search import compose_config, neighbours
from sim.app.search_placement import parse_placement, placement_inputs
from sim.core.errors import InputError
from sim.inputs.moves import allowed_sites
from tests.micro import Micro, date_plus, hall_row, write_csv


def rows_of(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def world(root: Path) -> tuple[Path, Path]:
    """o1's 4 racks (0.4 MW IT) at s1, o2's one rack at s3. s2 lists o1 and o2, s3 only o2;
    all ready and powered. Hall h1 takes o1 (0.25 MW free), hall h2 takes only o2."""
    data, scen = Micro(racks=4).write(root)
    s1 = rows_of(data / "sites.csv")[0]
    write_csv(data / "sites.csv", [s1, {**s1, "site": "s2", "owners": "o1;o2"},
                                   {**s1, "site": "s3", "owners": "o2"}])
    write_csv(data / "owners.csv", [*rows_of(data / "owners.csv"),
                                    {"owner": "o2", "name": "Owner 2", "allocation_gpus": 10,
                                     "source": "test"}])
    for name, row in (("deliveries.csv", {"owner": "o2", "quarter": "2026-01", "gpus": 10}),
                      ("plan.csv", {"owner": "o2", "site": "s3", "sku": "rack", "gpus": 10})):
        write_csv(scen / name, [*rows_of(scen / name), {**row, "source": "test"}])
    phase, step = rows_of(data / "site_phases.csv")[0], rows_of(data / "site_connections.csv")[0]
    write_csv(data / "site_phases.csv", [{**phase, "site": s} for s in ("s1", "s2", "s3")])
    write_csv(data / "site_connections.csv", [{**step, "site": s} for s in ("s1", "s2", "s3")])
    write_csv(data / "colocation_halls.csv", [hall_row("o1"),
                                              {**hall_row("o2"), "hall_id": "h2"}])
    return data, scen


def config(data: Path, scen: Path, *extra: str):
    return compose_config(["+scenario=apex", f"data_dir={data}", f"scenario_dir={scen}",
                           "start=2026-01-01", "horizon_end=2027-12-31", "grid.enabled=false",
                           *extra])


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    data, scen = world(tmp_path_factory.mktemp("placement"))
    cfg = config(data, scen)
    return cfg, inputs_for(cfg)


HALLS = {"h1": ("o1",), "h2": ("o2",)}


@pytest.mark.parametrize(("rule", "o1_sites", "o2_sites"), [
    ("own", ["s1", "s2"], ["s2", "s3"]),
    ("colocation", ["s1", "s2", "h1"], ["s2", "s3", "h2"]),
    ("anywhere", ["s1", "s2", "s3", "h1"], ["s1", "s2", "s3", "h2"]),
])
def test_each_rule_allows_the_sites_it_states(setup, rule, o1_sites, o2_sites):
    _, inputs = setup
    assert allowed_sites(inputs, "o1", rule, HALLS) == o1_sites
    assert allowed_sites(inputs, "o2", rule, HALLS) == o2_sites


@pytest.mark.parametrize(("placement", "targets"), [
    ("own", {"s2": [40, 20]}),
    ("colocation", {"s2": [40, 20], "h1": [20]}),          # h1 holds 0.25 MW: 2 racks fit
    ("anywhere", {"s2": [40, 20], "s3": [40, 20], "h1": [20]}),
    ("anywhere,o1=own", {"s2": [40, 20]}),
])
def test_the_search_moves_only_where_the_rule_allows(setup, placement, targets):
    cfg, inputs = setup
    owners = list(inputs.owners)
    space, rules = placement_inputs(cfg, inputs, owners, *parse_placement(placement, owners))
    moves = neighbours(space, space.plan, ["o1"], None, (1.0, 0.5), rules)
    found: dict[str, list[int]] = {}
    for move in moves:
        assert (move["owner"], move["from_site"]) == ("o1", "s1")
        found.setdefault(move["to_site"], []).append(move["gpus"])
    assert found == targets


def test_own_is_what_the_search_did_before(setup):
    _, inputs = setup
    assert neighbours(inputs, inputs.plan, ["o1"], None, (1.0, 0.5)) == [
        {"owner": "o1", "from_site": "s1", "to_site": "s2", "gpus": g} for g in (40, 20)]


def test_a_move_to_a_hall_makes_it_a_site_of_the_run(setup):
    cfg, _ = setup
    moved = inputs_for(config(Path(cfg.data_dir), Path(cfg.scenario_dir),
                              "moves=[{owner: o1, from_site: s1, to_site: h1, gpus: 20}]"))
    assert moved.planned_gpus(site="h1") == 20 and moved.sites["h1"].owners == ("o1",)
    assert moved.halls["h1"].owners == ("o1",)
    assert [s.capacity_mw for s in moved.connections if s.site == "h1"] == [0.25]


def test_bad_placement_and_hall_moves_give_one_line(setup):
    cfg, inputs = setup
    with pytest.raises(InputError, match=r"^--placement: unknown rule 'nowhere'"):
        parse_placement("nowhere", list(inputs.owners))
    with pytest.raises(InputError, match=r"^--placement: unknown owner 'o9'"):
        parse_placement("o9=own", list(inputs.owners))
    with pytest.raises(InputError, match=r"^config key 'moves\[0\]': colocation hall 'h2' "
                                         r"does not take owner 'o1'"):
        inputs_for(config(Path(cfg.data_dir), Path(cfg.scenario_dir),
                          "moves=[{owner: o1, from_site: s1, to_site: h2, gpus: 20}]"))


def test_available_from_of_a_moved_hall_is_kept(tmp_path):
    data, scen = world(tmp_path)
    write_csv(data / "colocation_halls.csv", [hall_row("o1", available_day=30)])
    moved = inputs_for(config(data, scen,
                              "moves=[{owner: o1, from_site: s1, to_site: h1, gpus: 20}]"))
    assert [s.day for s in moved.connections if s.site == "h1"] == [30.0]
    assert date_plus(30) == moved.date_of(30).isoformat()


def test_a_plan_row_may_name_a_hall(tmp_path):
    """What a search that used a hall writes: a plan.csv row at the hall runs as is."""
    data, scen = world(tmp_path)
    plan = rows_of(scen / "plan.csv")
    write_csv(scen / "plan.csv", [{**plan[0], "gpus": 20}, {**plan[0], "site": "h1",
                                                             "gpus": 20}, plan[1]])
    inputs = inputs_for(config(data, scen))
    assert inputs.planned_gpus(site="h1") == 20 and "h1" in inputs.halls
    write_csv(scen / "plan.csv", [{**plan[0], "gpus": 20}, {**plan[0], "site": "h2",
                                                             "gpus": 20}, plan[1]])
    with pytest.raises(InputError, match=r"plan.csv: row 3, column 'site': colocation hall "
                                         r"'h2' does not take owner 'o1'"):
        inputs_for(config(data, scen))
