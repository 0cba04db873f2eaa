"""The projection engine: read models kept in step with the event log, exactly once.

A projector has a name, a version, the event types it handles and its tables. When a
projector's version changes (its code or tables changed), its tables are dropped, recreated
and rebuilt from position 0.

One pass for all projectors. A catch-up (or rebuild) reads the window of the log between
the oldest checkpoint and the head once, decodes each event once, and hands every projector
the events of the types it handles. Every read model pacflow keeps is per stream (one plan's
rows depend on that plan's events only), so the window is taken stream by stream
(`EventStore.streams_between`, then each stream's versions in that window): a projector
that folds a stream's state holds one state at a time and loads it once per catch-up, not
once per interleaved chunk of the log. Rows are written in windows of about `COMMIT_EVERY`
events; each window is one transaction, begun once its events are read and folded (on
SQLite the write lock is held only while its rows are written). A long pass is shared by
worker processes, stream by stream (`projections.workers`).

Exactly once. A window's rows are committed without moving the checkpoints; the last one
moves every checkpoint to the head in the same transaction as its rows (a shared pass moves
them in a transaction of their own, once every process's windows are in). Projectors write
idempotently (a row is replaced or skipped if already there), so a catch-up that stopped
halfway (a crash, a killed process) is simply done again from the old checkpoint. For the
same reason a window's commit does not wait for the disk (`_rebuildable`): a power cut
takes back at most the last windows, whole, and they are done again the same way.

Background-safe. A catch-up or rebuild holds a lock for the database's read models while
it runs (a session advisory lock on PostgreSQL; an `flock` on a file beside the SQLite
database; a process lock for a private in-memory database), so a second process waits for
the first, then finds little or nothing left to do. Every lock is released by the
operating system or the database if its process dies. A catch-up with nothing to do takes
no lock.

Readers never see a half-built read model. Rebuilding drops a projector's tables and fills
them again over several transactions; a reader in between would find no table, an empty
one (a false "no such plan") or, on PostgreSQL, deadlock with the DROP. So a second lock,
a readers-writer one, guards the tables themselves: whoever reads holds it shared for as
long as it reads (`reading`), a rebuild (or a catch-up that recreates a projector whose
version changed) holds it exclusively from the DROP to the last commit (`replacing`). A
plain catch-up does not take it: its rows land in whole windows, each one transaction.
Lock order is always: catch-up lock, then the readers-writer lock; a reader holding the
shared side never asks for the catch-up lock (`pacflow.app.App.reading` and
`App.read_model_rows` see to it). The readers-writer lock is fair: a rebuild waiting for it
stops new readers from coming in (PostgreSQL queues advisory locks in order; for the file
lock, a turnstile file that a rebuild holds while it waits does it). The locks themselves
are in `projections.locks`, free of SQLAlchemy: a read command through the database
driver holds the same shared lock on its own driver connection.

Projection tables live in the store's own database (or, for the in-memory store, in an
in-memory SQLite database of their own).
"""

from __future__ import annotations

import abc
import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any, Generic, NamedTuple, TypeVar

import sqlalchemy as sa

from events import EventStore, RecordedEvent
from projections import locks
from projections.schema import ensure_schema
from slotted import FrozenValue, MutableRecord, frozen_record, mutable_record

E = TypeVar("E")

COMMIT_EVERY = 5_000
"""Events per write transaction: large enough to amortise a commit's fsync, small enough
that a SQLite writer (an append) never waits long for the lock, and that a window's pending
rows (a visit held is a row of things done, some 800 bytes as a dict) stay a few MB in
every process of a shared pass (10,000 cost each process 6 MB more, for no speed)."""
PAGE = 20
"""Events handed to the projectors at a time. Small on purpose: events that live past two
collections of the cyclic garbage collector's young generations are promoted to the old
one, and every object promoted makes full collections (which walk every plan state held)
come sooner; with pages of 2,000 events, full collections took a fifth of a rebuild."""

PARALLEL_FROM = 100_000
"""A pass over this many events or more is shared by worker processes (where the engine
has a recipe to build itself there): a worker costs about half a second to start."""
MAX_WORKERS = 4
"""More than this gains little: on SQLite the processes take turns writing."""

checkpoints_metadata = sa.MetaData()
checkpoints = sa.Table(
    "projection_checkpoints",
    checkpoints_metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("position", sa.BigInteger, nullable=False),
)

