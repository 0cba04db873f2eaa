"""The anchored log: each tampering the hash chain alone misses is caught by the checkpoints.

The tamperings are done the way an intruder with write access to the database would: the
append-only triggers dropped, rows deleted or rewritten with a recomputed hash chain, a
forged event appended with a valid hash. The key is outside the database (the store is
only handed it), so the intruder cannot sign.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from events import EventStore
from events.anchors import CheckpointKeys, export_lines, read_export
from events.clock import format_utc
from events.encoding import chain_hash

from .support import SettableClock, backend_of, numbered, raw_execute, raw_rows

KEY = b"a-test-key-that-is-long-enough-0123"
APPENDS, EACH = 12, 10
HEAD = APPENDS * EACH


@pytest.fixture
def anchored(sql_store_url: str, clock: SettableClock) -> Iterator[EventStore]:
    """120 events in 12 appends, each anchored by a checkpoint."""
    with EventStore.from_url(
        sql_store_url, clock=clock, checkpoint_keys=CheckpointKeys([KEY])
    ) as store:
        for number in range(APPENDS):
            clock.advance(60)
            store.append(f"s{number % 3}", numbered(EACH))
        yield store


def _drop_triggers(url: str) -> None:
    """What an intruder does first: the database's refusals are in its own hands."""
    if backend_of(url) == "sqlite":
        for trigger in (
            "events_append_only_update",
            "events_append_only_delete",
            "events_checkpoints_append_only_delete",
        ):
            raw_execute(url, f"DROP TRIGGER {trigger}")
    else:
        raw_execute(url, "DROP TRIGGER events_append_only ON events")
        raw_execute(url, "DROP TRIGGER events_checkpoints_append_only ON events_checkpoints")


def _rechain(store: EventStore, url: str, edited_position: int) -> None:
    """Edit one event and recompute every hash after it, so that the chain is intact."""
    _drop_triggers(url)
    raw_execute(url, "UPDATE events SET data = :d WHERE position = :p",
                d='{"n":1000000}', p=edited_position)  # fmt: skip
    rows = store._rows_after(edited_position - 1, 10_000, None)
    previous = store._rows_after(edited_position - 2, 1, None)[0].hash
    for row in rows:
        previous = chain_hash(
            previous, row.position, row.stream_id, row.stream_version, row.event_id, row.type,
            row.schema_version, row.data, row.metadata, format_utc(row.recorded_at),
        )  # fmt: skip
        raw_execute(url, "UPDATE events SET hash = :h WHERE position = :p",
                    h=previous, p=row.position)  # fmt: skip


def _forge_append(store: EventStore, url: str) -> None:
    """Insert one event with a valid hash, past the store's API (no checkpoint, no key)."""
    [last] = store._rows_after(HEAD - 1, 1, None)
    at = "2026-06-01T00:00:00.000000Z"
    event_id = "6f1c8f3e-3b0e-5d2a-9a57-2f0c6f2b9d11"
    data, metadata = '{"n":999}', '{"actor":"mallory"}'
    forged = chain_hash(last.hash, HEAD + 1, "s0", 999, event_id, "Numbered", 1, data,
                        metadata, at)  # fmt: skip
    raw_execute(
        url,
        "INSERT INTO events VALUES (:p, 's0', 999, :i, 'Numbered', 1, :d, :m, :at, :h)",
        p=HEAD + 1, i=event_id, d=data, m=metadata, at=at, h=forged,
    )  # fmt: skip


def test_an_untouched_anchored_log_verifies(anchored: EventStore) -> None:
    result = anchored.verify()
    assert result.ok, result.problems
    assert result.anchored
    assert result.checkpoints_checked == APPENDS
    assert [c.position for c in anchored.checkpoints()] == [EACH * n for n in range(1, 13)]


@pytest.mark.parametrize(
    ("deleted", "first"), [("position = 120", 120), ("position > 70", 71), ("1 = 1", 1)]
)
def test_a_truncation_behind_the_triggers_is_caught(
    sql_store_url: str, anchored: EventStore, clock: SettableClock, deleted: str, first: int
) -> None:
    assert anchored.verify().ok
    _drop_triggers(sql_store_url)
    raw_execute(sql_store_url, f"DELETE FROM events WHERE {deleted}")

    result = anchored.verify()

    assert not result.ok
    assert result.first_broken_position == first
    assert result.problem is not None
    assert f"events {first}..{HEAD} were deleted" in result.problem
    # since when: the newest checkpoint (the last append's) vouched for them
    assert f"signed {format_utc(clock())}" in result.problem


