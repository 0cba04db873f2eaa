"""Driver connections (sqlite3, psycopg) opened and pooled without SQLAlchemy.

Appends and reads go straight to the driver; a command that finds the store's schema up to
date therefore never imports SQLAlchemy, whose import alone cost more CPU than a small
command's whole work. SQLAlchemy still owns the schema (Alembic migrations) and the
projections' tables: `SqlEventStore.engine` builds its engine on first use.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from events.sql.urls import StoreUrl

SQLITE_TIMEOUT_S = 30


def use_wal(cursor: sqlite3.Cursor) -> None:
    """Switch a database to WAL (a setting kept in the file, so only its first opening does
    it). Switching needs the file to itself and SQLite answers "locked" at once, without
    waiting, when other connections open a new database at the same moment: retry."""
    for _attempt in range(200):
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            time.sleep(0.025)
    cursor.execute("PRAGMA journal_mode=WAL")  # a last try, its error reported as it is


def configure_sqlite(connection: sqlite3.Connection) -> None:
    """What every SQLite connection of a store needs, whoever opened it."""
    # Take transactions into our own hands (pysqlite's implicit BEGIN is deferred).
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_TIMEOUT_S * 1000}")
    use_wal(cursor)
    # FULL: a committed append survives a power cut, not only a process crash.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def connect(url: StoreUrl) -> Any:
    """A new driver connection to the store's database."""
    if url.is_postgres:
        import psycopg

        return psycopg.connect(url.conninfo, connect_timeout=5, application_name="pacflow")
    connection = sqlite3.connect(
        str(url.database), timeout=SQLITE_TIMEOUT_S, check_same_thread=False
    )
    configure_sqlite(connection)
    return connection


class ConnectionPool:
    """Driver connections kept open between statements (any thread may borrow one)."""

    def __init__(self, url: StoreUrl, keep: int = 5) -> None:
        self._url = url
        self._keep = keep
        self._idle: list[Any] = []
        self._lock = threading.Lock()

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A connection for a few statements; it is closed rather than kept if they fail."""
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            connection = connect(self._url)
        try:
            yield connection
            if self._url.is_postgres:
                connection.rollback()  # end the read's transaction: no snapshot held idle
        except BaseException:
            _close_quietly(connection)
            raise
        with self._lock:
            if len(self._idle) < self._keep:
                self._idle.append(connection)
                return
        _close_quietly(connection)

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            _close_quietly(connection)


def _close_quietly(connection: Any) -> None:
    try:
        connection.close()
    except Exception:  # a broken connection may fail to close; it is dropped all the same
        return
