"""The tables of `integrations`, brought to the current schema by Alembic before first use.

`integrations/migrations` has its own version table (`integrations_schema_version`) next to
the event store's: the store knows nothing of calendars, and each part of pacflow migrates
the tables it owns. A database made by an earlier pacflow, whose calendar tables
`create_all` made, is adopted as it is by the first migration.

`ensure_schema(engine)` checks the version once per engine and process (one query), and
runs the migrations only when the database is behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from events.sql.migrating import Migrations

if TYPE_CHECKING:
    import sqlalchemy as sa

VERSION_TABLE = "integrations_schema_version"
SCHEMA_HEAD = "integrations_0003"
"""The newest migration in integrations/migrations/versions (a test keeps the two in step)."""
KNOWN_REVISIONS = frozenset({"integrations_0001", "integrations_0002", "integrations_0003"})

MIGRATIONS = Migrations(
    "integrations:migrations",
    "the calendar tables",
    VERSION_TABLE,
    SCHEMA_HEAD,
    KNOWN_REVISIONS,
    lock_key=1885430632,
)
"""A lock key of their own: a first-use migration never waits on the event store's."""

read_version = MIGRATIONS.read_version
"""The revision the tables are at, or None before their first migration."""


def ensure_schema(engine: sa.Engine) -> None:
    """Bring the tables to SCHEMA_HEAD (once per engine in this process); a StoreError for
    tables a newer pacflow migrated."""
    from pacflow.errors import StoreError

    MIGRATIONS.ensure(engine, StoreError)
