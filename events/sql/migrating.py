"""The Alembic migrations of one part of pacflow's schema, run by pacflow itself.

Each part migrates the tables it owns, with a version table of its own: the event store
(`events/migrations`), the read models' checkpoints (`projections/migrations`) and the
calendar tables (`integrations/migrations`). A part's `Migrations` says where its scripts
are and which version table and revisions are its own; `upgrade` runs them in one
transaction that holds a lock of the part's own, so that processes opening a new database
at once migrate it once.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlalchemy as sa


@dataclass(eq=False)
class Migrations:
    """One part's migrations: `location` the Alembic script location (`package:folder`)."""

    location: str
    what: str
    """What the tables hold, as an error names them ("the calendar tables")."""
    version_table: str
    head: str
    """The newest revision (a test keeps it in step with the scripts)."""
    known: frozenset[str]
    lock_key: int
    """A PostgreSQL advisory-lock key of this part's own: no part waits on another's."""
    _ready: weakref.WeakSet[sa.Engine] = field(default_factory=weakref.WeakSet, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def read_version(self, connection: sa.Connection) -> str | None:
        """The revision the part's tables are at, or None before its first migration."""
        import sqlalchemy as sa

        if not sa.inspect(connection).has_table(self.version_table):
            return None
        row = connection.execute(sa.text(f"SELECT version_num FROM {self.version_table}")).first()
        return None if row is None else str(row[0])

    def ensure(self, engine: sa.Engine, error: Callable[[str], Exception]) -> None:
        """Bring the part's tables to `head`, checked once per engine in this process (one
        query when they are there already). A database at a revision this code does not
        know (a newer pacflow migrated it) is refused: `error` made with the message."""
        if engine in self._ready:
            return
        with self._lock:
            if engine in self._ready:
                return
            with engine.connect() as connection:
                current = self.read_version(connection)
            if current is not None and current not in self.known:
                raise error(
                    f"{self.what} are at schema {current}, newer than this pacflow knows "
                    f"({self.head}): upgrade pacflow"
                )
            if current != self.head:
                self.upgrade(engine)
            self._ready.add(engine)

    def upgrade(self, engine: sa.Engine) -> None:
        """Run the migrations up to `head` in one locked transaction (safe if racing)."""
        import sqlalchemy as sa
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", self.location)
        with engine.connect() as connection:
            # `pacflow_write`: the store's SQLite engine then begins with BEGIN IMMEDIATE.
            connection = connection.execution_options(pacflow_write=True)
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    key = int(self.lock_key)  # two int4 keys: this part's, the schema's
                    lock = f"SELECT pg_advisory_xact_lock({key}, hashtext(current_schema()))"
                    connection.execute(sa.text(lock))
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
