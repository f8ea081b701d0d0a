"""What `python -m sim.rank` writes and prints: rank.csv, rank.json, rank.png, report.html and
the console lines, each top entry explained (which sites gain, what holds them back before and
after the shift)."""

from __future__ import annotations

from pathlib import Path

from sim.outputs.figures.rank import rank_figure
from sim.outputs.files import write_csv, write_json, write_text
from sim.outputs.rank_report import rank_report
from sim.outputs.rank_text import brought_to, explain, gaining_sites

STATS = ("mean", "p10", "p50", "p90")
COLUMNS = ["rank", "id", "kind", "label", "sites", "planned", "brought_forward_to",
           *(f"gpu_months_{s}" for s in STATS), *(f"idle_avoided_krw_{s}" for s in STATS),
           "gaining_sites", "explanation"]


def csv_rows(ranking: dict) -> list[dict]:
    out = []
    for i, row in enumerate(ranking["rows"], start=1):
        out.append({
            "rank": i, "id": row["id"], "kind": row["kind"], "label": row["label"],
            "sites": ";".join(row["sites"]), "planned": row["planned"],
            "brought_forward_to": brought_to(row, ranking.get("start")),
            **{f"gpu_months_{s}": round(row["gpu_months"][s], 1) for s in STATS},
            **{f"idle_avoided_krw_{s}": round(row["idle_avoided_krw"][s]) for s in STATS},
            "gaining_sites": ";".join(f"{s}:{v:.0f}" for s, v in gaining_sites(row)),
            "explanation": explain(row, ranking)})
    return out


def console_lines(ranking: dict, top: int) -> list[str]:
    reps = ranking["replications"]
    spread = f"mean, P10-P90 of {reps} paired replications" if reps > 1 else "central values"
    head = (f"Bringing each project or step {ranking['months']:g} months forward: GPU-months "
            f"online gained by {ranking['by']} ({spread}; {len(ranking['rows'])} ranked in "
            f"{ranking['seconds']} s)")
    width = max([len("id"), *(len(row["id"]) for row in ranking["rows"])])
    lines = [head, f"{'#':>3} {'id':<{width}} {'GPU-months':>12} {'P10':>10} {'P90':>10} "
                   f"{'bn KRW':>8}"]
    for i, row in enumerate(ranking["rows"], start=1):
        g = row["gpu_months"]
        lines.append(f"{i:>3} {row['id']:<{width}} {g['mean']:>12,.0f} {g['p10']:>10,.0f} "
                     f"{g['p90']:>10,.0f} {row['idle_avoided_krw']['mean'] / 1e9:>8,.1f}")
    lines.append("")
    lines += [f"{i}. {explain(row, ranking)}" for i, row in
              enumerate(ranking["rows"][:top], start=1)]
    return lines


def write_ranking(out_dir: Path, ranking: dict, top: int) -> list[Path]:
    """rank.csv, rank.json, rank.png and report.html into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / n for n in ("rank.csv", "rank.json", "rank.png", "report.html")]
    write_csv(paths[0], csv_rows(ranking), COLUMNS)
    write_json(paths[1], ranking)
    rank_figure(ranking, paths[2])
    write_text(paths[3], rank_report(ranking, paths[2], top))
    return paths
