"""`python -m sim.compare RUN_A RUN_B [...]`: compare finished runs (single or replicated).

Per owner (and the total): the 25/50/90/100 % online dates (P50 with P10-P90 when replicated),
GPUs online at dates, idle GPU-months and their value in KRW; per site: the date all its GPUs
are online and what holds it back; each with its difference from the first run (days for
dates). Prints a table and writes `compare.csv`, `compare.png` and `compare.txt` into
`--out` (default `outputs/compare/<timestamp>/`).

    python -m sim.compare outputs/runs/A outputs/runs/B --dates 2028-12-31,2030-12-31
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path

from sim.app.compare_rows import NOT_REACHED, RunInfo, common_dates, compare_rows, load_runs
from sim.outputs.files import write_csv, write_text

DEFAULT_OUT = Path("outputs") / "compare"


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(prog="python -m sim.compare",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run directories (2 or more)")
    parser.add_argument("--dates", default="",
                        help="comma-separated dates for GPUs online (default: those in "
                             "every run's summary, i.e. each year end)")
    parser.add_argument("--labels", default="", help="comma-separated names for the runs")
    parser.add_argument("--out", type=Path, default=None,
                        help="output directory (default outputs/compare/<timestamp>)")
    parser.add_argument("--no-figure", action="store_true", help="skip compare.png")
    return parser.parse_args(argv)


def check_runs(paths: list[Path], labels: list[str]) -> str | None:
    """Why the arguments cannot be compared (one line), or None."""
    if len(paths) < 2:
        return "give at least two run directories"
    for path in paths:
        if not (path / "summary.json").is_file():
            return f"{path}: no summary.json (not a finished run directory)"
    if labels and len(labels) != len(paths):
        return f"--labels: expected {len(paths)} names, got {len(labels)}"
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    labels = [s.strip() for s in args.labels.split(",") if s.strip()]
    if problem := check_runs(args.runs, labels):
        print(f"error: {problem}", file=sys.stderr)
        return 2
    runs = load_runs(args.runs, labels or None)
    wanted = [d.strip() for d in args.dates.split(",") if d.strip()]
    try:
        for d in wanted:
            dt.date.fromisoformat(d)
        dates = common_dates(runs, wanted)
    except ValueError as err:
        print(f"error: --dates: {err}", file=sys.stderr)
        return 2
    rows = compare_rows(runs, dates)
    out = args.out or DEFAULT_OUT / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = render(runs, rows)
    print(text)
    write_outputs(out, runs, rows, text, figure=not args.no_figure)
    print(f"outputs: {out}")
    return 0


def write_outputs(out: Path, runs: list[RunInfo], rows: list[dict], text: str,
                  figure: bool) -> None:
    columns = ["section", "id", "name", "metric", "stat", "kind", *[r.label for r in runs],
               *[f"diff: {r.label}" for r in runs[1:]]]
    write_csv(out / "compare.csv", rows, columns)
    write_text(out / "compare.txt", text + "\n")
    if figure:
        from sim.outputs.figures.compare import write_compare_figure

        write_compare_figure(out / "compare.png", [(r.path, r.label) for r in runs])


def _show(value, kind: str) -> str:
    if value is None:
        return NOT_REACHED if kind == "date" else "—"
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def _cell(group: dict[str, dict], label: str) -> str:
    """P50 value, with the P10-P90 range when there is one."""
    kind = group["p50"]["kind"]
    text = _show(group["p50"].get(label), kind)
    if "p10" in group or "p90" in group:
        lo, hi = (_show(group.get(s, {}).get(label), kind) for s in ("p10", "p90"))
        if not lo == hi == text:
            text += f" ({lo} – {hi})"
    return text


def _diff(group: dict[str, dict], label: str, first: str) -> str:
    row = group["p50"]
    value = row.get(f"diff: {label}")
    if value is None:
        a, b = row.get(first), row.get(label)
        if row["kind"] == "date" and NOT_REACHED in (a, b) and a != b:
            return "later" if b == NOT_REACHED else "earlier"
        return "changed" if a != b else ""
    unit = " d" if row["kind"] == "date" else ""
    return f"{value:+,}{unit}" if isinstance(value, int) else f"{value:+,.1f}{unit}"


def grouped(rows: list[dict]) -> list[dict[str, dict]]:
    """Rows of one (section, id, metric) together, keyed by statistic ('' -> 'p50')."""
    groups: dict[tuple, dict[str, dict]] = {}
    for row in rows:
        key = (row["section"], row["id"], row["metric"])
        groups.setdefault(key, {})[row["stat"] or "p50"] = row
    return list(groups.values())


#: GPUs-online dates shown on the console (all of them are in compare.csv)
CONSOLE_DATES = 4


def _changed(group: dict[str, dict], runs: list[RunInfo]) -> bool:
    """Any run's value (any statistic) differs from the first run's."""
    return any(row.get(r.label) != row.get(runs[0].label) for row in group.values()
               for r in runs[1:])


def console_groups(runs: list[RunInfo], rows: list[dict], section: str
                   ) -> tuple[list[dict[str, dict]], list[str]]:
    """Groups shown on the console: owners/sites with any change (every run if there is only
    one), at most CONSOLE_DATES GPUs-online dates (those that differ); and the unchanged."""
    groups = grouped([r for r in rows if r["section"] == section])
    changed_ids = {g["p50"]["id"] for g in groups if _changed(g, runs)}
    dates = list(dict.fromkeys(g["p50"]["metric"] for g in groups if g["p50"]["metric"]
                               .startswith("GPUs online") and _changed(g, runs)))
    keep_dates = set(dates[:CONSOLE_DATES])
    shown = [g for g in groups if g["p50"]["id"] in changed_ids and (
        not g["p50"]["metric"].startswith("GPUs online") or g["p50"]["metric"] in keep_dates)]
    unchanged = list(dict.fromkeys(g["p50"]["name"] for g in groups
                                   if g["p50"]["id"] not in changed_ids))
    return shown, unchanged


def render(runs: list[RunInfo], rows: list[dict]) -> str:
    """The console tables (P50 and P10-P90 when replicated; differences vs the first run):
    only what changes between the runs; compare.csv has every row."""
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=200, force_terminal=False)
    replicated = any(r.replicated for r in runs)
    runs_note = "; ".join(f"[{i + 1}] {r.label}" for i, r in enumerate(runs))
    console.print(f"comparing {runs_note}" + (" (P50, P10 – P90 in brackets)"
                                               if replicated else ""), highlight=False)
    for section, title in (("owner", "Owners"), ("site", "Sites")):
        table = Table(title=title, title_justify="left")
        table.add_column(section)
        table.add_column("metric")
        for i, _run in enumerate(runs):
            table.add_column(f"[{i + 1}]", justify="right")
        for i in range(1, len(runs)):
            table.add_column(f"[{i + 1}] − [1]", justify="right")
        previous = None
        shown, unchanged = console_groups(runs, rows, section)
        for group in shown:
            row = group["p50"]
            name = row["name"] if row["id"] != previous else ""
            previous = row["id"]
            table.add_row(name, row["metric"], *[_cell(group, r.label) for r in runs],
                          *[_diff(group, r.label, runs[0].label) for r in runs[1:]])
        if shown:
            console.print(table)
        if unchanged:
            console.print(f"{title}, the same in every run: {', '.join(unchanged)}",
                          highlight=False)
    console.print("every metric, date and statistic: compare.csv", highlight=False)
    return buffer.getvalue().rstrip()
