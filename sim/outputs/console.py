"""The short tables printed at the end of a run (P50 when replicated); the output directory is
printed whatever `output.console_table` says."""

from __future__ import annotations

from pathlib import Path

from sim.core.paths import relative_to_cwd
from sim.outputs.buying import console_lines
from sim.outputs.connections import connections_table

PCTS = ("25", "50", "90", "100")


def _date(value) -> str:
    if isinstance(value, dict):     # Monte Carlo: p10/p50/p90
        value = value.get("p50")
    return "not by horizon" if value is None else value


def _count(value) -> str:
    return f"{value['p50'] if isinstance(value, dict) else value:,}"


def tables_text(result: dict, width: int = 100) -> str:
    """The result tables and notes as plain text (a sweep job writes them to summary.txt)."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False)
    for table in (_milestones(result), _why_table(result), _online_at_dates(result),
                  _sites(result)):
        if table is not None:
            console.print(table)
    for note in result.get("notes", []):
        console.print(f"note: {note}", highlight=False)
    return buffer.getvalue()


def progress_line(job: int, overrides: list[str], result: dict) -> str:
    """One line for a finished sweep job: what it ran and when everything is online."""
    full = result["milestones"]["total"]["100"]
    p50 = " (P50)" if isinstance(full, dict) else ""
    what = " ".join(o for o in overrides if not o.startswith(("hydra.", "+scenario=")))
    return (f"job {job} done ({what or 'defaults'}): 100 % online {_date(full)}{p50}, "
            f"90 % {_date(result['milestones']['total']['90'])}")


def print_summary(result: dict, out_dir: Path, tables: bool = True) -> None:
    """The result tables (if `tables`), notes about the horizon, and where the outputs are."""
    from rich.console import Console

    console = Console()
    if tables:
        for table in (_milestones(result), _why_table(result), _online_at_dates(result),
                      _sites(result), connections_table(result)):
            if table is not None:
                console.print(table)
        for note in result.get("notes", []):
            console.print(f"note: {note}", highlight=False)
    for line in console_lines(result):
        console.print(line, highlight=False, soft_wrap=True)
    console.print(f"outputs: {relative_to_cwd(out_dir)}", highlight=False, soft_wrap=True)


def _milestones(result: dict):
    from rich.table import Table

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
    return table


def _online_at_dates(result: dict):
    from rich.table import Table

    at = result.get("online_at_dates") or {}
    if not at:
        return None
    who = list(next(iter(at.values())))
    replicated = result.get("replications", 1) > 1
    table = Table(title="GPUs online at the end of" + (" (P50)" if replicated else ""))
    table.add_column("date")
    for w in who:
        table.add_column(w, justify="right")
    for date, counts in at.items():
        table.add_row(date, *[_count(counts[w]) for w in who])
    return table


def _why_table(result: dict):
    from rich.table import Table

    why = result.get("why") or {}
    if not why:
        return None
    table = Table(title="Why each owner's 100 % date")
    for column in ("who", "policy", "date set by", "why"):
        table.add_column(column)
    policies = result.get("policies", {})
    for who, by_pct in why.items():
        entry = by_pct["100"]
        table.add_row(who, policies.get(who, {}).get("policy", ""), entry["cause"],
                      entry["sentence"])
    return table


def _sites(result: dict):
    from rich.table import Table

    sites = Table(title="What holds each site back (what set its date of full operation)")
    for column in ("site", "GPUs (after policies)", "all online", "date set by"):
        sites.add_column(column)
    for site, info in result["sites"].items():
        gpus = info.get("gpus_assigned", info["gpus_planned"])
        sites.add_row(site, f"{gpus:,}", _date(info["full_operation"]),
                      info["binding_constraint"])
    return sites
