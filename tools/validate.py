"""Back-tests against Korean history (korea.md §2.2, §2.3, §6) and the forecast skill of the
announcement run (tools/forecast_skill.py): run them, report, guard.

Run from the repository root::

    python tools/validate.py                    # run, write docs/validation.*
    python tools/validate.py --check            # run and compare only, no writes
    python tools/validate.py --replications 200 # explore another count: prints, writes nothing

Every back-test uses the model's DEFAULT parameters (sim/core/config.py); nothing is tuned per
case. Verdicts are made at one fixed seed and replication count (SEED, DEFAULT_REPLICATIONS;
forecast_skill.SEED, forecast_skill.REPLICATIONS) and only those are recorded: a verdict is
never compared across counts. Each back-test lists the inputs it depends on and is labelled
`calibration` when one of those inputs was derived from its own observation, `validation`
otherwise. The previous record is docs/validation.json. The script exits 1 when a back-test
that passed before now fails (a regression) or when a failing back-test has no written
explanation (FAILURE_NOTES); the record is then left unchanged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.app.configs import compose_config  # noqa: E402
from sim.core import schemas  # noqa: E402
from sim.core.config import SimConfig  # noqa: E402
from sim.core.paths import DATA_DIR  # noqa: E402
from sim.uncertainty.distributions import Distribution  # noqa: E402
from sim.uncertainty.families import DURATION_FAMILIES  # noqa: E402
from sim.uncertainty.specs import parse_distribution  # noqa: E402
from tools import forecast_skill as skill  # noqa: E402

DOCS_DIR = ROOT / "docs"
RECORD_PATH = DOCS_DIR / "validation.json"
REPORT_PATH = DOCS_DIR / "validation.md"
SCENARIO = "backtest_gov13k"
#: Replications of the gov13k back-test, fixed with SEED for every recorded verdict (NHN's P50
#: moves by weeks between 200 and 1,000 draws, enough to flip its verdict); 1,000 take ~8 s.
DEFAULT_REPLICATIONS = 1000
SEED = 0
DAYS_PER_MONTH = 365.25 / 12
QS = (0.1, 0.5, 0.9)

# --- observations (korea.md) ------------------------------------------------------------------
#: allocation to users from ~Mar 2026 (§6.1, MSIT 2026-01-12 via newspub); month precision
SERVICE_MONTH = dt.date(2026, 3, 1)
WINDOW_MONTHS = 2
GOV13K_SOURCES = ("korea.md §6.1: it.chosun 2023092144859, kmjournal 2380 (13,136 GPUs by "
                  "provider); newsquest 249534 (orders Aug 2025); segye 20251201518413 "
                  "(arrival from 2025-12-01); newspub MSIT 2026-01-12 (allocation ~Mar 2026)")
#: Kakao: 255 nodes = 2,040 B200 installed by 2025-12-29 (§6.1, businesspost 425114)
KAKAO_INSTALLED_GPUS = 2040
KAKAO_PLANNED_GPUS = 2424
KAKAO_COUNT_DAY = dt.date(2026, 2, 1)


@dataclass(frozen=True)
class BackTest:
    """One comparison of an observed value with the model's P10/P50/P90."""

    key: str
    title: str
    observed: str
    p10: str
    p50: str
    p90: str
    passed: bool
    rule: str
    sources: str
    #: "calibration" (an input was derived from this observation) or "validation"
    label: str = "validation"
    depends_on: str = ""


#: What the gov 13k back-tests depend on; halls, supply, arrival and install rate all come
#: from the 13k order itself, so they are calibration.
GOV13K_INPUTS = ("scenarios/backtest_gov13k/ (halls and supply preset to what hosted the GPUs; "
                 "deliveries in the observed arrival month Dec 2025); sites.csv install rate 3 "
                 "servers/crew/day from Kakao's own install (businesspost 425114); "
                 "rollout.burn_in_days 30 from the allocation start ~Mar 2026; "
                 "uncertainty.delivery_slip_days, uncertainty.install_rate_factor")


@dataclass(frozen=True)
class BuildCase:
    """An observed build duration and the model quantity it is compared with."""

    key: str
    title: str
    observed_months: float
    kind: str            # "construction" or "permit"
    mapping: str
    sources: str
    label: str = "calibration"


#: The representative construction days are the median of site_phases.csv rows that follow the
#: generic '24 months to first block' (korea.md §8), itself read from these projects (§6.2).
BUILD_INPUTS = {
    "construction": "median construction_days of sim/data/site_phases.csv rows >= 365 days "
                    "(generic 24-month splits from korea.md §8, read from the §6.2 projects "
                    "scored here; the Paju row cites the Paju article itself) x "
                    "uncertainty.construction_factor",
    "permit": "median non-zero permit_days of sim/data/site_phases.csv ([EST] 6-month "
              "remainders, korea.md §1 permits 6-18 months; not derived from Gak Sejong) x "
              "uncertainty.permit_factor",
}

