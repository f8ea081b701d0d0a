"""Every kind of bad input stops the run with one line naming the file/row/column or config
key, exit status 2, no traceback, and no result file."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.core.paths import DATA_DIR
from tests.micro import Micro

Edit = Callable[[Path, Path], None]


def replace_in(name: str, old: str, new: str, where: str = "data") -> Edit:
    def edit(data: Path, scen: Path) -> None:
        path = (data if where == "data" else scen) / name
        text = path.read_text()
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1))
    return edit


def append_line(name: str, line: str, where: str = "data") -> Edit:
    def edit(data: Path, scen: Path) -> None:
        path = (data if where == "data" else scen) / name
        path.write_text(path.read_text() + line + "\n")
    return edit


def delete(name: str, where: str = "data") -> Edit:
    return lambda data, scen: ((data if where == "data" else scen) / name).unlink()


def drop_column(name: str, column: str, where: str = "data") -> Edit:
    def edit(data: Path, scen: Path) -> None:
        path = (data if where == "data" else scen) / name
        lines = path.read_text().splitlines()
        k = lines[0].split(",").index(column)
        path.write_text("\n".join(",".join(c for i, c in enumerate(ln.split(",")) if i != k)
                                  for ln in lines) + "\n")
    return edit


def raw_bytes(name: str, payload: bytes) -> Edit:
    return lambda data, scen: (data / name).write_bytes(payload)


def scenario_yaml(body: str) -> Edit:
    """A planner's own scenario overlay in an extra config directory (`--config-dir`)."""
    def edit(data: Path, scen: Path) -> None:
        path = scen.parent / "conf" / "scenario" / "custom.yaml"
        path.parent.mkdir(parents=True)
        path.write_text("# @package _global_\nscenario: custom\n" + body + "\n")
    return edit


def _where(data: Path, scen: Path, where: str) -> Path:
    return data if where == "data" else scen


def _embedded(data: Path, name: str) -> Path:
    """The data directory's copy of embedded table `name` (copied on first use)."""
    path = data / name
    if not path.exists() and "/" in name:    # a folder is used whole or not at all
        shutil.copytree(DATA_DIR / name.split("/")[0], data / name.split("/")[0])
    elif not path.exists():
        shutil.copyfile(DATA_DIR / name, path)
    return path


def set_cell(name: str, column: str, value: str, row: int = 0, where: str = "data") -> Edit:
    """Set one cell (data row `row`, 0-based, comments kept); embedded tables are copied."""
    def edit(data: Path, scen: Path) -> None:
        path = _where(data, scen, where) / name
        if where == "data" and not path.exists():
            _embedded(data, name)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        body = [i for i, ln in enumerate(lines) if not ln.startswith("#")]
        header = next(csv.reader([lines[body[0]]]))
        cells = next(csv.reader([lines[body[1 + row]]]))
        cells[header.index(column)] = value
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(cells)
        lines[body[1 + row]] = buffer.getvalue()
        path.write_text("".join(lines), encoding="utf-8")
    return edit


def short_row(name: str, row: int = 0, where: str = "data") -> Edit:
    """Drop the last cell of data row `row`."""
    def edit(data: Path, scen: Path) -> None:
        path = _where(data, scen, where) / name
        if where == "data" and not path.exists():
            _embedded(data, name)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        body = [i for i, ln in enumerate(lines) if not ln.startswith("#")]
        cells = next(csv.reader([lines[body[1 + row]]]))[:-1]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(cells)
        lines[body[1 + row]] = buffer.getvalue()
        path.write_text("".join(lines), encoding="utf-8")
    return edit


def delete_row(name: str, row: int, where: str = "data") -> Edit:
    def edit(data: Path, scen: Path) -> None:
        path = _where(data, scen, where) / name
        if where == "data" and not path.exists():
            _embedded(data, name)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        body = [i for i, ln in enumerate(lines) if not ln.startswith("#")]
        del lines[body[1 + row]]
        path.write_text("".join(lines), encoding="utf-8")
    return edit


def duplicate_row(name: str, row: int, where: str = "data") -> Edit:
    def edit(data: Path, scen: Path) -> None:
        path = _where(data, scen, where) / name
        if where == "data" and not path.exists():
            _embedded(data, name)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        body = [i for i, ln in enumerate(lines) if not ln.startswith("#")]
        lines.append(lines[body[1 + row]])
        path.write_text("".join(lines), encoding="utf-8")
    return edit


def replace_with(name: str, kind: str, where: str = "scen") -> Edit:
    """Put a directory, a symlink loop, a dangling symlink, a FIFO or a plain file (for a
    folder) where a table or folder `name` is expected."""
    def edit(data: Path, scen: Path) -> None:
        path = _where(data, scen, where) / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "dir":
            path.mkdir()
        elif kind == "loop":
            path.symlink_to(path.name)
        elif kind == "dangling":
            path.symlink_to(path.parent / "no_such_target")
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "file":
            path.write_text("not a folder\n")
    return edit


def use_cooling_tech(tech: str = "dlc_tower") -> Edit:
    """Site s1 gets a modelled plant (so cooling.csv and climate/ are read)."""
    return replace_in("sites.csv", ",1000,,1.0,", f",1000,{tech},,")


def both(*edits: Edit) -> Edit:
    def edit(data: Path, scen: Path) -> None:
        for one in edits:
            one(data, scen)
    return edit


