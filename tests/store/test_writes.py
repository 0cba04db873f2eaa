"""Writing: the expected-version check, idempotent retries and refused input."""

from __future__ import annotations

import re
import uuid
from typing import Any, cast

import pytest

from events import (
    ANY,
    NO_STREAM,
    ConcurrencyError,
    EventIdConflictError,
    EventStore,
    ExpectedVersion,
    NewEvent,
)

from .support import SettableClock, numbered, snapshot


def _mentions(message: str, value: object) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(str(value))}(?![\w-])", message) is not None


# -- expected_version ------------------------------------------------------------------


def test_expected_versions_that_match_are_accepted(store: EventStore) -> None:
    store.append("s", numbered(1), expected_version=NO_STREAM)
    store.append("s", numbered(2), expected_version=1)
    store.append("s", numbered(1), expected_version=ANY)
    store.append("s", numbered(1), expected_version=4)
    store.append("t", numbered(1), expected_version=0)
    store.append("u", numbered(1), expected_version=ANY)
    store.append("u", numbered(1))
    assert store.stream_version("s") == 5
    assert store.stream_version("t") == 1
    assert store.stream_version("u") == 2
    assert store.head_position() == 8


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        (3, 2),
        (3, 7),
        (3, 0),
        (3, NO_STREAM),
        (0, 1),
        (0, 5),
    ],
    ids=["behind", "ahead", "zero-on-existing", "no-stream-on-existing", "new-1", "new-5"],
)
def test_a_version_mismatch_raises_concurrency_error_and_writes_nothing(
    store: EventStore, existing: int, expected: ExpectedVersion
) -> None:
    store.append("other", numbered(2))
    if existing:
        store.append("order-alpha", numbered(existing))
    before = snapshot(store)

    with pytest.raises(ConcurrencyError) as raised:
        store.append("order-alpha", numbered(3, "Late"), expected_version=expected)

    error = raised.value
    assert (error.stream_id, error.expected, error.actual) == ("order-alpha", expected, existing)
    message = str(error)
    assert "order-alpha" in message
    assert _mentions(message, expected), message
    assert _mentions(message, existing), message
    assert "\n" not in message
    assert snapshot(store) == before
    assert store.head_position() == 2 + existing
    assert store.stream_version("order-alpha") == existing


@pytest.mark.parametrize("expected", [-1, True, 1.0, "1", None])
def test_an_expected_version_that_is_not_a_version_is_refused(
    store: EventStore, expected: object
) -> None:
    with pytest.raises(ValueError, match="expected_version"):
        store.append("s", numbered(1), expected_version=cast(Any, expected))
    assert store.head_position() == 0


# -- idempotent retries ----------------------------------------------------------------


def test_a_retried_append_returns_the_original_records_and_writes_nothing(
    store: EventStore, clock: SettableClock
) -> None:
    batch = numbered(3)
    original = store.append("s", batch, expected_version=NO_STREAM)
    clock.advance(60)
    store.append("s", numbered(1, "Next"), expected_version=3)
    store.append("t", numbered(1))
    clock.advance(60)
    before = snapshot(store)

    # The first attempt's answer was lost; the caller retries exactly what it sent,
    # with the expected version it had then (now stale), with ANY, and with the current one.
    for expected in (NO_STREAM, 0, ANY, 4):
        again = store.append("s", batch, expected_version=expected)
        assert again == original
        assert [e.position for e in again] == [1, 2, 3]
        assert [e.recorded_at for e in again] == [e.recorded_at for e in original]
        assert [e.hash for e in again] == [e.hash for e in original]

    assert snapshot(store) == before
    assert store.stream_version("s") == 4
    assert store.verify().ok


def test_a_retry_with_equal_but_new_event_objects_is_idempotent(store: EventStore) -> None:
    event_id = uuid.uuid4()
    (original,) = store.append("s", [NewEvent("Made", {"n": 1}, event_id=event_id)])
    (again,) = store.append("s", [NewEvent("Made", {"n": 1}, event_id=event_id)])
    assert again == original
    assert store.head_position() == 1


def test_a_batch_mixing_stored_and_new_ids_is_refused_and_writes_nothing(
    store: EventStore,
) -> None:
    stored = numbered(2)
    store.append("s", stored)
    fresh = NewEvent("Fresh", {"n": 3})
    before = snapshot(store)

    for expected in (ANY, 2, NO_STREAM):
        with pytest.raises(EventIdConflictError):
            store.append("s", [stored[1], fresh], expected_version=expected)
        with pytest.raises(EventIdConflictError):
            store.append("s", [fresh, stored[0]], expected_version=expected)
    assert snapshot(store) == before

    # The new event was not half-written: it can still be appended on its own.
    (written,) = store.append("s", [fresh], expected_version=2)
    assert written.position == 3


def test_stored_ids_replayed_into_another_stream_are_refused(store: EventStore) -> None:
    batch = numbered(2)
    store.append("s", batch)
    before = snapshot(store)
    with pytest.raises(EventIdConflictError):
        store.append("elsewhere", batch)
    with pytest.raises(EventIdConflictError):
        store.append("elsewhere", batch, expected_version=NO_STREAM)
    assert snapshot(store) == before
    assert store.stream_version("elsewhere") == 0


# -- refused input ---------------------------------------------------------------------


class _NotJson:
    pass


