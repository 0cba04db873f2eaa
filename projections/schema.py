"""The read models' own table, brought to the current schema by Alembic before first use.

`projection_checkpoints` (each read model's version and the log position it has reached)
is the one table of `projections` that holds what cannot be rebuilt from the log: it is
migrated by `projections/migrations`, with a version table of its own. The read models'
tables are rebuilt instead: a projector whose version changed has its tables dropped,
made anew and filled again from the log (`projections.engine`), so they need no migration.
A database whose checkpoints table an earlier pacflow made with `create_all` is adopted as
it is by the first migration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from events.sql.migrating import Migrations

if TYPE_CHECKING:
    import sqlalchemy as sa

VERSION_TABLE = "projections_schema_version"
SCHEMA_HEAD = "projections_0001"
"""The newest migration in projections/migrations/versions (a test keeps the two in step)."""
KNOWN_REVISIONS = frozenset({"projections_0001"})

MIGRATIONS = Migrations(
    "projections:migrations",
    "the read models' checkpoints",
    VERSION_TABLE,
    SCHEMA_HEAD,
    KNOWN_REVISIONS,
    lock_key=1885430633,
)

read_version = MIGRATIONS.read_version
"""The revision the tables are at, or None before their first migration."""


def ensure_schema(engine: sa.Engine) -> None:
    """Bring the tables to SCHEMA_HEAD (once per engine in this process); a StoreError for
    tables a newer pacflow migrated."""
    from pacflow.errors import StoreError

    MIGRATIONS.ensure(engine, StoreError)