def overlay(body: str) -> tuple[Edit, list[str]]:
    return scenario_yaml(body), ["--config-dir={conf}", "+scenario=custom"]


def grid(missing_bus: bool = False, disconnected: bool = False) -> Edit:
    """The three-bus test grid of test_grid_rollout, optionally broken."""
    def edit(data: Path, scen: Path) -> None:
        from tests.test_grid_rollout import three_bus_grid

        three_bus_grid(data.parent)
        if missing_bus:
            (data / "grid" / "site_buses.csv").write_text("site,bus,source\ns1,9,test\n")
        if disconnected:
            lines = (data / "grid" / "lines.csv").read_text().splitlines()
            (data / "grid" / "lines.csv").write_text("\n".join(lines[:2]) + "\n")
    return edit


def roadmap(rows: str) -> Edit:
    """A roadmap table in the data directory (family, sku, first, last quarter, source)."""
    def edit(data: Path, scen: Path) -> None:
        (data / "hardware_roadmap.csv").write_text(
            "family,sku,first_quarter,last_quarter,source\n" + rows + "\n")
    return edit


def owner_policies(rows: str) -> Edit:
    def edit(data: Path, scen: Path) -> None:
        (scen / "owner_policies.csv").write_text("owner,policy,source\n" + rows + "\n")
    return edit


def halls(source: str = "test", owners: str = "o1") -> Edit:
    """One colocation hall in the data directory."""
    def edit(data: Path, scen: Path) -> None:
        from tests.micro import hall_row, write_csv

        write_csv(data / "colocation_halls.csv", [hall_row(owners=owners, source=source)])
    return edit