BAD_DATA: list[Any] = [
    pytest.param({"tags": {"a", "b"}}, id="set"),
    pytest.param({"ratio": float("nan")}, id="nan"),
    pytest.param({"ratio": float("inf")}, id="infinity"),
    pytest.param({"when": _NotJson()}, id="object"),
    pytest.param({"raw": b"bytes"}, id="bytes"),
    pytest.param({1: "a", "b": 2}, id="mixed-keys"),
    pytest.param([1, 2, 3], id="list"),
    pytest.param("text", id="string"),
    pytest.param(None, id="none"),
    pytest.param(42, id="int"),
]


@pytest.mark.parametrize("data", BAD_DATA)
def test_data_that_is_not_a_json_object_is_refused_and_nothing_is_written(
    store: EventStore, data: Any
) -> None:
    store.append("s", numbered(1))
    batch = [NewEvent("Good", {"n": 1}), NewEvent("Bad", data)]
    with pytest.raises((TypeError, ValueError), match="data"):
        store.append("s", batch)
    assert store.head_position() == 1
    assert store.stream_version("s") == 1


@pytest.mark.parametrize("metadata", BAD_DATA)
def test_metadata_that_is_not_a_json_object_is_refused_and_nothing_is_written(
    store: EventStore, metadata: Any
) -> None:
    with pytest.raises((TypeError, ValueError), match="metadata"):
        store.append("s", [NewEvent("Good", {}), NewEvent("Bad", {}, metadata)])
    assert store.head_position() == 0


def test_lone_surrogates_are_refused_and_nothing_is_written(store: EventStore) -> None:
    with pytest.raises((TypeError, ValueError)):
        store.append("s", [NewEvent("Good", {}), NewEvent("Bad", {"text": "half \ud83d pair"})])
    assert store.head_position() == 0


@pytest.mark.parametrize("stream_id", ["", "   ", "\t\n", "x" * 201])
def test_a_bad_stream_id_is_refused(store: EventStore, stream_id: str) -> None:
    with pytest.raises(ValueError, match="stream_id"):
        store.append(stream_id, numbered(1))
    assert store.head_position() == 0


@pytest.mark.parametrize("stream_id", [None, 7, b"s"])
def test_a_stream_id_that_is_not_text_is_refused(store: EventStore, stream_id: object) -> None:
    with pytest.raises(ValueError, match="stream_id"):
        store.append(cast(Any, stream_id), numbered(1))
    assert store.head_position() == 0


def test_duplicate_ids_in_one_batch_are_refused_and_nothing_is_written(store: EventStore) -> None:
    event_id = uuid.uuid4()
    batch = [
        NewEvent("A", {}, event_id=event_id),
        NewEvent("B", {}),
        NewEvent("C", {}, event_id=event_id),
    ]
    with pytest.raises(ValueError, match=str(event_id)):
        store.append("s", batch)
    assert store.head_position() == 0


@pytest.mark.parametrize(
    ("event", "complaint"),
    [
        pytest.param(NewEvent("", {}), "type", id="empty-type"),
        pytest.param(NewEvent("T" * 201, {}), "type", id="long-type"),
        pytest.param(NewEvent("T", {}, schema_version=0), "schema_version", id="schema-0"),
        pytest.param(NewEvent("T", {}, event_id=cast(Any, "not-a-uuid")), "UUID", id="bad-id"),
    ],
)
def test_malformed_events_are_refused_and_nothing_is_written(
    store: EventStore, event: NewEvent, complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        store.append("s", [NewEvent("Good", {}), event])
    assert store.head_position() == 0


def test_something_that_is_not_a_new_event_is_refused(store: EventStore) -> None:
    with pytest.raises(TypeError, match="NewEvent"):
        store.append("s", [NewEvent("Good", {}), cast(Any, {"type": "Raw", "data": {}})])
    assert store.head_position() == 0


def test_an_empty_batch_writes_nothing(store: EventStore) -> None:
    assert store.append("s", []) == []
    assert store.head_position() == 0
    assert store.stream_version("s") == 0


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({1: "one"}, id="int-key"),
        pytest.param({"outer": {2.5: "x"}}, id="nested-float-key"),
    ],
)
def test_data_whose_keys_json_would_rewrite_is_refused(store: EventStore, data: Any) -> None:
    # JSON objects have text keys only: {1: "one"} would come back as {"1": "one"},
    # and a reader looking up data[1] would not find what was written.
    with pytest.raises((TypeError, ValueError), match="data"):
        store.append("s", [NewEvent("Keyed", data)])
    assert store.head_position() == 0


def test_nul_characters_in_stream_ids_and_types_are_refused_on_every_backend(
    store: EventStore,
) -> None:
    # PostgreSQL text cannot hold U+0000; the other backends must not accept what it refuses,
    # and the refusal must be the same plain ValueError everywhere.
    with pytest.raises(ValueError, match="stream_id"):
        store.append("plan\x00one", numbered(1))
    with pytest.raises(ValueError, match="type"):
        store.append("s", [NewEvent("Made\x00", {})])
    assert store.head_position() == 0


def test_a_large_batch_that_conflicts_still_raises_concurrency_error(store: EventStore) -> None:
    # More event ids than PostgreSQL takes parameters in one statement (65,535): checking
    # whether the batch is a retry must not turn a plain conflict into a failure of the store.
    store.append("s", numbered(1))
    with pytest.raises(ConcurrencyError):
        store.append("s", numbered(66_000), expected_version=NO_STREAM)
    assert store.head_position() == 1


def test_stream_ids_and_types_of_the_maximum_length_are_kept(store: EventStore) -> None:
    stream, event_type = "é" * 200, "計" * 200
    store.append(stream, [NewEvent(event_type, {})])
    (event,) = store.read_stream(stream)
    assert (event.stream_id, event.type) == (stream, event_type)
    assert store.stream_version(stream) == 1
