"""A self-contained report.html for a run, single or replicated: figures inlined as base64 PNG,
no external assets, no script, display names for sites and owners, no machine paths.

Every date is printed as summary.json holds it (ISO); counts with thousands separators. A
replicated run shows each date as its P50 with the P10-P90 range beneath.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from sim.outputs.buying import report_section
from sim.outputs.figures.common import FIGURES
from sim.outputs.figures.write import describe
from sim.outputs.files import write_text
from sim.outputs.names import cause_label, owner_label, site_label
from sim.outputs.summaries import load_summary

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;
max-width:1260px;color:#222;line-height:1.4;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:3px 8px;
text-align:left;font-size:.9em;vertical-align:top}th{background:#f2f2f2}td.n{text-align:right}
.range{display:block;color:#666;font-size:.85em;white-space:nowrap}
.ko{color:#555}.d{white-space:nowrap}
.note{background:#fff6db;border-left:4px solid #e0a800;padding:.4em .8em}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:.9em;color:#555}pre{background:#f7f7f7;padding:.6em;font-size:.8em;
overflow-x:auto}.muted{color:#666;font-size:.9em}
"""
NOT_REACHED = "not by horizon"
#: an absolute path (POSIX or Windows) inside text, shown as its last component
_PATH = re.compile(r"(?<![\w.:/])(?:[A-Za-z]:)?(?:[\\/][\w.\-]+){2,}[\\/]?")


def write_report(run_dir: Path, table_sources: dict[str, list[str]] | None = None) -> Path:
    """Write `run_dir/report.html` from its summary.json and figures; `table_sources` lists
    the distinct source cells of the scenario's tables by table name."""
    run_dir = Path(run_dir)
    summary = load_summary(run_dir)
    sections = [header(summary), notes(summary), key_dates(summary), why_section(summary),
                online_dates(summary), policies_section(summary),
                report_section(summary, esc, table), full_by_year(summary),
                sites_table(summary), connections_section(summary), energy_section(summary),
                figures_section(run_dir),
                assumptions(run_dir, table_sources or {}), provenance(summary)]
    title = esc(summary.get("title") or summary.get("scenario", "run"))
    page = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(s for s in sections if s) + "\n</body></html>\n")
    path = run_dir / "report.html"
    write_text(path, page)
    return path


def esc(value: object) -> str:
    """HTML-escaped text, machine paths shortened to their last component."""
    return html.escape(redact_paths(str(value)))


def redact_paths(text: str) -> str:
    """`/home/me/runs/scenario` -> `…/scenario`: no machine paths in what people read."""
    return _PATH.sub(lambda m: "…/" + re.split(r"[\\/]", m.group(0).rstrip("/\\"))[-1], text)