Progress = Callable[[str, int, int], None]
"""Called with (projector name, position reached, head position) after each window.

Windows are taken stream by stream, so "position reached" counts the events of the window
handled so far from the projector's checkpoint: it grows steadily and is the head at the
end, which is what a progress bar needs.
"""


class Projected(NamedTuple, Generic[E]):
    """An event as stored, with its decoded form (decoded once for every projector)."""

    recorded: RecordedEvent
    event: E


def _as_recorded(recorded: RecordedEvent) -> Any:
    return recorded


class Projector(abc.ABC, Generic[E]):
    """A read model built from events. Subclasses declare name, version, handles, tables,
    and how a stored event is decoded (`decode`, shared with projectors that decode alike).
    """

    name: str
    version: int
    handles: frozenset[str] | None = None
    """Event types it reads (None: all)."""
    metadata: sa.MetaData
    decode: Callable[[RecordedEvent], E] = staticmethod(_as_recorded)
    """Turns a stored event into what `apply` reads; projectors with the same function
    share one decoding of each event."""

    @abc.abstractmethod
    def apply(self, connection: sa.Connection, events: Sequence[Projected[E]]) -> None:
        """Take in these events (of the types it handles, in stream order), inside the
        engine's transaction; rows may wait for `flush`."""

    def flush(self, connection: sa.Connection) -> None:
        """Write what `apply` kept back, before the engine commits (idempotently: a window
        may be applied again after a crash)."""
        return

    def reset(self) -> None:
        """Forget in-memory caches before a rebuild or after a failed window."""
        return


@frozen_record
class ProjectionStatus(FrozenValue):
    """Where a projector stands against the log."""

    name: str
    version: int
    stored_version: int | None
    checkpoint: int
    head: int

    @property
    def lag(self) -> int:
        """Events it has not applied yet (all of them if its version changed)."""
        if self.stored_version != self.version:
            return self.head
        return self.head - self.checkpoint


def projection_engine_for(store: EventStore) -> sa.Engine:
    """The database holding projections: the store's own, or a private in-memory one."""
    engine = getattr(store, "engine", None)
    if isinstance(engine, sa.Engine):
        return engine
    return sa.create_engine("sqlite://", poolclass=sa.StaticPool)


def default_workers() -> int:
    """Processes sharing a long pass: one per processor this process may run on, at most
    `MAX_WORKERS`; `PACFLOW_PROJECTION_WORKERS` sets it (1: never share)."""
    told = os.environ.get("PACFLOW_PROJECTION_WORKERS", "").strip()
    if told.isdigit() and int(told) > 0:
        return int(told)
    try:
        processors = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        processors = os.cpu_count() or 1
    return max(1, min(processors, MAX_WORKERS))


@frozen_record
class PassReport(FrozenValue):
    """How a pass was run: by how many processes, and the workers' peak memory (MB)."""

    processes: int
    worker_peak_rss_mb: tuple[float, ...]


@mutable_record
class Running(MutableRecord):
    """A projector in a pass: where it starts and how many events it took."""

    projector: Projector[Any]
    start: int
    applied: int = 0


