"""Ways to buy time (sim/data/options/, every row sourced): on-site bridging plants, direct
contracts in distributed-energy special zones and flexible connections, read, checked and
turned into the run's `Bridge`/`DirectContract` records and its set of flexible sites.

What each option bypasses follows korea-connections-options.md §C: an on-site plant is not
KEPCO supply (no wires, no backbone queue, no assessment for its own MW); a zone contract
changes the retailer only (delivery still over KEPCO wires, no assessment exemption seen), so
it changes price and emissions, not dates; a flexible connection is a scenario switch (Korea
has no load-side non-firm product) letting a site use its N-0 limit above its firm headroom.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from pathlib import Path

from sim.core import schemas
from sim.core.config import OptionsConfig
from sim.core.errors import InputError
from sim.core.paths import DATA_DIR
from sim.inputs.records import Bridge, DirectContract, FlexibleRules, Inputs
from sim.inputs.roadmap import planned_it_mw

OFF = ("", "none", "null", "false")
#: power_options.csv fuels that need a gas pipeline at the site
GAS_FUELS = ("natural_gas_fuel_cell", "natural_gas_chp")


@dataclass(frozen=True)
class PowerOption:
    """One on-site technology, per MW of electrical output."""

    option: str
    fuel: str
    unit_mw: float
    lead_days: float
    earliest: dt.date | None
    capex_krw_per_mw: float
    efficiency: float
    availability: float
    #: per MWh of electricity: tCO2e and fuel KRW (fuel factor and price / efficiency)
    t_co2e_per_mwh: float
    fuel_krw_per_mwh: float


@dataclass(frozen=True)
class Zone:
    zone: str
    designated: dt.date
    sites: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """The option tables of a run."""

    folder: Path
    options: dict[str, PowerOption]
    zones: dict[str, Zone]
    contracts: dict[str, dict]
    #: row number of each contract in direct_contracts.csv (for messages)
    contract_rows: dict[str, int]
    fuels: dict[str, tuple[float, float]]
    gas: dict[str, bool]
    zone_rules: dict[str, float]
    flexible: FlexibleRules | None = None

    def zone_of(self, site: str) -> Zone | None:
        return next((z for z in self.zones.values() if site in z.sites), None)


def _read(folder: Path, name: str):
    return schemas.read(folder / name, f"options/{name}")


def read_fuels(folder: Path) -> dict[str, tuple[float, float]]:
    """fuel -> (tCO2e per MWh of fuel, KRW per MWh of fuel); a fuel must state its factor."""
    rows, out = _read(folder, "fuels.csv"), {}
    for number, row in zip(rows.lines, rows, strict=True):
        if row["t_co2e_per_mwh_fuel"] is None:
            raise InputError(f"{folder / 'fuels.csv'}: row {number}, column "
                             f"'t_co2e_per_mwh_fuel': fuel {row['fuel']!r} has no emission "
                             "factor (expected tCO2e per MWh of fuel)")
        out[row["fuel"]] = (row["t_co2e_per_mwh_fuel"], row["price_krw_per_mwh_fuel"])
    return out


def read_power_options(folder: Path, fuels: dict[str, tuple[float, float]]
                       ) -> dict[str, PowerOption]:
    rows, out = _read(folder, "power_options.csv"), {}
    for number, row in zip(rows.lines, rows, strict=True):
        if row["fuel"] not in fuels:
            raise InputError(f"{folder / 'power_options.csv'}: row {number}, column 'fuel': "
                             f"unknown fuel {row['fuel']!r} (fuels.csv: {', '.join(fuels)})")
        if row["efficiency"] <= 0:
            raise InputError(f"{folder / 'power_options.csv'}: row {number}, column "
                             f"'efficiency': expected a share > 0, got {row['efficiency']}")
        factor, price = fuels[row["fuel"]]
        out[row["option"]] = PowerOption(
            row["option"], row["fuel"], row["unit_mw"], row["permit_days"] + row["works_days"],
            row["earliest_date"], row["capex_krw_per_mw"], row["efficiency"],
            row["availability"], factor / row["efficiency"], price / row["efficiency"])
    return out


def read_catalogue(folder: Path, known_sites: set[str]) -> Catalogue:
    """Every option table of `folder`, cross-checked (sites, fuels, zone caps)."""
    fuels = read_fuels(folder)
    zones = {}
    rows = _read(folder, "special_zones.csv")
    for number, row in zip(rows.lines, rows, strict=True):
        for site in row["sites"] or ():
            if site not in known_sites:
                raise InputError(f"{folder / 'special_zones.csv'}: row {number}, column "
                                 f"'sites': unknown site {site!r}")
        zones[row["zone"]] = Zone(row["zone"], row["designated_date"], row["sites"] or ())
    rules = {r["parameter"]: r["value"] for r in _read(folder, "zone_rules.csv")}
    gas = {r["site"]: r["gas_pipeline"] for r in _read(folder, "site_gas.csv")}
    catalogue = Catalogue(folder, read_power_options(folder, fuels), zones, {}, {}, fuels, gas,
                          rules, read_flexible(folder))
    rows = _read(folder, "direct_contracts.csv")
    for number, row in zip(rows.lines, rows, strict=True):
        _check_contract(catalogue, row, number, known_sites)
        catalogue.contracts[row["contract"]] = row
        catalogue.contract_rows[row["contract"]] = number
    return catalogue


def read_flexible(folder: Path) -> FlexibleRules:
    """Outage rate, outage hours, tolerance and the load-duration curve."""
    values = {r["parameter"]: r["value"] for r in _read(folder, "flexible.csv")}
    rows = sorted(_read(folder, "load_duration.csv"), key=lambda r: -r["share_of_peak"])
    return FlexibleRules(values["fault_rate_per_100km_yr"], values["outage_hours"],
                         values["tolerance_share_of_hours"],
                         tuple(r["share_of_peak"] for r in rows),
                         tuple(r["share_of_hours"] for r in rows))


def _check_contract(cat: Catalogue, row: dict, number: int, known_sites: set[str]) -> None:
    """A contract's site lies in a zone, its plant within the distributed-energy cap, its
    fuel known."""
    where = f"{cat.folder / 'direct_contracts.csv'}: row {number}, column"
    if row["site"] not in known_sites:
        raise InputError(f"{where} 'site': unknown site {row['site']!r}")
    if cat.zone_of(row["site"]) is None:
        raise InputError(f"{where} 'site': site {row['site']!r} is outside every special zone "
                         "(special_zones.csv); direct trade is allowed only inside a zone")
    cap = cat.zone_rules["max_chp_mw" if row["plant_kind"] == "chp" else "max_generator_mw"]
    if row["mw"] > cap:
        raise InputError(f"{where} 'mw': {row['mw']} MW is above the {cap:g} MW cap of a "
                         f"distributed {row['plant_kind']} (zone_rules.csv)")
    if row["fuel"] not in cat.fuels:
        raise InputError(f"{where} 'fuel': unknown fuel {row['fuel']!r} "
                         f"(fuels.csv: {', '.join(cat.fuels)})")


def gap_mw(inputs: Inputs, site: str, day: float) -> float:
    """Facility MW the site's plan needs (planned IT MW within what the site can hold, at
    design PUE) above its connection level on `day`: the default size of a bridge."""
    it_mw = min(planned_it_mw(inputs).get(site, 0.0), inputs.sites[site].ultimate_it_mw,
                sum(p.it_mw for p in inputs.phases if p.site == site))
    pue = inputs.plants[site].design_pue if site in inputs.plants else 1.0
    steps = sorted((s.day, s.capacity_mw) for s in inputs.connections if s.site == site)
    level = max([mw for d, mw in steps if d <= day], default=0.0)
    return max(0.0, it_mw * pue - level)


def make_bridge(inputs: Inputs, cat: Catalogue, site: str, option: str,
                mw: float | None = None) -> Bridge:
    """The bridge of `option` at `site`: sized to `mw` (default: what the plan needs above the
    connection level on the ready day, `gap_mw`), rounded up to whole units (at least one);
    ready after its lead time, not before its earliest date."""
    key = f"config key 'options.bridging.{site}'"
    if site not in inputs.sites:
        raise InputError(f"{key}: unknown site {site!r}")
    if option not in cat.options:
        raise InputError(f"{key}: unknown option {option!r} (power_options.csv: "
                         f"{', '.join(cat.options)})")
    plant = cat.options[option]
    if plant.fuel in GAS_FUELS and not cat.gas.get(site, False):
        raise InputError(f"{key}: {option} burns gas but site {site!r} has no gas pipeline "
                         "(options/site_gas.csv)")
    ready = plant.lead_days
    if plant.earliest is not None:
        ready = max(ready, inputs.day_of(plant.earliest))
    size = mw if mw is not None else gap_mw(inputs, site, ready)
    units = max(1, math.ceil(size / plant.unit_mw - 1e-9))
    mw_built = units * plant.unit_mw
    return Bridge(site, option, mw_built, max(0.0, ready), mw_built * plant.capex_krw_per_mw,
                  plant.fuel_krw_per_mwh, plant.t_co2e_per_mwh)


def make_direct(inputs: Inputs, cat: Catalogue, site: str, contract: str) -> DirectContract:
    key = f"config key 'options.direct.{site}'"
    row = cat.contracts.get(contract)
    if row is None:
        raise InputError(f"{key}: unknown contract {contract!r} (direct_contracts.csv: "
                         f"{', '.join(cat.contracts) or 'none'})")
    if row["site"] != site:
        raise InputError(f"{key}: contract {contract!r} is for site {row['site']!r}")
    zone = cat.zone_of(site)
    start = max(inputs.day_of(row["start_date"]), inputs.day_of(zone.designated), 0.0)
    factor = cat.fuels[row["fuel"]][0] / row["efficiency"]
    return DirectContract(contract, site, row["mw"], start, cat.zone_rules[
        "min_self_supply_share"], factor, row["price_discount"])


def bridges_allowed(cat: Catalogue, site: str) -> list[str]:
    """The on-site plants a site may host (a gas-fired one only where the site has gas)."""
    return [name for name, plant in cat.options.items()
            if plant.fuel not in GAS_FUELS or cat.gas.get(site, False)]


def planned_sites(inputs: Inputs, owner: str) -> list[str]:
    """The sites of `owner`'s plan that the run's site table has, in plan order."""
    return [s for s in dict.fromkeys(r.site for r in inputs.plan if r.owner == owner)
            if s in inputs.sites]


def flexible_possible(inputs: Inputs) -> bool:
    """A flexible connection needs the dispatched grid (its N-0 and N-1 limits)."""
    return inputs.grid is not None and inputs.grid.rules is not None


def wanted(value: object) -> bool:
    """Is a config option value switched on?"""
    return str(value).strip().lower() not in OFF


def with_options(inputs: Inputs, cfg: OptionsConfig, cat: Catalogue) -> Inputs:
    """`inputs` with the options `cfg` switches on."""
    bridges = tuple(make_bridge(inputs, cat, site, str(option), cfg.bridge_mw.get(site))
                    for site, option in cfg.bridging.items() if wanted(option))
    direct = tuple(make_direct(inputs, cat, site, str(contract))
                   for site, contract in cfg.direct.items() if wanted(contract))
    flexible = set()
    for site, on in cfg.flexible.items():
        if on and site not in inputs.sites:
            raise InputError(f"config key 'options.flexible.{site}': unknown site {site!r}")
        if on:
            flexible.add(site)
    if flexible and not flexible_possible(inputs):
        raise InputError("config key 'options.flexible': a flexible connection needs the "
                         "dispatched grid (grid.enabled=true, grid.dispatch=true)")
    return replace(inputs, bridges=bridges, direct=direct, flexible=frozenset(flexible),
                   flexible_rules=cat.flexible)


def any_option(cfg: OptionsConfig) -> bool:
    return (any(wanted(v) for v in cfg.bridging.values())
            or any(wanted(v) for v in cfg.direct.values())
            or any(bool(v) for v in cfg.flexible.values()) or cfg.evaluate)


def embedded_sites() -> set[str]:
    return {r["site"] for r in schemas.read(DATA_DIR / "sites.csv", "sites.csv")}
