"""CLI fixtures: a runner and a store file of the test's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite store URL, also set as PACFLOW_DB; the user data dir is kept away."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PACFLOW_DB", url)
    monkeypatch.setenv("PACFLOW_ACTOR", "hg")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return url
