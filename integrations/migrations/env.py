"""Alembic environment for the tables of `integrations` (calendar accounts, sync state,
calendar view).

pacflow runs these migrations itself (`integrations.schema.ensure_schema`), handing Alembic a
connection already inside a locked transaction; this file only wires that connection in.
They have a version table of their own, next to the event store's: the store knows nothing
of calendars, and each part of pacflow migrates its own tables.
"""

from __future__ import annotations

from alembic import context

from integrations.schema import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
