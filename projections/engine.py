"""The projection engine: read models kept in step with the event log, exactly once.

A projector has a name, a version, the event types it handles and its tables. The engine
feeds it the log in position order, in batches; each batch's rows and the projector's
checkpoint are written in one transaction, so a crash never applies an event twice or
skips one. When a projector's version changes (its code or tables changed), its tables are
dropped, recreated and rebuilt from position 0. Reading streams in batches keeps memory
flat however long the log is.

Projection tables live in the store's own database (or, for the in-memory store, in an
in-memory SQLite database of their own).
"""

from __future__ import annotations

import abc
import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from events import EventStore, RecordedEvent

BATCH = 2000

checkpoints_metadata = sa.MetaData()
checkpoints = sa.Table(
    "projection_checkpoints",
    checkpoints_metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("position", sa.BigInteger, nullable=False),
)

Progress = Callable[[str, int, int], None]
"""Called with (projector name, position reached, head position) after each batch."""


class Projector(abc.ABC):
    """A read model built from events. Subclasses declare name, version, handles, tables."""

    name: str
    version: int
    handles: frozenset[str] | None = None
    """Event types it reads (None: all)."""
    metadata: sa.MetaData

    @abc.abstractmethod
    def apply(self, connection: sa.Connection, events: Sequence[RecordedEvent]) -> None:
        """Write the rows these events change, inside the engine's transaction."""

    def reset(self) -> None:
        """Forget in-memory caches before a rebuild (tables are recreated by the engine)."""
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


class ProjectionEngine:
    """Keeps a set of projectors caught up with a store."""

    def __init__(
        self, store: EventStore, projectors: Sequence[Projector], database: sa.Engine
    ) -> None:
        self._store = store
        self._projectors = {p.name: p for p in projectors}
        self._database = database
        checkpoints_metadata.create_all(database)

    @property
    def database(self) -> sa.Engine:
        return self._database

    def projector(self, name: str) -> Projector:
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

    def catch_up(self, progress: Progress | None = None) -> int:
        """Apply every event each projector has not seen; rebuild those whose version
        changed. Returns how many events were applied in all."""
        stored = self._stored()
        applied = 0
        for name, projector in self._projectors.items():
            version, position = stored.get(name, (None, 0))
            if version != projector.version:
                self._recreate(projector)
                position = 0
            applied += self._run(projector, position, progress)
        return applied

    def rebuild(self, names: Sequence[str] | None = None, progress: Progress | None = None) -> int:
        """Drop and rebuild the named projectors (all by default) from position 0."""
        applied = 0
        for name in names or list(self._projectors):
            projector = self._projectors[name]
            self._recreate(projector)
            applied += self._run(projector, 0, progress)
        return applied

    @contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        """A real transaction (on the store's SQLite engine, readers run in autocommit)."""
        with self._database.connect() as connection:
            connection = connection.execution_options(pacflow_write=True)
            with connection.begin():
                yield connection

    def _recreate(self, projector: Projector) -> None:
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

    def _run(self, projector: Projector, position: int, progress: Progress | None) -> int:
        head = self._store.head_position()
        if position >= head:
            return 0
        applied = 0
        events = self._store.read_all(after_position=position, types=projector.handles)
        while batch := list(itertools.islice(events, BATCH)):
            self._commit(projector, batch, batch[-1].position)
            applied += len(batch)
            if progress is not None:
                progress(projector.name, batch[-1].position, head)
        # Events after the last handled one were not for this projector: skip past them.
        self._commit(projector, [], head)
        if progress is not None:
            progress(projector.name, head, head)
        return applied

    def _commit(self, projector: Projector, batch: list[RecordedEvent], position: int) -> None:
        try:
            with self._transaction() as connection:
                # Locking the checkpoint row serialises catch-ups of one projector across
                # processes; a batch someone else applied meanwhile is skipped, not redone.
                current = connection.execute(
                    sa.select(checkpoints.c.position)
                    .where(checkpoints.c.name == projector.name)
                    .with_for_update()
                ).scalar_one()
                if current >= position:
                    return
                if batch:
                    projector.apply(connection, [e for e in batch if e.position > current])
                connection.execute(
                    sa.update(checkpoints)
                    .where(checkpoints.c.name == projector.name, checkpoints.c.position < position)
                    .values(position=position)
                )
        except BaseException:
            projector.reset()  # its caches may hold what the rollback undid
            raise