S = "scen"
GRID_ON = "grid.enabled=true"
# (case id, edit of the micro tables, extra CLI overrides, text the one-line message must hold)
CASES: list[tuple[str, Edit | None, list[str], str]] = [
    ("plan-unknown-sku", replace_in("plan.csv", ",rack,", ",nope,", S), [],
     "plan.csv: row 2, column 'sku': unknown SKU"),
    ("plan-unknown-site", replace_in("plan.csv", ",s1,", ",s9,", S), [],
     "plan.csv: row 2, column 'site': unknown site"),
    ("plan-unknown-owner", replace_in("plan.csv", "o1,", "o9,", S), [],
     "plan.csv: row 2, column 'owner': unknown owner"),
    ("plan-owner-not-allowed", replace_in("sites.csv", ",o1,", ",o2,"), [],
     "plan.csv: row 2: owner 'o1' may not use site 's1'"),
    ("sites-unknown-owner", replace_in("sites.csv", ",o1,", ",o1;o9,"), [],
     "sites.csv: row 2, column 'owners': unknown owner 'o9'"),
    ("plan-total-not-allocation", replace_in("plan.csv", ",40,", ",30,", S), [],
     "plan.csv: owner 'o1' plans 30 GPUs, expected its allocation 40"),
    ("plan-zero-gpus", replace_in("plan.csv", ",40,", ",0,", S), [],
     "plan.csv: row 2, column 'gpus': expected a whole number > 0"),
    ("plan-negative-gpus", replace_in("plan.csv", ",40,", ",-40,", S), [],
     "plan.csv: row 2, column 'gpus'"),
    ("plan-text-gpus", replace_in("plan.csv", ",40,", ",forty,", S), [],
     "plan.csv: row 2, column 'gpus'"),
    ("plan-duplicate-row", append_line("plan.csv", "o1,s1,rack,40,test", S), [],
     "plan.csv: row 3: duplicate owner/site/sku"),
    ("plan-missing-column", drop_column("plan.csv", "sku", S), [],
     "plan.csv: missing column(s) sku"),
    ("plan-missing-file", delete("plan.csv", S), [], "plan.csv: file not found"),
    ("deliveries-bad-quarter", replace_in("deliveries.csv", "2026-01", "2026Q5", S), [],
     "deliveries.csv: row 2, column 'quarter': expected a quarter like 2026Q1"),
    ("deliveries-total", replace_in("deliveries.csv", ",40,", ",39,", S), [],
     "deliveries.csv: owner 'o1' receives 39 GPUs, expected its allocation 40"),
    ("deliveries-nan", replace_in("deliveries.csv", ",40,", ",nan,", S), [],
     "deliveries.csv: row 2, column 'gpus': expected a finite number"),
    ("sites-zero-crews", replace_in("sites.csv", "seoul,1,", "seoul,0,"), [],
     "sites.csv: row 2, column 'crews': expected a whole number > 0"),
    ("sites-pue-below-one", replace_in("sites.csv", ",1000,,1.0,", ",1000,,0.9,"), [],
     "sites.csv: row 2, column 'design_pue': expected a number >= 1"),
    ("sites-unknown-cooling-tech", replace_in("sites.csv", ",1000,,1.0,", ",1000,magic,,"), [],
     "sites.csv: row 2, column 'cooling_tech': unknown technology 'magic'"),
    ("sites-pue-and-tech", replace_in("sites.csv", ",1000,,1.0,", ",1000,dlc_tower,1.2,"), [],
     "sites.csv: row 2: give either column 'cooling_tech' or column 'design_pue'"),
    ("sites-bad-bool", replace_in("sites.csv", ",false,", ",maybe,"), [],
     "sites.csv: row 2, column 'capital_region': expected true or false"),
    ("sites-infinite-rate", replace_in("sites.csv", "seoul,1,1.0,", "seoul,1,inf,"), [],
     "sites.csv: row 2, column 'racks_per_crew_per_day': expected a finite number"),
    ("sites-duplicate", lambda d, s: (d / "sites.csv").write_text(
        (d / "sites.csv").read_text() + (d / "sites.csv").read_text().splitlines()[1] + "\n"),
     [], "sites.csv: row 3: duplicate site s1"),
    ("phases-zero-mw", replace_in("site_phases.csv", "s1,p1,100.0,", "s1,p1,0,"), [],
     "site_phases.csv: row 2, column 'it_mw': expected a number > 0"),
    ("phases-bad-date", replace_in("site_phases.csv", "2026-01-01", "2026-02-30"), [],
     "site_phases.csv: row 2, column 'start_date'"),
    ("phases-unknown-site", replace_in("site_phases.csv", "s1,p1", "s7,p1"), [],
     "site_phases.csv: row 2, column 'site': unknown site 's7'"),
    ("phases-negative-permit", replace_in("site_phases.csv", "2026-01-01,0,", "2026-01-01,-5,"),
     [], "site_phases.csv: row 2, column 'permit_days': expected a number >= 0"),
    ("connections-negative", replace_in("site_connections.csv", ",100.0,", ",-1,"), [],
     "site_connections.csv: row 2, column 'capacity_mw': expected a number >= 0"),
    ("connections-unknown-site", replace_in("site_connections.csv", "s1,", "s5,"), [],
     "site_connections.csv: row 2, column 'site': unknown site 's5'"),
    ("connections-decreasing", append_line("site_connections.csv",
                                           "s1,2027-01-01,50,cut,test"), [],
     "site_connections.csv: row 3, column 'capacity_mw': the level of site 's1' falls"),
    ("hardware-zero-gpus", replace_in("hardware.csv", ",10,100,", ",0,100,"), [],
     "hardware.csv: row 2, column 'gpus_per_unit': expected a whole number > 0"),
    ("hardware-share-above-one", replace_in("hardware.csv", ",100,1.0,", ",100,1.5,"), [],
     "hardware.csv: row 2, column 'liquid_heat_share': expected a fraction between 0 and 1"),
    ("owners-zero-allocation", replace_in("owners.csv", ",40,", ",0,"), [],
     "owners.csv: row 2, column 'allocation_gpus': expected a whole number > 0"),
    ("malformed-extra-cell", append_line("owners.csv", "o2,Owner 2,10,test,extra"), [],
     "owners.csv: row 3: more cells than header columns"),
    ("not-utf8", raw_bytes("owners.csv", b"owner,name\n\xff\xfe,x\n"), [],
     "owners.csv: not UTF-8 text"),
    ("grid-site-on-missing-bus", grid(missing_bus=True), [GRID_ON],
     "site_buses.csv: planned site 's1' is on bus 9 which is not in the grid"),
    ("grid-disconnected", grid(disconnected=True), [GRID_ON], "grid not connected"),
    ("config-unknown-plan", None, ["plan=nope"],
     "config key 'plan': "),
    ("config-move-too-many", None,
     ["moves=[{owner:o1,from_site:s1,to_site:s1,gpus:999}]"],
     "config key 'moves[0]': owner 'o1' has 40 GPUs at 's1', cannot move 999"),
    ("config-move-unknown-site", None,
     ["moves=[{owner:o1,from_site:s1,to_site:mars,gpus:10}]"],
     "config key 'moves[0]': unknown to_site 'mars'"),
    ("config-unknown-key", None, ["foo=1"], "config key 'foo'"),
    ("candidate-outside-korea", None, ["candidates=[{site:x,lat:40.5,lon:127,mw:50}]"],
     "config key 'candidates'[0], field 'lat': 40.5 is outside Korea"),
    ("candidate-negative-mw", None, ["candidates=[{site:x,lat:36,lon:127,mw:-5}]"],
     "config key 'candidates'[0], field 'mw': expected a positive facility MW, got -5.0"),
    ("candidate-unknown-zone", None,
     ["candidates=[{site:x,lat:36,lon:127,mw:50,zone:atlantis}]"],
     "config key 'candidates'[0], field 'zone': unknown special zone 'atlantis'"),
    ("candidate-far-from-any-bus", None, ["candidates=[{site:x,lat:33.5,lon:126.5,mw:40}]"],
     "config key 'candidates'[0], fields 'lat'/'lon': the site is"),
    ("candidates-file-missing", None, ["candidates_file=nope.csv"], "nope.csv: file not found"),
    ("config-unknown-policy", None, ["+policy.owners.o1=hoard"],
     "config key 'policy.owners.o1': unknown policy 'hoard' (expected one of fixed, defer, "
     "resite)"),
    ("config-policy-unknown-owner", None, ["+policy.owners.o9=defer"],
     "config key 'policy.owners.o9': unknown owner 'o9'"),
    ("policies-unknown-policy", owner_policies("o1,hoard,t"), [],
     "owner_policies.csv: row 2, column 'policy': unknown policy 'hoard'"),
    ("config-unknown-policy-all", None, ["policy.all=wait"],
     "config key 'policy.all': unknown policy 'wait'"),
    ("config-negative-window", None, ["policy.defer.window_days=-1"],
     "config key 'policy.defer.window_days': expected a number of days >= 0"),
    ("config-rack-power-zero", None, ["hardware.rack_power_factor=0"],
     "config key 'hardware.rack_power_factor': expected a number > 0"),
    ("config-bad-online-date", None, ["output.online_dates=[2030-02-30]"],
     "config key 'output.online_dates'"),
    ("roadmap-gap", roadmap("rack_scale,b,2026Q1,2026Q4,t\nrack_scale,c,2027Q2,2027Q4,t"), [],
     "hardware_roadmap.csv: row 3, column 'first_quarter': family 'rack_scale' leaves a gap "
     "after b (expected 2027Q1, got 2027Q2)"),
    ("roadmap-overlap", roadmap("rack_scale,b,2026Q1,2026Q4,t\nrack_scale,c,2026Q3,2027Q4,t"),
     [], "hardware_roadmap.csv: row 3, column 'first_quarter': family 'rack_scale' overlaps b "
     "(expected 2027Q1, got 2026Q3)"),
    ("roadmap-bad-quarter", roadmap("rack_scale,b,2026Q5,2026Q4,t"), [],
     "hardware_roadmap.csv: row 2, column 'first_quarter': expected a quarter like 2026Q3"),
    ("hall-without-source", halls(source=""), ["+policy.owners.o1=resite"],
     "colocation_halls.csv: row 2, column 'source': expected a non-empty text"),
    ("hall-unknown-owner", halls(owners="o1;o7"), ["+policy.owners.o1=resite"],
     "colocation_halls.csv: row 2, column 'eligible_owners': unknown owner 'o7'"),
    ("config-wrong-type", None, ["seed=abc"], "config key 'seed'"),
    ("config-negative-seed", None, ["seed=-3"], "config key 'seed': expected a whole number"),
    ("config-horizon-before-start", None, ["horizon_end=2025-01-01"],
     "config key 'horizon_end': expected a date after start"),
    ("config-bad-date", None, ["horizon_end=2030-02-31"], "config key 'horizon_end'"),
    ("config-zero-replications", None, ["mc.replications=0"], "config key 'mc.replications'"),
    ("config-bad-backend", None, ["mc.backend=spark"], "config key 'mc.backend'"),
    ("config-negative-burn-in", None, ["rollout.burn_in_days=-1"],
     "config key 'rollout.burn_in_days'"),
    ("config-unknown-family", None, ["uncertainty.delivery_slip_days.dist=weibull"],
     "uncertainty.delivery_slip_days"),
    ("config-impossible-triangular", None, ["uncertainty.permit_factor.low=5"],
     "uncertainty.permit_factor: triangular needs low <= mode <= high"),
    ("config-unknown-entity", scenario_yaml("uncertainty:\n  overrides:\n"
                                            "    install/site=nowhere: {dist: fixed, value: 1}"),
     ["--config-dir={conf}", "+scenario=custom"],
     "config key 'uncertainty.overrides': unknown entity 'install/site=nowhere'"),
]