class ProjectionEngine:
    """Keeps a set of projectors caught up with a store."""

    def __init__(
        self,
        store: EventStore,
        projectors: Sequence[Projector[Any]],
        database: sa.Engine,
        *,
        recipe: Callable[[], ProjectionEngine] | None = None,
        workers: int | None = None,
        parallel_from: int = PARALLEL_FROM,
    ) -> None:
        """`recipe` builds the same engine in another process (a picklable callable): with
        one, a pass over at least `parallel_from` events is shared by `workers` processes
        (by default one per processor this process may run on, at most `MAX_WORKERS`)."""
        self._store = store
        self._projectors = {p.name: p for p in projectors}
        self._database = database
        self._recipe = recipe
        self._workers = default_workers() if workers is None else workers
        self._parallel_from = parallel_from
        self.last_pass: PassReport | None = None
        """How the last catch-up or rebuild that had work was run (None before one)."""
        # Its own migrations (projections/migrations): the checkpoints are not rebuilt.
        ensure_schema(database)

    @property
    def database(self) -> sa.Engine:
        return self._database

    def projector(self, name: str) -> Projector[Any]:
        return self._projectors[name]

    def names(self) -> list[str]:
        return list(self._projectors)

    def status(self) -> list[ProjectionStatus]:
        """One line per projector: version, stored version, checkpoint, head."""
        head = self._store.head_position()
        stored = self._stored()
        return [
            ProjectionStatus(
                name,
                projector.version,
                stored.get(name, (None, 0))[0],
                stored.get(name, (None, 0))[1],
                head,
            )
            for name, projector in self._projectors.items()
        ]

    def _stored(self) -> dict[str, tuple[int | None, int]]:
        with self._database.connect() as connection:
            rows = connection.execute(
                sa.select(checkpoints.c.name, checkpoints.c.version, checkpoints.c.position)
            )
            return {name: (version, position) for name, version, position in rows}

    def catch_up(
        self, progress: Progress | None = None, waiting: Callable[[], None] | None = None
    ) -> int:
        """Apply every event each projector has not seen; rebuild those whose version
        changed. Returns how many events were applied in all (summed over projectors).
        `waiting` is called once if another process holds the lock (it is waited for)."""
        head = self._store.head_position()
        if self._current(self._stored(), head):
            return 0
        with self._exclusive(waiting):
            stored = self._stored()  # another process may have caught up meanwhile
            stale = [
                name
                for name, projector in self._projectors.items()
                if stored.get(name, (None, 0))[0] != projector.version
            ]
            with replacing(self._database) if stale else contextlib.nullcontext():
                running = []
                for name, projector in self._projectors.items():
                    position = stored.get(name, (None, 0))[1]
                    if name in stale:
                        self._recreate(projector)
                        position = 0
                    running.append(Running(projector, position))
                return self._run(running, progress)

    def rebuild(
        self,
        names: Sequence[str] | None = None,
        progress: Progress | None = None,
        waiting: Callable[[], None] | None = None,
    ) -> int:
        """Drop and rebuild the named projectors (all by default) from position 0; readers
        wait for the end (they never see the tables half-built). `waiting` is called once
        if another process holds the catch-up lock (it is waited for)."""
        with self._exclusive(waiting), replacing(self._database):
            running = []
            for name in names or list(self._projectors):
                projector = self._projectors[name]
                self._recreate(projector)
                running.append(Running(projector, 0))
            return self._run(running, progress)

    def reading(self) -> contextlib.AbstractContextManager[bool]:
        """Hold the read models for reading: no rebuild replaces their tables meanwhile."""
        return reading(self._database)

    def try_reading(self) -> contextlib.AbstractContextManager[bool]:
        """Like `reading`, without waiting: yields False (holding nothing) during a rebuild."""
        return reading(self._database, wait=False)

    def _current(self, stored: dict[str, tuple[int | None, int]], head: int) -> bool:
        return all(
            stored.get(name, (None, 0)) == (projector.version, head)
            for name, projector in self._projectors.items()
        )

    @contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        """A real transaction (on the store's SQLite engine, readers run in autocommit),
        whose commit does not wait for the disk (`_rebuildable`)."""
        with self._database.connect() as connection:
            connection = connection.execution_options(pacflow_write=True)
            with _rebuildable(connection):
                yield connection

    def _exclusive(
        self, waiting: Callable[[], None] | None
    ) -> contextlib.AbstractContextManager[None]:
        return exclusive(self._database, waiting)

    def _recreate(self, projector: Projector[Any]) -> None:
        projector.reset()
        with self._transaction() as connection:
            projector.metadata.drop_all(connection)
            projector.metadata.create_all(connection)
            connection.execute(sa.delete(checkpoints).where(checkpoints.c.name == projector.name))
            connection.execute(
                sa.insert(checkpoints).values(
                    name=projector.name, version=projector.version, position=0
                )
            )

    def _run(self, running: list[Running], progress: Progress | None) -> int:
        """One pass over the log window the projectors have not seen, stream by stream
        (shared with worker processes when the window is long: `projections.workers`)."""
        head = self._store.head_position()
        low = min((run.start for run in running), default=head)
        if low >= head:
            return 0
        spans = self._store.streams_between(low, head)
        share = self._workers_for(head - low)
        try:
            if share > 1:
                from projections.workers import run_shared

                assert self._recipe is not None  # `_workers_for` saw to it
                peaks = run_shared(self, self._recipe, running, spans, share, low, head, progress)
                self.last_pass = PassReport(1 + len(peaks), tuple(peaks))
            else:
                self._run_alone(running, spans, low, head, progress)
                self.last_pass = PassReport(1, ())
        except BaseException:
            for run in running:
                run.projector.reset()  # its caches may hold what the rollback undid
            raise
        return sum(run.applied for run in running)

    def _run_alone(
        self,
        running: list[Running],
        spans: Sequence[tuple[str, int, int]],
        low: int,
        head: int,
        progress: Progress | None,
    ) -> None:
        windows = list(windows_of(spans, COMMIT_EVERY))
        done = 0  # events of the window taken so far, to report progress
        for number, window in enumerate(windows, start=1):
            done += self.apply_window(running, window, head if number == len(windows) else None)
            if progress is not None:
                reached = head if number == len(windows) else min(low + done, head)
                for run in running:
                    progress(run.projector.name, max(run.start, reached), head)

    def _workers_for(self, events: int) -> int:
        """How many processes share a pass over `events` events (1: this one alone)."""
        if self._recipe is None or events < self._parallel_from or not sys.executable:
            return 1  # no worker can be started where there is no interpreter to run
        return max(1, self._workers)

    def apply_window(
        self,
        running: Sequence[Running],
        window: Sequence[tuple[str, int, int]],
        advance_to: int | None = None,
    ) -> int:
        """Apply one window's events (read on a connection of their own, so the write lock
        is held only while its rows are written), then write its rows in one transaction,
        which also moves every checkpoint to `advance_to` when given. Returns the events read.
        """
        done = 0
        with self._database.connect() as reader:
            for stream, first, last in window:
                events = self._store.read_stream(stream, first, last)
                while page := list(islice(events, PAGE)):
                    self._feed(reader, running, page)
                    done += len(page)
        with self._transaction() as connection:
            with _pipelined(connection):
                for run in running:
                    run.projector.flush(connection)
            if advance_to is not None:
                self._advance(connection, running, advance_to)
        return done

    def advance(self, running: Sequence[Running], head: int) -> None:
        """Move every running projector's checkpoint to `head` (after a shared pass)."""
        with self._transaction() as connection:
            self._advance(connection, running, head)

    def _feed(
        self, connection: sa.Connection, running: Sequence[Running], page: list[RecordedEvent]
    ) -> None:
        """Hand each projector the events of this page it handles, each decoded once (and
        one `Projected` per event and decoding, shared by the projectors taking it)."""
        decoded: dict[Callable[[RecordedEvent], Any], dict[int, Projected[Any]]] = {}
        for run in running:
            projector = run.projector
            handles = projector.handles
            start = run.start
            wanted = [
                recorded
                for recorded in page
                if recorded.position > start and (handles is None or recorded.type in handles)
            ]
            if not wanted:
                continue
            decode = projector.decode
            memo = decoded.get(decode)
            if memo is None:
                memo = decoded[decode] = {}
            items = []
            for recorded in wanted:
                item = memo.get(recorded.position)
                if item is None:
                    item = memo[recorded.position] = Projected(recorded, decode(recorded))
                items.append(item)
            projector.apply(connection, items)
            run.applied += len(items)

    def _advance(self, connection: sa.Connection, running: Sequence[Running], head: int) -> None:
        for run in running:
            connection.execute(
                sa.update(checkpoints)
                .where(checkpoints.c.name == run.projector.name)
                .values(position=head)
            )


