"""Plain-language notes of a summary: milestones that lie beyond the horizon."""

from __future__ import annotations


def _reached(value) -> bool:
    """A milestone date (or its P50 when replicated) exists within the horizon."""
    if isinstance(value, dict):
        return value.get("p50") is not None
    return value is not None


def horizon_notes(milestones: dict[str, dict], horizon_end: str) -> list[str]:
    """One line naming, per owner (and the total), the milestones not reached by the horizon
    (their P50 when replicated); no line when every milestone is dated."""
    parts = []
    for who, dates in milestones.items():
        missing = [pct for pct, value in dates.items() if not _reached(value)]
        if missing:
            parts.append(f"{who} {'/'.join(missing)} %")
    if not parts:
        return []
    return [f"after the horizon {horizon_end} (not dated): {', '.join(parts)} online; "
            "extend horizon_end to date them"]