BUILD_CASES = (
    BuildCase("build_gak_sejong", "Naver Gak Sejong: groundbreaking 2021-04-22 -> opened Nov 2023",
              31.0, "construction",
              "groundbreaking -> hall in service = permit-free construction_days (the tabled "
              "new-build value ends when the first block takes racks, §8 '24 months to first "
              "block'); building complete Jun 2023 (26 mo) is an intermediate milestone",
              "korea.md §6.2: newdaily 2023063000067, hankyung 202104223820Y, ebn 1683870"),
    BuildCase("build_nhn_gwangju", "NHN Gwangju national AI DC: ~24 mo build + 6-7 mo fit-out/test",
              30.5, "construction",
              "construction start -> operation (24 + 6.5 months; range 30-31) = "
              "construction_days of a new hall (fit-out and commissioning of a NEW building are "
              "part of it; the 90-day existing-hall fit-out does not apply)",
              "korea.md §6.2, §3 #14: mt 2024032418325988802, newstomato"),
    BuildCase("build_lgu_paju", "LG U+ Paju: ~24 mo to the first 50 MW (Bldg 1, plan Jun 2027)",
              24.0, "construction",
              "investment/construction start -> Bldg 1 in service = construction_days "
              "(permits in hand); a PLANNED date (~20 % progress Jun 2026), prefab modular",
              "korea.md §6.2, §3 #11: biz.chosun 2026-06-07 EES4ZI4WD5A2JH6YMTUKK2FH4M"),
    BuildCase("permit_gak_sejong", "Naver Gak Sejong: land purchase Mar 2020 -> groundbreaking "
              "Apr 2021", 13.0, "permit",
              "land in hand -> groundbreaking = permit_days (the model's only pre-construction "
              "stage: design, permits and approvals); site pick Oct 2019 -> groundbreaking "
              "(18 mo) would be longer still",
              "korea.md §6.2: newdaily 2023063000067, hankyung 202104223820Y", "validation"),
)

# --- grid observations (korea.md §2.2, §2.3) --------------------------------------------------
EAST_COAST_EXPORT_MW = 11_000.0
EAST_COAST_TOLERANCE = 0.20
HVDC_FREED_MW = 900.0
HVDC_FREED_TOLERANCE = 0.50
HVDC_LINK = "DC_bukdangjin_godeok"
#: stage 1 (1.5 GW) was built Dec 2020; stage 2 (+1.5 GW) completed 2024-05-03 is what freed
#: the ~900 MW (korea.md §2.3; sedaily 2D9C7GTLWG, edaily 01151286638892856)
HVDC_STAGE1_MW = 1_500.0
#: KEPCO: 7,343 MW of data-centre load requested for 2027, 4,718 MW suppliable (korea.md §10)
SUPPLY_2027_MW = 4_718.0
SUPPLY_2027_TOLERANCE = 0.25
#: Sep 2025 pilot assessment: refused shares of DC applications (korea.md §2.6)
REFUSAL_SHARES = {"national": 0.469, "capital_region": 0.638, "Incheon": 1.0}
REFUSAL_TOLERANCE = 0.10
QUEUE_INPUTS = ("sim/data/grid/competing_loads.csv (the 2027 request pool: 7,343 MW split by "
                "the Sep 2025 applications per province, in ~69 MW blocks; named DCs), the "
                "2027 state of the dated grid (demand_national.csv basic_plan_11, "
                "fleet_changes.csv, fuels.csv with LNG 0.73 from the 2024 reserve), "
                "sim/grid/replay.py (filing order, full MW), the substation layer "
                "sim/data/grid/substations.csv (standard 4 x 60 MVA 154 kV and 3 x 500 MVA "
                "345/154 kV banks [EST], N-1; served = the bus's demand)")

#: What a passing back-test cannot show (shown in docs/validation.md whatever the verdict).
LIMIT_NOTES: dict[str, str] = {
    "conn_busan_singangseo": (
        "Scored `by`, it cannot show that the model's earlier date (an 11 km 154 kV line from "
        "an existing 345 kV substation with [EST] spare, 2025-26) was feasible, and the "
        "evidence leans against it: >100 supply notices queued in Busan Gangseo (korea.md "
        "§2.4) and even the new ~1,000 MW substation judged tight for the EDC, the Mieum "
        "complex and Microsoft's planned DCs (KNN 152054). A site with no sourced row in a "
        "district like this gets a derived date that may be early; the explanation names the "
        "substation and its spare so a planner can check it."),
    "conn_solaseado": (
        "Not independent: Solaseado is one of the sources of the pre-funded option (its "
        "'2-4 yr' is rounded from this case, and the high bound was raised to the "
        "conventional 6 years in Nov 2026 when this case showed 4 years too short), so it "
        "checks consistency, not skill."),
    "conn_dongbieung": (
        "The date agrees, the path does not: the model runs a 13 km 154 kV line from the "
        "Saemangeum 345 kV substation, whose [EST] standard banks it counts as already "
        "installed; KEPCO first added a transformer at that substation (asiae "
        "2023032814252916580) and served the large customers from a new substation in the "
        "complex. The model has no bank-addition option."),
}

