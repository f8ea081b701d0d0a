"""Ways to buy time as plan-search moves (`python -m sim.search --options`): switch on one
on-site bridging plant (power_options.csv) or a flexible connection at a site of a movable
owner, next to the block moves of re-siting. An option move is a dict
{owner, site, option: bridging|flexible, value}; it changes the config's `options`, not the
plan."""

from __future__ import annotations

from dataclasses import replace

from sim.core.config import SimConfig
from sim.inputs.options import (
    Catalogue,
    bridges_allowed,
    flexible_possible,
    planned_sites,
    wanted,
)
from sim.inputs.records import Inputs

KINDS = ("bridging", "flexible")


def is_option(move: dict) -> bool:
    return "option" in move


def split_moves(moves: list[dict]) -> tuple[list[dict], list[dict]]:
    """(plan moves, option moves)."""
    return [m for m in moves if not is_option(m)], [m for m in moves if is_option(m)]


def with_options(cfg: SimConfig, moves: list[dict]) -> SimConfig:
    """`cfg` with the option moves switched on (a later move at a site replaces an earlier)."""
    bridging, flexible = dict(cfg.options.bridging), dict(cfg.options.flexible)
    for move in moves:
        if move["option"] == "bridging":
            bridging[move["site"]] = move["value"]
        else:
            flexible[move["site"]] = bool(move["value"])
    return replace(cfg, options=replace(cfg.options, bridging=bridging, flexible=flexible))


def option_neighbours(inputs: Inputs, cat: Catalogue, owners: list[str],
                      cfg: SimConfig) -> list[dict]:
    """Every option not yet on at a planned site of `owners`."""
    out = []
    for owner in owners:
        for site in planned_sites(inputs, owner):
            if not wanted(cfg.options.bridging.get(site, "none")):
                out += [{"owner": owner, "site": site, "option": "bridging", "value": name}
                        for name in bridges_allowed(cat, site)]
            if flexible_possible(inputs) and not cfg.options.flexible.get(site, False):
                out.append({"owner": owner, "site": site, "option": "flexible",
                            "value": True})
    return out


def overrides(moves: list[dict]) -> list[str]:
    """The option moves as command-line overrides."""
    return [f"options.{m['option']}.{m['site']}={str(m['value']).lower()}" for m in moves]