D, G = "data", [GRID_ON]
TECH = use_cooling_tech()
CB = ("hydra:\n  callbacks:\n    evil:\n      _target_: pathlib.Path.unlink\n"
      "      self: victim")
# Round two (issue 19): non-finite and out-of-range numbers, broken paths, config typos added
# with '+', scenario files that try to act, and the tracebacks listed in the issue.
CASES += [
    # 1. non-finite numbers in the grid tables (NaN loads used to switch N-1 off)
    ("grid-bus-load-nan", both(grid(), set_cell("grid/buses.csv", "load_mw", "nan", 0)), G,
     "buses.csv: row 2, column 'load_mw': expected a finite number"),
    ("grid-bus-load-all-nan", both(grid(), *(set_cell("grid/buses.csv", "load_mw", "NaN", r)
                                             for r in range(3))), G,
     "buses.csv: row 2, column 'load_mw': expected a finite number"),
    ("grid-bus-load-inf", both(grid(), set_cell("grid/buses.csv", "load_mw", "inf", 1)), G,
     "buses.csv: row 3, column 'load_mw': expected a finite number"),
    ("grid-bus-reserve-negative", both(grid(), set_cell("grid/buses.csv", "reserve_mw", "-5")),
     G, "buses.csv: row 2, column 'reserve_mw': expected a number >= 0"),
    ("grid-bus-lat-999", both(grid(), set_cell("grid/buses.csv", "lat", "999")), G,
     "buses.csv: row 2, column 'lat': expected a latitude"),
    ("grid-line-rating-nan", both(grid(), set_cell("grid/lines.csv", "rating_mw", "nan")), G,
     "lines.csv: row 2, column 'rating_mw': expected a finite number"),
    ("grid-line-rating-zero", both(grid(), set_cell("grid/lines.csv", "rating_mw", "0")), G,
     "lines.csv: row 2, column 'rating_mw': expected a number > 0"),
    ("grid-line-x-inf", both(grid(), set_cell("grid/lines.csv", "x_pu", "inf", 1)), G,
     "lines.csv: row 3, column 'x_pu': expected a finite number"),
    ("grid-line-short-row", both(grid(), short_row("grid/lines.csv", 1)), G,
     "lines.csv: row 3: fewer cells than header columns"),
    ("grid-line-bad-kind", both(grid(), set_cell("grid/lines.csv", "kind", "dc")), G,
     "lines.csv: row 2, column 'kind': expected one of ac, transformer, hvdc"),
    ("grid-line-setpoint-nan", both(grid(), set_cell("grid/lines.csv", "setpoint_mw", "nan")),
     G, "lines.csv: row 2, column 'setpoint_mw': expected a finite number"),
    ("grid-project-date-year-1", both(grid(), set_cell("grid/projects.csv", "planned_date",
                                                      "0001-01-01")), G,
     "projects.csv: row 2, column 'planned_date': expected a date between"),
    ("grid-project-delay-nan", both(grid(), set_cell("grid/projects.csv", "delay_median_days",
                                                    "nan")), G,
     "projects.csv: row 2, column 'delay_median_days': expected a finite number"),
    ("grid-site-bus-text", both(grid(), set_cell("grid/site_buses.csv", "bus", "three")), G,
     "site_buses.csv: row 2, column 'bus': expected a number"),
    # 2. a broken path is an error, never a silent fallback to the embedded table
    ("scen-sites-is-dir", replace_with("sites.csv", "dir"), [],
     "sites.csv: expected a regular file, found a directory"),
    ("scen-sites-symlink-loop", replace_with("sites.csv", "loop"), [],
     "sites.csv: expected a regular file, found a broken symbolic link"),
    ("scen-sites-dangling", replace_with("sites.csv", "dangling"), [],
     "sites.csv: expected a regular file, found a broken symbolic link"),
    ("scen-sites-fifo", replace_with("sites.csv", "fifo"), [],
     "sites.csv: expected a regular file, found a named pipe"),
    ("scen-phases-dangling", replace_with("site_phases.csv", "dangling"), [],
     "site_phases.csv: expected a regular file, found a broken symbolic link"),
    ("data-sites-is-dir", replace_with("sites.csv", "dir", D), [],
     "sites.csv: expected a regular file, found a directory"),
    ("data-owners-loop", replace_with("owners.csv", "loop", D), [],
     "owners.csv: expected a regular file, found a broken symbolic link"),
    ("scen-plan-is-dir", replace_with("plan.csv", "dir"), [],
     "plan.csv: expected a regular file, found a directory"),
    ("scen-deliveries-dangling", replace_with("deliveries.csv", "dangling"), [],
     "deliveries.csv: expected a regular file, found a broken symbolic link"),
    ("scen-grid-symlink-loop", both(grid(), replace_with("grid", "loop")), G,
     "grid: expected a folder, found a broken symbolic link"),
    ("scen-grid-is-file", both(grid(), replace_with("grid", "file")), G,
     "grid: expected a folder, found a file"),
    ("scen-grid-loop-grid-off", replace_with("grid", "loop"), [],
     "grid: expected a folder, found a broken symbolic link"),
    ("scen-climate-dangling", replace_with("climate", "dangling"), [],
     "climate: expected a folder, found a broken symbolic link"),
    ("data-cooling-fifo", replace_with("cooling.csv", "fifo", D), [],
     "cooling.csv: expected a regular file, found a named pipe"),
    ("scen-cooling-dir", both(TECH, replace_with("cooling.csv", "dir")), [],
     "cooling.csv: expected a regular file, found a directory"),
    ("scen-assessments-loop", replace_with("site_assessments.csv", "loop"), [],
     "site_assessments.csv: expected a regular file, found a broken symbolic link"),
    ("scen-energy-dir", replace_with("energy.csv", "dir"), [],
     "energy.csv: expected a regular file, found a directory"),
    ("plan-named-dangling", both(replace_with("plans/alt.csv", "dangling")), ["plan=alt"],
     "alt.csv: expected a regular file, found a broken symbolic link"),
    ("config-data-dir-missing", None, ["data_dir={tmp}/nowhere"],
     "nowhere: data directory not found"),
    ("config-scenario-dir-is-file", None, ["scenario_dir={scen}/plan.csv"],
     "plan.csv: expected a scenario directory, found a file"),
    # 3. config typos are refused whether written with '+' or not
    ("config-plus-typo-mc", None, ["+mc.replicatons=100"],
     "config key 'mc.replicatons': not a config key"),
    ("config-plus-typo-grid", None, ["+grid.hvdc_delay_year=4"],
     "config key 'grid.hvdc_delay_year': not a config key"),
    ("config-plus-typo-top", None, ["+replications=4"],
     "config key 'replications': not a config key"),
    ("config-plus-typo-rollout", None, ["+rollout.burn_in=3"],
     "config key 'rollout.burn_in': not a config key"),
    ("config-plus-typo-energy", None, ["+energy.tarif=100"],
     "config key 'energy.tarif': not a config key"),
    ("config-plus-typo-output", None, ["+output.figurs=false"],
     "config key 'output.figurs': not a config key"),
    ("config-plus-typo-assessment", None, ["+grid.assessment.enable=false"],
     "config key 'grid.assessment.enable': not a config key"),
    ("config-plusplus-typo", None, ["++mc.n_job=2"], "config key 'mc.n_job': not a config key"),
    ("config-typo-without-plus", None, ["mc.replicatons=100"], "config key 'mc.replicatons'"),
    ("overlay-unknown-key", *overlay("replications: 3"), "key 'replications': not a config key"),
    ("overlay-unknown-nested-key", *overlay("mc:\n  replicatons: 3"),
     "config key 'mc.replicatons'"),
    # 4. non-finite and out-of-range config numbers
    ("config-hvdc-delay-nan", None, ["grid.hvdc_delay_years=nan"],
     "config key 'grid.hvdc_delay_years': expected a finite number"),
    ("config-hvdc-delay-inf", None, ["grid.hvdc_delay_years=inf"],
     "config key 'grid.hvdc_delay_years': expected a finite number"),
    ("config-hvdc-delay-minus-inf", None, ["grid.hvdc_delay_years=-inf"],
     "config key 'grid.hvdc_delay_years'"),
    ("config-hvdc-delay-huge", None, ["grid.hvdc_delay_years=1e9"],
     "config key 'grid.hvdc_delay_years': expected a number of years between -100 and 100"),
    ("config-burn-in-inf", None, ["rollout.burn_in_days=inf"],
     "config key 'rollout.burn_in_days': expected a finite number"),
    ("config-burn-in-nan", None, ["rollout.burn_in_days=nan"],
     "config key 'rollout.burn_in_days': expected a finite number"),
    ("config-threshold-inf", None, ["grid.assessment.threshold_mw=inf"],
     "config key 'grid.assessment.threshold_mw': expected a finite number"),
    ("config-threshold-nan", None, ["grid.assessment.threshold_mw=nan"],
     "config key 'grid.assessment.threshold_mw'"),
    ("config-tariff-inf", None, ["energy.tariff_krw_per_kwh=inf"],
     "config key 'energy.tariff_krw_per_kwh': expected a finite number"),
    ("config-tariff-nan", None, ["energy.tariff_krw_per_kwh=nan"],
     "config key 'energy.tariff_krw_per_kwh'"),
    ("config-tariff-negative", None, ["energy.tariff_krw_per_kwh=-1"],
     "config key 'energy.tariff_krw_per_kwh': expected a number >= 0"),
    ("config-gpu-hour-inf", None, ["energy.gpu_hour_value_krw=inf"],
     "config key 'energy.gpu_hour_value_krw'"),
    ("config-approval-nan", None, ["grid.assessment.approval_elsewhere=nan"],
     "config key 'grid.assessment.approval_elsewhere'"),
    ("config-approval-above-one", None, ["grid.assessment.approval_capital_region=1.5"],
     "config key 'grid.assessment.approval_capital_region': expected a fraction"),
    ("config-spec-inf", None, ["uncertainty.permit_factor.high=inf"],
     "config key 'uncertainty.permit_factor.high': expected a finite number"),
    ("config-spec-nan", None, ["uncertainty.delivery_slip_days.mode=nan"],
     "config key 'uncertainty.delivery_slip_days.mode': expected a finite number"),
    ("config-duration-inf", None, ["grid.assessment.duration_days.median=inf"],
     "config key 'grid.assessment.duration_days.median': expected a finite number"),
    ("config-replications-huge", None, ["mc.replications=99999999999999999999"],
     "config key 'mc.replications'"),
    # 8. what used to be a traceback or a hang
    ("cooling-short-row", both(TECH, short_row("cooling.csv", 0)), [],
     "cooling.csv: row "),
    ("cooling-nan", both(TECH, set_cell("cooling.csv", "approach_c", "nan", 0)), [],
     "cooling.csv: row "),
    ("cooling-negative-derate", both(TECH, set_cell("cooling.csv", "derate_per_c", "-0.02")),
     [], "column 'derate_per_c': expected a number >= 0"),
    ("cooling-bad-ambient", both(TECH, set_cell("cooling.csv", "ambient", "moonlight")), [],
     "column 'ambient': expected one of"),
    ("cooling-cop-zero", both(TECH, set_cell("cooling.csv", "chiller_cop_max", "0")), [],
     "column 'chiller_cop_max': expected a number > 0"),
    ("cooling-supply-999", both(TECH, set_cell("cooling.csv", "facility_water_supply_c",
                                               "999")), [],
     "column 'facility_water_supply_c': expected a temperature"),
    ("climate-missing-month", both(TECH, delete_row("climate/stations_monthly.csv", 3)), [],
     "stations_monthly.csv: station 'seoul' has 11 monthly rows"),
    ("climate-duplicate-month", both(TECH, duplicate_row("climate/stations_monthly.csv", 3)),
     [], "stations_monthly.csv: row "),
    ("climate-month-13", both(TECH, set_cell("climate/stations_monthly.csv", "month", "13")),
     [], "column 'month': expected a month number 1-12"),
    ("climate-temp-nan", both(TECH, set_cell("climate/stations_monthly.csv", "t_mean_c",
                                             "nan")), [],
     "column 't_mean_c': expected a finite number"),
    ("climate-design-999", both(TECH, set_cell("climate/stations_design.csv",
                                               "design_wetbulb_c", "999")), [],
     "column 'design_wetbulb_c': expected a temperature"),
    ("climate-short-row", both(TECH, short_row("climate/stations_design.csv", 0)), [],
     "stations_design.csv: row 2: fewer cells"),
    ("config-horizon-9999", None, ["horizon_end=9999-12-31"],
     "config key 'horizon_end': expected a date between"),
    ("config-start-year-1", None, ["start=0001-01-01"],
     "config key 'start': expected a date between"),
    ("config-seed-2-64", None, ["seed=18446744073709551616"], "config key 'seed'"),
    ("config-seed-2-63", None, ["seed=9223372036854775808"], "config key 'seed'"),
    ("config-bogus-scheduler", None, ["mc.backend=dask", "mc.scheduler=bogus",
                                      "mc.replications=2"],
     "config key 'mc.scheduler': expected a Dask scheduler address"),
    ("config-scheduler-with-space", None, ["mc.backend=dask", "mc.scheduler='tcp://a b'",
                                           "mc.replications=2"], "config key 'mc.scheduler'"),
    # accepted without a word before
    ("sites-lat-999", set_cell("sites.csv", "lat", "999"), [],
     "sites.csv: row 2, column 'lat': expected a latitude between -90 and 90"),
    ("sites-lon-minus-999", set_cell("sites.csv", "lon", "-999"), [],
     "sites.csv: row 2, column 'lon': expected a longitude"),
    ("sites-lat-nan", set_cell("sites.csv", "lat", "nan"), [],
     "sites.csv: row 2, column 'lat': expected a finite number"),
    ("sites-status-typo", set_cell("sites.csv", "status", "operatng"), [],
     "sites.csv: row 2, column 'status': expected one of concept, planned"),
    ("phases-year-1", set_cell("site_phases.csv", "start_date", "0001-01-01"), [],
     "site_phases.csv: row 2, column 'start_date': expected a date between 1950-01-01"),
    ("phases-year-3000", set_cell("site_phases.csv", "start_date", "3000-01-01"), [],
     "site_phases.csv: row 2, column 'start_date': expected a date between"),
    ("assessments-unknown-site", lambda d, s: (d / "site_assessments.csv").write_text(
        "site,status,source\nnowhere,passed,test\n"), [],
     "site_assessments.csv: row 2, column 'site': unknown site 'nowhere'"),
    ("assessments-bad-status", lambda d, s: (s / "site_assessments.csv").write_text(
        "site,status,source\ns1,pased,test\n"), [],
     "site_assessments.csv: row 2, column 'status': expected one of passed"),
    ("connections-zero-forever", set_cell("site_connections.csv", "capacity_mw", "0"), [],
     "site_connections.csv: planned site 's1' never has a connection above 0 MW"),
    ("phases-zero-cooling", set_cell("site_phases.csv", "liquid_cooling_mw", "0"), [],
     "site_phases.csv: row 2: phase 'p1' of site 's1' has no cooling"),
    ("connections-year-1", set_cell("site_connections.csv", "date", "0001-01-01"), [],
     "site_connections.csv: row 2, column 'date': expected a date between"),
    # every other number column: non-finite or out of range
    ("hardware-kw-nan", set_cell("hardware.csv", "it_kw_per_unit", "nan"), [],
     "hardware.csv: row 2, column 'it_kw_per_unit': expected a finite number"),
    ("hardware-kw-inf", set_cell("hardware.csv", "it_kw_per_unit", "inf"), [],
     "hardware.csv: row 2, column 'it_kw_per_unit': expected a finite number"),
    ("hardware-share-nan", set_cell("hardware.csv", "liquid_heat_share", "nan"), [],
     "column 'liquid_heat_share': expected a finite number"),
    ("hardware-gpus-fraction", set_cell("hardware.csv", "gpus_per_unit", "2.5"), [],
     "column 'gpus_per_unit': expected a whole number > 0"),
    ("owners-allocation-1e30", set_cell("owners.csv", "allocation_gpus", "1e30"), [],
     "owners.csv: row 2, column 'allocation_gpus': expected a whole number > 0 and at most"),
    ("owners-allocation-inf", set_cell("owners.csv", "allocation_gpus", "inf"), [],
     "owners.csv: row 2, column 'allocation_gpus': expected a finite number"),
    ("plan-gpus-fraction", set_cell("plan.csv", "gpus", "39.5", where=S), [],
     "plan.csv: row 2, column 'gpus': expected a whole number > 0"),
    ("deliveries-gpus-1e30", set_cell("deliveries.csv", "gpus", "1e30", where=S), [],
     "deliveries.csv: row 2, column 'gpus': expected a whole number >= 0 and at most"),
    ("phases-it-inf", set_cell("site_phases.csv", "it_mw", "inf"), [],
     "site_phases.csv: row 2, column 'it_mw': expected a finite number"),
    ("phases-permit-nan", set_cell("site_phases.csv", "permit_days", "nan"), [],
     "site_phases.csv: row 2, column 'permit_days': expected a finite number"),
    ("phases-construction-inf", set_cell("site_phases.csv", "construction_days", "inf"), [],
     "column 'construction_days': expected a finite number"),
    ("phases-liquid-nan", set_cell("site_phases.csv", "liquid_cooling_mw", "nan"), [],
     "column 'liquid_cooling_mw': expected a finite number"),
    ("phases-air-negative", set_cell("site_phases.csv", "air_cooling_mw", "-1"), [],
     "column 'air_cooling_mw': expected a number >= 0"),
    ("connections-inf", set_cell("site_connections.csv", "capacity_mw", "inf"), [],
     "site_connections.csv: row 2, column 'capacity_mw': expected a finite number"),
    ("connections-nan", set_cell("site_connections.csv", "capacity_mw", "nan"), [],
     "site_connections.csv: row 2, column 'capacity_mw': expected a finite number"),
    ("sites-crews-fraction", set_cell("sites.csv", "crews", "2.5"), [],
     "sites.csv: row 2, column 'crews': expected a whole number > 0"),
    ("sites-rate-nan", set_cell("sites.csv", "racks_per_crew_per_day", "nan"), [],
     "column 'racks_per_crew_per_day': expected a finite number"),
    ("sites-ultimate-nan", set_cell("sites.csv", "ultimate_it_mw", "nan"), [],
     "sites.csv: row 2, column 'ultimate_it_mw': expected a finite number"),
    ("sites-ultimate-zero", set_cell("sites.csv", "ultimate_it_mw", "0"), [],
     "sites.csv: row 2, column 'ultimate_it_mw': expected a number > 0"),
    ("sites-pue-inf", set_cell("sites.csv", "design_pue", "inf"), [],
     "sites.csv: row 2, column 'design_pue': expected a finite number"),
    ("energy-value-nan", set_cell("energy.csv", "value", "nan", 0), [],
     "energy.csv: row "),
    ("energy-missing-row", delete_row("energy.csv", 0), [], "energy.csv: missing parameter"),
    ("energy-decline-above-one", both(set_cell("energy.csv", "value", "185", 0),
                                      replace_in("energy.csv", "decline_per_yr,0.03,",
                                                 "decline_per_yr,2,")), [],
     "energy.csv: row 6, column 'value': expected a yearly decline >= 0 and < 1"),
    ("sites-empty-file", lambda d, s: (d / "sites.csv").write_text(""), [],
     "sites.csv: missing column(s)"),
    ("plan-header-only", lambda d, s: (s / "plan.csv").write_text(
        "owner,site,sku,gpus,source\n"), [], "plan.csv: owner 'o1' plans 0 GPUs"),
    ("sites-binary", raw_bytes("sites.csv", bytes(range(256))), [], "sites.csv: "),
    ("plan-duplicate-after-comment", lambda d, s: (s / "plan.csv").write_text(
        "# a comment line\n" + (s / "plan.csv").read_text()
        + (s / "plan.csv").read_text().splitlines()[1] + "\n"), [],
     "plan.csv: row 4: duplicate owner/site/sku o1/s1/rack (first at row 3)"),
    # 10. scenario files set model keys only
    ("overlay-callback-unlink", *overlay(CB), "key 'hydra.callbacks.evil._target_' is not "
     "allowed in a scenario file"),
    ("overlay-callback-open", *overlay("hydra:\n  callbacks:\n    w:\n"
                                       "      _target_: builtins.open\n      file: x\n"),
     "key 'hydra.callbacks.w._target_' is not allowed in a scenario file"),
    ("overlay-job-chdir", *overlay("hydra:\n  job:\n    chdir: true"),
     "key 'hydra.job.chdir' is not allowed"),
    ("overlay-launcher", *overlay("hydra:\n  launcher:\n    n_jobs: 64"),
     "key 'hydra.launcher.n_jobs' is not allowed"),
    ("overlay-searchpath", *overlay("hydra:\n  searchpath: [file:///etc]"),
     "key 'hydra.searchpath' is not allowed"),
    ("overlay-output-subdir", *overlay("hydra:\n  output_subdir: null"),
     "key 'hydra.output_subdir' is not allowed"),
    ("overlay-defaults", *overlay("defaults:\n  - override /hydra/launcher: basic"),
     "key 'defaults': a scenario file may not pull in other configs"),
    ("overlay-not-mapping", *overlay("- just\n- a list"), "custom.yaml: "),
]


