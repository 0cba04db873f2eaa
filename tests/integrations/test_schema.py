"""The integrations' tables: made by their own Alembic migrations, older databases adopted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from events import EventStore
from integrations import schema
from integrations.accounts import AccountStore, CalendarAccount, PasswordSource
from integrations.sync_state import ItemState, SyncStateStore
from pacflow.errors import StoreError
from tests.store.support import engine_of, part_version

# The tables as `create_all` made them before there were migrations.
_OLD = sa.MetaData()
sa.Table(
    "calendar_accounts",
    _OLD,
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
sa.Table(
    "calendar_sync_calendars",
    _OLD,
    sa.Column("plan", sa.String(40), primary_key=True),
    sa.Column("person", sa.String(40), primary_key=True),
    sa.Column("calendar_url", sa.Text, nullable=False),
    sa.Column("sync_token", sa.Text, nullable=True),
)
sa.Table(
    "calendar_sync_items",
    _OLD,
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

ACCOUNT = CalendarAccount(
    plan="PAC-2025",
    person="cd",
    url="https://dav.example.com/cd/",
    username="claire",
    password_source=PasswordSource.ENV,
    password_ref="PACFLOW_CALDAV_CD",
    connected_at=datetime(2025, 1, 6, 9, tzinfo=UTC),
    connected_by="hg",
)


def _version(engine: sa.Engine) -> str | None:
    return part_version(engine, schema.MIGRATIONS)


def test_a_new_database_gets_every_table_at_first_use(sql_store_url: str) -> None:
    with EventStore.from_url(sql_store_url) as store:
        engine = engine_of(store)
        AccountStore(engine).connect(ACCOUNT)
        assert _version(engine) == schema.SCHEMA_HEAD
        tables = set(sa.inspect(engine).get_table_names())
        assert {
            "calendar_accounts",
            "calendar_sync_calendars",
            "calendar_sync_items",
            "calendar_views",
            "calendar_view_items",
            schema.VERSION_TABLE,
        } <= tables
        assert [a.person for a in AccountStore(engine).accounts("PAC-2025")] == ["cd"]


def test_tables_create_all_made_are_adopted_with_their_rows(sql_store_url: str) -> None:
    with EventStore.from_url(sql_store_url) as store:
        engine = engine_of(store)
        _OLD.create_all(engine)
        with engine.begin() as connection:
            connection.execute(
                _OLD.tables["calendar_accounts"].insert().values(
                    plan="PAC-2025", person="cd", url=ACCOUNT.url, username="claire",
                    password_source="env", password_ref="PACFLOW_CALDAV_CD",
                    connected_at=ACCOUNT.connected_at, connected_by="hg",
                )
            )  # fmt: skip
            connection.execute(
                _OLD.tables["calendar_sync_items"].insert().values(
                    plan="PAC-2025", person="cd", uid="U1", href="/cd/U1.ics", etag='"1"',
                    content_hash="h", sequence=2, status="CONFIRMED",
                )
            )  # fmt: skip
        assert _version(engine) is None
        accounts = AccountStore(engine).accounts("PAC-2025")
        assert _version(engine) == schema.SCHEMA_HEAD
        assert [(a.person, a.username) for a in accounts] == [("cd", "claire")]
        kept = SyncStateStore(engine, "PAC-2025", "cd").items()
        assert kept["U1"] == ItemState("U1", "/cd/U1.ics", '"1"', "h", 2, "CONFIRMED", None,
                                       None, None)  # fmt: skip
        assert "calendar_views" in sa.inspect(engine).get_table_names()


def test_tables_newer_than_this_code_are_refused(sql_store_url: str) -> None:
    with EventStore.from_url(sql_store_url) as store:
        engine = engine_of(store)
        AccountStore(engine)
        with engine.begin() as connection:
            connection.execute(
                sa.text(f"UPDATE {schema.VERSION_TABLE} SET version_num = 'integrations_9999'")
            )
        fresh = sa.create_engine(engine.url)
        try:
            with pytest.raises(StoreError, match="integrations_9999.*upgrade pacflow"):
                AccountStore(fresh)
        finally:
            fresh.dispose()