@contextlib.contextmanager
def _rebuildable(connection: sa.Connection) -> Iterator[None]:
    """A transaction on `connection` for read-model rows, which can be rebuilt from the log
    and are written the cheaper way.

    Committed without waiting for the disk to have them: on SQLite (WAL) at
    `synchronous=NORMAL` for this transaction, on PostgreSQL with `synchronous_commit` off
    (`SET LOCAL`, inside it). A power cut may then take back the last windows committed, never part
    of one, nor one without those before it (the log is written in order), and never an
    event: appends keep waiting for the disk, and a later append's wait covers what was
    committed before it. A window taken back is applied again from its old checkpoint, as
    after a crash. Waiting for an fsync per window took 3 to 10 % of a rebuild of 1M events
    on SQLite here, and a worker process waiting for the write lock waited for the disk too.

    On SQLite, rows deleted are zeroed only where that costs no more writing
    (`secure_delete=FAST`): Debian's SQLite zeroes every page it frees, which made dropping
    the read models of 1M events take 2.2 s at the start of a rebuild instead of 0.1 s. What
    a freed page of a read model may keep, the log keeps anyway."""
    if connection.dialect.name != "sqlite":
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            yield
        return
    # Set on the driver's connection before the transaction begins (no SQLAlchemy autobegin).
    driver: Any = connection.connection.driver_connection
    zeroing = driver.execute("PRAGMA secure_delete").fetchone()[0]
    driver.execute("PRAGMA synchronous=NORMAL")
    driver.execute("PRAGMA secure_delete=FAST")
    try:
        with connection.begin():
            yield
    finally:
        if not connection.invalidated:  # the pooled connection goes back as it was
            driver.execute("PRAGMA synchronous=FULL")
            driver.execute(f"PRAGMA secure_delete={int(zeroing)}")


