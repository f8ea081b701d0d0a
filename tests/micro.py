"""Build tiny, hand-checkable scenarios as CSV tables in a temporary directory."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sim.core.config import PolicyConfig
from sim.inputs.catalog import load_inputs
from sim.inputs.records import Inputs

START = dt.date(2026, 1, 1)


def write_csv(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def date_plus(days: int) -> str:
    return (START + dt.timedelta(days=days)).isoformat()


@dataclass
class Micro:
    """One site `s1`, one owner `o1`, one SKU `rack` (10 GPUs, 100 kW, all heat to liquid).

    Defaults: space, cooling and power ample from day 0; 1 crew installing 1 rack/day;
    a stated PUE of 1.0 (no cooling technology) so facility MW = IT MW; burn-in 0 days.
    `cooling_mw` is the liquid loop's nameplate. Override fields to build a case.
    """

    racks: int = 4
    delivery_period: str = "2026-01"
    it_mw: float = 100.0
    cooling_mw: float = 100.0
    air_cooling_mw: float = 0.0
    liquid_share: float = 1.0
    cooling_tech: str = ""
    climate_station: str = "seoul"
    phase_ready_day: int = 0
    connection: list[tuple[int, float]] = field(default_factory=lambda: [(0, 100.0)])
    crews: int = 1
    racks_per_crew_per_day: float = 1.0
    design_pue: float = 1.0
    burn_in_days: float = 0.0
    horizon_days: int = 3650

    def write(self, root: Path) -> tuple[Path, Path]:
        data, scen = root / "data", root / "scenario"
        src = {"source": "test"}
        write_csv(data / "hardware.csv", [{"sku": "rack", "name": "test rack",
                  "gpus_per_unit": 10, "it_kw_per_unit": 100,
                  "liquid_heat_share": self.liquid_share, "weight_kg": 1000,
                  "network_storage_overhead_share": 0, **src}])
        write_csv(data / "owners.csv", [{"owner": "o1", "name": "Owner 1",
                  "allocation_gpus": self.racks * 10, **src}])
        write_csv(data / "sites.csv", [{"site": "s1", "name": "Site 1", "lat": 36, "lon": 127,
                  "province": "sejong", "capital_region": "false", "owners": "o1",
                  "status": "planned", "climate_station": self.climate_station, "crews": self.crews,
                  "racks_per_crew_per_day": self.racks_per_crew_per_day,
                  "ultimate_it_mw": 1000, "cooling_tech": self.cooling_tech,
                  "design_pue": "" if self.cooling_tech else self.design_pue, **src}])
        write_csv(data / "site_phases.csv", [{"site": "s1", "phase": "p1", "it_mw": self.it_mw,
                  "liquid_cooling_mw": self.cooling_mw,
                  "air_cooling_mw": self.air_cooling_mw,
                  "start_date": date_plus(self.phase_ready_day),
                  "permit_days": 0, "construction_days": 0, **src}])
        write_csv(data / "site_connections.csv", [
            {"site": "s1", "date": date_plus(day), "capacity_mw": mw, "project": f"step{day}",
             **src} for day, mw in self.connection])
        write_csv(scen / "deliveries.csv", [{"owner": "o1", "quarter": self.delivery_period,
                  "gpus": self.racks * 10, **src}])
        write_csv(scen / "plan.csv", [{"owner": "o1", "site": "s1", "sku": "rack",
                  "gpus": self.racks * 10, **src}])
        return data, scen

    def inputs(self, root: Path, policy: PolicyConfig | None = None) -> Inputs:
        data, scen = self.write(root)
        return load_inputs(data, scen, START, START + dt.timedelta(days=self.horizon_days),
                           self.burn_in_days, policy=policy)


def hall_row(owners: str = "o1", source: str = "test", it_mw: float = 0.25,
             transfer_days: float = 30, available_day: int = 0) -> dict:
    """One colocation hall `h1`: liquid loop, stated PUE 1.0, 1 crew at 1 rack/day."""
    return {"hall_id": "h1", "operator": "op", "name": "Hall 1", "lat": 37.5, "lon": 127,
            "province": "seoul", "capital_region": "true", "it_mw_total": 1,
            "it_mw_available": it_mw, "available_from": date_plus(available_day),
            "liquid_capable": "true", "max_rack_kw": "", "transfer_days": transfer_days,
            "colocation_cost_krw_per_kw_month": 300000, "eligible_owners": owners,
            "design_pue": 1.0, "climate_station": "seoul", "crews": 1,
            "racks_per_crew_per_day": 1, "replaces_site": "", "source": source}
