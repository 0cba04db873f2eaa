"""Signed checkpoints of the log's head (`events.anchors`), append-only like the events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = [
    """CREATE TRIGGER events_checkpoints_append_only_update BEFORE UPDATE ON events_checkpoints
       BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: UPDATE is refused'); END""",
    """CREATE TRIGGER events_checkpoints_append_only_delete BEFORE DELETE ON events_checkpoints
       BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: DELETE is refused'); END""",
]

_POSTGRES_TRIGGERS = [
    """CREATE FUNCTION events_checkpoints_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'checkpoints are append-only: % is refused', TG_OP; END $$""",
    """CREATE TRIGGER events_checkpoints_append_only BEFORE UPDATE OR DELETE
       ON events_checkpoints FOR EACH ROW EXECUTE FUNCTION events_checkpoints_refuse_change()""",
    """CREATE TRIGGER events_checkpoints_append_only_truncate BEFORE TRUNCATE
       ON events_checkpoints FOR EACH STATEMENT
       EXECUTE FUNCTION events_checkpoints_refuse_change()""",
]


def upgrade() -> None:
    op.create_table(
        "events_checkpoints",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        # Fixed-width UTC text on both backends: the signature is computed over this text.
        sa.Column("signed_at", sa.String(27), nullable=False),
        sa.Column("key_id", sa.String(12), nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_TRIGGERS if dialect == "sqlite" else _POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("checkpoints are never dropped by a migration")
