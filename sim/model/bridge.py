"""On-site bridging plants: facility MW at a site from the plant's ready day that need neither
the local connection, nor the backbone queue, nor KEPCO's assessment (the plant is not KEPCO
supply). A plant retires at the first gate opening of its site on which every power check can
carry the racks it powers and the racks waiting there that it could still power: the racks it
powers then move onto the grid (committed to the checks). A plant that never powers a rack
never retires (it costs its capex, no fuel)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sim.inputs.records import Bridge
from sim.model.power import Action

EPS_MW = 1e-9


class BridgePower:
    """The bridges of a run: capacity, use and retirement per site."""

    def __init__(self, bridges: Iterable[Bridge]):
        self.bridges = {b.site: b for b in bridges}
        self.level_mw: dict[str, float] = {}
        self.used_mw: dict[str, float] = {}
        #: (site, day, MW in use after the change): integrate for the bridge's energy
        self.history: list[tuple[str, float, float]] = []
        #: site -> (ready day, retire day) once retired
        self.retired: dict[str, float] = {}

    def room_mw(self, site: str) -> float:
        return self.level_mw.get(site, 0.0) - self.used_mw.get(site, 0.0)

    def take(self, site: str, mw: float, day: float) -> None:
        if mw > 0:
            self.used_mw[site] = self.used_mw.get(site, 0.0) + mw
            self.history.append((site, day, self.used_mw[site]))

    def actions(self) -> Iterable[Action]:
        for bridge in self.bridges.values():
            yield bridge.ready_day, bridge.site, self._starter(bridge)

    def _starter(self, bridge: Bridge) -> Callable[[], None]:
        def start() -> None:
            self.level_mw[bridge.site] = bridge.mw
            self.used_mw.setdefault(bridge.site, 0.0)
        return start

    def replaceable(self, site: str, checks: list, waiting_mw: float = 0.0) -> bool:
        """Can every power check carry what the plant powers and what it could still power
        for racks waiting at the site (`waiting_mw`, up to its free capacity)?"""
        used = self.used_mw.get(site, 0.0)
        if used <= EPS_MW or site in self.retired:
            return False
        used += min(max(0.0, waiting_mw), self.room_mw(site))
        # a probe, not a wait: keep the checks' binding-line counts as they were
        counts = {id(c): c.binding_lines[site].copy() for c in checks
                  if hasattr(c, "binding_lines") and site in c.binding_lines}
        fits = all(min(check.max_units(site, used, 1).values()) >= 1 for check in checks)
        for check in checks:
            if hasattr(check, "binding_lines"):
                if id(check) in counts:
                    check.binding_lines[site] = counts[id(check)]
                else:
                    check.binding_lines.pop(site, None)
        return fits

    def retire(self, site: str, checks: list, day: float) -> None:
        """Move the plant's racks onto the grid and switch the plant off."""
        used = self.used_mw.get(site, 0.0)
        if used > 0:
            for check in checks:
                check.commit(site, used)
        self.used_mw[site] = 0.0
        self.level_mw[site] = 0.0
        self.retired[site] = day
        self.history.append((site, day, 0.0))

    def energy_mwh(self, site: str, horizon_day: float) -> float:
        """MWh the bridge supplied (facility MW at design PUE, from the use history)."""
        steps = [(d, mw) for s, d, mw in self.history if s == site]
        if not steps:
            return 0.0
        total = 0.0
        for (day, mw), (nxt, _) in zip(steps, [*steps[1:], (horizon_day, 0.0)], strict=True):
            total += mw * max(0.0, min(nxt, horizon_day) - day) * 24.0
        return total