def test_a_rewrite_with_a_recomputed_chain_is_caught_and_located(
    sql_store_url: str, anchored: EventStore
) -> None:
    _rechain(anchored, sql_store_url, 57)

    result = anchored.verify()

    assert not result.ok
    assert result.first_broken_position == 51
    assert result.problem is not None
    assert "rewritten" in result.problem
    assert "position 60" in result.problem
    assert "events 51..60" in result.problem


def test_a_forged_append_with_a_valid_hash_is_caught(
    sql_store_url: str, anchored: EventStore
) -> None:
    _forge_append(anchored, sql_store_url)

    result = anchored.verify()

    assert not result.ok
    assert result.first_broken_position == HEAD + 1
    assert result.problem is not None
    assert f"events {HEAD + 1}..{HEAD + 1} were appended after the last signed" in result.problem
    # The hash chain alone finds nothing: that is what the checkpoints are for.
    bare = EventStore.from_url(sql_store_url)
    assert bare.verify().ok
    bare.close()


def test_a_forged_checkpoint_does_not_cover_a_forged_append(
    sql_store_url: str, anchored: EventStore
) -> None:
    _forge_append(anchored, sql_store_url)
    [last] = anchored._rows_after(HEAD, 1, None)
    thief = CheckpointKeys([b"not-the-key-but-long-enough-000"]).sign(
        HEAD + 1, last.hash, last.recorded_at
    )
    key_id = anchored.checkpoint_keys.signing_id if anchored.checkpoint_keys else ""
    raw_execute(
        sql_store_url,
        "INSERT INTO events_checkpoints (position, hash, signed_at, key_id, signature) "
        "VALUES (:p, :h, :at, :k, :s)",
        p=thief.position, h=thief.hash, at="2026-06-01T00:00:00.000000Z", k=key_id,
        s=thief.signature,
    )  # fmt: skip

    result = anchored.verify()

    assert not result.ok
    assert any("bad signature" in problem for problem in result.problems)
    assert any(f"events {HEAD + 1}..{HEAD + 1} were appended" in p for p in result.problems)


def test_checkpoints_deleted_with_the_events_are_caught_by_an_archived_export(
    sql_store_url: str, anchored: EventStore
) -> None:
    archive = read_export("".join(export_lines(anchored.checkpoints())), "archive")
    _drop_triggers(sql_store_url)
    raw_execute(sql_store_url, "DELETE FROM events WHERE position > 70")
    raw_execute(sql_store_url, "DELETE FROM events_checkpoints WHERE position > 70")
    # What the database holds agrees with itself again...
    assert anchored.verify().ok

    result = anchored.verify(archived=archive)

    # ...but not with what was archived before.
    assert not result.ok
    assert result.problem is not None
    assert f"events 71..{HEAD} were deleted" in result.problem
    assert any("missing from the store" in problem for problem in result.problems)


def test_rotated_keys_verify_old_checkpoints_and_sign_new_ones(
    sql_store_url: str, anchored: EventStore, clock: SettableClock
) -> None:
    new = b"the-next-key-after-rotation-456789"
    rotated = EventStore.from_url(sql_store_url, clock=clock,
                                  checkpoint_keys=CheckpointKeys([new, KEY]))  # fmt: skip
    rotated.append("s0", numbered(1))
    result = rotated.verify()
    assert result.ok, result.problems
    assert result.checkpoints_checked == APPENDS + 1
    assert len({c.key_id for c in rotated.checkpoints()}) == 2
    rotated.close()
    # Dropping the old key leaves its checkpoints unchecked, and says so.
    forgetful = EventStore.from_url(sql_store_url, checkpoint_keys=CheckpointKeys([new]))
    result = forgetful.verify()
    assert result.unknown_keys
    assert result.checkpoints_checked == 1
    forgetful.close()


def test_checkpoint_rows_are_append_only(sql_store_url: str, anchored: EventStore) -> None:
    import sqlalchemy.exc as sa_exc

    for statement in (
        "UPDATE events_checkpoints SET position = 1",
        "DELETE FROM events_checkpoints",
    ):
        with pytest.raises(sa_exc.DBAPIError, match="append-only"):
            raw_execute(sql_store_url, statement)
    assert raw_rows(sql_store_url, "SELECT count(*) FROM events_checkpoints") == [(APPENDS,)]
