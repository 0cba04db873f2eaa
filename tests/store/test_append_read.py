"""Append and read back: order, versions, time, payloads and the read windows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from freezegun import freeze_time

from events import NO_STREAM, EventStore, NewEvent, RecordedEvent

from .support import SettableClock, numbered, snapshot

METADATA = {
    "actor": "hg",
    "reason": "weekly review",
    "command_id": str(uuid.UUID(int=1)),
    "correlation_id": str(uuid.UUID(int=2)),
    "causation_id": None,
    "source": "cli",
}


def test_round_trip_gives_gap_free_positions_versions_clock_time_and_payloads(
    store: EventStore, clock: SettableClock
) -> None:
    first_at = clock()
    opened = store.append(
        "plan-a",
        [
            NewEvent("Opened", {"owner": "hg", "targets": [1, 2.5, None, True]}, METADATA),
            NewEvent("Renamed", {"name": "Q3 plan"}, {**METADATA, "reason": "typo"}),
        ],
        expected_version=NO_STREAM,
    )
    second_at = clock.advance(90.5)
    other = store.append("plan-b", [NewEvent("Opened", {"owner": "jd"})], expected_version=0)
    third_at = clock.advance(3600)
    closed = store.append("plan-a", [NewEvent("Closed", {})], expected_version=2)

    everything = list(store.read_all())
    assert everything == opened + other + closed
    assert [e.position for e in everything] == [1, 2, 3, 4]
    assert [(e.stream_id, e.stream_version) for e in everything] == [
        ("plan-a", 1),
        ("plan-a", 2),
        ("plan-b", 1),
        ("plan-a", 3),
    ]
    assert [e.recorded_at for e in everything] == [first_at, first_at, second_at, third_at]
    assert all(e.recorded_at.utcoffset() == timedelta(0) for e in everything)
    assert everything[0].data == {"owner": "hg", "targets": [1, 2.5, None, True]}
    assert everything[0].metadata == METADATA
    assert everything[1].metadata["reason"] == "typo"
    assert everything[2].metadata == {}
    assert [e.type for e in everything] == ["Opened", "Renamed", "Opened", "Closed"]
    assert all(e.schema_version == 1 for e in everything)
    assert len({e.hash for e in everything}) == 4
    assert [e.stream_version for e in store.read_stream("plan-a")] == [1, 2, 3]
    assert store.head_position() == 4
    assert store.stream_version("plan-a") == 3
    assert store.stream_version("plan-b") == 1


def test_event_ids_and_schema_versions_are_kept(store: EventStore) -> None:
    event_id = uuid.uuid4()
    store.append("s", [NewEvent("Moved", {"to": 3}, event_id=event_id, schema_version=4)])
    (event,) = store.read_stream("s")
    assert event.event_id == event_id
    assert isinstance(event.event_id, uuid.UUID)
    assert event.schema_version == 4


def test_an_unknown_stream_is_at_version_zero_and_reads_empty(store: EventStore) -> None:
    assert store.stream_version("nobody") == 0
    assert list(store.read_stream("nobody")) == []
    assert store.head_position() == 0
    assert list(store.read_all()) == []
    store.append("somebody", numbered(2))
    assert store.stream_version("nobody") == 0
    assert list(store.read_stream("nobody")) == []


UNICODE_DATA: dict[str, Any] = {
    "accents": "Hélène Dupré, Ærøskøbing, Ñandú, Łódź",
    "emoji": "🚀🎉 👩🏽‍💻 🇫🇷",
    "cjk": "行動計画 영업 销售计划",
    "rtl": "خطة العمل التجارية עברית",
    "控制": 'tab\tnewline\nquote"backslash\\ nul\u0000 bell\u0007',
    "nested": {"clé": ["ü", "ß", {"😀": "☃"}]},
}


def test_unicode_round_trips_in_data_metadata_stream_and_type(store: EventStore) -> None:
    stream = "plan-Ünïcødé-計画-😀"
    metadata = {"actor": "Zoë", "reason": "révision 📈 مراجعة"}
    written = store.append(stream, [NewEvent("Réglé_計画", UNICODE_DATA, metadata)])
    (read,) = store.read_stream(stream)
    assert read == written[0]
    assert read.stream_id == stream
    assert read.type == "Réglé_計画"
    assert read.data == UNICODE_DATA
    assert read.metadata == metadata
    assert store.stream_version(stream) == 1
    assert store.verify().ok


def test_large_payloads_round_trip(store: EventStore) -> None:
    big_text = ("pacflow é 😀 " * 90_000)[:1_000_000]
    many = [{"i": i, "label": f"row {i}", "ok": i % 2 == 0} for i in range(10_000)]
    store.append("big", [NewEvent("Big", {"text": big_text}), NewEvent("Many", {"rows": many})])
    text_event, list_event = store.read_stream("big")
    assert len(text_event.data["text"]) == 1_000_000
    assert text_event.data["text"] == big_text
    assert list_event.data["rows"] == many
    assert store.verify().ok


def test_reads_page_through_more_than_one_batch(store: EventStore) -> None:
    store.append("long", numbered(4_500))
    store.append("other", numbered(3))
    store.append("long", numbered(2, "Tail"))
    everything = list(store.read_all())
    assert [e.position for e in everything] == list(range(1, 4_506))
    stream = list(store.read_stream("long"))
    assert [e.stream_version for e in stream] == list(range(1, 4_503))
    assert [e.data["n"] for e in stream[:3]] == [1, 2, 3]
    assert [e.type for e in stream[-2:]] == ["Tail", "Tail"]
    assert [e.position for e in store.read_all(after_position=4_000)] == list(range(4_001, 4_506))


def _three_stamped(store: EventStore, clock: SettableClock) -> list[RecordedEvent]:
    """Positions 1-2 (s) at t0; 3 (t) and 4-5 (s) at t0+10s; 6 (s) at t0+20s."""
    events = store.append("s", numbered(2))
    clock.advance(10)
    events += store.append("t", numbered(1))
    events += store.append("s", numbered(2, "Later"))
    clock.advance(10)
    events += store.append("s", numbered(1, "Last"))
    return events


def test_read_stream_windows(store: EventStore, clock: SettableClock) -> None:
    start = clock()
    _three_stamped(store, clock)

    def versions(**window: Any) -> list[int]:
        return [e.stream_version for e in store.read_stream("s", **window)]

    assert versions() == [1, 2, 3, 4, 5]
    assert versions(from_version=3) == [3, 4, 5]
    assert versions(from_version=0) == [1, 2, 3, 4, 5]
    assert versions(to_version=2) == [1, 2]
    assert versions(from_version=2, to_version=4) == [2, 3, 4]
    assert versions(from_version=4, to_version=4) == [4]
    assert versions(from_version=5, to_version=2) == []
    assert versions(from_version=6) == []
    assert versions(until=start) == [1, 2]
    assert versions(until=start + timedelta(seconds=9)) == [1, 2]
    assert versions(until=start + timedelta(seconds=10)) == [1, 2, 3, 4]
    assert versions(from_version=2, until=start + timedelta(seconds=10)) == [2, 3, 4]
    assert versions(until=start - timedelta(microseconds=1)) == []
    # `until` in another zone names the same instant.
    paris = timezone(timedelta(hours=1))
    assert versions(until=(start + timedelta(seconds=10)).astimezone(paris)) == [1, 2, 3, 4]


def test_read_all_windows(store: EventStore, clock: SettableClock) -> None:
    start = clock()
    _three_stamped(store, clock)

    def positions(**window: Any) -> list[int]:
        return [e.position for e in store.read_all(**window)]

    assert positions() == [1, 2, 3, 4, 5, 6]
    assert positions(after_position=0) == [1, 2, 3, 4, 5, 6]
    assert positions(after_position=4) == [5, 6]
    assert positions(after_position=-1) == [1, 2, 3, 4, 5, 6]
    assert positions(after_position=6) == []
    assert positions(after_position=99) == []
    assert positions(until=start) == [1, 2]
    assert positions(until=start + timedelta(seconds=10)) == [1, 2, 3, 4, 5]
    assert positions(after_position=1, until=start + timedelta(seconds=10)) == [2, 3, 4, 5]
    assert store.head_position() == 6


def test_streams_between_gives_each_stream_s_versions_in_a_window(store: EventStore) -> None:
    store.append("b", numbered(2))  # positions 1-2
    store.append("a", numbered(3))  # 3-5
    store.append("b", numbered(1))  # 6
    store.append("c", numbered(2))  # 7-8

    def spans(after: int, to: int) -> list[tuple[str, int, int]]:
        return [
            (s.stream_id, s.first_version, s.last_version) for s in store.streams_between(after, to)
        ]

    assert spans(0, 8) == [("b", 1, 3), ("a", 1, 3), ("c", 1, 2)]
    assert spans(1, 7) == [("b", 2, 3), ("a", 1, 3), ("c", 1, 1)]
    assert spans(5, 6) == [("b", 3, 3)]
    assert spans(-3, 2) == [("b", 1, 2)]
    assert spans(6, 6) == spans(6, 2) == spans(8, 99) == []
    assert spans(6, 99) == [("c", 1, 2)]


def test_naive_until_is_refused(store: EventStore) -> None:
    store.append("s", numbered(1))
    with pytest.raises(ValueError, match="naive"):
        list(store.read_all(until=datetime(2030, 1, 1)))
    with pytest.raises(ValueError, match="naive"):
        list(store.read_stream("s", until=datetime(2030, 1, 1)))


def test_recorded_at_is_normalised_to_utc_with_microseconds(
    store: EventStore, clock: SettableClock
) -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    local = datetime(2031, 7, 14, 23, 59, 58, 123456, tzinfo=india)
    clock.set(local)
    (written,) = store.append("s", numbered(1))
    (read,) = store.read_stream("s")
    for event in (written, read):
        assert event.recorded_at == local
        assert event.recorded_at.utcoffset() == timedelta(0)
        assert event.recorded_at.replace(tzinfo=None) == datetime(2031, 7, 14, 18, 29, 58, 123456)


def test_a_clock_giving_naive_times_is_refused_and_nothing_is_written(
    store: EventStore, clock: SettableClock
) -> None:
    clock.set(datetime(2031, 1, 1, 12, 0))
    with pytest.raises(ValueError, match="naive"):
        store.append("s", numbered(1))
    assert store.head_position() == 0
    assert snapshot(store) == []


def test_the_default_clock_is_the_system_clock_in_utc(store_url: str) -> None:
    # Opened before time is frozen: the drivers' own timers keep running.
    with EventStore.from_url(store_url) as store:
        with freeze_time("2032-02-29 15:14:15.161718+02:00"):
            (written,) = store.append("s", numbered(1))
        (read,) = store.read_stream("s")
    expected = datetime(2032, 2, 29, 13, 14, 15, 161718, tzinfo=UTC)
    for event in (written, read):
        assert event.recorded_at == expected
        assert event.recorded_at.utcoffset() == timedelta(0)
