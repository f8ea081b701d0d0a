"""Names of the causes a rack can wait for, shared by the model, results and outputs."""

from __future__ import annotations

SPACE = "space"
#: the site's own connection, when it is the only power check
POWER = "power"
#: the site's own connection, when the backbone or the assessment also check power
LOCAL_POWER = "local_power"
GRID = "grid"
ASSESSMENT = "assessment"
COOLING = "cooling"
INSTALL = "install"
BURN_IN = "burn_in"

#: Causes that gate a rack; install and burn-in are fixed stages, not binding constraints.
GATING = (SPACE, POWER, LOCAL_POWER, GRID, ASSESSMENT, COOLING)
STAGES = (INSTALL, BURN_IN)


def cause_names(grid: bool, assessment: bool) -> tuple[str, ...]:
    """The causes a run reports, in the order the model lists them."""
    extra = (GRID,) * grid + (ASSESSMENT,) * assessment
    local = LOCAL_POWER if extra else POWER
    return (SPACE, local, *extra, COOLING, *STAGES)
