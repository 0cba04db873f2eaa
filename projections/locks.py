"""The locks on the read models, without SQLAlchemy.

`projections.engine` holds them through its SQLAlchemy engine (catch-up, rebuild); a read
command on read models that are up to date holds the readers-writer lock through a driver
connection (`pacflow.app.App.read_model_rows`) and must not import SQLAlchemy for it. So
the locks themselves live here and take what either side has: a file path (SQLite), a
driver connection (PostgreSQL), a key (an in-memory database: a lock of this process).

Every blocking acquisition first tries without waiting; when it must wait, `waiting` is
called once before (a front end says that another process holds the lock).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Waiting = Callable[[], None]

CATCH_UP_KEY = 1885430632
"""The advisory lock of a catch-up or rebuild (one at a time), with the schema's hash."""
TABLES_KEY = 1885430633
"""The advisory readers-writer lock on the read models' tables, with the schema's hash."""

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def process_lock(key: str) -> threading.Lock:
    """A lock of this process for `key` (the same lock for the same key)."""
    with _process_locks_guard:
        return _process_locks.setdefault(key, threading.Lock())


def _nothing() -> None:
    return


@contextmanager
def thread_lock(lock: threading.Lock, waiting: Waiting | None = None) -> Iterator[None]:
    """Hold `lock`, calling `waiting` once first if another thread holds it."""
    if not lock.acquire(blocking=False):
        (waiting or _nothing)()
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


@contextmanager
def file_lock(
    path: str, *, shared: bool = False, wait: bool = True, waiting: Waiting | None = None
) -> Iterator[bool]:
    """An `flock` on `path`, exclusive or shared (other processes, and threads that open the
    file, wait for it). Yields True once held; with `wait` off, False at once (holding
    nothing) when it is taken; else `waiting` is called once before waiting for it."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the process lock is all there is
        yield True
        return
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), mode | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                yield False
                return
            (waiting or _nothing)()
            fcntl.flock(handle.fileno(), mode)
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# -- the readers-writer lock on the read models' tables -----------------------------------------


class ReadWriteLock:
    """Shared for readers, exclusive for one writer; a waiting writer holds new readers back."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    def _blocked(self, shared: bool) -> bool:
        if shared:
            return self._writer or self._writers_waiting > 0
        return self._writer or self._readers > 0

    def acquire(self, shared: bool, wait: bool = True, waiting: Waiting | None = None) -> bool:
        with self._condition:
            if self._blocked(shared):
                if not wait:
                    return False
                (waiting or _nothing)()
            if not shared:
                self._writers_waiting += 1
            try:
                self._condition.wait_for(lambda: not self._blocked(shared))
            finally:
                if not shared:
                    self._writers_waiting -= 1
            if shared:
                self._readers += 1
            else:
                self._writer = True
            return True

    def release(self, shared: bool) -> None:
        with self._condition:
            if shared:
                self._readers -= 1
            else:
                self._writer = False
            self._condition.notify_all()


_rw_locks: dict[str, ReadWriteLock] = {}


def _rw_lock(key: str) -> ReadWriteLock:
    with _process_locks_guard:
        return _rw_locks.setdefault(key, ReadWriteLock())


@contextmanager
def memory_tables_lock(
    key: str, *, shared: bool, wait: bool = True, waiting: Waiting | None = None
) -> Iterator[bool]:
    """The readers-writer lock of a private in-memory database (this process only)."""
    lock = _rw_lock(key)
    if not lock.acquire(shared, wait, waiting):
        yield False
        return
    try:
        yield True
    finally:
        lock.release(shared)


@contextmanager
def file_tables_lock(
    path: str, *, shared: bool, wait: bool = True, waiting: Waiting | None = None
) -> Iterator[bool]:
    """The readers-writer lock of the SQLite database at `path`: a shared or exclusive
    `flock` on a file beside it, fair through a turnstile file a writer holds while it
    waits (a reader passes through the turnstile before taking its shared lock)."""
    tables, turnstile = f"{path}-pacflow-read-models.lock", f"{path}-pacflow-turnstile.lock"
    if shared:
        with file_lock(turnstile, wait=wait, waiting=waiting) as passed:
            if not passed:
                yield False
                return
        with file_lock(tables, shared=True, wait=wait, waiting=waiting) as held:
            yield held
        return
    with (
        file_lock(turnstile, waiting=waiting),
        file_lock(tables, waiting=waiting),
    ):
        yield True


@contextmanager
def advisory_lock(
    connection: Any,
    key: int,
    *,
    shared: bool,
    wait: bool = True,
    waiting: Waiting | None = None,
) -> Iterator[bool]:
    """A session-level advisory lock (`key`, the schema's hash) on a psycopg connection, held
    until the block ends (released by the server if this process dies). The connection's
    transaction is committed once the lock is held, and rolled back before it is released:
    statements in the block run in transactions of their own."""
    kind = "_shared" if shared else ""
    pair = f"{key}, hashtext(current_schema())"
    taken = connection.execute(f"SELECT pg_try_advisory_lock{kind}({pair})").fetchone()[0]
    if not taken:
        if not wait:
            connection.rollback()
            yield False
            return
        (waiting or _nothing)()
        connection.execute(f"SELECT pg_advisory_lock{kind}({pair})")
    connection.commit()
    try:
        yield True
    finally:
        connection.rollback()  # a statement of the block may have failed its transaction
        connection.execute(f"SELECT pg_advisory_unlock{kind}({pair})")
        connection.commit()
