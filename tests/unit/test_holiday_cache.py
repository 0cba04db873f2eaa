"""Public-holiday tables kept in the user's cache: the same days as the library computes,
computed once per user (a `check` then imports no holidays library), and a cache that is
damaged or cannot be written changes nothing but speed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from pacflow import holiday_cache
from pacflow.domain import daysoff


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    holiday_cache.install()
    daysoff.public_holidays.cache_clear()
    yield tmp_path / "pacflow" / "holidays"
    daysoff.public_holidays.cache_clear()


def _kept(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.json"))


def test_a_table_is_computed_once_then_read_from_the_cache(cache: Path) -> None:
    computed = daysoff.computed_holidays("FR", None, 2025, 2026)
    assert daysoff.public_holidays("FR", None, 2025, 2026) == computed
    (kept,) = _kept(cache)
    assert kept.parent.name == holiday_cache.library_version()  # a new library: new tables
    assert json.loads(kept.read_text("utf-8"))["2025-07-14"] == computed[date(2025, 7, 14)]
    # What the cache says is what is used: an edited table shows (so it was read).
    edited = {**json.loads(kept.read_text("utf-8")), "2025-03-03": "Jour de test"}
    kept.write_text(json.dumps(edited), "utf-8")
    daysoff.public_holidays.cache_clear()
    assert daysoff.public_holidays("FR", None, 2025, 2026)[date(2025, 3, 3)] == "Jour de test"


def test_subdivisions_and_years_are_kept_apart(cache: Path) -> None:
    moselle = daysoff.public_holidays("FR", "57", 2025, 2025)
    paris = daysoff.public_holidays("FR", None, 2025, 2025)
    assert date(2025, 12, 26) in moselle  # St Stephen's Day, in Moselle only
    assert date(2025, 12, 26) not in paris
    assert date(2026, 1, 1) not in paris
    assert len(_kept(cache)) == 2


def test_a_damaged_table_is_computed_again_and_replaced(cache: Path) -> None:
    daysoff.public_holidays("DE", "BY", 2025, 2025)
    (kept,) = _kept(cache)
    kept.write_text('{"not a date": 3', "utf-8")
    daysoff.public_holidays.cache_clear()
    assert daysoff.public_holidays("DE", "BY", 2025, 2025) == daysoff.computed_holidays(
        "DE", "BY", 2025, 2025
    )
    assert json.loads(kept.read_text("utf-8"))  # rewritten whole


def test_a_cache_that_cannot_be_written_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    holiday_cache.install()
    daysoff.public_holidays.cache_clear()
    try:
        assert daysoff.public_holidays("FR", None, 2025, 2025) == daysoff.computed_holidays(
            "FR", None, 2025, 2025
        )
    finally:
        daysoff.public_holidays.cache_clear()


def test_a_second_process_needs_no_holidays_library(cache: Path) -> None:
    script = (
        "import sys\n"
        "from pacflow import holiday_cache\n"
        "from pacflow.domain.daysoff import public_holidays\n"
        "holiday_cache.install()\n"
        "print(len(public_holidays('IT', None, 2025, 2025)), 'holidays' in sys.modules)\n"
    )

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    count = len(daysoff.computed_holidays("IT", None, 2025, 2025))
    assert run() == f"{count} True"  # computed, and kept
    assert run() == f"{count} False"  # read back: the library is not imported
