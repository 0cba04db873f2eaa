"""Helpers for the store contract suite: the clock protocol, raw SQL, event factories."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from events import EventStore, NewEvent
from events.sql.migrating import Migrations


class SettableClock(Protocol):
    """The `clock` fixture: call it for now, advance it to move time on."""

    def __call__(self) -> datetime: ...

    def advance(self, seconds: float = 1.0) -> datetime: ...

    def set(self, moment: datetime) -> None: ...


def backend_of(url: str) -> str:
    """memory, sqlite or postgres."""
    if url.startswith("memory:"):
        return "memory"
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith("postgresql"):
        return "postgres"
    raise ValueError(f"no backend for {url!r}")


@contextmanager
def raw_connection(url: str) -> Iterator[sa.Connection]:
    """A plain SQLAlchemy connection to the database behind a store, past the store's API."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def raw_execute(url: str, statement: str, **params: Any) -> None:
    """Run one statement (":name" marks a parameter) and commit."""
    with raw_connection(url) as connection, connection.begin():
        connection.execute(sa.text(statement), params)


def raw_rows(url: str, query: str) -> list[tuple[Any, ...]]:
    with raw_connection(url) as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]


def numbered(count: int, event_type: str = "Numbered", **extra: Any) -> list[NewEvent]:
    """`count` fresh events whose data says which one they are."""
    return [NewEvent(event_type, {"n": n, **extra}) for n in range(1, count + 1)]


def snapshot(store: EventStore) -> list[tuple[int, str, int, str]]:
    """What the log holds, compactly: to show that a failed call wrote nothing."""
    return [
        (event.position, event.stream_id, event.stream_version, event.hash)
        for event in store.read_all()
    ]


def engine_of(store: EventStore) -> sa.Engine:
    """The SQLAlchemy engine of a SQL store (where its parts migrate their tables)."""
    engine = getattr(store, "engine", None)
    assert isinstance(engine, sa.Engine)
    return engine


def part_version(engine: sa.Engine, migrations: Migrations) -> str | None:
    """The revision one part's tables are at (None before its first migration)."""
    with engine.connect() as connection:
        return migrations.read_version(connection)
