"""The event store on SQLAlchemy Core: SQLite (embedded default) and PostgreSQL (psycopg 3).

One code path for both; the differences are how a writer takes the global lock
(BEGIN IMMEDIATE on SQLite, a transaction-level advisory lock on PostgreSQL), how
`recorded_at` is stored, and how subscribers are woken (polling vs LISTEN/NOTIFY).
Holding the lock from reading the head to commit makes positions gap-free and visible in
commit order: a reader following `position` never misses a late commit.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote

from events.anchors import Checkpoint, CheckpointKeys
from events.clock import Clock, format_utc, parse_utc
from events.encoding import GENESIS_HASH
from events.errors import EventStoreError, StoreNotFoundError, StoreUnavailableError
from events.records import ExpectedVersion, StreamSpan
from events.sql import schema
from events.sql.connections import ConnectionPool, configure_sqlite, connect
from events.sql.urls import _URL, StoreUrl, describe_failure, parse_store_url
from events.store import (
    DuplicateEventId,
    EventStore,
    PreparedEvent,
    RawRow,
    _new_tuple,
    chain_rows,
    check_expected,
)
from events.subscription import Waiter
from events.upcasting import Upcasters

if TYPE_CHECKING:
    import sqlalchemy as sa

_COLUMNS = (
    "position, stream_id, stream_version, event_id, type, schema_version, "
    "data, metadata, recorded_at, hash"
)


class _Sql:
    """The statements of one dialect, in its driver's own parameter style.

    Appends and reads go straight to the driver (sqlite3, psycopg): SQLAlchemy's execution
    pipeline cost more than the database itself on one-event appends. SQLAlchemy keeps the
    engine, the pool, the schema and its migrations.
    """

    def __init__(self, mark: str, begin: str | None, lock: str | None) -> None:
        self.mark = mark
        self.begin = begin
        self.lock = lock
        self.heads = (
            f"SELECT (SELECT max(stream_version) FROM events WHERE stream_id = {mark}), "
            "(SELECT position FROM events ORDER BY position DESC LIMIT 1), "
            "(SELECT hash FROM events ORDER BY position DESC LIMIT 1)"
        )
        self.insert = f"INSERT INTO events ({_COLUMNS}) VALUES ({', '.join([mark] * 10)})"
        self.stream_version = f"SELECT max(stream_version) FROM events WHERE stream_id = {mark}"
        self.spans = (
            "SELECT stream_id, min(stream_version), max(stream_version) FROM events "
            f"WHERE position > {mark} AND position <= {mark} "
            "GROUP BY stream_id ORDER BY min(position)"
        )
        self.checkpoint = (
            "INSERT INTO events_checkpoints (position, hash, signed_at, key_id, signature) "
            f"VALUES ({', '.join([mark] * 5)})"
        )

    @functools.cache  # noqa: B019 - two instances, few shapes
    def after(self, until: bool, types: int) -> str:
        mark = self.mark
        conditions = [f"position > {mark}"]
        if until:
            conditions.append(f"recorded_at <= {mark}")
        if types:
            conditions.append(f"type IN ({', '.join([mark] * types)})")
        return (
            f"SELECT {_COLUMNS} FROM events WHERE {' AND '.join(conditions)} "
            f"ORDER BY position LIMIT {mark}"
        )

    @functools.cache  # noqa: B019
    def stream(self, until: bool) -> str:
        mark = self.mark
        extra = f" AND recorded_at <= {mark}" if until else ""
        return (
            f"SELECT {_COLUMNS} FROM events WHERE stream_id = {mark} AND stream_version > {mark} "
            f"AND stream_version <= {mark}{extra} ORDER BY stream_version LIMIT {mark}"
        )

    def by_ids(self, count: int) -> str:
        marks = ", ".join([self.mark] * count)
        return f"SELECT {_COLUMNS} FROM events WHERE event_id IN ({marks})"


# SQLite: BEGIN IMMEDIATE takes the write lock before the head is read. PostgreSQL: psycopg
# opens the transaction; the advisory lock serialises writers of this schema until commit.
_SQLITE = _Sql("?", begin="BEGIN IMMEDIATE", lock=None)
_POSTGRES = _Sql(
    "%s", begin=None, lock="SELECT pg_advisory_xact_lock(1885430630, hashtext(current_schema()))"
)
_HEAD = "SELECT max(position) FROM events"
_HEAD_ROW = "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1"
_CHECKPOINTS = (
    "SELECT position, hash, signed_at, key_id, signature FROM events_checkpoints ORDER BY id"
)
_MAX_VERSION = 2**31 - 1
_ID_CHUNK = 5000


def _checkpoint_row(checkpoint: Checkpoint) -> tuple[object, ...]:
    return (
        checkpoint.position,
        checkpoint.hash,
        format_utc(checkpoint.signed_at),
        checkpoint.key_id,
        checkpoint.signature,
    )


def _driver_errors(postgres: bool) -> tuple[type[Exception], ...]:
    if postgres:
        import psycopg

        return (psycopg.Error,)
    return (sqlite3.Error,)


def _is_operational(error: BaseException) -> bool:
    return type(error).__name__ in ("OperationalError", "InterfaceError") or (
        type(error).__module__.startswith("psycopg") and "connection" in str(error).lower()
    )


def _is_integrity(error: BaseException) -> bool:
    return isinstance(error, sqlite3.IntegrityError) or type(error).__name__ in (
        "IntegrityError",
        "UniqueViolation",
    )


def _require_sqlite_file(url: str) -> None:
    """Refuse a SQLite URL whose file does not exist (connecting would create it)."""
    scheme, _, rest = url.partition("://")
    if scheme not in ("sqlite", "sqlite+pysqlite") or not rest.startswith("/"):
        return  # not a SQLite file (parse_store_url says what is wrong, if anything)
    if not url.isprintable():
        return  # parse_store_url refuses it, without echoing the control character
    path = unquote(rest[1:].split("?", 1)[0])
    if path in ("", ":memory:") or path.startswith("file:"):
        return
    if not os.path.exists(path):
        raise StoreNotFoundError(f"no store at {path}: nothing was recorded there yet")


def _sqlite_engine(url: StoreUrl) -> sa.Engine:
    import sqlalchemy as sa
    from sqlalchemy import event as sa_event

    engine = sa.create_engine(
        url.sqlalchemy_url,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @sa_event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        configure_sqlite(dbapi_connection)

    @sa_event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        # Writers take the write lock before reading the head; readers run statement by
        # statement in autocommit, so no long read transaction holds back the WAL.
        if connection.get_execution_options().get("pacflow_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: StoreUrl) -> sa.Engine:
    import sqlalchemy as sa

    return sa.create_engine(
        url.sqlalchemy_url,
        connect_args={"connect_timeout": 5, "application_name": "pacflow"},
        pool_pre_ping=False,
    )


def _translate_sqlalchemy(url: StoreUrl, error: Exception) -> EventStoreError:
    """The store's error for a SQLAlchemy one (raised while migrating or by projections)."""
    from sqlalchemy import exc as sa_exc

    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
        return StoreUnavailableError(describe_failure(url, error))
    if isinstance(error, sa_exc.DBAPIError):
        if "not a database" in str(error.orig):
            return StoreUnavailableError(describe_failure(url, error))
        return EventStoreError(
            f"database error on {url.display}: {str(error.orig).splitlines()[0]}"
        )
    return EventStoreError(f"database error on {url.display}: {error}")


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
        *,
        clock: Clock | None = None,
        upcasters: Upcasters | None = None,
        checkpoint_keys: CheckpointKeys | None = None,
    ) -> None:
        super().__init__(clock=clock, upcasters=upcasters, checkpoint_keys=checkpoint_keys)
        self._store_url = url
        self._engine: sa.Engine | None = None
        self._engine_lock = threading.Lock()
        self._postgres = url.is_postgres
        self._sql = _POSTGRES if self._postgres else _SQLITE
        self._driver_errors = _driver_errors(self._postgres)
        self._pool = ConnectionPool(url)
        self._channel: str | None = None
        # One connection kept for appends (writers are serialised by the database anyway).
        self._writer: Any = None
        self._writer_lock = threading.Lock()

    @classmethod
    def open(
        cls,
        url: str,
        *,
        clock: Clock | None = None,
        upcasters: Upcasters | None = None,
        migrate: bool = True,
        create: bool = True,
        checkpoint_keys: CheckpointKeys | None = None,
    ) -> SqlEventStore:
        """Connect, check the schema version and migrate it if needed (and allowed); with
        `create=False`, refuse (StoreNotFoundError) rather than create a store."""
        if not create:
            _require_sqlite_file(url)
        store = cls(
            parse_store_url(url),
            clock=clock,
            upcasters=upcasters,
            checkpoint_keys=checkpoint_keys,
        )
        try:
            store._ensure_schema(migrate, create)
        except BaseException:
            store.close()
            raise
        return store

    def _ensure_schema(self, migrate: bool, create: bool = True) -> None:
        with self._errors():
            current = self.schema_version()
            if current == schema.SCHEMA_HEAD:
                return
            if current is None and not create:
                raise StoreNotFoundError(f"no store at {self.url}: nothing was recorded there yet")
            if current is not None and current not in schema.KNOWN_REVISIONS:
                raise StoreUnavailableError(
                    f"the store at {self.url} has schema {current}, newer than this pacflow "
                    f"knows ({schema.SCHEMA_HEAD}): upgrade pacflow"
                )
            if not migrate:
                raise StoreUnavailableError(
                    f"the store at {self.url} is not initialised: run `pacflow init`"
                )
            schema.upgrade(self.engine)

    @property
    def url(self) -> str:
        return self._store_url.display

    def reopener(self) -> Callable[[], EventStore] | None:
        if self._upcasters or (not self._postgres and self.sqlite_path in (None, "", ":memory:")):
            return None
        # The URL as given, password included: it travels pickled to a worker's standard
        # input, never on a command line.
        return functools.partial(_reopen, self._store_url.text)

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine, for migrations and for projections that keep their tables
        in the same database (built on first use: reading and appending do without it)."""
        with self._engine_lock:
            if self._engine is None:
                url = self._store_url
                self._engine = _postgres_engine(url) if url.is_postgres else _sqlite_engine(url)
            return self._engine

    @property
    def is_postgres(self) -> bool:
        """Whether the database is PostgreSQL (else SQLite)."""
        return self._postgres

    @property
    def sqlite_path(self) -> str | None:
        """The SQLite file as the URL writes it (the name SQLAlchemy's engine gives it:
        the read models' lock files sit beside it); None on PostgreSQL."""
        if self._postgres:
            return None
        found = _URL.match(self._store_url.text)
        return None if found is None else found["database"]

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A pooled driver connection (sqlite3 or psycopg) for reading the same database,
        store errors translated; SQLite's runs in autocommit, PostgreSQL's transaction is
        rolled back when it is given back."""
        with self._errors(), self._pool.connection() as connection:
            yield connection

    def schema_version(self) -> str | None:
        with self.connection() as connection:
            return schema.read_version(connection, postgres=self._postgres)

    def close(self) -> None:
        with self._writer_lock:
            self._drop_writer()
        self._pool.close()
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def _drop_writer(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
            self._writer = None

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Translate driver and SQLAlchemy errors into the store's own, at the boundary."""
        try:
            yield
        except EventStoreError:
            raise
        except self._driver_errors as error:
            if _is_operational(error) or "not a database" in str(error):
                raise StoreUnavailableError(describe_failure(self._store_url, error)) from error
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise EventStoreError(f"database error on {self.url}: {first}") from error
        except Exception as error:
            if not type(error).__module__.startswith("sqlalchemy"):
                raise
            raise _translate_sqlalchemy(self._store_url, error) from error

    # -- writing -----------------------------------------------------------------------

    def _write(
        self,
        stream_id: str,
        batch: Sequence[PreparedEvent],
        expected: ExpectedVersion,
        recorded_at: datetime,
    ) -> list[RawRow]:
        sql = self._sql
        stamp: object = recorded_at if self._postgres else format_utc(recorded_at)
        with self._writing(duplicate_ids=True) as connection:
            version, head, head_hash = connection.execute(sql.heads, (stream_id,)).fetchone()
            check_expected(expected, version or 0)
            rows = chain_rows(
                stream_id,
                head or 0,
                head_hash or GENESIS_HASH,
                version or 0,
                batch,
                recorded_at,
            )
            values = [(*row[:8], stamp, row.hash) for row in rows]
            if len(values) == 1:
                connection.execute(sql.insert, values[0])
            else:
                connection.cursor().executemany(sql.insert, values)
            signed = self._sign_head(rows, recorded_at)
            if signed is not None:
                connection.execute(sql.checkpoint, _checkpoint_row(signed))
        return rows

    def _store_checkpoint(self, keys: CheckpointKeys, signed_at: datetime) -> Checkpoint:
        with self._writing() as connection:
            head = connection.execute(_HEAD_ROW).fetchone()
            position, head_hash = head if head is not None else (0, GENESIS_HASH)
            signed = keys.sign(position, head_hash, signed_at)
            connection.execute(self._sql.checkpoint, _checkpoint_row(signed))
        return signed

    @contextmanager
    def _writing(self, *, duplicate_ids: bool = False) -> Iterator[Any]:
        """The writer connection in a write transaction (begun, locked), committed at the
        end of the block, rolled back if it raises; with `duplicate_ids`, a unique key
        refused is an event id stored already (DuplicateEventId)."""
        sql = self._sql
        with self._errors(), self._writer_lock:
            if self._writer is None:
                self._writer = connect(self._store_url)
            connection = self._writer
            try:
                if sql.begin:
                    connection.execute(sql.begin)
                if sql.lock:
                    connection.execute(sql.lock)
                yield connection
                connection.commit() if self._postgres else connection.execute("COMMIT")
            except BaseException as error:
                self._abort(connection)
                if duplicate_ids and _is_integrity(error):
                    raise DuplicateEventId from error
                raise

    def checkpoints(self) -> list[Checkpoint]:
        return [
            Checkpoint(position, head_hash, parse_utc(at), key, signature)
            for position, head_hash, at, key, signature in self._query(_CHECKPOINTS, ())
        ]

    def _abort(self, connection: Any) -> None:
        """Roll back a failed append; drop the connection if even that fails."""
        try:
            if self._postgres:
                connection.rollback()
            elif connection.in_transaction:
                connection.execute("ROLLBACK")
        except self._driver_errors:
            self._drop_writer()

    def _rows_by_event_id(self, event_ids: Sequence[str]) -> list[RawRow]:
        # Chunked: drivers bind at most 65,535 parameters in one statement.
        rows: list[RawRow] = []
        for start in range(0, len(event_ids), _ID_CHUNK):
            chunk = list(event_ids[start : start + _ID_CHUNK])
            rows += self._select(self._sql.by_ids(len(chunk)), chunk)
        return rows

    # -- reading -----------------------------------------------------------------------

    def _query(self, statement: str, params: Sequence[object]) -> list[Any]:
        with self.connection() as connection:
            cursor = connection.cursor()
            cursor.execute(statement, params)
            return cast(list[Any], cursor.fetchall())

    def _select(self, statement: str, params: Sequence[object]) -> list[RawRow]:
        rows = self._query(statement, params)
        new = _new_tuple  # a named tuple's own __new__ is a Python function: called per row
        if self._postgres:
            return [
                new(RawRow, (p, s, v, i, t, sv, d, m, at.astimezone(UTC), h))
                for p, s, v, i, t, sv, d, m, at, h in rows
            ]
        # The events of one append share their `recorded_at`, and rows come in log or
        # stream order: parse each run of equal texts once (datetimes are immutable).
        raw = []
        text, moment = "", datetime.min  # no stored time is empty
        for p, s, v, i, t, sv, d, m, at, h in rows:
            if at != text:
                text, moment = at, parse_utc(at)
            raw.append(new(RawRow, (p, s, v, i, t, sv, d, m, moment, h)))
        return raw

    def _until(self, until: datetime) -> object:
        return until if self._postgres else format_utc(until)

    def head_position(self) -> int:
        return int(self._query(_HEAD, ())[0][0] or 0)

    def stream_version(self, stream_id: str) -> int:
        return int(self._query(self._sql.stream_version, (stream_id,))[0][0] or 0)

    def _rows_after(
        self,
        after_position: int,
        limit: int,
        until: datetime | None,
        types: frozenset[str] | None = None,
    ) -> list[RawRow]:
        params: list[object] = [after_position]
        if until is not None:
            params.append(self._until(until))
        kinds = sorted(types) if types is not None else []
        params += kinds
        params.append(limit)
        return self._select(self._sql.after(until is not None, len(kinds)), params)

    def _stream_spans(self, after_position: int, to_position: int) -> list[StreamSpan]:
        rows = self._query(self._sql.spans, (after_position, to_position))
        return [StreamSpan(stream, first, last) for stream, first, last in rows]

    def _stream_rows(
        self,
        stream_id: str,
        after_version: int,
        to_version: int | None,
        until: datetime | None,
        limit: int,
    ) -> list[RawRow]:
        to = _MAX_VERSION if to_version is None else to_version
        params: list[object] = [stream_id, after_version, to]
        if until is not None:
            params.append(self._until(until))
        params.append(limit)
        return self._select(self._sql.stream(until is not None), params)

    def _stream_rows_at(self, stream_id: str, versions: Sequence[int]) -> list[RawRow]:
        mark = self._sql.mark
        statement = (
            f"SELECT {_COLUMNS} FROM events WHERE stream_id = {mark} "
            f"AND stream_version IN ({', '.join([mark] * len(versions))}) ORDER BY stream_version"
        )
        return self._select(statement, [stream_id, *versions])

    def _stream_rows_without(
        self, stream_id: str, after_version: int, skipped: Collection[str], limit: int
    ) -> list[RawRow]:
        # The database leaves the rows out: they are neither sent nor decoded.
        kinds = sorted(skipped)
        if not kinds:
            return self._stream_rows(stream_id, after_version, None, None, limit)
        mark = self._sql.mark
        statement = (
            f"SELECT {_COLUMNS} FROM events WHERE stream_id = {mark} AND stream_version > {mark} "
            f"AND type NOT IN ({', '.join([mark] * len(kinds))}) ORDER BY stream_version "
            f"LIMIT {mark}"
        )
        return self._select(statement, [stream_id, after_version, *kinds, limit])

    # -- following ---------------------------------------------------------------------

    def _waiter(self, stop: threading.Event, poll_interval: float) -> Waiter:
        if not self._postgres:
            return super()._waiter(stop, poll_interval)
        with self._errors():
            if self._channel is None:
                table_schema = self._query(
                    "SELECT n.nspname FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE c.oid = 'events'::regclass",
                    (),
                )[0][0]
                self._channel = f"pacflow_events_{table_schema}"[:63]
            return _ListenWaiter(self.engine, self._channel, poll_interval)


def _reopen(url: str) -> EventStore:
    """The store at `url`, as it already is (nothing created or upgraded)."""
    return SqlEventStore.open(url, migrate=False, create=False)
