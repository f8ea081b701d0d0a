"""Robustness of the apex dates: each owner's P50 100 % date with rack power x0.95, x1.0, x1.05,
x1.10 (default policies) and with every owner on one policy (fixed, defer, resite), in one
table; and the README's per-owner table (date, cause, why) under the default policies and
under `fixed`, with idle GPU-months.

Run from the repository root::

    python tools/robustness.py                      # writes docs/robustness.md and README.md
    python tools/robustness.py --replications 100 --n-jobs 2

Every case is the apex scenario with the model's defaults and the same seed; only the named
setting changes. README.md is edited between the markers `<!-- apex-why:start -->` and
`<!-- apex-why:end -->`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.app.configs import compose_config  # noqa: E402
from sim.app.run import draws_for, inputs_for, prices_for  # noqa: E402
from sim.core.causes import cause_names  # noqa: E402
from sim.core.config import POLICIES, SimConfig  # noqa: E402
from sim.outputs.ensemble import ensemble_summary  # noqa: E402
from sim.outputs.files import write_text  # noqa: E402
from sim.results.montecarlo import run_replications  # noqa: E402
from sim.results.online import end_of_days  # noqa: E402

FACTORS = (0.95, 1.0, 1.05, 1.10)
DOC = ROOT / "docs" / "robustness.md"
README = ROOT / "README.md"
START, END = "<!-- apex-why:start -->", "<!-- apex-why:end -->"
#: the dates of the share tables: the end of the announced plan (korea.md §10), the horizon
SHARE_DATES = (dt.date(2030, 12, 31), dt.date(2035, 12, 31))


def run_case(cfg: SimConfig, n_jobs: int) -> dict:
    """The ensemble summary of one configuration."""
    with warnings.catch_warnings():     # plan rows above a site's ceiling: expected here
        warnings.simplefilter("ignore", UserWarning)
        inputs = inputs_for(cfg)
    table = draws_for(cfg, inputs)
    prices = prices_for(cfg)
    dates = list(SHARE_DATES)
    results = run_replications(inputs, table, n_jobs=n_jobs, prices=prices, progress=False,
                               online_days=end_of_days(dates, cfg.start_date))
    causes = list(cause_names(inputs.grid is not None, bool(inputs.assessment_requests)))
    return ensemble_summary(results, inputs, causes, {}, prices.gpu_hour_value_krw, dates)


def config(replications: int, factor: float = 1.0, policy: str | None = None) -> SimConfig:
    overrides = ["+scenario=apex", f"mc.replications={replications}",
                 f"hardware.rack_power_factor={factor}"]
    return compose_config(overrides + ([f"policy.all={policy}"] if policy else []))


def p50_100(summary: dict, who: str) -> str:
    return summary["milestones"][who]["100"]["p50"] or "not by 2035-12-31"


def robustness_table(cases: dict[str, dict]) -> str:
    names = list(cases)
    whos = list(next(iter(cases.values()))["milestones"])
    lines = ["| who | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    lines += [f"| {who} | " + " | ".join(p50_100(cases[n], who) for n in names) + " |"
              for who in whos]
    return "\n".join(lines)


def share_table(cases: dict[str, dict], date: str) -> str:
    """P50 share of each target online on `date` (a report date of every case)."""
    names = list(cases)
    whos = list(next(iter(cases.values()))["milestones"])
    lines = [f"| online on {date} | " + " | ".join(names) + " |",
             "|---" * (len(names) + 1) + "|"]
    lines += [f"| {who} | " + " | ".join(f"{share_pct(cases[n], date, who):.1f} %" for n in names)
              + " |" for who in whos]
    return "\n".join(lines)


def share_pct(summary: dict, date: str, who: str) -> float:
    """P50 GPUs online on `date` (sim.results.online) as a per cent of `who`'s target."""
    target = (summary["target_gpus"] if who == "total"
              else summary["owner_gpus_planned"][who])
    return 100.0 * summary["online_at_dates"][date][who]["p50"] / target if target else 0.0


def why_table(summary: dict) -> str:
    idle = summary["energy"]["idle_gpu_months_mean"]
    pol = summary["policies"]
    lines = ["| owner | policy | P50 100 % | set by | why (median replicate) | idle GPU-months "
             "(mean) |", "|---|---|---|---|---|---|"]
    for who, why in summary["why"].items():
        idle_cell = f"{idle[who]:,.0f}" if who in idle else f"{sum(idle.values()):,.0f}"
        lines.append(f"| {who} | {pol.get(who, {}).get('policy', 'all')} | {p50_100(summary, who)}"
                     f" | {why['100']['cause']} | {why['100']['sentence']} | {idle_cell} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args(argv)
    cases = {f"rack power x{f:.2f}": run_case(config(args.replications, f), args.n_jobs)
             for f in FACTORS}
    for policy in POLICIES:
        cases[f"all {policy}"] = run_case(config(args.replications, 1.0, policy), args.n_jobs)
    default, fixed = cases["rack power x1.00"], cases["all fixed"]
    command = (f"python tools/robustness.py --replications {args.replications} "
               f"--n-jobs {args.n_jobs}")
    block = (f"Default owner policies (`scenarios/apex/owner_policies.csv`), "
             f"{args.replications} replications, seed 0 (`{command}`):\n\n"
             f"{why_table(default)}\n\nEvery owner `fixed` (deliveries arrive as planned):\n\n"
             f"{why_table(fixed)}\n")
    doc = ("# Robustness of the apex dates\n\n"
           f"Generated by `{command}`. P50 date when 100 % of each owner's GPUs are online; "
           "columns 1-4 scale every unit's IT kW (default policies), columns 5-7 put every "
           "owner on one policy at rack power x1.0.\n\n"
           f"{robustness_table(cases)}\n\nP50 share of each target online on 31 December "
           "2030 (the end of the announced plan, korea.md §10) and at the horizon; the share "
           "moves where the dates above do not:\n\n"
           f"{share_table(cases, '2030-12-31')}\n\n{share_table(cases, '2035-12-31')}\n\n"
           f"## Why each date (apex)\n\n{block}")
    write_text(DOC, doc)
    text = README.read_text(encoding="utf-8")
    if START in text and END in text:
        head, rest = text.split(START, 1)
        write_text(README, head + START + "\n" + block + END + rest.split(END, 1)[1])
    print(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
