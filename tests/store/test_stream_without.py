"""`read_stream_without`: a stream read without the events of some types (what `check`
reads when it needs no indicator values), on every backend."""

from __future__ import annotations

import pytest

from events import EventStore, NewEvent
from events import store as store_module


def _append(store: EventStore) -> None:
    store.append(
        "plan",
        [
            NewEvent("Edited", {"step": "S1"}),  # 1
            NewEvent("Renamed", {"title": "no step"}),  # 2
            NewEvent("Held", {"occurrence": "S1@2025-03-04"}),  # 3
            NewEvent("Edited", {"step": "S2"}),  # 4
            NewEvent("Held", {"occurrence": "S2@2025-03-04"}),  # 5
            NewEvent("Renamed", {"title": "again"}),  # 6
            NewEvent("Edited", {"step": "S3"}),  # 7
        ],
    )
    store.append("other", [NewEvent("Renamed", {"title": "another plan"})])


@pytest.mark.parametrize("batch", [2000, 2])
def test_the_events_of_the_types_skipped_are_left_out(
    store: EventStore, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "READ_BATCH", batch)  # several pages, gaps between
    _append(store)
    read = list(store.read_stream_without("plan", {"Edited", "Held"}))
    assert [(e.stream_version, e.data) for e in read] == [
        (2, {"title": "no step"}),
        (6, {"title": "again"}),
    ]
    assert [e.stream_version for e in store.read_stream_without("plan", {"Edited"}, 3)] == [5, 6]
    assert [e.stream_version for e in store.read_stream("plan")] == list(range(1, 8))


def test_no_type_skipped_reads_the_whole_stream(store: EventStore) -> None:
    _append(store)
    assert [e.stream_version for e in store.read_stream_without("plan", set())] == list(range(1, 8))
    assert [e.data for e in store.read_stream_without("other", {"Edited"})] == [
        {"title": "another plan"}
    ]
