"""Writing projection rows through the database driver, many at a time.

SQLAlchemy's per-row parameter processing cost more than the database on rebuilds, so
projectors hand their rows to a `RowWriter`, which sends them with the driver's
`executemany` (pipelined by psycopg 3), converting values the way SQLAlchemy stores them so
that SQLAlchemy reads of the same tables still work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import islice
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

from pacflow.remembering import remembering

CHUNK = 5000
"""Rows sent per executemany: a whole plan's rows are never held as one list of tuples."""


def _sqlite_datetime(value: datetime) -> str:
    # What SQLAlchemy writes ("%Y-%m-%d %H:%M:%S.%f", the wall time without its offset),
    # by isoformat: strftime cost more than the insert itself.
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


MEMO_SIZE = 4096
"""Conversions kept per column kind: a window's rows repeat a few dates and times (the
days visits are held, the time of each append) tens of thousands of times."""


def _with_zone(moment: datetime) -> tuple[datetime, Any]:
    return moment, moment.tzinfo


class RowWriter:
    """Deletes and inserts rows of projection tables inside the caller's transaction."""

    def __init__(self, connection: sa.Connection) -> None:
        self._cursor: Any = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._sqlite = connection.dialect.name == "sqlite"
        self._mark = "?" if self._sqlite else "%s"
        self._converters: dict[sa.Table, list[tuple[int, Callable[[Any], Any]]]] = {}
        self._dialect = connection.dialect
        self._array_types: dict[tuple[sa.Table, str], str] = {}
        # Keyed by value and zone: equal instants in two zones have different wall times.
        self._datetime_text = remembering(_sqlite_datetime, key=_with_zone, size=MEMO_SIZE)
        self._date_text = remembering(date.isoformat, size=MEMO_SIZE)

    def delete(
        self, table: sa.Table, columns: Sequence[str], keys: Iterable[tuple[Any, ...]]
    ) -> None:
        """Delete the rows whose `columns` equal one of `keys`."""
        iterator = iter(keys)
        if self._sqlite:
            where = " AND ".join(f'"{name}" = ?' for name in columns)
            statement = f'DELETE FROM "{table.name}" WHERE {where}'
            while chunk := list(islice(iterator, CHUNK)):
                self._cursor.executemany(statement, chunk)
            return
        # PostgreSQL: one statement per chunk, the keys sent as one array per column.
        arrays = ", ".join(f"%b::{self._array_type(table, name)}" for name in columns)
        on = " AND ".join(f't."{name}" = k."{name}"' for name in columns)
        names = ", ".join(f'"{name}"' for name in columns)
        statement = (
            f'DELETE FROM "{table.name}" AS t USING unnest({arrays}) AS k({names}) WHERE {on}'
        )
        while chunk := list(islice(iterator, CHUNK)):
            self._cursor.execute(statement, [list(column) for column in zip(*chunk, strict=True)])

    def insert(
        self,
        table: sa.Table,
        rows: Iterable[dict[str, Any]],
        *,
        skip_existing: bool = False,
        replace_existing: bool = False,
    ) -> None:
        """Insert `rows` (dicts by column name); with `skip_existing`, a row whose primary
        key is taken already is left as it is (replaying a window after a crash); with
        `replace_existing`, it takes the new row's values."""
        columns = [c.name for c in table.columns]
        names = ", ".join(f'"{name}"' for name in columns)
        marks = ", ".join([self._mark] * len(columns))
        statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        if skip_existing or replace_existing:
            if self._sqlite:
                verb = "IGNORE" if skip_existing else "REPLACE"
                statement = statement.replace("INSERT", f"INSERT OR {verb}", 1)
            elif skip_existing:
                statement += " ON CONFLICT DO NOTHING"
            else:
                keys = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
                sets = ", ".join(
                    f'"{c.name}" = EXCLUDED."{c.name}"' for c in table.columns if not c.primary_key
                )
                statement += f" ON CONFLICT ({keys}) DO UPDATE SET {sets}"
        convert = self._converters_of(table)
        cells = itemgetter(*columns)  # a tuple in column order, in C
        iterator = iter(rows)
        if self._sqlite:
            while chunk := list(islice(iterator, CHUNK)):
                if convert:
                    self._cursor.executemany(statement, _converted_rows(chunk, columns, convert))
                else:
                    self._cursor.executemany(statement, list(map(cells, chunk)))
            return
        # PostgreSQL: one statement per chunk, the rows sent as one array per column.
        # psycopg's executemany adapts and sends each row on its own (pipelined), which
        # cost five times the database's own work; a multi-row VALUES is parsed in Python.
        arrays = ", ".join(f"%b::{self._array_type(table, name)}" for name in columns)
        statement = statement.replace(f"VALUES ({marks})", f"SELECT * FROM unnest({arrays})")
        while chunk := list(islice(iterator, CHUNK)):
            values = list(map(cells, chunk))
            self._cursor.execute(statement, [list(column) for column in zip(*values, strict=True)])

    def update(
        self,
        table: sa.Table,
        columns: Sequence[str],
        keys: Sequence[str],
        values: Iterable[tuple[Any, ...]],
    ) -> None:
        """Set `columns` on the rows matching `keys`; each tuple is the new values, then the key."""
        sets = ", ".join(f'"{name}" = {self._mark}' for name in columns)
        where = " AND ".join(f'"{name}" = {self._mark}' for name in keys)
        convert = [
            (index, converter)
            for index, converter in self._converters_of(table)
            if table.columns.keys()[index] in columns
        ]
        positions = {name: n for n, name in enumerate(columns)}
        moved = [(positions[table.columns.keys()[index]], c) for index, c in convert]
        rows = [_converted(row, moved) if moved else row for row in values]
        if rows:
            self._cursor.executemany(f'UPDATE "{table.name}" SET {sets} WHERE {where}', rows)

    def _array_type(self, table: sa.Table, column: str) -> str:
        """The PostgreSQL array type of a column (`VARCHAR(40)[]`), for unnest."""
        found = self._array_types.get((table, column))
        if found is None:
            compiled = table.columns[column].type.compile(dialect=self._dialect)
            found = self._array_types[(table, column)] = f"{compiled}[]"
        return found

    def _converters_of(self, table: sa.Table) -> list[tuple[int, Callable[[Any], Any]]]:
        """Dates as SQLAlchemy's SQLite dialect stores them (text); nothing on PostgreSQL."""
        found = self._converters.get(table)
        if found is None:
            found = (
                [
                    (
                        index,
                        self._datetime_text
                        if isinstance(column.type, sa.DateTime)
                        else self._date_text,
                    )
                    for index, column in enumerate(table.columns)
                    if isinstance(column.type, sa.DateTime | sa.Date)
                ]
                if self._sqlite
                else []
            )
            self._converters[table] = found
        return found


def _converted_rows(
    rows: list[dict[str, Any]],
    columns: list[str],
    converters: list[tuple[int, Callable[[Any], Any]]],
) -> list[tuple[Any, ...]]:
    """The rows as tuples in column order, their `converters`' columns converted: taken
    column by column and zipped back into rows, all by map and zip (in C, where a loop
    over rows cost as much as the conversions themselves)."""
    cells: list[Iterator[Any]] = [map(itemgetter(name), rows) for name in columns]
    for index, convert in converters:
        cells[index] = map(convert, cells[index])
    return list(zip(*cells))  # noqa: B905 (every column is as long as `rows`)


def _converted(
    row: tuple[Any, ...], converters: list[tuple[int, Callable[[Any], Any]]]
) -> tuple[Any, ...]:
    cells = list(row)
    for index, convert in converters:
        cells[index] = convert(cells[index])
    return tuple(cells)
