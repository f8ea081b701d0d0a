"""Where the plan search may put each owner's GPUs: the owners' placement rules
(`--placement`) and the colocation halls those rules open (sim.inputs.moves.allowed_sites)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.core import schemas
from sim.core.config import SimConfig
from sim.core.errors import InputError
from sim.core.paths import locate
from sim.inputs.halls import hall_owners, with_halls
from sim.inputs.moves import PLACEMENTS
from sim.inputs.records import Inputs


@dataclass(frozen=True)
class Placement:
    """Where each owner's GPUs may go (sim.inputs.moves.allowed_sites): a rule for every
    owner, `by_owner` for some, and the colocation halls (hall id -> owners it takes)."""

    rule: str = "own"
    by_owner: dict[str, str] = field(default_factory=dict)
    halls: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def of(self, owner: str) -> str:
        return self.by_owner.get(owner, self.rule)


def parse_placement(text: str, owners: list[str]) -> tuple[str, dict[str, str]]:
    """`own`, `anywhere,hyundai=colocation`, ... -> (rule for all, rule per owner)."""
    rule, by_owner = "own", {}
    for token in (t.strip() for t in text.split(",") if t.strip()):
        owner, _, value = token.rpartition("=")
        if value not in PLACEMENTS:
            raise InputError(f"--placement: unknown rule {value!r} in {token!r} (expected "
                             f"{', '.join(PLACEMENTS)}, for all or as OWNER=RULE)")
        if owner and owner not in owners:
            raise InputError(f"--placement: unknown owner {owner!r} (known: "
                             f"{', '.join(owners)})")
        if owner:
            by_owner[owner] = value
        else:
            rule = value
    return rule, by_owner


def placement_inputs(cfg: SimConfig, inputs: Inputs, owners: list[str], rule: str,
                     by_owner: dict[str, str]) -> tuple[Inputs, Placement]:
    """The placement, and `inputs` with every hall it may use as a site (for its room)."""
    rules = {by_owner.get(o, rule) for o in owners}
    if rules == {"own"}:
        return inputs, Placement(rule, by_owner)
    rows = schemas.read(locate("colocation_halls.csv", cfg.resolved_data_dir(),
                               cfg.resolved_scenario_dir()), "colocation_halls.csv")
    placement = Placement(rule, by_owner, hall_owners(rows))
    takers = {o for o in owners if placement.of(o) != "own"}
    return with_halls(inputs, rows, takers), placement
