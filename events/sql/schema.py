"""Schema version check and Alembic upgrades for the SQL event store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from events.sql.migrating import Migrations

if TYPE_CHECKING:
    import sqlalchemy as sa

VERSION_TABLE = "events_schema_version"
SCHEMA_HEAD = "0002"
"""The newest migration in events/migrations/versions (a test keeps the two in step)."""
KNOWN_REVISIONS = frozenset({"0001", "0002"})

MIGRATIONS = Migrations(
    "events:migrations", "the events", VERSION_TABLE, SCHEMA_HEAD, KNOWN_REVISIONS, 1885430631
)
"""Run in one transaction that serialises concurrent first-use migrations (an advisory lock
on PostgreSQL, BEGIN IMMEDIATE on SQLite)."""


def read_version(connection: Any, *, postgres: bool) -> str | None:
    """The revision the database is at, or None before the first migration (read through a
    driver connection: no SQLAlchemy needed to find a store up to date)."""
    if postgres:
        exists = (
            "SELECT count(*) FROM pg_catalog.pg_tables "
            "WHERE schemaname = current_schema() AND tablename = %s"
        )
    else:
        exists = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
    cursor = connection.cursor()
    if not cursor.execute(exists, (VERSION_TABLE,)).fetchone()[0]:
        return None
    row = cursor.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    return None if row is None else str(row[0])


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to SCHEMA_HEAD in one locked transaction (safe if racing)."""
    MIGRATIONS.upgrade(engine)
