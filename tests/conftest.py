"""Shared fixtures: a warm command-line runner (tests/cliserver.py) for the many CLI cases."""

from __future__ import annotations

import pytest

from tests.cliserver import CliServer


@pytest.fixture(scope="session")
def cli_server():
    server = CliServer()
    yield server
    server.close()
