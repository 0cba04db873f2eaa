"""Public-holiday tables kept in the user's cache directory, once computed.

Working out a country's holidays imports the holidays library with every country it knows
(~90 ms of CPU), which a `check` or a `report` would otherwise pay on every run. A table
computed once is kept as a small JSON file under the user's cache directory
(`platformdirs.user_cache_path`, e.g. `~/.cache/pacflow/holidays/`), in a folder named
after the library's version: a new version of the library computes (and keeps) them again.
The tables are the library's answer, nothing of a plan: any plan or store may share them.
A file that cannot be read or written is ignored, and the table computed as without a cache.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path

from pacflow.domain import daysoff

_SAFE = re.compile(r"[A-Za-z0-9_-]{1,20}")


@cache
def library_version() -> str | None:
    """The holidays library's installed version, from its `*.dist-info` folder name (no
    import: the library's own `__version__` goes through importlib.metadata, ~20 ms)."""
    spec = importlib.util.find_spec("holidays")
    if spec is None or not spec.submodule_search_locations:
        return None
    package = Path(next(iter(spec.submodule_search_locations)))
    try:
        names = [entry.name for entry in os.scandir(package.parent)]
    except OSError:
        return None
    for name in names:
        if name.startswith("holidays-") and name.endswith(".dist-info"):
            version = name[len("holidays-") : -len(".dist-info")]
            return version if _SAFE.fullmatch(version.replace(".", "_")) else None
    return None


def _file(country: str, subdivision: str | None, first_year: int, last_year: int) -> Path | None:
    version = library_version()
    part = subdivision if subdivision is not None else "_"
    if version is None or not (_SAFE.fullmatch(country) and _SAFE.fullmatch(part)):
        return None
    import platformdirs

    folder = platformdirs.user_cache_path("pacflow", appauthor=False) / "holidays" / version
    return folder / f"{country}-{part}-{first_year}-{last_year}.json"


def _read(path: Path) -> dict[date, str] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
        return {date.fromisoformat(day): str(name) for day, name in data.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return None  # absent, or not a table: computed again


def _write(path: Path, table: Mapping[date, str]) -> None:
    from pacflow.errors import InvalidInputError
    from pacflow.files import write_atomically  # a reader sees the whole table or none

    text = json.dumps({day.isoformat(): name for day, name in table.items()}, ensure_ascii=False)
    with contextlib.suppress(OSError, InvalidInputError):  # unwritable: computed next time
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text, "a public-holiday table")


def cached_holidays(
    country: str, subdivision: str | None, first_year: int, last_year: int
) -> Mapping[date, str]:
    """`daysoff.computed_holidays`, from the user's cache when it was computed before."""
    path = _file(country, subdivision, first_year, last_year)
    if path is not None:
        found = _read(path)
        if found is not None:
            return found
    table = daysoff.computed_holidays(country, subdivision, first_year, last_year)
    if path is not None:
        _write(path, table)
    return table


def install() -> None:
    """Take public holidays from the user's cache from now on (in this process)."""
    if daysoff.public_holidays_source() is not cached_holidays:
        daysoff.use_holiday_source(cached_holidays)
