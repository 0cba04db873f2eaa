"""An in-memory event store: same contract, no database; for fast tests and dry runs."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from datetime import datetime

from events.anchors import Checkpoint, CheckpointKeys
from events.clock import Clock
from events.encoding import GENESIS_HASH
from events.records import ExpectedVersion, StreamSpan
from events.store import (
    DuplicateEventId,
    EventStore,
    PreparedEvent,
    RawRow,
    chain_rows,
    check_expected,
)
from events.subscription import Waiter
from events.upcasting import Upcasters


class _ConditionWaiter(Waiter):
    def __init__(self, store: InMemoryEventStore, stop: threading.Event, poll: float) -> None:
        self._store = store
        self._stop = stop
        self._poll = poll

    def wait(self, timeout: float) -> None:
        with self._store._appended:
            if not self._stop.is_set():
                self._store._appended.wait(min(timeout, self._poll))


class InMemoryEventStore(EventStore):
    """Keeps the log in a list; thread-safe; lost when the process ends."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        upcasters: Upcasters | None = None,
        checkpoint_keys: CheckpointKeys | None = None,
    ) -> None:
        super().__init__(clock=clock, upcasters=upcasters, checkpoint_keys=checkpoint_keys)
        self._rows: list[RawRow] = []
        self._checkpoints: list[Checkpoint] = []
        self._versions: dict[str, list[int]] = {}
        self._by_id: dict[str, int] = {}
        self._lock = threading.Lock()
        self._appended = threading.Condition(self._lock)

    @property
    def url(self) -> str:
        return "memory://"

    def schema_version(self) -> str | None:
        return None

    def _write(
        self,
        stream_id: str,
        batch: Sequence[PreparedEvent],
        expected: ExpectedVersion,
        recorded_at: datetime,
    ) -> list[RawRow]:
        with self._appended:
            positions = self._versions.get(stream_id, [])
            check_expected(expected, len(positions))
            if any(event.event_id in self._by_id for event in batch):
                raise DuplicateEventId
            head_hash = self._rows[-1].hash if self._rows else GENESIS_HASH
            rows = chain_rows(
                stream_id, len(self._rows), head_hash, len(positions), batch, recorded_at
            )
            for row in rows:
                self._by_id[row.event_id] = len(self._rows)
                self._rows.append(row)
                positions.append(row.position)
            self._versions[stream_id] = positions
            signed = self._sign_head(rows, recorded_at)
            if signed is not None:
                self._checkpoints.append(signed)
            self._appended.notify_all()
        return rows

    def _store_checkpoint(self, keys: CheckpointKeys, signed_at: datetime) -> Checkpoint:
        with self._lock:
            head = self._rows[-1] if self._rows else None
            signed = keys.sign(
                head.position if head else 0, head.hash if head else GENESIS_HASH, signed_at
            )
            self._checkpoints.append(signed)
            return signed

    def checkpoints(self) -> list[Checkpoint]:
        with self._lock:
            return list(self._checkpoints)

    def _rows_by_event_id(self, event_ids: Sequence[str]) -> list[RawRow]:
        with self._lock:
            return [self._rows[self._by_id[i]] for i in event_ids if i in self._by_id]

    def head_position(self) -> int:
        return len(self._rows)

    def stream_version(self, stream_id: str) -> int:
        return len(self._versions.get(stream_id, ()))

    def _rows_after(
        self,
        after_position: int,
        limit: int,
        until: datetime | None,
        types: frozenset[str] | None = None,
    ) -> list[RawRow]:
        start = max(after_position, 0)
        with self._lock:
            if until is None and types is None:
                return self._rows[start : start + limit]
            found: list[RawRow] = []
            for row in itertools.islice(self._rows, start, None):
                if (until is None or row.recorded_at <= until) and (
                    types is None or row.type in types
                ):
                    found.append(row)
                    if len(found) == limit:
                        break
            return found

    def _stream_spans(self, after_position: int, to_position: int) -> list[StreamSpan]:
        spans: dict[str, list[int]] = {}
        with self._lock:
            for row in itertools.islice(self._rows, max(after_position, 0), to_position):
                span = spans.get(row.stream_id)
                if span is None:
                    spans[row.stream_id] = [row.stream_version, row.stream_version]
                else:
                    span[1] = row.stream_version
        return [StreamSpan(stream, first, last) for stream, (first, last) in spans.items()]

    def _stream_rows(
        self,
        stream_id: str,
        after_version: int,
        to_version: int | None,
        until: datetime | None,
        limit: int,
    ) -> list[RawRow]:
        with self._lock:
            positions = list(self._versions.get(stream_id, ()))
            last = len(positions) if to_version is None else min(to_version, len(positions))
            rows = [self._rows[p - 1] for p in positions[max(after_version, 0) : last]]
        if until is not None:
            rows = [row for row in rows if row.recorded_at <= until]
        return rows[:limit]

    def _waiter(self, stop: threading.Event, poll_interval: float) -> Waiter:
        return _ConditionWaiter(self, stop, poll_interval)

    def tamper(self, position: int, **changes: object) -> None:
        """Edit a stored row in place: only for tests of `verify`."""
        with self._lock:
            row = self._rows[position - 1]
            self._rows[position - 1] = row._replace(**changes)  # type: ignore[arg-type]
