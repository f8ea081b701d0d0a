"""The package's import layers (pyproject.toml [tool.importlinter]) hold, and no module of
`sim` imports itself back through a cycle."""

from __future__ import annotations

import shutil
import subprocess

import grimp
import networkx as nx
import pytest

from tests.test_cli import REPO


def test_import_layers_contract_is_kept():
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.fail("lint-imports not found: install the test extra (pip install -e '.[test]')")
    proc = subprocess.run([exe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "0 broken" in proc.stdout


def test_no_import_cycle_between_modules():
    graph = grimp.build_graph("sim")
    edges = nx.DiGraph((m, d) for m in graph.modules
                       for d in graph.find_modules_directly_imported_by(m))
    assert list(nx.simple_cycles(edges)) == []
