"""The dated grid's effect on the apex run, for docs/grid.md: per site, the `grid` and
`assessment` waits with competing loads on and off, and the capital region's hosting capacity
by year with the East Coast HVDC on time and two years late.

    python tools/grid_report.py            # prints the tables (markdown)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CAPITAL = ("Seoul", "Gyeonggi", "Incheon")


def waits(overrides: list[str]) -> dict[str, dict[str, float]]:
    """Per site: rack-days waiting for the grid and for the assessment (central run)."""
    from sim.app.configs import compose_config
    from sim.app.run import draws_for, inputs_for
    from sim.model.rollout import Rollout
    from sim.results.series import build_series
    from sim.uncertainty.draws import apply_draws

    cfg = compose_config(["+scenario=apex", *overrides])
    inputs = inputs_for(cfg)
    drawn = apply_draws(inputs, draws_for(cfg, inputs).replicate(0))
    series = build_series(Rollout(drawn).run(), drawn)
    out = {}
    for j, site in enumerate(series.sites):
        if site not in inputs.plan_sites:
            continue
        row = dict(zip(series.causes, series.wait_days[j].sum(axis=0), strict=True))
        out[site] = {c: float(row.get(c, 0.0)) for c in ("grid", "assessment", "local_power")}
    return out


def capital_hosting(shift_days: float, years: range) -> dict[int, tuple[float, int]]:
    """Mean LP hosting capacity (MW) over the capital region's buses and how many of them can
    take 100 MW, per year, with the East Coast HVDC phases at their planned dates plus
    ``shift_days`` (central dates: planned + median delay)."""
    import datetime as dt

    import numpy as np

    from sim.grid.grid import dated_grid
    from sim.grid.network import DATA_DIR
    from sim.grid.projects import read_projects

    projects = read_projects(DATA_DIR / "projects.csv")
    grid = dated_grid(year=years[0])
    buses = [b for b in grid.bus_ids if grid.graph.nodes[b]["province"] in CAPITAL]
    out = {}
    for year in years:
        peak = dt.date(year, 8, 1)
        done = {p for p, prj in projects.items()
                if prj.planned_date + dt.timedelta(days=prj.delay_median_days
                                                   + (shift_days if p.startswith("ec_") else 0))
                <= peak}
        state = grid.fresh(year=year)
        state.apply_projects(done)
        hosting = np.array([state.programme.hosting_mw(state.index(b)) for b in buses])
        out[year] = (float(hosting.mean()), int((hosting >= 100.0 - 1e-6).sum()))
    return out


def main() -> None:
    on, off = waits([]), waits(["grid.competing_loads=false"])
    print("| site | grid, loads on | grid, loads off | assessment, on | assessment, off |")
    print("|---|---:|---:|---:|---:|")
    for site in on:
        print(f"| {site} | {on[site]['grid']:,.0f} | {off[site]['grid']:,.0f} | "
              f"{on[site]['assessment']:,.0f} | {off[site]['assessment']:,.0f} |")
    years = range(2026, 2036)
    planned, late = capital_hosting(0.0, years), capital_hosting(730.0, years)
    n = len([b for b in capital_buses()])
    print(f"\n| year | mean hosting at the {n} capital-region buses, EC HVDC as planned (MW) "
          "| two years late (MW) | difference | buses taking 100 MW: planned / late |")
    print("|---|---:|---:|---:|---:|")
    for y in years:
        (a, na), (b, nb) = planned[y], late[y]
        a, b = round(a) + 0, round(b) + 0     # no "-0" for a hosting of -1e-9 MW
        print(f"| {y} | {a:,.0f} | {b:,.0f} | {a - b:+,.0f} | {na} / {nb} |")


def capital_buses() -> list[int]:
    from sim.grid.network import DATA_DIR, load_graph

    graph = load_graph(DATA_DIR)
    return [b for b, d in graph.nodes(data=True) if d["province"] in CAPITAL]


if __name__ == "__main__":
    main()
