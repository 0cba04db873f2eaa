"""Tamper evidence: the database refuses edits, verify() finds them, upcasting edits nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import exc as sa_exc

from events import CorruptStoreError, EventStore, NewEvent, Upcasters
from events.memory import InMemoryEventStore

from .support import SettableClock, backend_of, numbered, raw_execute, raw_rows, snapshot

# -- the database refuses UPDATE and DELETE ---------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET data = '{}' WHERE position = 2",
        "UPDATE events SET stream_id = 'moved'",
        "UPDATE events SET hash = hash",
        "DELETE FROM events WHERE position = 3",
        "DELETE FROM events",
    ],
)
def test_the_database_refuses_to_change_event_rows(
    sql_store_url: str, sql_store: EventStore, statement: str
) -> None:
    sql_store.append("s", numbered(3))
    before = snapshot(sql_store)
    with pytest.raises(sa_exc.DBAPIError, match="append-only"):
        raw_execute(sql_store_url, statement)
    assert snapshot(sql_store) == before
    assert sql_store.verify().ok


@pytest.mark.postgres
def test_postgres_refuses_truncate(postgres_store_url: str) -> None:
    with EventStore.from_url(postgres_store_url) as store:
        store.append("s", numbered(3))
        with pytest.raises(sa_exc.DBAPIError, match="append-only"):
            raw_execute(postgres_store_url, "TRUNCATE events")
        assert store.head_position() == 3
        assert store.verify().ok


def test_appending_still_works_next_to_the_triggers(sql_store: EventStore) -> None:
    sql_store.append("s", numbered(2))
    sql_store.append("s", numbered(2), expected_version=2)
    assert sql_store.head_position() == 4


# -- verify() --------------------------------------------------------------------------


def _drop_update_trigger(url: str) -> None:
    if backend_of(url) == "sqlite":
        raw_execute(url, "DROP TRIGGER IF EXISTS events_append_only_update")
    else:
        raw_execute(url, "DROP TRIGGER IF EXISTS events_append_only ON events")


def _drop_delete_trigger(url: str) -> None:
    if backend_of(url) == "sqlite":
        raw_execute(url, "DROP TRIGGER IF EXISTS events_append_only_delete")
    else:
        raw_execute(url, "DROP TRIGGER IF EXISTS events_append_only ON events")


def _tamper(store: EventStore, url: str, position: int, column: str, value: str) -> None:
    """Edit one stored column behind the store's back, the way an intruder would."""
    if isinstance(store, InMemoryEventStore):
        store.tamper(position, **{column: value})
        return
    _drop_update_trigger(url)
    raw_execute(
        url,
        f"UPDATE events SET {column} = :value WHERE position = :position",
        value=value,
        position=position,
    )


def _log(store: EventStore) -> None:
    """Nine events in two streams."""
    for _ in range(3):
        store.append("a", numbered(2))
        store.append("b", numbered(1))


def test_verify_accepts_an_intact_log(store: EventStore) -> None:
    assert store.verify().ok
    assert store.verify().events_checked == 0
    _log(store)
    progress: list[int] = []
    result = store.verify(progress=progress.append)
    assert result.ok
    assert result.first_broken_position is None
    assert result.events_checked == 9
    assert progress[-1] == 9


@pytest.mark.parametrize("position", [1, 5, 9])
@pytest.mark.parametrize(
    ("column", "value"),
    [("data", '{"n":1000000}'), ("metadata", '{"actor":"mallory"}'), ("type", "Forged")],
)
def test_verify_reports_the_first_edited_event(
    store_url: str, store: EventStore, position: int, column: str, value: str
) -> None:
    _log(store)
    _tamper(store, store_url, position, column, value)
    result = store.verify()
    assert not result.ok
    assert result.first_broken_position == position
    assert result.events_checked == position - 1
    assert result.problem


def test_verify_reports_the_earliest_of_several_edits(store_url: str, store: EventStore) -> None:
    _log(store)
    _tamper(store, store_url, 7, "data", '{"n":7}')
    _tamper(store, store_url, 4, "data", '{"n":4}')
    assert store.verify().first_broken_position == 4


def test_an_event_that_cannot_be_decoded_is_reported_not_crashed_on(
    store_url: str, store: EventStore
) -> None:
    _log(store)
    _tamper(store, store_url, 6, "data", "{not json")
    with pytest.raises(CorruptStoreError, match="position 6"):
        list(store.read_all())
    assert [e.position for e in store.read_all(after_position=6)] == [7, 8, 9]
    assert store.verify().first_broken_position == 6


def test_verify_reports_a_deleted_event_at_its_position(
    sql_store_url: str, sql_store: EventStore
) -> None:
    _log(sql_store)
    _drop_delete_trigger(sql_store_url)
    raw_execute(sql_store_url, "DELETE FROM events WHERE position = 4")
    result = sql_store.verify()
    assert not result.ok
    assert result.first_broken_position == 4


# -- upcasters -------------------------------------------------------------------------


def _renaming_upcasters() -> Upcasters:
    upcasters = Upcasters()

    @upcasters.register("Renamed", 1)
    def _rename_field(data: dict[str, Any]) -> dict[str, Any]:
        return {"new_name": data["name"], **{k: v for k, v in data.items() if k != "name"}}

    return upcasters


def test_upcasters_reshape_old_events_on_read_and_leave_stored_rows_alone(
    store_url: str, clock: SettableClock
) -> None:
    upcasters = _renaming_upcasters()
    with EventStore.from_url(store_url, clock=clock, upcasters=upcasters) as store:
        store.append(
            "s",
            [
                NewEvent("Renamed", {"name": "Q3 plan", "by": "hg"}),
                NewEvent("Renamed", {"new_name": "Q4 plan", "by": "jd"}, schema_version=2),
                NewEvent("Opened", {"name": "kept"}),
            ],
        )
        old, new, other = store.read_stream("s")
        assert (old.schema_version, old.data) == (2, {"new_name": "Q3 plan", "by": "hg"})
        assert (new.schema_version, new.data) == (2, {"new_name": "Q4 plan", "by": "jd"})
        assert (other.schema_version, other.data) == (1, {"name": "kept"})
        assert [e.data for e in store.read_all()] == [old.data, new.data, other.data]
        assert store.verify().ok

        if backend_of(store_url) != "memory":
            assert raw_rows(store_url, "SELECT schema_version, data FROM events ORDER BY 1") == [
                (1, '{"by":"hg","name":"Q3 plan"}'),
                (1, '{"name":"kept"}'),
                (2, '{"by":"jd","new_name":"Q4 plan"}'),
            ]
            # A store opened without the upcaster still sees the event as it was written.
            with EventStore.from_url(store_url) as plain:
                (first, *_) = plain.read_stream("s")
                assert (first.schema_version, first.data) == (1, {"name": "Q3 plan", "by": "hg"})


def test_upcasters_chain_step_by_step(store_url: str) -> None:
    upcasters = _renaming_upcasters()

    @upcasters.register("Renamed", 2)
    def _add_language(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "language": "fr"}

    with EventStore.from_url(store_url, upcasters=upcasters) as store:
        store.append("s", [NewEvent("Renamed", {"name": "Plan"})])
        (event,) = store.read_stream("s")
    assert event.schema_version == 3
    assert event.data == {"new_name": "Plan", "language": "fr"}