def _command(root: Path, edit: Edit | None, overrides: list[str]) -> tuple[list[str], Path]:
    """Write the micro scenario under `root`, apply the edit; the CLI arguments and run dir."""
    data, scen = Micro(racks=4).write(root)
    if edit is not None:
        edit(data, scen)
    out = root / "run"
    names = {"{conf}": root / "conf", "{scen}": scen, "{data}": data, "{tmp}": root}
    overrides = [_fill(o, names) for o in overrides]
    scenario = [] if any(o.startswith("+scenario") for o in overrides) else ["+scenario=apex"]
    flags = [o for o in overrides if o.startswith("--")]
    overrides = [o for o in overrides if not o.startswith("--")]
    if GRID_ON not in overrides:
        overrides.append("grid.enabled=false")
    return [*flags, *scenario, f"data_dir={data}", f"scenario_dir={scen}", "start=2026-01-01",
            "horizon_end=2035-12-31", *overrides, f"hydra.run.dir={out}"], out


@pytest.fixture(scope="module")
def outcomes(request, cli_server, tmp_path_factory) -> dict:
    """Every selected case run once, two at a time (each in its own forked process)."""
    selected = {item.callspec.id for item in request.session.items
                if item.name.startswith("test_bad_input_gives_one_clear_line[")}
    runs = {}
    for case_id, edit, overrides, _ in CASES:
        if case_id in selected:
            runs[case_id] = _command(tmp_path_factory.mktemp(case_id), edit, overrides)
    procs = cli_server.run_many([("sim", args) for args, _ in runs.values()], parallel=2)
    return {k: (proc, out) for (k, (_, out)), proc in zip(runs.items(), procs, strict=True)}


@pytest.mark.parametrize("expected", [pytest.param(x, id=i) for i, _, _, x in CASES])
def test_bad_input_gives_one_clear_line(outcomes, request, expected):
    proc, out = outcomes[request.node.callspec.id]
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and expected in lines[0], lines[0]
    assert not (out / "result.nc").exists() and not (out / "summary.json").exists()
    status = out / "status.json"
    if status.exists():
        assert json.loads(status.read_text())["status"] == "failed"


def _fill(text: str, names: dict[str, Path]) -> str:
    for key, path in names.items():
        text = text.replace(key, str(path))
    return text


def test_there_are_at_least_150_cases():
    assert len(CASES) >= 150
    assert len({c[0] for c in CASES}) == len(CASES)
