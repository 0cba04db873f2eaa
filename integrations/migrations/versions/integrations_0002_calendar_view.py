"""The calendar view, stored: a plan's calendar history folded up to a stream version.

`calendar_views` holds, per plan, the stream version folded, the hash and recorded time of
the event at that version, the plan's state there (JSON) and the format of what is stored;
`calendar_view_items` holds every item the plan ever had: its step, SEQUENCE, CREATED,
LAST-MODIFIED, whether it is still in the plan, and the item as last seen (JSON). Both are
a cache: dropping them costs one full fold on the next sync or export, nothing else.

Revision ID: integrations_0002
Revises: integrations_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "integrations_0002"
down_revision = "integrations_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_views",
        sa.Column("plan", sa.String(200), primary_key=True),
        sa.Column("format", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_hash", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
    )
    op.create_table(
        "calendar_view_items",
        sa.Column("plan", sa.String(200), primary_key=True),
        sa.Column("uid", sa.Text, primary_key=True),
        sa.Column("step", sa.Text, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("created", sa.String(40), nullable=False),
        sa.Column("modified", sa.String(40), nullable=False),
        sa.Column("present", sa.Boolean, nullable=False),
        sa.Column("item", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("calendar_view_items")
    op.drop_table("calendar_views")