#: Cause of each known failure and the data that would fix it (shown in docs/validation.md).
FAILURE_NOTES: dict[str, str] = {
    "gov13k_nhn_gwangju": (
        "**Cause.** Two defaults add up at the site with the most servers. (1) The default "
        "delivery slip (triangular -30/0/+150 days, median ~+34 days) is applied to an arrival "
        "that in reality was on time (order Aug 2025 + 4 months = Dec 2025); with the arrival "
        "as observed the P50 falls inside the window (diagnostics below). (2) NHN received 957 "
        "eight-GPU servers, three times Kakao's 303, but its site row copies Kakao's crew "
        "(3 crews x 3 servers/crew/day [EST], sim/data/sites.csv), so installing takes ~106 "
        "days at the central rate and longer at the drawn rate (factor triangular 0.5-1.0-1.2), "
        "which leaves no room for the slip. The observed side is weak as well: '~Mar 2026' is "
        "the programme-wide allocation start (MSIT, announced 2026-01-12); for NHN the only "
        "dated item is a plan to complete a 510-node cluster in Q1 2026 (ajunews "
        "20250728191116474), about half of its 957 nodes. **Data that would fix it:** NHN's "
        "dated installation and acceptance record (nodes installed by date, as Kakao reported "
        "255 nodes by 2025-12-29) and the crews it used, to source the site row instead of "
        "copying Kakao's; the date NIPA/MSIT allocated NHN's last node; and planned-vs-actual "
        "arrival dates of further Korean GPU orders, to re-source the delivery-slip "
        "distribution that today rests on one order (§6.1) and a generic 3-6 months (§8)."),
    "permit_gak_sejong": (
        "**Cause.** The representative pre-construction period of the data is the median of the "
        "tabled non-zero `permit_days` in sim/data/site_phases.csv, 180 days: most rows are "
        "[EST] 6-month remainders for sites whose approvals are partly done. Even at the "
        "distribution's top (x2.0) that is 12 months, below the 13 months Gak Sejong needed "
        "from land purchase to groundbreaking (18 from site pick). korea.md §1 gives 6-18 months "
        "for permits alone plus 3-12 months of design; the model has no design stage. "
        "**Data that would fix it:** dated building-permit and approval milestones (EAIS "
        "building-permit records, local-government notices) for Korean data centres that "
        "were built (Gak Sejong, Kakao Ansan, NHN Gwangju) and those under way (Ulsan, Paju), "
        "to split design, permits and land time and to re-source the 180-day [EST] rows."),
    "grid_hvdc_freed": (
        "**Cause (if it fails).** The measure is the merit-order secure dispatch's west-coast "
        "output with the link at 3,000 vs 1,500 MW (stage 2 added); the observed ~0.9 GW is a "
        "change of constrained-off output in operation, and stage 1's rated output is doubted "
        "(e2news 216872, korea.md §2.3). Stability limits and the Godeok receiving-end network "
        "are not modelled. **Data that would fix it:** KPX/EPSIS hourly transfer records of the "
        "link since 2024-05-03 (its real operating level, which would go into lines.csv as its "
        "usable rating, not a tuned factor), KPX's west-coast interface limits before and after "
        "May 2024, constrained-off volumes of the Dangjin and Taean units."),
    "conn_nhn_gwangju": (
        "**Cause (if it fails).** The observation (building complete Apr 2023, operation "
        "Oct/Nov 2023) is a later milestone that needed power, so it bounds the energisation "
        "from above (scored `by`: P10 <= observed). The derived 22.9 kV dedicated feeder (0.3 "
        "km from the nearest 154 kV substation) comes 6-24 months after the [EST] filing date "
        "(construction start), before that bound. **Data that would fix it:** the site's KEPCO "
        "supply application and energisation dates (a two-sided test)."),
    "conn_gak_sejong_ph1": (
        "**Cause (if it fails).** As for NHN, the observation (building complete Jun 2023; "
        "construction Feb 2021 -> Aug 2023, ajunews 20231107174936530) bounds the energisation "
        "from above. The derived 154 kV line (3.4 km to the Sejong 345 kV substation) comes "
        "18-48 months after the [EST] filing (mid-2019, '>200 MVA considered'). **Data that "
        "would fix it:** the supply application and energisation dates of phase 1."),
    "conn_busan_singangseo": (
        "**Cause (if it fails).** The observation is KEPCO's planned date for a new ~1,000 MW "
        "substation that also serves the Mieum complex and the whole EDC (KNN 152054), timed "
        "to the start the DCs asked for ('up to 360 MW needed from 2027', busan.com "
        "2024020418190543398), so it bounds the connection from above (scored `by`; until "
        "Nov 2026 it was scored as an exact date and failed as too early). Without Singangseo "
        "the model connects the 300 MW by an 11 km 154 kV line from an existing 345 kV "
        "substation with [EST] spare (3 x 500 MVA banks, N-1, less Busan's evenly spread "
        "load) in 2025-26. The sourced Singangseo row stays and sets the EDC's supply in the "
        "apex data. **Data that would make it a two-sided test:** transformer MVA and loading "
        "of Busan's 345 and 154 kV substations (KEPCO's substation list and spare-capacity "
        "disclosures)."),
    "conn_solaseado": (
        "**Cause (if it fails).** The pre-funded option's lead (24/36/72 months: §8's 2-4 yr "
        "and KEPCO's 3-year target, at most the conventional 6 years) from the pre-funding MOU "
        "(2024-10-23) against the announced end-2028 (50 months; a plan, not an "
        "energisation). Until Nov 2026 the option's high was §8's 4 years, below the very case "
        "it is rounded from, and the test failed as 2 months short. **Data that would fix "
        "it:** start and energisation dates of more customer-pre-funded substations."),
    "conn_dongbieung": (
        "**Cause (if it fails).** Filed 2023-03-28, when the Saemangeum authority handed the "
        "complex's demand to KEPCO after the 2022 surge of battery firms (asiae "
        "2023032814252916580); the large customers' circuits came with Dongbieung, energised "
        "2025-12-24. Without Dongbieung the model connects 150 MW [EST] by a 13 km 154 kV "
        "line from the Saemangeum 345 kV substation in 2025-26, so the date agrees but the "
        "path differs: KEPCO first added a transformer at that operating substation, then "
        "built substations inside the complex; the model has no bank-addition option and "
        "counts [EST] standard banks as already there. With the earlier [EST] filing (2021, "
        "battery firms arriving) the test failed as too early. **Data that would fix it:** "
        "the Saemangeum substation's transformer MVA and loading, and the day KEPCO decided "
        "Dongbieung."),
    "conn_pohang_west_120": (
        "**Cause (if it fails).** 'Pohang-West can supply 120 MW immediately' (kbmaeil "
        "2025-10-09) is a statement of spare capacity, not an energisation: until Nov 2026 it "
        "was scored as a connection date of 2025-10, which no connection that needs a line or a "
        "bay can meet. It is now scored `capacity`: the derived path must take the 120 MW from "
        "an existing substation's spare (it does: the 345 kV substation 6.4 km west of the "
        "site, OSM station 74, which OSM does not name) and be able to connect by the announced "
        "completion (KEPCO technical assessment Nov 2025, non-technical Feb 2026, completion "
        "target 2027, segye 20260310515072). The sourced site_connections row still gives "
        "Pohang its 120 MW. **Data that would fix it:** the energisation date of the site's "
        "154 kV supply (a two-sided test)."),
    "gov13k_kakao_online_feb": (
        "**Cause.** Most replications are later than observed: the P50 is 0 GPUs online on "
        "2026-02-01 against 2,040 installed by 2025-12-29, so by the rule a P50 of zero against "
        "a positive observation is a miss even though the P10-P90 range (0 to 2,424) touches "
        "the observation (until Nov 2026 an overlap rule recorded it as passing). With the "
        "arrival as observed (delivery slip fixed at 0, diagnostics below) the P50 is about "
        "2,100 and inside: the default slip (median ~+34 days) applied to an arrival that was "
        "on time is what pushes the install past February. **Data that would fix it:** "
        "planned-vs-actual arrival dates of more Korean GPU orders, to re-source the "
        "delivery-slip distribution that rests on one order (§6.1) and a generic 3-6 months "
        "(§8)."),
}


