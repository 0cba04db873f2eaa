"""The event store on SQLAlchemy Core: SQLite (embedded default) and PostgreSQL (psycopg 3).

One code path for both; the differences are how a writer takes the global lock
(BEGIN IMMEDIATE on SQLite, a transaction-level advisory lock on PostgreSQL), how
`recorded_at` is stored, and how subscribers are woken (polling vs LISTEN/NOTIFY).
Holding the lock from reading the head to commit makes positions gap-free and visible in
commit order: a reader following `position` never misses a late commit.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy import exc as sa_exc

from events.clock import Clock, format_utc, parse_utc
from events.encoding import GENESIS_HASH
from events.errors import EventStoreError, StoreUnavailableError
from events.records import ExpectedVersion
from events.sql import schema
from events.sql.urls import StoreUrl, describe_failure, parse_store_url
from events.store import (
    DuplicateEventId,
    EventStore,
    PreparedEvent,
    RawRow,
    chain_rows,
    check_expected,
)
from events.subscription import Waiter
from events.upcasting import Upcasters

_COLUMNS = (
    "position, stream_id, stream_version, event_id, type, schema_version, "
    "data, metadata, recorded_at, hash"
)
_INSERT = sa.text(
    f"INSERT INTO events ({_COLUMNS}) VALUES (:position, :stream_id, :stream_version, "
    ":event_id, :type, :schema_version, :data, :metadata, :recorded_at, :hash)"
)
_HEADS = sa.text(
    "SELECT (SELECT max(stream_version) FROM events WHERE stream_id = :stream_id), "
    "(SELECT position FROM events ORDER BY position DESC LIMIT 1), "
    "(SELECT hash FROM events ORDER BY position DESC LIMIT 1)"
)
_PG_WRITE_LOCK = sa.text("SELECT pg_advisory_xact_lock(1885430630, hashtext(current_schema()))")


@functools.cache
def _after_statement(until: bool, types: bool) -> sa.TextClause:
    conditions = ["position > :after"]
    if until:
        conditions.append("recorded_at <= :until")
    if types:
        conditions.append("type IN :types")
    statement = sa.text(
        f"SELECT {_COLUMNS} FROM events WHERE {' AND '.join(conditions)} "
        "ORDER BY position LIMIT :limit"
    )
    return statement.bindparams(sa.bindparam("types", expanding=True)) if types else statement


_STREAM = sa.text(
    f"SELECT {_COLUMNS} FROM events WHERE stream_id = :stream_id AND stream_version > :after "
    "AND stream_version <= :to ORDER BY stream_version LIMIT :limit"
)
_STREAM_UNTIL = sa.text(
    f"SELECT {_COLUMNS} FROM events WHERE stream_id = :stream_id AND stream_version > :after "
    "AND stream_version <= :to AND recorded_at <= :until ORDER BY stream_version LIMIT :limit"
)
_BY_ID = sa.text(f"SELECT {_COLUMNS} FROM events WHERE event_id IN :ids").bindparams(
    sa.bindparam("ids", expanding=True)
)
_HEAD = sa.text("SELECT max(position) FROM events")
_STREAM_VERSION = sa.text("SELECT max(stream_version) FROM events WHERE stream_id = :stream_id")
_MAX_VERSION = 2**31 - 1
_ID_CHUNK = 5000


def _sqlite_engine(url: StoreUrl) -> sa.Engine:
    engine = sa.create_engine(
        url.sqlalchemy_url,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @sa_event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Take transactions into our own hands (pysqlite's implicit BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed append survives a power cut, not only a process crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @sa_event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        # Writers take the write lock before reading the head; readers run statement by
        # statement in autocommit, so no long read transaction holds back the WAL.
        if connection.get_execution_options().get("pacflow_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: StoreUrl) -> sa.Engine:
    return sa.create_engine(
        url.sqlalchemy_url,
        connect_args={"connect_timeout": 5, "application_name": "pacflow"},
        pool_pre_ping=False,
    )


class _ListenWaiter(Waiter):
    """Blocks on PostgreSQL LISTEN, waking at least every poll interval."""

    def __init__(self, engine: sa.Engine, channel: str, poll_interval: float) -> None:
        self._fairy = engine.raw_connection()
        self._connection: Any = cast(Any, self._fairy.driver_connection)
        self._connection.rollback()
        self._connection.autocommit = True
        self._connection.execute(f'LISTEN "{channel}"')
        self._poll_interval = poll_interval

    def wait(self, timeout: float) -> None:
        for _notice in self._connection.notifies(
            timeout=min(timeout, self._poll_interval), stop_after=1
        ):
            pass

    def close(self) -> None:
        # The connection was switched to autocommit and LISTENs: never give it back.
        self._fairy.invalidate()
        self._fairy.close()


class SqlEventStore(EventStore):
    """The event store in a SQL database (see the module docstring)."""

    def __init__(
        self,
        url: StoreUrl,
        engine: sa.Engine,
        *,
        clock: Clock | None = None,
        upcasters: Upcasters | None = None,
    ) -> None:
        super().__init__(clock=clock, upcasters=upcasters)
        self._store_url = url
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._channel: str | None = None

    @classmethod
    def open(
        cls,
        url: str,
        *,
        clock: Clock | None = None,
        upcasters: Upcasters | None = None,
        migrate: bool = True,
    ) -> SqlEventStore:
        """Connect, check the schema version and migrate it if needed (and allowed)."""
        store_url = parse_store_url(url)
        engine = _postgres_engine(store_url) if store_url.is_postgres else _sqlite_engine(store_url)
        store = cls(store_url, engine, clock=clock, upcasters=upcasters)
        try:
            store._ensure_schema(migrate)
        except BaseException:
            engine.dispose()
            raise
        return store

    def _ensure_schema(self, migrate: bool) -> None:
        with self._errors():
            with self._engine.connect() as connection:
                current = schema.read_version(connection)
            if current == schema.SCHEMA_HEAD:
                return
            if current is not None and current not in schema.KNOWN_REVISIONS:
                raise StoreUnavailableError(
                    f"the store at {self.url} has schema {current}, newer than this pacflow "
                    f"knows ({schema.SCHEMA_HEAD}): upgrade pacflow"
                )
            if not migrate:
                raise StoreUnavailableError(
                    f"the store at {self.url} is not initialised: run `pacflow init`"
                )
            schema.upgrade(self._engine)

    @property
    def url(self) -> str:
        return self._store_url.display

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine, for projections that keep their tables in the same database."""
        return self._engine

    def schema_version(self) -> str | None:
        with self._errors(), self._engine.connect() as connection:
            return schema.read_version(connection)

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Translate driver and SQLAlchemy errors into the store's own, at the boundary."""
        try:
            yield
        except EventStoreError:
            raise
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as error:
            raise StoreUnavailableError(describe_failure(self._store_url, error)) from error
        except sa_exc.DBAPIError as error:
            if "not a database" in str(error.orig):
                raise StoreUnavailableError(describe_failure(self._store_url, error)) from error
            raise EventStoreError(
                f"database error on {self.url}: {str(error.orig).splitlines()[0]}"
            ) from error
        except sa_exc.SQLAlchemyError as error:
            raise EventStoreError(f"database error on {self.url}: {error}") from error

    # -- writing -----------------------------------------------------------------------

    def _write(
        self,
        stream_id: str,
        batch: Sequence[PreparedEvent],
        expected: ExpectedVersion,
        recorded_at: datetime,
    ) -> list[RawRow]:
        with self._errors(), self._engine.connect() as connection:
            connection = connection.execution_options(pacflow_write=True)
            try:
                with connection.begin():
                    if self._postgres:
                        connection.execute(_PG_WRITE_LOCK)
                    version, head, head_hash = connection.execute(
                        _HEADS, {"stream_id": stream_id}
                    ).one()
                    check_expected(expected, version or 0)
                    rows = chain_rows(
                        stream_id,
                        head or 0,
                        head_hash or GENESIS_HASH,
                        version or 0,
                        batch,
                        recorded_at,
                    )
                    stamp: object = recorded_at if self._postgres else format_utc(recorded_at)
                    connection.execute(
                        _INSERT, [{**row._asdict(), "recorded_at": stamp} for row in rows]
                    )
            except sa_exc.IntegrityError as error:
                raise DuplicateEventId from error
        return rows

    def _rows_by_event_id(self, event_ids: Sequence[str]) -> list[RawRow]:
        # Chunked: drivers bind at most 65,535 parameters in one statement.
        rows: list[RawRow] = []
        for start in range(0, len(event_ids), _ID_CHUNK):
            rows += self._select(_BY_ID, {"ids": list(event_ids[start : start + _ID_CHUNK])})
        return rows

    # -- reading -----------------------------------------------------------------------

    def _select(self, statement: sa.TextClause, params: dict[str, Any]) -> list[RawRow]:
        with self._errors(), self._engine.connect() as connection:
            result = connection.execute(statement, params)
            if self._postgres:
                return [
                    RawRow(p, s, v, i, t, sv, d, m, at.astimezone(UTC), h)
                    for p, s, v, i, t, sv, d, m, at, h in result
                ]
            return [
                RawRow(p, s, v, i, t, sv, d, m, parse_utc(at), h)
                for p, s, v, i, t, sv, d, m, at, h in result
            ]

    def _until(self, until: datetime) -> object:
        return until if self._postgres else format_utc(until)

    def head_position(self) -> int:
        with self._errors(), self._engine.connect() as connection:
            return int(connection.execute(_HEAD).scalar() or 0)

    def stream_version(self, stream_id: str) -> int:
        with self._errors(), self._engine.connect() as connection:
            found = connection.execute(_STREAM_VERSION, {"stream_id": stream_id}).scalar()
            return int(found or 0)

    def _rows_after(
        self,
        after_position: int,
        limit: int,
        until: datetime | None,
        types: frozenset[str] | None = None,
    ) -> list[RawRow]:
        params: dict[str, Any] = {"after": after_position, "limit": limit}
        if until is not None:
            params["until"] = self._until(until)
        if types is not None:
            params["types"] = sorted(types)
        return self._select(_after_statement(until is not None, types is not None), params)

    def _stream_rows(
        self,
        stream_id: str,
        after_version: int,
        to_version: int | None,
        until: datetime | None,
        limit: int,
    ) -> list[RawRow]:
        params: dict[str, Any] = {
            "stream_id": stream_id,
            "after": after_version,
            "to": _MAX_VERSION if to_version is None else to_version,
            "limit": limit,
        }
        if until is None:
            return self._select(_STREAM, params)
        return self._select(_STREAM_UNTIL, {**params, "until": self._until(until)})

    # -- following ---------------------------------------------------------------------

    def _waiter(self, stop: threading.Event, poll_interval: float) -> Waiter:
        if not self._postgres:
            return super()._waiter(stop, poll_interval)
        with self._errors():
            if self._channel is None:
                with self._engine.connect() as connection:
                    table_schema = connection.execute(
                        sa.text(
                            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n "
                            "ON n.oid = c.relnamespace WHERE c.oid = 'events'::regclass"
                        )
                    ).scalar_one()
                self._channel = f"pacflow_events_{table_schema}"[:63]
            return _ListenWaiter(self._engine, self._channel, poll_interval)
