"""Calendar accounts and sync state: the tables `create_all` used to make on first use.

A database where they already exist (made by an earlier pacflow with `create_all`) keeps
them as they are: the columns below are the ones that code created.

Revision ID: integrations_0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "integrations_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "calendar_accounts" not in existing:
        op.create_table(
            "calendar_accounts",
            sa.Column("plan", sa.String(40), primary_key=True),
            sa.Column("person", sa.String(40), primary_key=True),
            sa.Column("url", sa.Text, nullable=False),
            sa.Column("username", sa.Text, nullable=False),
            sa.Column("password_source", sa.String(16), nullable=False),
            sa.Column("password_ref", sa.Text, nullable=False),
            sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("connected_by", sa.Text, nullable=False),
            sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("last_sync_state", sa.Text, nullable=True),
        )
    if "calendar_sync_calendars" not in existing:
        op.create_table(
            "calendar_sync_calendars",
            sa.Column("plan", sa.String(40), primary_key=True),
            sa.Column("person", sa.String(40), primary_key=True),
            sa.Column("calendar_url", sa.Text, nullable=False),
            sa.Column("sync_token", sa.Text, nullable=True),
        )
    if "calendar_sync_items" not in existing:
        op.create_table(
            "calendar_sync_items",
            sa.Column("plan", sa.String(40), primary_key=True),
            sa.Column("person", sa.String(40), primary_key=True),
            sa.Column("uid", sa.Text, primary_key=True),
            sa.Column("href", sa.Text, nullable=True),
            sa.Column("etag", sa.Text, nullable=True),
            sa.Column("content_hash", sa.String(64), nullable=False),
            sa.Column("sequence", sa.Integer, nullable=False),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("start", sa.String(40), nullable=True),
            sa.Column("end", sa.String(40), nullable=True),
            sa.Column("due", sa.String(10), nullable=True),
            sa.Column("alarms", sa.Text, nullable=True),
        )


def downgrade() -> None:
    raise NotImplementedError("calendar connections are never dropped by a migration")