@contextlib.contextmanager
def _pipelined(connection: sa.Connection) -> Iterator[None]:
    """On PostgreSQL, the flush's statements sent without waiting for each to finish (psycopg's
    pipeline mode): the server inserts a table's rows while the next table's are prepared."""
    if connection.dialect.name != "postgresql" or not _pipeline_supported():
        yield
        return
    driver: Any = connection.connection.driver_connection
    with driver.pipeline():
        yield


@functools.cache
def _pipeline_supported() -> bool:
    """Whether the libpq psycopg runs on has pipeline mode (libpq 14 and later)."""
    import psycopg

    return bool(psycopg.Pipeline.is_supported())


def windows_of(
    spans: Sequence[tuple[str, int, int]], size: int
) -> Iterator[list[tuple[str, int, int]]]:
    """Spans grouped into windows of at most `size` events (a long stream is cut in pieces);
    none for no span."""
    window: list[tuple[str, int, int]] = []
    count = 0
    for stream, first, last in spans:
        start = first
        while start <= last:
            end = min(last, start + size - count - 1)
            window.append((stream, start, end))
            count += end - start + 1
            start = end + 1
            if count >= size:
                yield window
                window, count = [], 0
    if window:
        yield window


# -- the locks (held through the SQLAlchemy engine; see `projections.locks`) ----------------


@contextmanager
def exclusive(database: sa.Engine, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock on `database`'s read models: one catch-up or rebuild at a time. When
    another holds it, `waiting` is called once before the wait (a front end says why)."""
    if database.dialect.name == "postgresql":
        # Session-level, on a connection of its own: held across the pass's transactions.
        with (
            database.connect() as connection,
            locks.advisory_lock(
                connection.connection.driver_connection,
                locks.CATCH_UP_KEY,
                shared=False,
                waiting=waiting,
            ),
        ):
            yield
        return
    path = database.url.database
    if database.dialect.name != "sqlite" or not path or path == ":memory:":
        with locks.thread_lock(locks.process_lock(str(id(database))), waiting):
            yield
        return
    with (
        locks.thread_lock(locks.process_lock(path), waiting),
        locks.file_lock(f"{path}-pacflow-projections.lock", waiting=waiting),
    ):
        yield


@contextmanager
def reading(database: sa.Engine, wait: bool = True) -> Iterator[bool]:
    """Hold `database`'s read models shared: no rebuild drops their tables meanwhile.

    Yields True; with `wait` off, yields False at once (holding nothing) while a rebuild
    holds them.
    """
    with _tables_lock(database, shared=True, wait=wait) as held:
        yield held


@contextmanager
def replacing(database: sa.Engine) -> Iterator[None]:
    """Hold `database`'s read models exclusively, while their tables are rebuilt (readers
    still reading are waited for; new ones wait for the end)."""
    with _tables_lock(database, shared=False, wait=True):
        yield


def tables_lock_key(database: sa.Engine) -> str:
    """The key of `database`'s readers-writer lock when it lives in this process only (a
    private in-memory database): what `pacflow.app.App` holds it by."""
    return str(id(database))


@contextmanager
def _tables_lock(
    database: sa.Engine,
    *,
    shared: bool,
    wait: bool,
    waiting: Callable[[], None] | None = None,
) -> Iterator[bool]:
    if database.dialect.name == "postgresql":
        with (
            database.connect() as connection,
            locks.advisory_lock(
                connection.connection.driver_connection,
                locks.TABLES_KEY,
                shared=shared,
                wait=wait,
                waiting=waiting,
            ) as held,
        ):
            yield held
        return
    path = database.url.database
    if database.dialect.name != "sqlite" or not path or path == ":memory:":
        with locks.memory_tables_lock(
            tables_lock_key(database), shared=shared, wait=wait, waiting=waiting
        ) as held:
            yield held
        return
    with locks.file_tables_lock(path, shared=shared, wait=wait, waiting=waiting) as held:
        yield held
