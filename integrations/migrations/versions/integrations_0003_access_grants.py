"""Access grants: the links handed to people for feeds, pages and the API; and the
requests already answered per idempotency key, so that a retried write records nothing twice.

Only a hash of each secret is kept; the grant itself (who, which scope, when) is also in
the plan's log, without the secret.

Revision ID: integrations_0003
Revises: integrations_0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "integrations_0003"
down_revision = "integrations_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_grants",
        sa.Column("grant_id", sa.String(40), primary_key=True),
        sa.Column("plan", sa.String(200), nullable=False),
        sa.Column("person", sa.String(40), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_by", sa.Text, nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("access_grants_by_plan", "access_grants", ["plan", "person"])
    op.create_table(
        "access_requests",
        sa.Column("grant_id", sa.String(40), primary_key=True),
        sa.Column("request_key", sa.String(200), primary_key=True),
        sa.Column("status", sa.Integer, nullable=True),
        sa.Column("response", sa.Text, nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("access grants are never dropped by a migration")
