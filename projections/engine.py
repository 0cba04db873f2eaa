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
events; each window is one transaction.

Exactly once. A window's rows are committed without moving the checkpoints; the last one
moves every checkpoint to the head in the same transaction as its rows. Projectors write
idempotently (a row is replaced or skipped if already there), so a catch-up that stopped
halfway (a crash, a killed process) is simply done again from the old checkpoint.

Background-safe. A catch-up or rebuild holds a lock for the database's read models while
it runs (a session advisory lock on PostgreSQL; an `flock` on a file beside the SQLite
database; a process lock for a private in-memory database), so a second process waits for
the first, then finds little or nothing left to do. Every lock is released by the
operating system or the database if its process dies. A catch-up with nothing to do takes
no lock.

Projection tables live in the store's own database (or, for the in-memory store, in an
in-memory SQLite database of their own).
"""

from __future__ import annotations

import abc
import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any, Generic, NamedTuple, TypeVar

import sqlalchemy as sa

from events import EventStore, RecordedEvent

E = TypeVar("E")

COMMIT_EVERY = 10_000
"""Events per write transaction: large enough to amortise a commit's fsync, small enough
that a SQLite writer (an append) never waits long for the lock."""
PAGE = 20
"""Events handed to the projectors at a time. Small on purpose: events that live past two
collections of the cyclic garbage collector's young generations are promoted to the old
one, and every object promoted makes full collections (which walk every plan state held)
come sooner; with pages of 2,000 events, full collections took a fifth of a rebuild."""

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


@dataclass(frozen=True)
class ProjectionStatus:
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


@dataclass
class _Running:
    """A projector in a pass: where it starts and how many events it took."""

    projector: Projector[Any]
    start: int
    applied: int = 0


class ProjectionEngine:
    """Keeps a set of projectors caught up with a store."""

    def __init__(
        self, store: EventStore, projectors: Sequence[Projector[Any]], database: sa.Engine
    ) -> None:
        self._store = store
        self._projectors = {p.name: p for p in projectors}
        self._database = database
        checkpoints_metadata.create_all(database)

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
            running = []
            for name, projector in self._projectors.items():
                version, position = stored.get(name, (None, 0))
                if version != projector.version:
                    self._recreate(projector)
                    position = 0
                running.append(_Running(projector, position))
            return self._run(running, progress)

    def rebuild(
        self,
        names: Sequence[str] | None = None,
        progress: Progress | None = None,
        waiting: Callable[[], None] | None = None,
    ) -> int:
        """Drop and rebuild the named projectors (all by default) from position 0."""
        with self._exclusive(waiting):
            running = []
            for name in names or list(self._projectors):
                projector = self._projectors[name]
                self._recreate(projector)
                running.append(_Running(projector, 0))
            return self._run(running, progress)

    def _current(self, stored: dict[str, tuple[int | None, int]], head: int) -> bool:
        return all(
            stored.get(name, (None, 0)) == (projector.version, head)
            for name, projector in self._projectors.items()
        )

    @contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        """A real transaction (on the store's SQLite engine, readers run in autocommit)."""
        with self._database.connect() as connection:
            connection = connection.execution_options(pacflow_write=True)
            with connection.begin():
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

    def _run(self, running: list[_Running], progress: Progress | None) -> int:
        """One pass over the log window the projectors have not seen, stream by stream."""
        head = self._store.head_position()
        low = min((run.start for run in running), default=head)
        if low >= head:
            return 0
        windows = list(_windows(self._store.streams_between(low, head), COMMIT_EVERY))
        done = 0  # events of the window taken so far, to report progress
        try:
            for number, window in enumerate(windows, start=1):
                with self._transaction() as connection:
                    for stream, first, last in window:
                        events = self._store.read_stream(stream, first, last)
                        while page := list(islice(events, PAGE)):
                            self._feed(connection, running, page)
                            done += len(page)
                    for run in running:
                        run.projector.flush(connection)
                    if number == len(windows):
                        self._advance(connection, running, head)
                if progress is not None:
                    reached = head if number == len(windows) else min(low + done, head)
                    for run in running:
                        progress(run.projector.name, max(run.start, reached), head)
        except BaseException:
            for run in running:
                run.projector.reset()  # its caches may hold what the rollback undid
            raise
        return sum(run.applied for run in running)

    def _feed(
        self, connection: sa.Connection, running: list[_Running], page: list[RecordedEvent]
    ) -> None:
        """Hand each projector the events of this page it handles, each decoded once."""
        decoded: dict[Callable[[RecordedEvent], Any], dict[int, Any]] = {}
        for run in running:
            projector = run.projector
            handles = projector.handles
            wanted = [
                recorded
                for recorded in page
                if recorded.position > run.start and (handles is None or recorded.type in handles)
            ]
            if not wanted:
                continue
            memo = decoded.setdefault(projector.decode, {})
            decode = projector.decode
            items = []
            for recorded in wanted:
                event = memo.get(recorded.position, _MISSING)
                if event is _MISSING:
                    event = memo[recorded.position] = decode(recorded)
                items.append(Projected(recorded, event))
            projector.apply(connection, items)
            run.applied += len(items)

    def _advance(self, connection: sa.Connection, running: list[_Running], head: int) -> None:
        for run in running:
            connection.execute(
                sa.update(checkpoints)
                .where(checkpoints.c.name == run.projector.name)
                .values(position=head)
            )


_MISSING = object()


def _windows(
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


# -- the lock -----------------------------------------------------------------------------

_ADVISORY_KEY = 1885430632
_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(key: str) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(key, threading.Lock())


@contextmanager
def exclusive(database: sa.Engine, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock on `database`'s read models: one catch-up or rebuild at a time. When
    another holds it, `waiting` is called once before the wait (a front end says why)."""
    said = waiting or (lambda: None)
    if database.dialect.name == "postgresql":
        with database.connect() as connection:
            # Session-level, on a connection of its own: held across the pass's transactions,
            # released by the server if this process dies.
            key = "hashtext(current_schema())"
            taken = connection.exec_driver_sql(
                f"SELECT pg_try_advisory_lock({_ADVISORY_KEY}, {key})"
            ).scalar()
            if not taken:
                said()
                connection.exec_driver_sql(f"SELECT pg_advisory_lock({_ADVISORY_KEY}, {key})")
            connection.commit()
            try:
                yield
            finally:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({_ADVISORY_KEY}, {key})")
                connection.commit()
        return
    path = database.url.database
    if database.dialect.name != "sqlite" or not path or path == ":memory:":
        with _thread_lock(_process_lock(str(id(database))), said):
            yield
        return
    with (
        _thread_lock(_process_lock(path), said),
        _file_lock(f"{path}-pacflow-projections.lock", said),
    ):
        yield


@contextmanager
def _thread_lock(lock: threading.Lock, waiting: Callable[[], None]) -> Iterator[None]:
    if not lock.acquire(blocking=False):
        waiting()
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


@contextmanager
def _file_lock(path: str, waiting: Callable[[], None]) -> Iterator[None]:
    """An exclusive `flock` on `path` (other processes on this machine wait for it)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the process lock is all there is
        yield
        return
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
