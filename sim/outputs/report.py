"""A self-contained report.html for a run: figures inlined as base64 PNG, no external assets.

Every number in the report is printed verbatim from summary.json (no rounding, no thousands
separators), so a reader or a test can find it there.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

from sim.outputs.figures.common import FIGURES
from sim.outputs.figures.write import describe
from sim.outputs.files import write_text

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;
max-width:1260px;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:3px 8px;
text-align:left;font-size:.9em}th{background:#f2f2f2}td.n{text-align:right}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:.9em;color:#555}pre{background:#f7f7f7;padding:.6em;font-size:.8em;
overflow-x:auto}.muted{color:#666;font-size:.9em}
"""


def write_report(run_dir: Path, table_sources: dict[str, list[str]] | None = None) -> Path:
    """Write `run_dir/report.html` from its summary.json and figures; `table_sources` lists
    the distinct source cells of the scenario's tables by table name."""
    run_dir = Path(run_dir)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    sections = [header(summary), key_dates(summary), sites_table(summary),
                energy_section(summary), figures_section(run_dir),
                assumptions(run_dir, table_sources or {}), provenance(summary)]
    title = esc(summary.get("title") or summary.get("scenario", "run"))
    page = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(s for s in sections if s) + "\n</body></html>\n")
    path = run_dir / "report.html"
    write_text(path, page)
    return path


def esc(value: object) -> str:
    """HTML-escaped text; None as an em dash."""
    return "—" if value is None else html.escape(str(value))


def table(head: list[str], rows: list[list[object]], numeric: set[int] | None = None) -> str:
    """An HTML table; columns in `numeric` are right-aligned."""
    numeric = numeric or set()
    ths = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i in numeric else ''}>{cell(v)}</td>"
                         for i, v in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><tr>{ths}</tr>{body}</table>"


def cell(value: object) -> str:
    """A summary value as shown: None reads 'not by horizon' for dates, JSON for dicts."""
    if isinstance(value, dict | list):
        return esc(json.dumps(value))
    return esc(value)


def header(summary: dict) -> str:
    title = esc(summary.get("title") or summary.get("scenario", "run"))
    return (f"<h1>{title}</h1><p class=muted>scenario <b>{esc(summary.get('scenario'))}</b>, "
            f"simulated from {esc(summary.get('start'))} to {esc(summary.get('horizon_end'))};"
            f" target {esc(summary.get('target_gpus'))} GPUs; replications "
            f"{esc(summary.get('replications', 1))}; created {esc(summary.get('created'))}</p>")


def key_dates(summary: dict) -> str:
    """Milestone dates (25/50/90/100 % online) and GPUs online at the horizon, per owner."""
    miles = summary.get("milestones", {})
    pcts = sorted({p for dates in miles.values() for p in dates}, key=float)
    online = summary.get("online_at_horizon", {})
    rows = [[who, *[dates.get(p) or "not by horizon" for p in pcts], online.get(who)]
            for who, dates in miles.items()]
    head = ["who", *[f"{p} % online" for p in pcts],
            f"GPUs online at horizon ({summary.get('horizon_end')})"]
    return ("<h2>Key dates</h2><p class=muted>Date when that share of the GPUs is online "
            "(past burn-in).</p>" + table(head, rows, numeric={len(head) - 1}))


def sites_table(summary: dict) -> str:
    """Binding constraint and wait rack-days by cause for each planned site."""
    sites = summary.get("sites", {})
    if not sites:
        return ""
    causes = list(dict.fromkeys(c for s in sites.values() for c in s.get("wait_rack_days", {})))
    rows = [[name, s.get("gpus_planned"), s.get("gpus_online_at_horizon"),
             s.get("binding_constraint"), *[s.get("wait_rack_days", {}).get(c) for c in causes]]
            for name, s in sites.items()]
    head = ["site", "GPUs planned", "GPUs online at horizon", "binding constraint",
            *[f"wait: {c} (rack-days)" for c in causes]]
    numeric = {1, 2, *range(4, len(head))}
    return ("<h2>What holds each site back</h2><p class=muted>The binding constraint is the "
            "gating cause with the most rack-days waited (install and burn-in are fixed "
            "stages).</p>" + table(head, rows, numeric))


def flatten(value: object, prefix: str = "") -> list[tuple[str, object]]:
    """Nested dicts as (dotted key, leaf) pairs."""
    if not isinstance(value, dict):
        return [(prefix, value)]
    out: list[tuple[str, object]] = []
    for key, inner in value.items():
        out += flatten(inner, f"{prefix}.{key}" if prefix else str(key))
    return out


def energy_section(summary: dict) -> str:
    """Energy, cost and emissions, only when the summary has an `energy` key.

    A dict of dicts (e.g. `annual[year][quantity]`) becomes a table with one row per outer
    key; everything else is listed as dotted key / value pairs.
    """
    if "energy" not in summary:
        return ""
    parts, pairs = ["<h2>Energy, cost and emissions</h2>"], []
    for key, value in summary["energy"].items():
        if isinstance(value, dict) and value and all(isinstance(v, dict)
                                                     for v in value.values()):
            cols = list(dict.fromkeys(c for v in value.values() for c in v))
            rows = [[outer, *[inner.get(c) for c in cols]] for outer, inner in value.items()]
            parts.append(f"<h3>{esc(key)}</h3>"
                         + table([key, *cols], rows, set(range(1, len(cols) + 1))))
        else:
            pairs += flatten(value, key)
    if pairs:
        parts.append(table(["quantity", "value"], [list(p) for p in pairs], {1}))
    return "\n".join(parts)


def figures_section(run_dir: Path) -> str:
    """The run's PNG figures, inlined."""
    captions = describe()
    parts = ["<h2>Figures</h2>"]
    for name in FIGURES:
        path = run_dir / name
        if path.is_file():
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            parts.append(f"<figure><img alt=\"{esc(name)}\" src=\"data:image/png;base64,{data}\">"
                         f"<figcaption><b>{esc(name)}</b>: {esc(captions.get(name, ''))}"
                         "</figcaption></figure>")
    return "\n".join(parts)


def assumptions(run_dir: Path, table_sources: dict[str, list[str]]) -> str:
    """Resolved config and the scenario tables' sources."""
    config = run_dir / ".hydra" / "config.yaml"
    parts = ["<h2>Assumptions and sources</h2>"]
    if config.is_file():
        parts.append("<details><summary>Resolved configuration "
                     "(<code>.hydra/config.yaml</code>)</summary>"
                     f"<pre>{esc(config.read_text(encoding='utf-8'))}</pre></details>")
    parts.append("<p>Every row of the data tables carries a <code>source</code> cell; the "
                 "embedded tables' sources are listed in <code>sim/data/SOURCES.md</code>.</p>")
    for name, sources in table_sources.items():
        items = "".join(f"<li>{esc(s)}</li>" for s in sources)
        parts.append(f"<p>Sources of the scenario's <code>{esc(name)}</code>:</p>"
                     f"<ul>{items or '<li>—</li>'}</ul>")
    return "\n".join(parts)


def provenance(summary: dict) -> str:
    keys = ("version", "git_revision", "config_hash", "seed", "python", "libraries")
    rows = [[k, summary[k]] for k in keys if k in summary]
    return "<h2>Provenance</h2>" + table(["key", "value"], rows) if rows else ""
