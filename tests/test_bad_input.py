"""Every kind of bad input stops the run with one line naming the file/row/column or config
key, exit status 2, no traceback, and no result file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

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
    ("deliveries-after-horizon", replace_in("deliveries.csv", "2026-01", "2040-01", S), [],
     "deliveries.csv: row 2, column 'quarter': delivery 2040-01 is after the horizon end"),
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


@pytest.mark.parametrize(("edit", "overrides", "expected"),
                         [pytest.param(e, o, x, id=i) for i, e, o, x in CASES])
def test_bad_input_gives_one_clear_line(cli_server, tmp_path, edit, overrides, expected):
    data, scen = Micro(racks=4).write(tmp_path)
    if edit is not None:
        edit(data, scen)
    out = tmp_path / "run"
    overrides = [o.replace("{conf}", str(tmp_path / "conf")) for o in overrides]
    scenario = [] if any(o.startswith("+scenario") for o in overrides) else ["+scenario=apex"]
    flags = [o for o in overrides if o.startswith("--")]
    overrides = [o for o in overrides if not o.startswith("--")]
    if GRID_ON not in overrides:
        overrides.append("grid.enabled=false")
    proc = cli_server.run("sim", *flags, *scenario, f"data_dir={data}", f"scenario_dir={scen}",
                   "start=2026-01-01", "horizon_end=2035-12-31", *overrides,
                   f"hydra.run.dir={out}")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and expected in lines[0], lines[0]
    assert not (out / "result.nc").exists() and not (out / "summary.json").exists()
    status = out / "status.json"
    if status.exists():
        assert json.loads(status.read_text())["status"] == "failed"


def test_there_are_at_least_30_cases():
    assert len(CASES) >= 30
