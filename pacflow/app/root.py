"""The composition root: the one place where pacflow is assembled.

An `App` holds what every front end shares for one store: the event store, the read
models, the clock and the id factory, and the `PlanService` over them. The CLI builds one
per invocation, the web server one per process; both then call the queries of this package
(`pacflow.app.queries`) and the service, so a behaviour never lives in one front end only.
Nothing here imports click or an HTTP library; how a long catch-up is shown is the front
end's business, passed in as `catch_up`.

Everything is opened lazily (a command that only parses its input touches no database) and
once, under a lock, so that threads of a server may share one `App`.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlalchemy as sa

    from events import Clock, EventStore
    from integrations.access import AccessStore
    from pacflow.domain import PlanState
    from pacflow.service import PlanService
    from projections.driver_rows import DriverRows
    from projections.engine import ProjectionEngine

CatchUp = Callable[["ProjectionEngine", int], object]
"""Runs the catch-up of read models that lag `lag` events behind the log (a front end may
show progress while it runs)."""


def quiet_catch_up(engine: ProjectionEngine, lag: int) -> object:
    """Catch up without a word: what a server or a script does."""
    return engine.catch_up()


def data_file(name: str, *, create: bool = True) -> Path:
    """A file in the user's data directory (the directory is created on first use, unless
    `create` is false)."""
    import platformdirs

    directory = platformdirs.user_data_path("pacflow", appauthor=False)
    if create:
        directory.mkdir(parents=True, exist_ok=True)
    return directory / name


def default_db_url(*, create: bool = True) -> str:
    """A SQLite file in the user's data directory (its directory made unless `create` is
    false: a reader makes nothing)."""
    return f"sqlite:///{data_file('pacflow.db', create=create)}"


class App:
    """The store, its read models, the clock and ids: what every front end works through."""

    def __init__(
        self,
        db_url: str | None = None,
        *,
        clock: Clock | None = None,
        id_factory: Callable[[], uuid.UUID] = uuid.uuid4,
        catch_up: CatchUp = quiet_catch_up,
        create: bool = True,
    ) -> None:
        from pacflow import holiday_cache

        holiday_cache.install()  # public holidays computed once per user, not per command
        self.db_url = db_url
        self.create = create
        self.clock = clock
        self.id_factory = id_factory
        self._catch_up = catch_up
        self._lock = threading.RLock()
        self._store: EventStore | None = None
        self._read_models: ProjectionEngine | None = None
        self._services: dict[str, PlanService] = {}
        self._reading = threading.local()  # how deep inside `reading` or `read_model_rows`
        self._access: AccessStore | None = None

    @property
    def url(self) -> str:
        """The store's URL (the user's default SQLite file when none was given)."""
        if self.db_url is None:
            self.db_url = default_db_url(create=self.create)
        return self.db_url

    def store(self) -> EventStore:
        """The event store, opened (and its schema created or upgraded) on first use; an
        `App` made with `create=False` (a reader) refuses to create one (StoreError)."""
        with self._lock:
            if self._store is None:
                from pacflow.storage import open_store

                self._store = open_store(self.url, clock=self.clock, create=self.create)
            return self._store

    def _projections(self) -> ProjectionEngine:
        with self._lock:
            if self._read_models is None:
                from pacflow.read_models import read_models

                self._read_models = read_models(self.store())
            return self._read_models

    def read_models(self) -> ProjectionEngine:
        """The projections, caught up with the log first, so a reader sees its own writes.

        Inside `reading` or `read_model_rows` (this thread holds the read models already)
        there is no catch-up: it would wait for a rebuild that waits for this very reader.
        """
        from pacflow.errors import IntegrityError, Suggestion

        engine = self._projections()
        if self._holding():
            return engine
        statuses = engine.status()
        lag = max((status.lag for status in statuses), default=0)
        try:
            self._catch_up(engine, lag)  # also creates missing tables
        except Exception as error:
            if not _refused_value(error):
                raise
            # An event the log took but a read model's database cannot (a NUL in a text on
            # PostgreSQL, recorded before input was checked), or a value past what a view
            # computes with: say where, in one line, rather than a driver's traceback.
            after = min((s.checkpoint for s in statuses if s.lag), default=0)
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise IntegrityError(
                f"the read models cannot take the events after position {after} "
                f"({type(error).__name__}: {reason}); the log itself is untouched",
                code="read-model-refused",
                subject=str(after),
                suggestion=Suggestion(("store", "log"), placeholders=f"--after {after} --limit 20"),
            ) from error
        return engine

    @contextmanager
    def read_model_rows(self) -> Iterator[DriverRows]:
        """The read models, caught up and held for reading until the block ends, for plain
        SQL through the database driver (a rebuild beside it waits, as for `reading`).

        When every read model is already at the head of the log (checked through the
        driver as well), neither SQLAlchemy nor the projectors are imported: what makes a
        read command on a store that is up to date start as fast as `pacflow --help`. The
        shared lock is the one `reading` holds, taken through the driver too (a shared
        advisory lock on the same PostgreSQL connection, the shared `flock` beside a
        SQLite file); the catch-up, when one is needed, runs before it is taken."""
        with self._rows(catch_up=True) as rows:
            assert rows is not None
            yield rows

    @contextmanager
    def current_rows(self) -> Iterator[DriverRows | None]:
        """`read_model_rows` when the read models are at the head of the log already (or
        held by this thread); None, and nothing caught up, when they are behind (and for
        the in-memory store): a read that can answer either way takes the cheaper way."""
        with self._rows(catch_up=False) as rows:
            yield rows

    @contextmanager
    def _rows(self, *, catch_up: bool) -> Iterator[DriverRows | None]:
        from projections.driver_rows import DriverRows

        store = self.store()
        is_postgres = getattr(store, "is_postgres", None)
        if is_postgres is None:  # the in-memory store: read models in a database of their own
            if not catch_up:
                yield None
                return
            with self.reading() as database, database.connect() as connection:
                yield DriverRows.of(connection)
            return
        held = self._holding()
        if not held and not self._read_models_current(store):
            if not catch_up:
                yield None
                return
            self.read_models()
        with (
            store.connection() as connection,  # type: ignore[attr-defined]
            contextlib.nullcontext(True) if held else self._shared(store, connection),
            self._inside(),
        ):
            yield DriverRows(connection, postgres=is_postgres)

    @contextmanager
    def _shared(self, store: EventStore, connection: Any, *, wait: bool = True) -> Iterator[bool]:
        """The read models' readers-writer lock held shared through `connection`, a driver
        connection of the SQL store (no SQLAlchemy); with `wait` off, False at once (and
        nothing held) while a rebuild holds it."""
        from projections import locks

        if getattr(store, "is_postgres", False):
            with locks.advisory_lock(connection, locks.TABLES_KEY, shared=True, wait=wait) as held:
                yield held
            return
        path = store.sqlite_path  # type: ignore[attr-defined]
        with locks.file_tables_lock(path, shared=True, wait=wait) as held:
            yield held

    def _read_models_current(self, store: EventStore) -> bool:
        from events import EventStoreError
        from pacflow.read_models import READ_MODEL_VERSIONS

        try:
            with store.connection() as connection:  # type: ignore[attr-defined]
                cursor = connection.cursor()
                cursor.execute("SELECT name, version, position FROM projection_checkpoints")
                stored = {name: (version, position) for name, version, position in cursor}
        except EventStoreError:  # no read model yet: the catch-up creates them
            return False
        head = store.head_position()
        return all(
            stored.get(name) == (version, head) for name, version in READ_MODEL_VERSIONS.items()
        )

    def database(self) -> sa.Engine:
        """The read models' database, caught up; query it inside `reading`, so that a
        rebuild running meanwhile cannot show half-built tables."""
        return self.read_models().database

    @contextmanager
    def reading(self) -> Iterator[sa.Engine]:
        """The read models' database, caught up and held for reading until the block ends:
        a rebuild beside it waits, so every query sees whole tables. Blocks may nest (and
        nest with `read_model_rows`)."""
        if self._holding():
            with self._inside():
                yield self._projections().database
            return
        engine = self.read_models()
        with engine.reading(), self._inside():
            yield engine.database

    def _holding(self) -> bool:
        """Whether this thread holds the read models (inside `reading` or `read_model_rows`)."""
        return bool(getattr(self._reading, "depth", 0))

    @contextmanager
    def _inside(self) -> Iterator[None]:
        depth = getattr(self._reading, "depth", 0)
        self._reading.depth = depth + 1
        try:
            yield
        finally:
            self._reading.depth = depth

    def service(self, source: str = "cli") -> PlanService:
        """The plan service whose events say they came from `source` (cli, web, calendar…)."""
        with self._lock:
            service = self._services.get(source)
            if service is None:
                from pacflow.service import PlanService

                service = PlanService(
                    self.store(),
                    source=source,
                    id_factory=self.id_factory,
                    as_of=self._as_of,
                    snapshot=self._latest_snapshot,
                    clock=self.now,
                )
                self._services[source] = service
            return service

    def access(self) -> AccessStore:
        """The secrets of the links handed to people (`pacflow.app.access`)."""
        with self._lock:
            if self._access is None:
                from integrations.access import AccessStore
                from projections.engine import projection_engine_for

                self._access = AccessStore(projection_engine_for(self.store()))
            return self._access

    def _as_of(self, plan: str, until: datetime) -> PlanState | None:
        from projections.snapshots import load_as_of

        with self.read_model_rows() as rows:
            return load_as_of(self.store(), rows, plan, until)

    def _latest_snapshot(self, plan: str) -> tuple[PlanState, str] | None:
        # What a write starts from: the newest snapshot as stored, without waiting for the
        # read models to catch up (the service folds every event after it anyway), nor for
        # a rebuild: while one runs, the write folds the plan from the log.
        from projections.driver_rows import DriverRows
        from projections.snapshots import latest_snapshot

        store = self.store()
        is_postgres = getattr(store, "is_postgres", None)
        if is_postgres is None:  # the in-memory store: read models in a database of their own
            engine = self._projections()
            if self._holding():
                return latest_snapshot(engine.database, plan)
            with engine.try_reading() as held:
                return latest_snapshot(engine.database, plan) if held else None
        with store.connection() as connection:  # type: ignore[attr-defined]
            rows = DriverRows(connection, postgres=is_postgres)
            if self._holding():
                return latest_snapshot(rows, plan)
            with self._shared(store, connection, wait=False) as held:
                return latest_snapshot(rows, plan) if held else None

    def now(self) -> datetime:
        """The current instant, from the injected clock (the system clock by default)."""
        from events import system_clock

        return (self.clock or system_clock)()

    def close(self) -> None:
        """Release the store's connections (the `App` opens them again if used later)."""
        with self._lock:
            if self._store is not None:
                self._store.close()
            self._store = None
            self._read_models = None
            self._access = None
            self._services.clear()


def _refused_value(error: BaseException) -> bool:
    """Whether `error` is a value refused (not a server gone): a DB-API `DataError` from
    any driver (SQLAlchemy's, or psycopg's when rows go through the driver), an arithmetic
    overflow, or a value out of range."""
    names = {kind.__name__ for kind in type(error).__mro__}
    return "DataError" in names or isinstance(error, ArithmeticError | ValueError)
