"""Schema version check and Alembic upgrades for the SQL event store."""

from __future__ import annotations

import sqlalchemy as sa

VERSION_TABLE = "events_schema_version"
SCHEMA_HEAD = "0002"
"""The newest migration in events/migrations/versions (a test keeps the two in step)."""
KNOWN_REVISIONS = frozenset({"0001", "0002"})

# Serialises concurrent first-use migrations on PostgreSQL (SQLite has BEGIN IMMEDIATE).
_MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(1885430631, hashtext(current_schema()))"


def read_version(connection: sa.Connection) -> str | None:
    """The revision the database is at, or None before the first migration."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    row = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
    return None if row is None else str(row[0])


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to SCHEMA_HEAD in one locked transaction (safe if racing)."""
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
