"""`read_stream_mentioning`: a stream read without the events of skippable types that name
none of the keys asked (what `plan history --step` reads), on every backend."""

from __future__ import annotations

import pytest

from events import EventStore, NewEvent
from events import store as store_module


def _append(store: EventStore) -> None:
    store.append(
        "plan",
        [
            NewEvent("Edited", {"step": "S1"}),  # 1: the step asked
            NewEvent("Edited", {"step": "S10"}),  # 2: a longer key with the same start
            NewEvent("Renamed", {"title": "no step"}),  # 3: not skippable: always read
            NewEvent("Held", {"occurrence": "S1@2025-03-04"}),  # 4: a visit of the step
            NewEvent("Held", {"occurrence": "S2@2025-03-04"}),  # 5: another step's visit
            NewEvent("Edited", {"step": "SX1"}),  # 6: would match a LIKE with `_` as wildcard
            NewEvent("Edited", {"step": "S_1"}),  # 7: the other key asked, with a `_`
            NewEvent("Edited", {"step": "s1"}),  # 8: another key (SQLite's LIKE may let it by)
            NewEvent("Edited", {"step": "Sé"}),  # 9: a key beyond ASCII
        ],
    )


@pytest.mark.parametrize("batch", [2000, 2])
def test_only_the_skippable_events_naming_no_key_asked_are_left_out(
    store: EventStore, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "READ_BATCH", batch)  # several pages, gaps between
    _append(store)
    needles = ['"S1"', '"S1@', '"S_1"', '"Sé"']
    read = list(store.read_stream_mentioning("plan", {"Edited", "Held"}, needles))
    versions = [event.stream_version for event in read]
    # Version 8 ("s1") may come through a case-blind prefilter: the reader checks anyway.
    assert [v for v in versions if v != 8] == [1, 3, 4, 7, 9]
    assert read[0].data == {"step": "S1"}
    assert [event.stream_version for event in store.read_stream("plan")] == list(range(1, 10))


def test_no_needle_leaves_out_every_skippable_event_and_no_type_none(store: EventStore) -> None:
    _append(store)
    assert len(list(store.read_stream_mentioning("plan", set(), ['"S1"']))) == 9
    assert [e.type for e in store.read_stream_mentioning("plan", {"Edited"}, [])] == [
        "Renamed",
        "Held",
        "Held",
    ]