# --- helpers -----------------------------------------------------------------------------------
def scenario_config(replications: int, seed: int = SEED) -> SimConfig:
    """The back-test scenario composed as `python -m sim +scenario=backtest_gov13k` does."""
    return compose_config([f"+scenario={SCENARIO}", f"mc.replications={replications}",
                           f"seed={seed}", "output.figures=false",
                           "output.console_table=false"])


def month_index(date: dt.date) -> int:
    return date.year * 12 + date.month - 1


def within_months(p50: str | None, observed_month: dt.date, months: int) -> bool:
    """True if the P50 date's month is within `months` months of the observed month."""
    if p50 is None:
        return False
    return abs(month_index(dt.date.fromisoformat(p50)) - month_index(observed_month)) <= months


def fmt_months(days: float) -> str:
    return f"{days / DAYS_PER_MONTH:.1f} mo"


def quantile_rank(dist: Distribution, value: float) -> float:
    """Share of the distribution below `value` (inverse of a monotone quantile function)."""
    levels = np.linspace(0.0, 1.0, 10_001)
    return float(np.interp(value, dist.quantile(levels), levels))


# --- back-test 1: the government's 13k GPUs ---------------------------------------------------
def run_gov13k(cfg: SimConfig) -> tuple[dict, np.ndarray]:
    """Summary of the scenario and Kakao's GPUs online per replicate on KAKAO_COUNT_DAY."""
    import xarray as xr

    from sim.app.run import run_scenario

    with tempfile.TemporaryDirectory() as tmp:
        summary = run_scenario(cfg, Path(tmp))
        with xr.open_dataset(Path(tmp) / "result.nc", engine="h5netcdf") as ds:
            online = ds.gpus_online.sel(site="kakao_ansan", time=str(KAKAO_COUNT_DAY))
            kakao = online.sum("owner").values.astype(float)
    return summary, np.atleast_1d(kakao)


