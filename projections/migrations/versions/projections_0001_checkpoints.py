"""The read models' checkpoints: the table `create_all` used to make on first use.

A database where it already exists (made by an earlier pacflow with `create_all`) keeps it
as it is, rows included: the columns below are the ones that code created.

Revision ID: projections_0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "projections_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "projection_checkpoints" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "projection_checkpoints",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("the checkpoints table is never dropped by a migration")
