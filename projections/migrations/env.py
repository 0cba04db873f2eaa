"""Alembic environment for the read models' checkpoints table.

pacflow runs these migrations itself (`projections.schema.ensure_schema`), handing Alembic a
connection already inside a locked transaction; this file only wires that connection in.
"""

from __future__ import annotations

from alembic import context

from projections.schema import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
