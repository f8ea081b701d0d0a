"""report.html of a ranking (python -m sim.rank), built with the run report's page parts
(sim.outputs.report): the ranked table, the top entries explained, the figure inlined."""

from __future__ import annotations

import base64
from pathlib import Path

from sim.outputs.rank_text import brought_to, explain
from sim.outputs.report import CSS, esc, table


def _cells(rows: list[dict], ranking: dict) -> list[list[str]]:
    out = []
    for i, row in enumerate(rows, start=1):
        g, k = row["gpu_months"], row["idle_avoided_krw"]
        out.append([str(i), esc(row["id"]), esc(row["kind"]),
                    f"<span class=d>{esc(row['planned'] or '')}</span>",
                    f"<span class=d>{esc(brought_to(row, ranking.get('start')) or '')}</span>",
                    _num(g["mean"]), f"{_num(g['p10'])} – {_num(g['p90'])}",
                    _num(k["mean"] / 1e9, 2), f"{_num(k['p10'] / 1e9, 2)} – "
                    f"{_num(k['p90'] / 1e9, 2)}"])
    return out


def _num(value: float, digits: int = 0) -> str:
    """Thousands separators; never '-0'."""
    return f"{round(value, digits) + 0.0:,.{digits}f}"


def rank_report(ranking: dict, figure: Path, top: int) -> str:
    """The page as text."""
    reps = ranking["replications"]
    how = (f"{reps} replications; each difference is paired (the same draws for the base and "
           "the shifted run), so it is the effect of the shift, not noise"
           if reps > 1 else "one run at central values")
    head = ["#", "id", "kind", "planned", "brought forward to", "GPU-months gained (mean)",
            "P10 – P90", "idle avoided, bn KRW (mean)", "P10 – P90"]
    explained = "".join(f"<li>{esc(explain(r, ranking))}</li>"
                        for r in ranking["rows"][:top])
    data = base64.b64encode(figure.read_bytes()).decode("ascii") if figure.is_file() else ""
    parts = [
        f"<h1>Which reinforcement matters: scenario {esc(ranking['scenario'])}</h1>",
        f"<p class=muted>Each grid project and connection step brought "
        f"{ranking['months']:g} months forward, gains counted by {esc(ranking['by'])}: "
        f"GPU-months online and the idle GPUs avoided at "
        f"{ranking['gpu_hour_value_krw']:,.0f} KRW per GPU-hour; {esc(how)}. Base run: "
        f"{ranking['base_gpu_months']:,.0f} GPU-months online by then (mean), "
        f"{ranking['base_idle_gpu_months']:,.0f} GPU-months idle. Seed {ranking['seed']}; "
        f"<code>{esc(ranking.get('command', ''))}</code></p>",
        f"<h2>The top {min(top, len(ranking['rows']))} explained</h2><ol>{explained}</ol>",
        "<p class=muted>'Held by': the share of the rack-days the site's GPUs waited by the "
        "date for each limit (the limit that stayed in the way longest), mean over "
        "replications.</p>",
        "<h2>Ranking</h2>" + table(head, _cells(ranking["rows"], ranking),
                                   numeric={0, 5, 6, 7, 8}),
        (f"<figure><img alt=\"rank.png\" src=\"data:image/png;base64,{data}\"><figcaption>"
         "<b>rank.png</b>: bar = mean gain, dot = P50, whisker = P10–P90.</figcaption>"
         "</figure>") if data else ""]
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Which "
            f"reinforcement matters</title><style>{CSS}</style></head><body>\n"
            + "\n".join(p for p in parts if p) + "\n</body></html>\n")
