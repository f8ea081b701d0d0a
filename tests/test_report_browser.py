"""report.html of a single and of a replicated apex run, opened in headless Chromium: no
console errors, every image decoded, every table cell filled, no machine path or raw JSON,
and a screenshot with real content. CI installs Chromium (.ci/run); the test skips only where
no Chromium exists at all."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from tests.browser import file_url, find_chromium, render

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (.ci/run installs "
                                "it with apt-get install chromium)")

CHECKS = {
    "images": "Array.from(document.images).map(i => [i.alt, i.complete && i.naturalWidth > 0])",
    "empty_cells": "Array.from(document.querySelectorAll('td')).filter(td => "
                   "td.textContent.trim() === '' || td.textContent.trim() === '—').length",
    "tables": "document.querySelectorAll('table').length",
    "text": "document.body.innerText",
}


@pytest.mark.apex_runs("single", "replicated")
@pytest.mark.parametrize("which", ["single", "replicated"])
def test_report_renders_filled_in_headless_chromium(apex_runs, which):
    from PIL import Image

    run_dir = getattr(apex_runs, which)
    page = render(CHROMIUM, file_url(run_dir / "report.html"), CHECKS)
    assert page.console_errors == []
    images = page.values["images"]
    figures = ["gpus_online.png", "sites.png", "map.png", "power.png"]
    figures += ["time_to_power.png"] if which == "single" else []
    assert [name for name, _ in images] == figures
    assert all(ok for _, ok in images), images
    assert page.values["empty_cells"] == 0
    assert page.values["tables"] >= 6
    text = page.values["text"]
    assert "/tmp" not in text and "/work" not in text and str(run_dir) not in text
    assert '{"p10"' not in text and "idle_gpu_months" not in text
    summary = json.loads((run_dir / "summary.json").read_text())
    assert "SK–AWS Ulsan" in text and "Naver Cloud" in text          # display names
    for date, counts in summary["online_at_dates"].items():
        total = counts["total"]["p50"] if isinstance(counts["total"], dict) else counts["total"]
        assert date in text and f"{total:,}" in text
    shot = np.asarray(Image.open(io.BytesIO(page.screenshot_png)).convert("L"), dtype=float)
    assert shot.shape[0] > 2000 and shot.shape[1] >= 1000            # the whole page
    assert shot.std() > 20                                          # not a blank page
    assert (shot < 128).mean() > 0.02                               # text and figures drawn