def month_label(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def site_backtest(site: str, dates: dict[str, str | None]) -> BackTest:
    centre = month_index(SERVICE_MONTH)
    window = f"{month_label(centre - WINDOW_MONTHS)} .. {month_label(centre + WINDOW_MONTHS)}"
    return BackTest(
        key=f"gov13k_{site}", title=f"gov 13k: {site} full operation (P50 date)",
        observed=f"~{SERVICE_MONTH:%Y-%m} (allocation start)",
        p10=dates["p10"] or "not by horizon", p50=dates["p50"] or "not by horizon",
        p90=dates["p90"] or "not by horizon",
        passed=within_months(dates["p50"], SERVICE_MONTH, WINDOW_MONTHS),
        rule=f"P50 month within ±{WINDOW_MONTHS} months of {SERVICE_MONTH:%Y-%m} ({window}); "
             "deliveries 2025-12 (observed = order Aug 2025 + 4 months), default slip, crews, "
             "install rate and 30-day burn-in",
        sources=GOV13K_SOURCES, label="calibration", depends_on=GOV13K_INPUTS)


def kakao_backtest(online: np.ndarray) -> BackTest:
    p10, p50, p90 = (int(v) for v in np.quantile(online, QS, method="lower"))
    overlap = p90 >= KAKAO_INSTALLED_GPUS and p10 <= KAKAO_PLANNED_GPUS
    return BackTest(
        key="gov13k_kakao_online_feb",
        title=f"gov 13k: Kakao GPUs online on {KAKAO_COUNT_DAY}",
        observed=f"{KAKAO_INSTALLED_GPUS:,}-{KAKAO_PLANNED_GPUS:,} GPUs",
        p10=f"{p10:,}", p50=f"{p50:,}", p90=f"{p90:,}",
        passed=overlap and p50 > 0,     # a P50 of zero against 2,040 observed is a miss
        rule="2,040 installed by 2025-12-29 + the model's 30-day burn-in => 2,040-2,424 online "
             "on 2026-02-01; pass if the P10-P90 range overlaps it and the P50 is not 0 (a P50 "
             "of zero against a positive observation is a miss)",
        sources="korea.md §6.1: businesspost 425114 (255 nodes / 2,040 B200 installed in "
                "Ansan by 2025-12-29, in testing)", label="calibration",
        depends_on=GOV13K_INPUTS)


def gov13k_backtests(replications: int) -> tuple[list[BackTest], dict]:
    """Site back-tests and the raw summary (for the diagnostics section)."""
    summary, kakao = run_gov13k(scenario_config(replications))
    tests = [site_backtest(site, info["full_operation"])
             for site, info in summary["sites"].items()]
    return [*tests, kakao_backtest(kakao)], summary


def arrival_as_observed(replications: int) -> dict:
    """Diagnostic (not a back-test): full operation per site and Kakao's GPUs online on
    KAKAO_COUNT_DAY with the delivery slip fixed at 0 (arrival as observed)."""
    cfg = scenario_config(replications)
    cfg.uncertainty.overrides = {"delivery_slip/owner=gov": {"dist": "fixed", "value": 0}}
    summary, kakao = run_gov13k(cfg)
    return {"sites": {site: info["full_operation"] for site, info in summary["sites"].items()},
            "kakao_online": kakao_backtest(kakao)}


def install_days(cfg: SimConfig) -> dict[str, float]:
    """Days to install each site's servers at the central install rate."""
    from sim.app.run import inputs_for

    inputs = inputs_for(cfg)
    out = {}
    for row in inputs.plan:
        site = inputs.sites[row.site]
        units = row.gpus / inputs.skus[row.sku].gpus_per_unit
        out[row.site] = units / (site.crews * site.racks_per_crew_per_day)
    return out


# --- back-test 2: build durations -------------------------------------------------------------
def representative_days() -> dict[str, float]:
    """Median tabled new-build construction days (>= 365) and median non-zero permit days."""
    rows = schemas.read(DATA_DIR / "site_phases.csv", "site_phases.csv")
    build = [r["construction_days"] for r in rows if r["construction_days"] >= 365]
    permit = [r["permit_days"] for r in rows if r["permit_days"] > 0]
    return {"construction": float(np.median(build)), "permit": float(np.median(permit))}


def factor_distributions(cfg: SimConfig) -> dict[str, Distribution]:
    """The default construction and permit factor distributions of the config."""
    specs = {"construction": cfg.uncertainty.construction_factor,
             "permit": cfg.uncertainty.permit_factor}
    return {kind: parse_distribution(dict(spec), f"uncertainty.{kind}_factor",
                                     families=DURATION_FAMILIES) for kind, spec in specs.items()}


def build_backtest(case: BuildCase, base_days: float, factor: Distribution) -> BackTest:
    p10, p50, p90 = (float(base_days * factor.quantile(q)) for q in QS)
    observed_days = case.observed_months * DAYS_PER_MONTH
    rank = quantile_rank(factor, observed_days / base_days)
    return BackTest(
        key=case.key, title=case.title, observed=f"{case.observed_months:.1f} mo",
        p10=fmt_months(p10), p50=fmt_months(p50), p90=fmt_months(p90),
        passed=p10 <= observed_days <= p90,
        rule=f"{case.mapping}. Model = {case.kind}_factor x {base_days:.0f} days (median "
             f"tabled {case.kind} days); pass if P10 <= observed <= P90 (observed at "
             f"quantile {rank:.2f})",
        sources=case.sources, label=case.label, depends_on=BUILD_INPUTS[case.kind])


def build_backtests(cfg: SimConfig) -> list[BackTest]:
    base, dists = representative_days(), factor_distributions(cfg)
    return [build_backtest(c, base[c.kind], dists[c.kind]) for c in BUILD_CASES]


# --- back-test 3: the grid --------------------------------------------------------------------
def grid_values_mw() -> dict[str, float]:
    """From the dated grid's 2024 state (security-constrained dispatch, sim/grid/dispatch.py):
    the east-coast export limit and the west-coast output that Bukdangjin-Godeok's stage 2
    frees in the merit-order dispatch (and, for the docs, the export limit it adds)."""
    from sim.grid.grid import dated_grid
    from sim.grid.transfer import (
        east_coast_buses,
        lp_export_limit_mw,
        lp_stage_freed_mw,
        west_coast_buses,
    )

    grid = dated_grid(year=2024)
    east = lp_export_limit_mw(grid, east_coast_buses(grid))
    west = west_coast_buses(grid, 36.8)
    freed = lp_stage_freed_mw(grid, HVDC_LINK, west, HVDC_STAGE1_MW)["freed_mw"]
    export = (lp_export_limit_mw(grid, west)
              - lp_export_limit_mw(grid, west, {HVDC_LINK: HVDC_STAGE1_MW}))
    return {"east_coast_limit_mw": east, "hvdc_freed_mw": freed,
            "hvdc_stage2_export_mw": export}


def queue_values() -> dict[str, float]:
    """The 2024-25 data-centre applications and the 2027 requests replayed against the 2027
    state of the dated grid, in filing order (sim/grid/replay.py)."""
    from sim.grid.grid import dated_grid
    from sim.grid.replay import by_region, replay, substation_spare_mw

    grid = dated_grid(year=2027)
    spare = substation_spare_mw(grid, 2027)
    dcs = [ld for ld in grid.operation.loads if ld.kind == "datacenter" and not ld.firm]
    apps = [ld for ld in dcs if ld.status == "applied" and ld.filed_date <= dt.date(2025, 9, 30)]
    for_2027 = [ld for ld in dcs if ld.date <= dt.date(2027, 12, 31)]
    refusals = replay(grid, apps, spare)
    regions = by_region(apps)
    out = {f"refused_{k}": refusals.refusal_share(regions.get(k, [])) for k in REFUSAL_SHARES}
    out.update({f"n_{k}": len(regions.get(k, [])) for k in REFUSAL_SHARES})
    out["supplied_2027_mw"] = replay(grid, for_2027, spare).total_admitted_mw
    out["requested_2027_mw"] = sum(ld.mw for ld in for_2027)
    return out


def grid_backtest(key: str, title: str, model_mw: float, observed_mw: float, tolerance: float,
                  sources: str, label: str, depends_on: str) -> BackTest:
    error = model_mw / observed_mw - 1.0
    return BackTest(
        key=key, title=title, observed=f"~{observed_mw / 1000:.1f} GW", p10="-",
        p50=f"{model_mw / 1000:.2f} GW ({error:+.0%})", p90="-",
        passed=abs(error) <= tolerance,
        rule=f"deterministic security-constrained dispatch (one value, shown as P50); pass if "
             f"within ±{tolerance:.0%} of observed (sim/grid/transfer.py, replay.py)",
        sources=sources, label=label, depends_on=depends_on)


def share_backtest(region: str, model: float, n: int, observed: float) -> BackTest:
    return BackTest(
        key=f"queue_refused_{region}", title=f"Refused share of DC applications, {region}",
        observed=f"{observed:.1%}", p10="-", p50=f"{model:.1%} of {n} applications", p90="-",
        passed=abs(model - observed) <= REFUSAL_TOLERANCE + 1e-9,
        rule=f"applications of Jun 2024-Sep 2025 replayed against the 2027 state in filing "
             f"order; refused unless all of it is admitted; pass within ±"
             f"{REFUSAL_TOLERANCE:.0%} points",
        sources="korea.md §2.6: Sep 2025 pilot assessment, 318 applications / 149 refused; "
                "capital region 210 / 134; Incheon 18 / 18 (Seoul Shinmun 2026-01-26)",
        label="validation", depends_on=QUEUE_INPUTS)


def grid_backtests() -> list[BackTest]:
    values, queue = grid_values_mw(), queue_values()
    return [
        grid_backtest("grid_east_coast_export", "East coast -> capital N-1 export limit",
                      values["east_coast_limit_mw"], EAST_COAST_EXPORT_MW,
                      EAST_COAST_TOLERANCE,
                      "korea.md §2.2 (~17 GW generation vs ~11 GW export capacity; ekn "
                      "20240312028333557), §3 #16", "calibration",
                      "sim/data/grid/ lines.csv ratings with `uplift_mw` raised in the grid "
                      "calibration against this very ~11 GW (sim/data/grid/README.md, "
                      "Calibration); the 2024 state of the dated grid"),
        grid_backtest("grid_hvdc_freed",
                      "Bukdangjin-Godeok HVDC stage 2: constrained west-coast output freed",
                      values["hvdc_freed_mw"], HVDC_FREED_MW, HVDC_FREED_TOLERANCE,
                      "korea.md §2.3: sedaily 2D9C7GTLWG, edaily 01151286638892856 (~900 MW "
                      "of restricted output transportable after stage 2, 2024-05-03; stage 1 "
                      "1.5 GW built Dec 2020); e2news 216872 (rated output doubtful)",
                      "validation", "sim/data/grid/lines.csv (HVDC 3,000 MW = 2 x 1.5 GW "
                      "stages, dispatched freely); merit-order secure dispatch of the 2024 "
                      "state with the link at 3,000 vs 1,500 MW (for comparison: the largest "
                      f"west-coast export rises by {values['hvdc_stage2_export_mw']:,.0f} MW "
                      "with stage 2; until Nov 2026 this back-test compared the export limit "
                      "with the link at 3,000 vs 0 MW, ~2.8 GW, the wrong counterfactual: "
                      "stage 1 was built in Dec 2020)"),
        grid_backtest("queue_supply_2027", "2027 DC requests (7,343 MW): MW the grid admits",
                      queue["supplied_2027_mw"], SUPPLY_2027_MW, SUPPLY_2027_TOLERANCE,
                      "korea.md §10: 7,343 MW requested for 2027, 4,718 MW suppliable",
                      "validation", QUEUE_INPUTS),
        *(share_backtest(r, queue[f"refused_{r}"], queue[f"n_{r}"], v)
          for r, v in REFUSAL_SHARES.items()),
    ]


def connection_backtests() -> list[BackTest]:
    """Derived connection dates of sites with known outcomes (tools/validate_connections.py)."""
    from tools import validate_connections as conn

    return [BackTest(
        key=r["key"], title=f"Derived connection: {r['what']}", observed=r["observed"],
        p10=r["p10"], p50=r["p50"], p90=r["p90"], passed=r["verdict"] == "PASS",
        rule=f"the derived path (sim/inputs/connect.py) without the observed substation "
             f"itself; chose {r['option']}; {r['rule']}",
        sources="korea.md §2.4, §3, §6.2, §10; korea-connections-options.md A.1-A.4",
        label=r["label"], depends_on=r["depends_on"] + "; sim/data/connection_options.csv, "
        "sim/data/grid/substations.csv") for r in conn.run()]


# --- record, regressions, report --------------------------------------------------------------
def run_all(replications: int, diagnostics: bool = True) -> tuple[list[BackTest], dict]:
    """Every back-test and the forecast skill, plus (optionally) the report's diagnostics."""
    tests, summary = gov13k_backtests(replications)
    cfg = scenario_config(replications)
    tests += build_backtests(cfg) + grid_backtests() + connection_backtests()
    scored, not_scored = skill.forecast_skill()
    out = {"skill": scored, "not_scored": not_scored}
    if not diagnostics:
        return tests, out
    return tests, {**out, "summary": summary,
                   "arrival_as_observed": arrival_as_observed(replications),
                   "install_days": install_days(cfg), "representative": representative_days(),
                   "unstable": unstable_verdicts(scored)}


def unstable_verdicts(scored: list) -> list[str]:
    """Observations whose inside/outside verdict differs at the stability count."""
    again, _ = skill.forecast_skill(skill.STABILITY_REPLICATIONS)
    return [a.obs.obs_id for a, b in zip(scored, again, strict=True) if a.inside != b.inside]


def load_record(path: Path = RECORD_PATH) -> dict[str, bool]:
    """Back-test key -> passed, from the previous run's record (empty if none)."""
    if not path.is_file():
        return {}
    return {k: bool(v["passed"]) for k, v in json.loads(path.read_text())["backtests"].items()}


def load_skill_record(path: Path = RECORD_PATH) -> dict:
    """The forecast-skill part of the previous record (empty if none)."""
    if not path.is_file():
        return {}
    return json.loads(path.read_text()).get("forecast_skill", {})


def problems(tests: list[BackTest], record: dict[str, bool]) -> list[str]:
    """Regressions (passed before, fails now) and failures without a written explanation."""
    out = []
    for t in tests:
        if t.passed:
            continue
        if record.get(t.key, False):
            out.append(f"REGRESSION {t.key}: passed before, fails now ({t.p50} vs {t.observed})")
        elif t.key not in FAILURE_NOTES:
            out.append(f"UNEXPLAINED {t.key}: fails and FAILURE_NOTES has no explanation")
    return out


def check(replications: int = DEFAULT_REPLICATIONS, record_path: Path = RECORD_PATH,
          diagnostics: bool = True) -> tuple[list[BackTest], list[str], dict]:
    """Run every back-test and compare with the record: (tests, problems, diagnostics)."""
    tests, diagnostics = run_all(replications, diagnostics)
    found = problems(tests, load_record(record_path))
    found += skill.regressions(diagnostics["skill"], load_skill_record(record_path))
    return tests, found, diagnostics


def record_json(tests: list[BackTest], replications: int, scored: list) -> str:
    body = {"replications": replications, "seed": SEED,
            "backtests": {t.key: {"passed": t.passed, "label": t.label,
                                  "observed": t.observed, "p10": t.p10, "p50": t.p50,
                                  "p90": t.p90} for t in tests},
            "forecast_skill": skill.record(scored)}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def verdict(test: BackTest, found: list[str]) -> str:
    if test.passed:
        return "PASS"
    if any(line.split()[1].rstrip(":") == test.key for line in found):
        return "**FAIL (new)**"
    return "FAIL (known, explained below)"


def summary_table(tests: list[BackTest], found: list[str]) -> list[str]:
    lines = ["| back-test | label | observed | P10 | P50 | P90 | result |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| `{t.key}`: {t.title} | {t.label} | {t.observed} | {t.p10} | {t.p50} | "
              f"{t.p90} | {verdict(t, found)} |" for t in tests]
    return lines


def rules_section(tests: list[BackTest]) -> list[str]:
    lines = ["## How each back-test is mapped onto the model", ""]
    for t in tests:
        lines += [f"- `{t.key}` ({t.label}) — {t.rule}.",
                  f"  Depends on: {t.depends_on or 'the inputs named in the rule'}.",
                  f"  Sources: {t.sources}."]
    return lines


def failures_section(tests: list[BackTest], notes: dict[str, str]) -> list[str]:
    lines = ["## Failures: cause and the data that would fix them", ""]
    for t in tests:
        if not t.passed:
            lines += [f"### `{t.key}`", "", notes.get(t.key, "**No explanation yet.**"), ""]
    return lines


def limits_section(tests: list[BackTest], limits: dict[str, str]) -> list[str]:
    lines = ["## What passing back-tests cannot show", ""]
    for t in tests:
        if t.passed and t.key in limits:
            lines += [f"- `{t.key}`: {limits[t.key]}"]
    return [*lines, ""] if len(lines) > 2 else []


def diagnostics_section(diagnostics: dict) -> list[str]:
    rep = diagnostics["representative"]
    lines = ["## Diagnostics (not back-tests)", "",
             "Full operation per site with the gov arrival taken as observed (delivery slip "
             "fixed at 0 via `uncertainty.overrides`), next to the days the site's crews need "
             "at the central install rate:", "",
             "| site | P10 | P50 | P90 | install days (central rate) |", "|---|---|---|---|---|"]
    observed = diagnostics["arrival_as_observed"]
    for site, dates in observed["sites"].items():
        lines.append(f"| {site} | {dates['p10']} | {dates['p50']} | {dates['p90']} | "
                     f"{diagnostics['install_days'][site]:.0f} |")
    kakao = observed["kakao_online"]
    lines += ["", f"Kakao GPUs online on {KAKAO_COUNT_DAY} with the arrival as observed: P10 "
              f"{kakao.p10}, P50 {kakao.p50}, P90 {kakao.p90} (observed {kakao.observed}).",
              "", f"Representative durations from sim/data/site_phases.csv: new-build "
              f"construction {rep['construction']:.0f} days (median of rows >= 365 days), "
              f"permits {rep['permit']:.0f} days (median of non-zero rows)."]
    return lines


def report_markdown(tests: list[BackTest], found: list[str], diagnostics: dict,
                    replications: int, notes: dict[str, str]) -> str:
    """docs/validation.md: table, problems, mappings, failure notes, diagnostics."""
    passed = sum(t.passed for t in tests)
    valid = [t for t in tests if t.label == "validation"]
    lines = ["# Back-tests against Korean history and forecast skill", "",
             "Generated by `tools/validate.py` — do not edit by hand. Regenerate with "
             "`python tools/validate.py` (from the repository root).", "",
             f"Model DEFAULT parameters (sim/core/config.py), no per-case tuning; gov 13k "
             f"back-test `+scenario={SCENARIO}` with {replications} replications, seed {SEED}. "
             f"{passed} of {len(tests)} back-tests pass ({sum(t.passed for t in valid)} of "
             f"{len(valid)} labelled validation). Verdicts are recorded only at these fixed "
             "counts and seeds. A back-test is *calibration* when an input it depends on was "
             "derived from its own observation (it then checks consistency, not skill), "
             "*validation* otherwise.", "",
             *summary_table(tests, found), ""]
    if found:
        lines += ["## Problems of this run", "", *[f"- {line}" for line in found], ""]
    lines += [*skill.report_section(diagnostics["skill"], diagnostics["not_scored"],
                                    diagnostics.get("unstable")), "",
              *rules_section(tests), "", *failures_section(tests, notes),
              *limits_section(tests, LIMIT_NOTES),
              *diagnostics_section(diagnostics), ""]
    return "\n".join(lines)


def write_outputs(tests: list[BackTest], found: list[str], diagnostics: dict,
                  replications: int) -> None:
    """Always regenerate the report; update the record only if nothing regressed."""
    DOCS_DIR.mkdir(exist_ok=True)
    REPORT_PATH.write_text(report_markdown(tests, found, diagnostics, replications,
                                           FAILURE_NOTES))
    if not found:
        RECORD_PATH.write_text(record_json(tests, replications, diagnostics["skill"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=DEFAULT_REPLICATIONS)
    parser.add_argument("--check", action="store_true", help="compare only; write nothing")
    args = parser.parse_args(argv)
    if args.replications != DEFAULT_REPLICATIONS:
        args.check = True    # verdicts are recorded only at the fixed count
        print(f"exploring {args.replications} replications: nothing is written (verdicts are "
              f"recorded at {DEFAULT_REPLICATIONS})", file=sys.stderr)
    started = time.perf_counter()
    tests, found, diagnostics = check(args.replications, diagnostics=not args.check)
    for t in tests:
        print(f"{'PASS' if t.passed else 'FAIL'}  {t.key:28s} observed {t.observed:32s} "
              f"P10 {t.p10:16s} P50 {t.p50:18s} P90 {t.p90}")
    for r in diagnostics["skill"]:
        print(f"{'in ' if r.inside else 'OUT'}  {r.obs.obs_id:5s} {r.obs.quantity:24s} "
              f"{r.obs.label:12s} CRPS {r.crps:,.4g}")
    print("forecast skill:", skill.summary(diagnostics["skill"]))
    for line in found:
        print(line, file=sys.stderr)
    if not args.check:
        write_outputs(tests, found, diagnostics, args.replications)
    print(f"{len(tests)} back-tests, {sum(t.passed for t in tests)} pass, {len(found)} "
          f"problem(s); {time.perf_counter() - started:.1f} s")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

