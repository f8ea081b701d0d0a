"""The dated system (demand path, fleet, competing loads) and its bad inputs."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from sim.core.errors import InputError
from sim.grid.grid import dated_grid
from sim.grid.loads import read_loads
from sim.grid.network import DATA_DIR, load_graph
from sim.grid.operating import OperatingRules
from sim.grid.system import System, SystemOptions, peak_date


@pytest.fixture(scope="module")
def graph():
    return load_graph(DATA_DIR)


@pytest.fixture(scope="module")
def system(graph):
    return System(DATA_DIR, graph, sorted(graph.nodes))


def test_demand_follows_the_path_less_the_allowances(system):
    """2038: 129,300 MW (11th Basic Plan) less 4,400 (data centres) and 1,400 (chips) MW
    modelled explicitly; every bus scales by the same factor (shares held at 2024's)."""
    base = system.load_mw(2024).sum()
    assert system.net_peak_mw(2038) == pytest.approx(129_300 - 4_400 - 1_400)
    assert system.load_mw(2038).sum() == pytest.approx(base * 123_500 / 97_100, rel=1e-9)


def test_demand_keeps_the_allowances_without_explicit_loads(graph):
    alone = System(DATA_DIR, graph, sorted(graph.nodes), SystemOptions(explicit_loads=False))
    assert alone.net_peak_mw(2038) == pytest.approx(129_300)


def test_fleet_changes_apply_on_their_dates(system):
    """Saeul 3 (1,400 MW nuclear) runs from 2026-08: in the 2026 peak fleet, not in 2025's."""
    def nuclear(day):
        old, new = system.capacity_mw(day)
        return sum(v for (_, k), v in {**old}.items() if k == "nuclear") + sum(
            v for (_, k), v in new.items() if k == "nuclear")
    assert nuclear(dt.date(2026, 8, 31)) - nuclear(dt.date(2026, 7, 31)) == pytest.approx(
        1400.0, abs=1.0)


def test_new_units_are_more_available_than_the_2024_lng_fleet(system):
    fleet = system.fleet(peak_date(2024))
    lng = [i for i, k in enumerate(fleet.kind) if k == "lng"]
    installed = sum(v for (_, k), v in system.capacity_mw(peak_date(2024))[0].items()
                    if k == "lng")
    assert fleet.pmax_mw[lng].sum() == pytest.approx(0.73 * installed, rel=1e-9)


def test_province_loads_are_spread_over_the_province(graph):
    loads = read_loads(DATA_DIR, graph)
    pool = [ld for ld in loads if ld.load.startswith("dc_pool27") and ld.province == "Gyeonggi"]
    buses = {ld.bus for ld in pool}
    assert len(buses) > 10
    assert all(graph.nodes[b]["province"] == "Gyeonggi" for b in buses)


def test_east_coast_export_limit_and_the_west_coast_hvdc():
    """Back-tests of docs/validation.md from the 2024 state's secure dispatch: ~11 GW
    east-coast export (korea.md §2.2, ±20 %); Bukdangjin-Godeok stage 2 (1.5 -> 3 GW) frees
    ~0.9 GW of constrained west-coast output (sedaily 2D9C7GTLWG, ±50 %). The stage cannot
    free more than it adds, and a merit dispatch cannot run more than the region's most."""
    from sim.grid.transfer import (
        east_coast_buses,
        lp_export_limit_mw,
        lp_stage_freed_mw,
        west_coast_buses,
    )
    grid = dated_grid(year=2024)
    assert lp_export_limit_mw(grid, east_coast_buses(grid)) == pytest.approx(11_000, rel=0.2)
    west = west_coast_buses(grid, 36.8)
    stage = lp_stage_freed_mw(grid, "DC_bukdangjin_godeok", west, 1_500.0)
    assert stage["freed_mw"] == pytest.approx(900, rel=0.5)
    assert 0.0 < stage["freed_mw"] <= 1_500.0 + 1e-6
    # the market runs no more of the region than the most the region can put out
    load = grid.programme.load_mw[[grid.index(b) for b in west]].sum()
    assert stage["with_mw"] <= lp_export_limit_mw(grid, west) + load + 1e-6


def edited(tmp_path, name: str, old: str, new: str):
    grid = tmp_path / "grid"
    shutil.copytree(DATA_DIR, grid)
    path = grid / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return grid


BAD = [
    ("fleet_changes.csv", "Kori 2,nuclear,Busan,67,", "Kori 2,nuclear,Busan,9999,",
     "fleet_changes.csv: row 2, column 'bus': unknown bus 9999"),
    ("fleet_changes.csv", "Kori 2,nuclear,Busan,", "Kori 2,nuclear,Atlantis,",
     "fleet_changes.csv: row 2, column 'province': unknown province 'Atlantis'"),
    ("fleet_changes.csv", "Kori 2,nuclear,Busan,67,retire,650,", "Kori 2,nuclear,Busan,67,"
     "retire,-650,", "fleet_changes.csv: row 2, column 'mw': expected a number >= 0"),
    ("fleet_changes.csv", "retire,650,2023-04-08,1983,", "retire,650,2023-04-08,2030,",
     "fleet_changes.csv: row 2, column 'date': retirement 2023-04-08 before commissioning"),
    ("fleet_changes.csv", "Kori 2,nuclear,", "Kori 2,fusion,",
     "fleet_changes.csv: row 2, column 'kind': unknown kind 'fusion'"),
    ("competing_loads.csv", ",approved,0.9,2021-12-31,", ",maybe,0.9,2021-12-31,",
     "competing_loads.csv: row 2, column 'status': expected one of operating, approved"),
    ("competing_loads.csv", "semiconductor,Gyeonggi,29,", "semiconductor,Narnia,29,",
     "competing_loads.csv: row 2, column 'province': unknown province 'Narnia'"),
    ("competing_loads.csv", "semiconductor,Gyeonggi,29,", "semiconductor,Gyeonggi,99999,",
     "competing_loads.csv: row 2, column 'bus': unknown bus 99999"),
    ("competing_loads.csv", ",1415,2027-02-01,", ",-1415,2027-02-01,",
     "competing_loads.csv: row 2, column 'mw': expected a number >= 0"),
    ("generators.csv", "1,nuclear,900.0,", "1,nuclear,-900.0,",
     "generators.csv: row 2, column 'installed_mw': expected a number >= 0"),
    ("demand_provinces.csv", "Busan,2024,", "Mordor,2024,",
     "demand_provinces.csv: row 2, column 'province': unknown province 'Mordor'"),
]


@pytest.mark.parametrize(("name", "old", "new", "expected"), BAD,
                         ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_dated_table_is_one_line_naming_file_row_column(tmp_path, name, old, new,
                                                            expected):
    grid = edited(tmp_path, name, old, new)
    with pytest.raises(InputError) as err:
        dated_grid(grid, OperatingRules())
    message = str(err.value)
    assert "\n" not in message and expected in message, message


def test_shift_of_an_unknown_project_is_one_line(cli_server, tmp_path):
    proc = cli_server.run("sim", "+scenario=apex", "+grid.shift_days.nowhere=30",
                          "output.figures=false", f"hydra.run.dir={tmp_path / 'run'}")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "config key 'grid.shift_days.nowhere': unknown project or step" in proc.stderr
