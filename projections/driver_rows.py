"""Read models read through a driver connection (sqlite3 or psycopg), not SQLAlchemy.

The queries a command runs on read models that are up to date are a few SELECTs; going
through the driver spares the command SQLAlchemy's import (more CPU than the whole query
on a small store). Statements are written with `?` marks and rewritten for psycopg.
Values come back as each driver gives them: dates and times as ISO text on SQLite, as
`date`/`datetime` on PostgreSQL (`iso` reads both), booleans as 0/1 on SQLite.
"""

from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any


@functools.cache
def _row_type(columns: tuple[str, ...]) -> Any:
    return namedtuple("Row", columns)  # the columns are known at run time only


class DriverRows:
    """Plain SQL on one driver connection, rows as named tuples."""

    def __init__(self, connection: Any, *, postgres: bool) -> None:
        self.connection = connection
        """The driver's own connection (sqlite3 or psycopg)."""
        self.postgres = postgres

    @classmethod
    def of(cls, connection: Any) -> DriverRows:
        """Rows over `connection`: a `DriverRows`, or a SQLAlchemy connection's driver one."""
        if isinstance(connection, DriverRows):
            return connection
        dialect = connection.dialect.name
        driver = connection.connection.driver_connection
        return cls(driver, postgres=dialect == "postgresql")

    def all(self, statement: str, params: Sequence[object] = ()) -> list[Any]:
        """Every row of `statement` (`?` marks), with its columns as attributes."""
        if self.postgres:
            statement = statement.replace("?", "%s")
        cursor = self.connection.cursor()
        try:
            cursor.execute(statement, tuple(params))
            row = _row_type(tuple(column[0] for column in cursor.description))
            return [row._make(values) for values in cursor.fetchall()]
        finally:
            cursor.close()

    def first(self, statement: str, params: Sequence[object] = ()) -> Any | None:
        """The first row of `statement`, or None."""
        found = self.all(statement, params)
        return found[0] if found else None


@contextmanager
def driver_rows(source: Any) -> Iterator[DriverRows]:
    """Rows over `source`: `DriverRows` as they are, or a connection of a SQLAlchemy engine
    (what tests and benchmarks that build their own projection engine hold)."""
    if isinstance(source, DriverRows):
        yield source
        return
    with source.connect() as connection:
        yield DriverRows.of(connection)


def iso(value: date | datetime | str | None) -> str | None:
    """A date or naive date-time in ISO 8601, as either driver returned it."""
    if value is None:
        return None
    if isinstance(value, str):
        # SQLite keeps what SQLAlchemy wrote: "2025-03-04" or "2025-03-04 09:00:00.000000".
        return value if len(value) <= 10 else datetime.fromisoformat(value).isoformat()
    return value.isoformat()
