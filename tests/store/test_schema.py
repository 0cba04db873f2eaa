"""The schema: created by Alembic on first use, checked on open, safe to race for."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from events import EventStore, EventStoreError, NewEvent, StoreUnavailableError
from events.sql import schema
from events.sql.migrating import Migrations
from integrations import schema as integrations_schema
from projections import schema as projections_schema

from .support import backend_of, raw_execute, raw_rows


@pytest.mark.parametrize(
    "migrations",
    [schema.MIGRATIONS, integrations_schema.MIGRATIONS, projections_schema.MIGRATIONS],
    ids=["events", "integrations", "projections"],
)
def test_each_parts_head_is_its_newest_alembic_migration(migrations: Migrations) -> None:
    config = Config()
    config.set_main_option("script_location", migrations.location)
    scripts = ScriptDirectory.from_config(config)
    assert scripts.get_heads() == [migrations.head]
    assert {script.revision for script in scripts.walk_revisions()} == migrations.known


def test_a_new_database_is_migrated_on_first_use(sql_store_url: str) -> None:
    with EventStore.from_url(sql_store_url) as store:
        assert store.schema_version() == schema.SCHEMA_HEAD == "0002"
        assert store.head_position() == 0
        store.append("s", [NewEvent("First", {})])
    assert raw_rows(sql_store_url, f"SELECT version_num FROM {schema.VERSION_TABLE}") == [("0002",)]
    # Opening again finds the schema in place and keeps what was written.
    with EventStore.from_url(sql_store_url, migrate=False) as again:
        assert again.schema_version() == "0002"
        assert again.head_position() == 1


def test_the_memory_store_has_no_schema_version() -> None:
    with EventStore.from_url("memory://") as store:
        assert store.schema_version() is None


def test_an_uninitialised_database_without_migration_asks_for_pacflow_init(
    sql_store_url: str,
) -> None:
    with pytest.raises(StoreUnavailableError) as raised:
        EventStore.from_url(sql_store_url, migrate=False)
    message = str(raised.value)
    assert "pacflow init" in message
    assert "\n" not in message
    # Nothing was created behind the caller's back.
    with EventStore.from_url(sql_store_url) as store:
        assert store.head_position() == 0


def test_a_schema_newer_than_this_code_is_refused(sql_store_url: str) -> None:
    EventStore.from_url(sql_store_url).close()
    raw_execute(sql_store_url, f"UPDATE {schema.VERSION_TABLE} SET version_num = '9999'")
    for migrate in (True, False):
        with pytest.raises(StoreUnavailableError, match="upgrade pacflow") as raised:
            EventStore.from_url(sql_store_url, migrate=migrate)
        assert "9999" in str(raised.value)
    # ...and nothing was downgraded or rewritten.
    assert raw_rows(sql_store_url, f"SELECT version_num FROM {schema.VERSION_TABLE}") == [("9999",)]


def test_stores_opening_a_new_database_at_once_all_succeed(sql_store_url: str) -> None:
    openers = 4
    barrier = threading.Barrier(openers)
    errors: list[BaseException] = []
    versions: list[str | None] = []

    def open_and_append(index: int) -> None:
        try:
            barrier.wait(10)
            with EventStore.from_url(sql_store_url) as store:
                versions.append(store.schema_version())
                store.append(f"opener-{index}", [NewEvent("Opened", {"by": index})])
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_and_append, args=(i,)) for i in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert versions == [schema.SCHEMA_HEAD] * openers
    with EventStore.from_url(sql_store_url) as store:
        assert store.head_position() == openers
        assert store.verify().ok
    assert raw_rows(sql_store_url, f"SELECT count(*) FROM {schema.VERSION_TABLE}") == [(1,)]


def test_a_store_whose_table_vanished_raises_a_store_error_not_a_driver_error(
    sql_store_url: str,
) -> None:
    with EventStore.from_url(sql_store_url) as store:
        store.append("s", [NewEvent("First", {})])
        if backend_of(sql_store_url) == "postgres":
            raw_execute(sql_store_url, "DROP TABLE events CASCADE")
        else:
            raw_execute(sql_store_url, "DROP TABLE events")
        for call in (
            store.head_position,
            lambda: list(store.read_all()),
            lambda: store.append("s", [NewEvent("Second", {})]),
        ):
            with pytest.raises(EventStoreError) as raised:
                call()
            assert not isinstance(raised.value, sa.exc.SQLAlchemyError)
            assert type(raised.value).__module__.startswith("events")


def test_a_store_made_by_the_previous_schema_is_upgraded_in_place(sql_store_url: str) -> None:
    from alembic import command

    config = Config()
    config.set_main_option("script_location", "events:migrations")
    engine = sa.create_engine(sql_store_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    raw_execute(
        sql_store_url,
        "INSERT INTO events VALUES (1, 's', 1, '6f1c8f3e-3b0e-5d2a-9a57-2f0c6f2b9d11', 'Old', 1,"
        " '{}', '{}', :at, 'x')",
        at="2026-01-01T00:00:00.000000Z",
    )

    with EventStore.from_url(sql_store_url) as store:
        assert store.schema_version() == "0002"
        assert store.head_position() == 1
        assert store.checkpoints() == []
