"""The tables of `integrations`, brought to the current schema by Alembic before first use.

`integrations/migrations` has its own version table (`integrations_schema_version`) next to
the event store's: the store knows nothing of calendars, and each part of pacflow migrates
the tables it owns. A database made by an earlier pacflow, whose calendar tables
`create_all` made, is adopted as it is by the first migration.

`ensure_schema(engine)` checks the version once per engine and process (one query), and
runs the migrations only when the database is behind.
"""

from __future__ import annotations

import threading
import weakref

import sqlalchemy as sa

VERSION_TABLE = "integrations_schema_version"
SCHEMA_HEAD = "integrations_0003"
"""The newest migration in integrations/migrations/versions (a test keeps the two in step)."""
KNOWN_REVISIONS = frozenset({"integrations_0001", "integrations_0002", "integrations_0003"})

# Serialises concurrent first-use migrations on PostgreSQL (SQLite has BEGIN IMMEDIATE); a
# key of its own, so that it never waits on the event store's migration lock.
_MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(1885430632, hashtext(current_schema()))"

_ready: weakref.WeakSet[sa.Engine] = weakref.WeakSet()
_lock = threading.Lock()


def read_version(connection: sa.Connection) -> str | None:
    """The revision the integrations' tables are at, or None before the first migration."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    row = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
    return None if row is None else str(row[0])


def ensure_schema(engine: sa.Engine) -> None:
    """Bring the integrations' tables to SCHEMA_HEAD (once per engine in this process)."""
    if engine in _ready:
        return
    with _lock:
        if engine in _ready:
            return
        with engine.connect() as connection:
            current = read_version(connection)
        if current is not None and current not in KNOWN_REVISIONS:
            from pacflow.errors import StoreError

            raise StoreError(
                f"the calendar tables are at schema {current}, newer than this pacflow knows "
                f"({SCHEMA_HEAD}): upgrade pacflow"
            )
        if current != SCHEMA_HEAD:
            _upgrade(engine)
        _ready.add(engine)


def _upgrade(engine: sa.Engine) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "integrations:migrations")
    with engine.connect() as connection:
        # `pacflow_write`: the store's SQLite engine then begins with BEGIN IMMEDIATE.
        connection = connection.execution_options(pacflow_write=True)
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text(_MIGRATION_LOCK))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
