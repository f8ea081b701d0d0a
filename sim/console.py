"""The short table printed at the end of a run."""

from __future__ import annotations

from pathlib import Path


def print_summary(result: dict, out_dir: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"{result['scenario']}: GPUs online (target {result['target_gpus']:,})")
    table.add_column("who")
    for pct in ("25", "50", "90", "100"):
        table.add_column(f"{pct} % online")
    table.add_column("online at horizon", justify="right")
    for who, dates in result["milestones"].items():
        cells = [_cell(dates[p]) for p in ("25", "50", "90", "100")]
        table.add_row(who, *cells, f"{result['online_at_horizon'][who]:,}")
    console.print(table)
    sites = Table(title="What holds each site back")
    for column in ("site", "planned", "online at horizon", "binding constraint"):
        sites.add_column(column)
    for site, info in result["sites"].items():
        sites.add_row(site, f"{info['gpus_planned']:,}", f"{info['gpus_online_at_horizon']:,}",
                      info["binding_constraint"])
    console.print(sites)
    console.print(f"outputs: {out_dir}")


def _cell(value) -> str:
    return "not by horizon" if value is None else value
