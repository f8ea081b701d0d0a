"""python -m sim.compare on apex vs plan=hyundai_ulsan (replicated, from the shared sweep) and
on a single run against a replicated one."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys

import pytest

from tests.conftest import REPO


def compare(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim.compare", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def rows_of(path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.apex_runs("sweep")
def test_base_vs_hyundai_ulsan_replicated(apex_runs, tmp_path):
    base, ulsan = apex_runs.sweep / "0", apex_runs.sweep / "1"
    proc = compare(base, ulsan, "--out", tmp_path / "cmp", "--labels", "base,ulsan")
    assert proc.returncode == 0, proc.stderr
    assert "SK–AWS Ulsan" in proc.stdout and "P10 – P90" in proc.stdout
    rows = rows_of(tmp_path / "cmp" / "compare.csv")
    planned = {r["id"]: r for r in rows if r["metric"] == "GPUs planned"}
    # scenarios/apex/plans/hyundai_ulsan.csv moves Hyundai's 50,000 GPUs to SK-AWS Ulsan
    assert planned["sk_aws_ulsan"]["diff: ulsan"] == "50000"
    assert planned["hyundai_saemangeum"]["ulsan"] == "0"
    full = [r for r in rows if r["id"] == "hyundai_saemangeum" and
            r["metric"] == "all GPUs online"]
    assert "p50" in {r["stat"] for r in full}
    assert all(r["ulsan"] == "not planned" for r in full)
    # a date difference is the days between the two summaries' P50 dates
    summaries = [json.loads((d / "summary.json").read_text()) for d in (base, ulsan)]
    p50 = [s["milestones"]["gov"]["50"]["p50"] for s in summaries]
    row = next(r for r in rows if r["id"] == "gov" and r["metric"] == "50 % online"
               and r["stat"] == "p50")
    assert int(row["diff: ulsan"]) == (dt.date.fromisoformat(p50[1])
                                       - dt.date.fromisoformat(p50[0])).days
    assert (tmp_path / "cmp" / "compare.png").stat().st_size > 20_000
    assert "Owners" in (tmp_path / "cmp" / "compare.txt").read_text()


@pytest.mark.apex_runs("single", "replicated")
def test_single_vs_replicated_and_online_dates(apex_runs, tmp_path):
    proc = compare(apex_runs.single, apex_runs.replicated, "--out", tmp_path / "c",
                   "--dates", "2028-12-31", "--no-figure")
    assert proc.returncode == 0, proc.stderr
    rows = rows_of(tmp_path / "c" / "compare.csv")
    single = json.loads((apex_runs.single / "summary.json").read_text())
    online = next(r for r in rows if r["id"] == "total"
                  and r["metric"] == "GPUs online 2028-12-31" and r["stat"] == "p50")
    label = next(k for k in online if k not in ("section", "id", "name", "metric", "stat",
                                                "kind") and not k.startswith("diff"))
    assert int(online[label]) == single["online_at_dates"]["2028-12-31"]["total"]
    assert not (tmp_path / "c" / "compare.png").exists()


@pytest.mark.apex_runs("single", "replicated")
def test_bad_arguments_are_one_line(apex_runs, tmp_path):
    for args in ([apex_runs.single], [apex_runs.single, tmp_path],
                 [apex_runs.single, apex_runs.replicated, "--dates", "2027-07-01"]):
        proc = compare(*args, "--out", tmp_path / "x")
        assert proc.returncode == 2
        assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("error:")
