"""Reading a run's summary.json back (report, figures, sim.compare)."""

from __future__ import annotations

import json
from pathlib import Path


def load_summary(run_dir: Path) -> dict:
    return json.loads((Path(run_dir) / "summary.json").read_text(encoding="utf-8"))