def count(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else esc(value)


def date_cell(value: object) -> str:
    """A date, or a P50 date with its P10-P90 range; None reads 'not by horizon'."""
    if isinstance(value, dict):
        lo, mid, hi = (value.get(k) or NOT_REACHED for k in ("p10", "p50", "p90"))
        return (f"<span class=d>{esc(mid)}</span><span class=range>P10–P90: {esc(lo)} – "
                f"{esc(hi)}</span>")
    return f"<span class=d>{esc(value or NOT_REACHED)}</span>"


def count_cell(value: object) -> str:
    """A count, or a P50 count with its P10-P90 range."""
    if isinstance(value, dict):
        return (f"{count(value.get('p50'))}<span class=range>P10–P90: {count(value.get('p10'))}"
                f" – {count(value.get('p90'))}</span>")
    return count(value)


def table(head: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    """An HTML table of pre-rendered cells; columns in `numeric` are right-aligned."""
    numeric = numeric or set()
    ths = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i in numeric else ''}>{v}</td>"
                         for i, v in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><tr>{ths}</tr>{body}</table>"


def replicated(summary: dict) -> bool:
    return summary.get("replications", 1) > 1


def header(summary: dict) -> str:
    title = esc(summary.get("title") or summary.get("scenario", "run"))
    reps = summary.get("replications", 1)
    kind = (f"Monte Carlo, {reps} replications: dates are medians (P50) with the P10–P90 range"
            if reps > 1 else "one deterministic run at central values")
    return (f"<h1>{title}</h1><p class=muted>scenario <b>{esc(summary.get('scenario'))}</b>, "
            f"plan <b>{esc(summary.get('plan') or 'base')}</b>; simulated from "
            f"{esc(summary.get('start'))} to {esc(summary.get('horizon_end'))}; target "
            f"{count(summary.get('target_gpus'))} GPUs; {kind}; created "
            f"{esc(summary.get('created'))}</p>")


def notes(summary: dict) -> str:
    return "".join(f"<p class=note>{esc(n)}</p>" for n in summary.get("notes", []))


def key_dates(summary: dict) -> str:
    """Milestone dates (25/50/90/100 % online) and GPUs online at the horizon, per owner."""
    miles = summary.get("milestones", {})
    pcts = sorted({p for dates in miles.values() for p in dates}, key=float)
    online = summary.get("online_at_horizon", {})
    rows = [[esc(owner_label(summary, who)), *[date_cell(dates.get(p)) for p in pcts],
             count_cell(online.get(who))] for who, dates in miles.items()]
    head = ["who", *[f"{p} % online" for p in pcts],
            f"GPUs online at horizon ({summary.get('horizon_end')})"]
    return ("<h2>Key dates</h2><p class=muted>Date when that share of the GPUs is online "
            "(past burn-in).</p>" + table(head, rows, numeric={len(head) - 1}))


def online_dates(summary: dict) -> str:
    """GPUs online at the end of each reported date (output.online_dates)."""
    at = summary.get("online_at_dates") or {}
    if not at:
        return ""
    who = list(next(iter(at.values())))
    rows = [[esc(date), *[count_cell(counts.get(w)) for w in who]] for date, counts in at.items()]
    head = ["end of", *[owner_label(summary, w) for w in who]]
    return ("<h2>GPUs online at fixed dates</h2>"
            + table(head, rows, numeric=set(range(1, len(head)))))


def full_by_year(summary: dict) -> str:
    """Replicated runs: the probability that all of an owner's GPUs are online by each year end."""
    probs = summary.get("probability_full_by_year") or {}
    if not probs:
        return ""
    years = list(next(iter(probs.values())))
    rows = [[esc(owner_label(summary, who)), *[f"{round(100 * p[y])} %" for y in years]]
            for who, p in probs.items()]
    return ("<h2>Probability that all GPUs are online by the end of the year</h2>"
            + table(["who", *years], rows, numeric=set(range(1, len(years) + 1))))


def why_section(summary: dict) -> str:
    """For the total and each owner: the cause that set the 100 % date, in one sentence."""
    why = summary.get("why", {})
    if not why:
        return ""
    rows = [[esc(owner_label(summary, who)), esc(cause_label(w["100"]["cause"])),
             esc(w["100"]["sentence"])] for who, w in why.items()]
    return ("<h2>Why these dates</h2><p class=muted>The cause that set each 100 % date: the "
            "limit the last GPUs waited for longest (delivery, a gating limit, or the "
            "installation crews).</p>" + table(["who", "set by", "why"], rows))


def policies_section(summary: dict) -> str:
    """What owner policies did: GPUs deferred and re-sited, and their cost."""
    policies = summary.get("policies", {})
    if not policies:
        return ""
    cols = ["policy", "gpus_deferred", "mean_deferral_days", "deferral_cost_krw_bn",
            "gpus_resited", "colocation_cost_krw_bn"]
    where = any("resited_to" in p for p in policies.values())    # single runs only
    rows = [[esc(owner_label(summary, owner)), *[p.get(c) for c in cols],
             *([_resited(summary, p.get("resited_to", {}))] if where else [])]
            for owner, p in policies.items()]
    head = ["owner", *cols, *(["re-sited to"] if where else [])]
    return ("<h2>Owner policies</h2><p class=muted>Deferred orders (cost of capital at "
            "energy.csv's rate) and GPUs re-sited to another site or a colocation hall (rent "
            "to the horizon); moves.csv lists each move (replicated runs: means).</p>"
            + table(head, rows, set(range(2, len(cols) + 1))))


def _resited(summary: dict, where: dict[str, int]) -> str:
    """'site (n GPUs), ...' or 'none'."""
    return esc(", ".join(f"{site_label(summary, s)} ({n:,} GPUs)" for s, n in where.items())
               or "none")


def sites_table(summary: dict) -> str:
    """Planned sites: name, province, GPUs, date all online, binding cause, waits by cause."""
    sites = summary.get("sites", {})
    if not sites:
        return ""
    waits_key = "wait_rack_days_mean" if replicated(summary) else "wait_rack_days"
    causes = list(dict.fromkeys(c for s in sites.values() for c in s.get(waits_key, {})))
    names = summary.get("names", {}).get("sites", {})
    rows = [[_site_name(site, names.get(site, {}), summary),
             count(s.get("gpus_assigned", s.get("gpus_planned"))),
             date_cell(s.get("full_operation")), esc(cause_label(s.get("binding_constraint",
                                                                       "none"))),
             *[count(round(s.get(waits_key, {}).get(c, 0))) for c in causes]]
            for site, s in sites.items()]
    mean = " (mean over replications)" if replicated(summary) else ""
    head = ["site", "GPUs (after policies)", "all GPUs online", "date set by",
            *[f"waited for {cause_label(c)}" for c in causes]]
    return ("<h2>What holds each site back</h2><p class=muted>The date is set by the "
            "gating cause with the most rack-days waited (install crews and burn-in are fixed "
            f"stages). Waits in rack-days{mean}.</p>"
            + table(head, rows, {1, *range(4, len(head))}))


def connections_section(summary: dict) -> str:
    """Derived connections: which substation, which option, when (P10-P90) and why."""
    conns = summary.get("connections") or {}
    if not conns:
        return ""
    rows = [[esc(c["site"] + (" (candidate)" if c.get("candidate") else "")),
             count(round(c["mw"])), esc(c["substation_name"]), esc(f"{c['distance_km']:.1f}"),
             esc(c["option_label"]), date_cell(c["date"]),
             esc(f"{c['date_quantiles']['p10']} – {c['date_quantiles']['p90']}"),
             esc(f"{c['cost_bn_krw']:.1f}"), esc(c["why"])] for c in conns.values()]
    head = ["site", "MW asked", "substation", "km", "option", "date", "P10 – P90",
            "bn KRW", "why"]
    return ("<h2>Connections derived from the network</h2><p class=muted>Substation spare "
            "capacity (N-1 of standard banks, less the load served), the options a utility "
            "weighs and their sourced lead times (connection_options.csv); the national "
            "backbone check still applies on top.</p>" + table(head, rows, {1, 3, 7}))


def _site_name(site: str, name: dict, summary: dict) -> str:
    province = name.get("province")
    ko = f" <span class=ko>{esc(name['province_ko'])}</span>" if name.get("province_ko") else ""
    where = f"<span class=range>{esc(province)}{ko}</span>" if province else ""
    return f"{esc(site_label(summary, site))}{where}"


ANNUAL_COLUMNS = {"energy_twh": "energy (TWh)", "cost_krw_bn": "electricity cost (bn KRW)",
                  "emissions_kt_co2": "emissions (kt CO2e)"}


def energy_section(summary: dict) -> str:
    """Annual energy, cost and emissions; idle GPU-months per owner and their value."""
    energy = summary.get("energy")
    if not energy:
        return ""
    mean = replicated(summary)
    annual = energy.get("annual_mean" if mean else "annual", {})
    cols = list(dict.fromkeys(c for v in annual.values() for c in v))
    parts = ["<h2>Energy, cost and emissions</h2>"]
    if annual:
        note = " (mean over replications)" if mean else ""
        parts.append(f"<p class=muted>Facility energy of all sites per calendar year{note}.</p>"
                     + table(["year", *[ANNUAL_COLUMNS.get(c, c) for c in cols]],
                             [[esc(y), *[esc(v.get(c)) for c in cols]]
                              for y, v in annual.items()], set(range(1, len(cols) + 1))))
    idle = energy.get("idle_gpu_months_mean" if mean else "idle_gpu_months", {})
    value = energy.get("idle_value_krw_bn_mean" if mean else "idle_value_krw_bn")
    if idle:
        rows = [[esc(owner_label(summary, o)), count(round(v))] for o, v in idle.items()]
        rows.append(["<b>Total</b>", f"<b>{count(round(sum(idle.values())))}</b>"])
        parts.append(
            "<h3>GPUs waiting on site</h3><p class=muted>GPU-months between a GPU's arrival at "
            "its site and going online (or the horizon)"
            f"{', mean over replications' if mean else ''}; valued at "
            f"{count(energy.get('gpu_hour_value_krw'))} KRW per GPU-hour: "
            f"<b>{esc(value)} bn KRW</b> in total.</p>"
            + table(["owner", "idle GPU-months"], rows, {1}))
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
    return "\n".join(parts) if len(parts) > 1 else ""


def assumptions(run_dir: Path, table_sources: dict[str, list[str]]) -> str:
    """Resolved config (machine paths shortened) and the scenario tables' sources."""
    config = run_dir / ".hydra" / "config.yaml"
    parts = ["<h2>Assumptions and sources</h2>"]
    if config.is_file():
        parts.append("<details><summary>Resolved configuration "
                     "(<code>.hydra/config.yaml</code>)</summary>"
                     f"<pre>{esc(config.read_text(encoding='utf-8'))}</pre></details>")
    parts.append("<p>Every row of the data tables carries a <code>source</code> cell; the "
                 "embedded tables' sources are listed in <code>sim/data/SOURCES.md</code>.</p>")
    for name, sources in table_sources.items():
        if sources:
            items = "".join(f"<li>{esc(s)}</li>" for s in sources)
            parts.append(f"<p>Sources of the scenario's <code>{esc(name)}</code>:</p>"
                         f"<ul>{items}</ul>")
    return "\n".join(parts)


def provenance(summary: dict) -> str:
    keys = ("version", "git_revision", "config_hash", "seed", "python")
    rows = [[esc(k), esc(summary[k])] for k in keys if k in summary]
    libraries = summary.get("libraries")
    if isinstance(libraries, dict):
        rows.append(["libraries", esc(", ".join(f"{k} {v}" for k, v in libraries.items()))])
    return "<h2>Provenance</h2>" + table(["key", "value"], rows) if rows else ""
