"""Alembic environment for the event store schema.

pacflow runs migrations itself (`events.sql.schema.upgrade`), handing Alembic a connection
that is already inside a locked transaction; this file only wires that connection in.
"""

from __future__ import annotations

from alembic import context

from events.sql.schema import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
