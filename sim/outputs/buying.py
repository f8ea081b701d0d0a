"""The "buying time" table of a run (summary.json `buying_time`, sim/app/buying.py) for the
report and the console: per owner the best option, its GPU-months gained, how much earlier
the owner's milestones come, its KRW and tCO2e and the KRW per GPU-month gained."""

from __future__ import annotations

import html

from sim.outputs.names import owner_label, site_label

KIND_LABEL = {"bridge": "on-site plant", "direct": "zone contract",
              "flexible": "flexible connection"}


def _what(summary: dict, row: dict) -> str:
    option = "" if row["kind"] == "flexible" else f" {row['option']}"
    return f"{site_label(summary, row['site'])}: {KIND_LABEL[row['kind']]}{option}"


def _months(days: float | None) -> str:
    return "—" if days is None else f"{days / 30.4375:.1f}"


def _krw_bn(krw: float) -> str:
    return f"{krw / 1e9:,.1f}"


def _per_month(row: dict) -> str:
    value = row.get("krw_per_gpu_month")
    return "—" if value is None else f"{value / 1e6:,.2f}"


def owner_rows(summary: dict) -> list[tuple[str, dict | None]]:
    block = summary.get("buying_time") or {}
    return list(block.get("best", {}).items())


def console_lines(summary: dict) -> list[str]:
    """One line per owner."""
    block = summary.get("buying_time")
    if not block:
        return []
    lines = []
    for owner, row in owner_rows(summary):
        who = owner_label(summary, owner)
        if row is None:
            lines.append(f"buying time, {who}: no option gains GPU-months by "
                         f"{block['user_date']}")
            continue
        lines.append(
            f"buying time, {who}: {_what(summary, row)}: +{row['gpu_months_gained']:,.0f} "
            f"GPU-months by {block['user_date']}, 50 % {_months(row['days_earlier_50'])}, "
            f"90 % {_months(row['days_earlier_90'])} months earlier, "
            f"{_krw_bn(row['krw'])} bn KRW, {row['tco2e'] / 1e3:,.1f} kt CO2e, "
            f"{_per_month(row)} M KRW per GPU-month gained")
    return lines


def report_section(summary: dict, esc=html.escape, table=None) -> str:
    """The report's table (`table` is the report's table builder)."""
    block = summary.get("buying_time")
    if not block or table is None:
        return ""
    rows = []
    for owner, row in owner_rows(summary):
        if row is None:
            rows.append([esc(owner_label(summary, owner)), "none gains time", *["—"] * 7])
            continue
        rows.append([esc(owner_label(summary, owner)), esc(_what(summary, row)),
                     f"{row['gpu_months_gained']:,.0f}", _months(row["days_earlier_50"]),
                     _months(row["days_earlier_90"]), _krw_bn(row["krw"]),
                     f"{row['tco2e']:,.0f}", _per_month(row),
                     f"{row['curtailed_hours_per_yr']:.2g}"])
    value = (summary.get("energy") or {}).get("gpu_hour_value_krw")
    worth = (f" A GPU-month is worth {value * 30.4375 * 24 / 1e6:,.2f} M KRW at the GPU-hour "
             "value (energy.csv): an option costing more per GPU-month gained does not pay."
             if value else "")
    head = ["owner", "best option", f"GPU-months gained by {block['user_date']}",
            "50 % earlier (months)", "90 % earlier (months)", "KRW (bn)", "tCO2e",
            "M KRW per GPU-month gained", "curtailed h/yr"]
    return ("<h2>Buying time</h2><p class=muted>Each option (an on-site plant until the grid "
            "takes its load, a direct contract in a special zone, a flexible connection up to "
            "the N-0 limit) at each site of an owner, simulated on the central draws next to "
            "the same run without it; the best gains the most GPU-months. KRW: plant capex + "
            "fuel less the tariff of the MWh it supplied; a contract's discount; curtailed "
            "GPU-hours at the GPU-hour value. tCO2e: the plant's own; a contract's less the "
            f"grid's. Every option: buying_time.csv.{worth}</p>"
            + table(head, rows, set(range(2, 9))))
