"""The short table printed at the end of a run (P50 dates when replicated)."""

from __future__ import annotations

from pathlib import Path

PCTS = ("25", "50", "90", "100")


def _date(value) -> str:
    if isinstance(value, dict):     # Monte Carlo: p10/p50/p90
        value = value.get("p50")
    return "not by horizon" if value is None else value


def _count(value) -> str:
    return f"{value['p50'] if isinstance(value, dict) else value:,}"


def print_summary(result: dict, out_dir: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    replicated = result.get("replications", 1) > 1
    label = " (P50 of {} replications)".format(result["replications"]) if replicated else ""
    table = Table(title=f"{result['scenario']}: GPUs online (target "
                        f"{result['target_gpus']:,}){label}")
    table.add_column("who")
    for pct in PCTS:
        table.add_column(f"{pct} % online")
    table.add_column("online at horizon", justify="right")
    for who, dates in result["milestones"].items():
        table.add_row(who, *[_date(dates[p]) for p in PCTS],
                      _count(result["online_at_horizon"][who]))
    console.print(table)
    sites = Table(title="What holds each site back")
    for column in ("site", "planned GPUs", "all online", "binding constraint"):
        sites.add_column(column)
    for site, info in result["sites"].items():
        sites.add_row(site, f"{info['gpus_planned']:,}", _date(info["full_operation"]),
                      info["binding_constraint"])
    console.print(sites)
    console.print(f"outputs: {out_dir}")
