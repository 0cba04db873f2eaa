"""Schema version check and Alembic upgrades for the SQL event store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlalchemy as sa

VERSION_TABLE = "events_schema_version"
SCHEMA_HEAD = "0001"
"""The newest migration in events/migrations/versions (a test keeps the two in step)."""
KNOWN_REVISIONS = frozenset({"0001"})

# Serialises concurrent first-use migrations on PostgreSQL (SQLite has BEGIN IMMEDIATE).
_MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(1885430631, hashtext(current_schema()))"


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
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "events:migrations")
    with engine.connect() as connection:
        connection = connection.execution_options(pacflow_write=True)
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text(_MIGRATION_LOCK))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
