"""The event store contract, shared by every backend.

Backends (SQL on SQLite or PostgreSQL, in memory) implement a handful of primitive
operations on raw rows; this module does everything else once: validation, canonical
encoding, the version check, idempotent retries, the hash chain, decoding, upcasting,
verification and subscriptions.
"""

from __future__ import annotations

import abc
import json
import threading
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, NamedTuple, Self

from events.anchors import Checkpoint, CheckpointKeys, check_anchors
from events.clock import Clock, as_utc, format_utc, system_clock
from events.encoding import GENESIS_HASH, chain_hash, encode_json
from events.errors import (
    ConcurrencyError,
    CorruptStoreError,
    EventIdConflictError,
)
from events.records import (
    ANY,
    NO_STREAM,
    ExpectedVersion,
    NewEvent,
    RecordedEvent,
    StreamSpan,
    StreamState,
    VerifyResult,
)
from events.upcasting import Upcasters
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    from events.subscription import Subscription, Waiter

READ_BATCH = 2000
VERSIONS_BATCH = 500
"""Versions asked of the database at a time (`read_stream_versions`): under SQLite's
oldest limit of bound parameters."""
# Stored payloads are canonical JSON written by this package: skip json.loads' wrapper.
_parse_json = json.JSONDecoder().raw_decode


_new_uuid = object.__new__
_new_tuple = tuple.__new__
# UUID is immutable (its __setattr__ refuses); its slots' own setters are what
# object.__setattr__ would reach, without the attribute lookup.
_set_uuid_int = uuid.UUID.__dict__["int"].__set__
_set_uuid_safe = uuid.UUID.__dict__["is_safe"].__set__
_UNKNOWN = uuid.SafeUUID.unknown


def _uuid(text: str) -> uuid.UUID:
    """A UUID from the canonical text this store wrote, without uuid.UUID's slow parser."""
    value = int(text.replace("-", ""), 16)
    if len(text) != 36 or value >> 128:
        raise ValueError(f"badly formed event id {text!r}")
    made: uuid.UUID = _new_uuid(uuid.UUID)
    _set_uuid_int(made, value)
    _set_uuid_safe(made, _UNKNOWN)
    return made


MAX_STREAM_ID = 200
MAX_TYPE = 200


class RawRow(NamedTuple):
    """An event row exactly as stored: what the hash chain is computed over."""

    position: int
    stream_id: str
    stream_version: int
    event_id: str
    type: str
    schema_version: int
    data: str
    metadata: str
    recorded_at: datetime
    hash: str


@frozen_record
class PreparedEvent(FrozenValue):
    """A new event, validated and encoded, waiting for its place in the log."""

    event_id: str
    type: str
    schema_version: int
    data: str
    metadata: str


class VersionMismatch(Exception):
    """Raised inside a backend's write transaction to roll it back."""

    def __init__(self, actual: int) -> None:
        super().__init__(actual)
        self.actual = actual


class DuplicateEventId(Exception):
    """Raised by a backend when an event id is already stored."""


def check_expected(expected: ExpectedVersion, actual: int) -> None:
    """Raise VersionMismatch when `actual` does not satisfy `expected`."""
    if expected is ANY:
        return
    wanted = 0 if expected is NO_STREAM else expected
    if actual != wanted:
        raise VersionMismatch(actual)


def chain_rows(
    stream_id: str,
    head_position: int,
    head_hash: str,
    stream_version: int,
    batch: Sequence[PreparedEvent],
    recorded_at: datetime,
) -> list[RawRow]:
    """Give each prepared event its position, version and hash, continuing the chain."""
    stamp = format_utc(recorded_at)
    rows: list[RawRow] = []
    previous = head_hash
    for offset, event in enumerate(batch, start=1):
        position = head_position + offset
        version = stream_version + offset
        previous = chain_hash(
            previous,
            position,
            stream_id,
            version,
            event.event_id,
            event.type,
            event.schema_version,
            event.data,
            event.metadata,
            stamp,
        )
        rows.append(
            RawRow(
                position,
                stream_id,
                version,
                event.event_id,
                event.type,
                event.schema_version,
                event.data,
                event.metadata,
                recorded_at,
                previous,
            )
        )
    return rows


class EventStore(abc.ABC):
    """An append-only log of events grouped in streams, with a global, gap-free order.

    Open one with `EventStore.from_url("sqlite:///plan.db")`,
    `EventStore.from_url("postgresql+psycopg://user@host/db")` or `from_url("memory://")`.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        upcasters: Upcasters | None = None,
        checkpoint_keys: CheckpointKeys | None = None,
    ) -> None:
        self._clock: Clock = clock or system_clock
        self._upcasters = upcasters or Upcasters()
        self._keys = checkpoint_keys

    # -- opening and closing ------------------------------------------------------------

    @staticmethod
    def from_url(
        url: str,
        *,
        clock: Clock | None = None,
        upcasters: Upcasters | None = None,
        migrate: bool = True,
        create: bool = True,
        checkpoint_keys: CheckpointKeys | None = None,
    ) -> EventStore:
        """Open (and on first use create or upgrade) the store at `url`; with
        `create=False`, a store that does not exist yet (no SQLite file, or a database
        without the store's tables) is a StoreNotFoundError and nothing is created.

        With `checkpoint_keys`, every append also writes a signed checkpoint of the new
        head, and `verify` checks the log against the checkpoints (`events.anchors`).
        """
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "memory":
            from events.memory import InMemoryEventStore

            return InMemoryEventStore(
                clock=clock, upcasters=upcasters, checkpoint_keys=checkpoint_keys
            )
        from events.sql.store import SqlEventStore

        return SqlEventStore.open(
            url,
            clock=clock,
            upcasters=upcasters,
            migrate=migrate,
            create=create,
            checkpoint_keys=checkpoint_keys,
        )

    @property
    @abc.abstractmethod
    def url(self) -> str:
        """Where the store lives, with any password hidden."""

    @abc.abstractmethod
    def schema_version(self) -> str | None:
        """The schema revision the store is at (None for a store without a schema)."""

    def close(self) -> None:
        """Release connections; the store cannot be used afterwards."""
        return

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------

    def append(
        self,
        stream_id: str,
        events: Iterable[NewEvent],
        expected_version: ExpectedVersion = ANY,
    ) -> list[RecordedEvent]:
        """Append `events` to `stream_id` atomically, if the stream is at `expected_version`.

        Re-appending events whose ids are all stored already is a no-op that returns the
        stored records (an idempotent retry), whatever the stream's version is now.
        """
        originals = list(events)
        batch = self._prepare(stream_id, originals, expected_version)
        if not batch:
            return []
        try:
            rows = self._write(stream_id, batch, expected_version, as_utc(self._clock()))
        except VersionMismatch as mismatch:
            stored = self._already_stored(stream_id, batch)
            if stored is not None:
                return stored
            raise ConcurrencyError(stream_id, expected_version, mismatch.actual) from None
        except DuplicateEventId:
            stored = self._already_stored(stream_id, batch)
            if stored is not None:
                return stored
            raise EventIdConflictError(
                "some of these event ids are already stored and some are not: "
                "retry the original batch unchanged, or give the new events new ids"
            ) from None
        # Returned as given, not decoded again: upcasters are for rows written by older code,
        # and an upcaster failing here would make a committed append look failed.
        return [
            RecordedEvent(
                row.position,
                row.stream_id,
                row.stream_version,
                event.event_id if type(event.event_id) is uuid.UUID else uuid.UUID(row.event_id),
                row.type,
                row.schema_version,
                dict(event.data),
                dict(event.metadata),
                row.recorded_at,
                row.hash,
            )
            for row, event in zip(rows, originals, strict=True)
        ]

    def _prepare(
        self, stream_id: str, events: Iterable[NewEvent], expected: ExpectedVersion
    ) -> list[PreparedEvent]:
        if not isinstance(stream_id, str) or not stream_id.strip():
            raise ValueError("stream_id must be a non-empty string")
        if len(stream_id) > MAX_STREAM_ID:
            raise ValueError(f"stream_id is longer than {MAX_STREAM_ID} characters")
        if "\x00" in stream_id:
            raise ValueError("stream_id must not contain a NUL character")
        if not isinstance(expected, StreamState) and (
            not isinstance(expected, int) or isinstance(expected, bool) or expected < 0
        ):
            raise ValueError(
                f"expected_version must be an int >= 0, NO_STREAM or ANY, got {expected!r}"
            )
        batch: list[PreparedEvent] = []
        seen: set[str] = set()
        for event in events:
            if not isinstance(event, NewEvent):
                raise TypeError(f"append takes NewEvent objects, got {type(event).__name__}")
            if not event.type or len(event.type) > MAX_TYPE or "\x00" in event.type:
                raise ValueError(f"event type must be 1 to {MAX_TYPE} characters, without NUL")
            if event.schema_version < 1:
                raise ValueError(f"schema_version of {event.type} must be >= 1")
            try:
                given = event.event_id
                event_id = str(given if type(given) is uuid.UUID else uuid.UUID(str(given)))
            except ValueError:
                raise ValueError(
                    f"event_id {event.event_id!r} of {event.type} is not a UUID"
                ) from None
            if event_id in seen:
                raise ValueError(f"event id {event_id} appears twice in one append")
            seen.add(event_id)
            batch.append(
                PreparedEvent(
                    event_id,
                    event.type,
                    event.schema_version,
                    encode_json("data", event.data),
                    encode_json("metadata", event.metadata),
                )
            )
        return batch

    def _already_stored(
        self, stream_id: str, batch: Sequence[PreparedEvent]
    ) -> list[RecordedEvent] | None:
        """The stored records if every event of `batch` is stored in `stream_id` already."""
        rows = {row.event_id: row for row in self._rows_by_event_id([e.event_id for e in batch])}
        if not rows:
            return None
        if len(rows) != len(batch) or any(row.stream_id != stream_id for row in rows.values()):
            raise EventIdConflictError(
                f"some of these event ids are already stored (not all of them in {stream_id!r}): "
                "retry the original batch unchanged, or give the new events new ids"
            )
        return [self._decode(rows[event.event_id]) for event in batch]

    @abc.abstractmethod
    def _write(
        self,
        stream_id: str,
        batch: Sequence[PreparedEvent],
        expected: ExpectedVersion,
        recorded_at: datetime,
    ) -> list[RawRow]:
        """Atomically: lock, check `expected` (VersionMismatch), chain_rows, insert."""

    @abc.abstractmethod
    def _rows_by_event_id(self, event_ids: Sequence[str]) -> list[RawRow]:
        """Stored rows with one of these ids."""

    def reopener(self) -> Callable[[], EventStore] | None:
        """A picklable callable that opens this same store in another process (to share a
        long read with worker processes), or None for a store only this process can reach
        (in memory) or one with upcasters (they may not travel)."""
        return None

    # -- reading -----------------------------------------------------------------------

    @abc.abstractmethod
    def head_position(self) -> int:
        """Position of the newest event (0 for an empty store), which is also the count."""

    @abc.abstractmethod
    def stream_version(self, stream_id: str) -> int:
        """Version of the stream's newest event (0 if the stream does not exist)."""

    @abc.abstractmethod
    def _rows_after(
        self,
        after_position: int,
        limit: int,
        until: datetime | None,
        types: frozenset[str] | None = None,
    ) -> list[RawRow]:
        """Up to `limit` rows with position > `after_position`, in position order.

        `until` keeps rows recorded no later than it; `types` keeps rows of those types.
        """

    @abc.abstractmethod
    def _stream_rows(
        self,
        stream_id: str,
        after_version: int,
        to_version: int | None,
        until: datetime | None,
        limit: int,
    ) -> list[RawRow]:
        """Up to `limit` rows of a stream with version > `after_version`, in version order."""

    @abc.abstractmethod
    def _stream_spans(self, after_position: int, to_position: int) -> list[StreamSpan]:
        """The spans of `streams_between`, ordered by the first position of each."""

    def streams_between(self, after_position: int, to_position: int) -> list[StreamSpan]:
        """Each stream with events at positions in (`after_position`, `to_position`], with
        the first and last of its versions there, in the order the streams first appear.

        Lets a reader that only cares about each stream's own order (a projection of
        per-stream state) take the log stream by stream instead of interleaved.
        """
        if to_position <= after_position:
            return []
        return self._stream_spans(after_position, to_position)

    def read_all(
        self,
        after_position: int = 0,
        until: datetime | None = None,
        types: Collection[str] | None = None,
    ) -> Iterator[RecordedEvent]:
        """Every event after `after_position`, in order; optionally only those recorded no
        later than `until`, and only those of the given `types`.

        Streams in batches: memory stays flat however long the log is.
        """
        limit_time = as_utc(until) if until is not None else None
        wanted = frozenset(types) if types is not None else None
        for rows in self._batches_after(after_position, limit_time, wanted):
            for row in rows:
                yield self._decode(row)

    def read_all_batch(self, after_position: int, limit: int = READ_BATCH) -> list[RecordedEvent]:
        """At most `limit` events after `after_position`: one page of `read_all`."""
        return [self._decode(row) for row in self._rows_after(after_position, limit, None)]

    def _batches_after(
        self,
        after_position: int,
        until: datetime | None,
        types: frozenset[str] | None = None,
    ) -> Iterator[list[RawRow]]:
        if types is not None and not types:
            return
        position = after_position
        while True:
            rows = self._rows_after(position, READ_BATCH, until, types)
            if not rows:
                return
            yield rows
            position = rows[-1].position
            if len(rows) < READ_BATCH:
                return

    def read_stream(
        self,
        stream_id: str,
        from_version: int = 1,
        to_version: int | None = None,
        until: datetime | None = None,
    ) -> Iterator[RecordedEvent]:
        """Events of one stream from `from_version` to `to_version` (inclusive), in order."""
        limit_time = as_utc(until) if until is not None else None
        version = max(from_version, 1) - 1
        while True:
            rows = self._stream_rows(stream_id, version, to_version, limit_time, READ_BATCH)
            for row in rows:
                yield self._decode(row)
            if len(rows) < READ_BATCH:
                return
            version = rows[-1].stream_version

    def read_stream_versions(
        self, stream_id: str, versions: Sequence[int]
    ) -> Iterator[RecordedEvent]:
        """The events of one stream at `versions` (ascending), in order: what a reader that
        knows which events it needs (from a read model) reads, the others left unread. A
        version the stream does not have yet is not there to read."""
        for start in range(0, len(versions), VERSIONS_BATCH):
            chunk = versions[start : start + VERSIONS_BATCH]
            for row in self._stream_rows_at(stream_id, chunk):
                yield self._decode(row)

    def _stream_rows_at(self, stream_id: str, versions: Sequence[int]) -> list[RawRow]:
        """The rows of `read_stream_versions` for a few ascending `versions` (filtered
        here; a backend may select them in its database)."""
        wanted = set(versions)
        span = versions[-1] - versions[0] + 1
        rows = self._stream_rows(stream_id, versions[0] - 1, versions[-1], None, span)
        return [row for row in rows if row.stream_version in wanted]

    def read_stream_without(
        self, stream_id: str, skipped: Collection[str], after_version: int = 0
    ) -> Iterator[RecordedEvent]:
        """Events of one stream in order (after `after_version`), but for those of the
        `skipped` types, left out unread. Events keep their `stream_version`, so the reader
        sees what was left out."""
        version = after_version
        while True:
            rows = self._stream_rows_without(stream_id, version, skipped, READ_BATCH)
            for row in rows:
                yield self._decode(row)
            if len(rows) < READ_BATCH:
                return
            version = rows[-1].stream_version

    def _stream_rows_without(
        self, stream_id: str, after_version: int, skipped: Collection[str], limit: int
    ) -> list[RawRow]:
        """At least `limit` rows of `read_stream_without` after `after_version` unless the
        stream ends first (filtered here; a backend may filter in its database)."""
        kept: list[RawRow] = []
        while len(kept) < limit:
            rows = self._stream_rows(stream_id, after_version, None, None, READ_BATCH)
            kept += [row for row in rows if row.type not in skipped]
            if len(rows) < READ_BATCH:
                break
            after_version = rows[-1].stream_version
        return kept

    def _decode(self, row: RawRow) -> RecordedEvent:
        position, stream, version, uid, kind, schema, data_text, meta_text, at, digest = row
        try:
            data = _parse_json(data_text)[0]
            metadata = _parse_json(meta_text)[0]
            event_id = _uuid(uid)
        except ValueError as error:
            raise CorruptStoreError(
                f"event at position {position} cannot be decoded: {error}"
            ) from error
        if self._upcasters:
            schema, data = self._upcasters.upcast(kind, schema, data)
        # Not RecordedEvent(...): a named tuple's own __new__ is a Python function.
        return _new_tuple(
            RecordedEvent,
            (position, stream, version, event_id, kind, schema, data, metadata, at, digest),
        )

    # -- verifying ---------------------------------------------------------------------

    # -- anchoring ---------------------------------------------------------------------

    @property
    def checkpoint_keys(self) -> CheckpointKeys | None:
        """The keys checkpoints are signed and checked with (None: not anchored)."""
        return self._keys

    def _sign_head(self, rows: Sequence[RawRow], recorded_at: datetime) -> Checkpoint | None:
        """The checkpoint a backend stores with an append (None without keys)."""
        if self._keys is None or not rows:
            return None
        return self._keys.sign(rows[-1].position, rows[-1].hash, recorded_at)

    def checkpoint(self) -> Checkpoint:
        """Sign the current head now and store the checkpoint (ValueError without keys)."""
        if self._keys is None:
            raise ValueError("no checkpoint key is configured")
        return self._store_checkpoint(self._keys, as_utc(self._clock()))

    def _store_checkpoint(self, keys: CheckpointKeys, signed_at: datetime) -> Checkpoint:
        """Under the write lock: sign the head as it is and store the checkpoint."""
        raise NotImplementedError(f"{type(self).__name__} keeps no checkpoints")

    def checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint stored, oldest first."""
        return []

    def verify(
        self,
        progress: Callable[[int], None] | None = None,
        archived: Sequence[Checkpoint] = (),
    ) -> VerifyResult:
        """Recompute the hash chain from position 1; report the first position that breaks it.

        With checkpoint keys, also check the log against the signed checkpoints stored and
        those given in `archived` (from exports kept elsewhere): a truncation, a rewrite
        whose chain was recomputed, or an event appended without the key is reported.
        `progress`, if given, is called with the number of events checked after each batch.
        """
        stored = self.checkpoints() if self._keys is not None else []
        result, hash_at = self._verify_chain(progress, [*stored, *archived])
        if self._keys is None or not result.ok:
            return replace(result, anchored=self._keys is not None)
        report = check_anchors(self._keys, stored, archived, result.events_checked, hash_at)
        return VerifyResult(
            not report.problems,
            result.events_checked,
            report.first_divergent_position,
            report.problems[0] if report.problems else None,
            anchored=True,
            checkpoints_checked=report.checked,
            problems=tuple(report.problems),
            unknown_keys=tuple(report.unknown_keys),
        )

    def _verify_chain(
        self, progress: Callable[[int], None] | None, checkpoints: Sequence[Checkpoint]
    ) -> tuple[VerifyResult, dict[int, str]]:
        """The chain's verdict, and the hashes at the positions of `checkpoints`."""
        wanted = {c.position for c in checkpoints}
        hash_at: dict[int, str] = {}
        previous = GENESIS_HASH
        expected_position = 1
        checked = 0
        for rows in self._batches_after(0, None):
            for row in rows:
                if row.position != expected_position:
                    return VerifyResult(
                        False,
                        checked,
                        expected_position,
                        f"position {expected_position} is missing",
                    ), hash_at
                recomputed = chain_hash(
                    previous,
                    row.position,
                    row.stream_id,
                    row.stream_version,
                    row.event_id,
                    row.type,
                    row.schema_version,
                    row.data,
                    row.metadata,
                    format_utc(row.recorded_at),
                )
                if recomputed != row.hash:
                    return VerifyResult(
                        False,
                        checked,
                        row.position,
                        "stored event does not match its hash (edited after it was recorded)",
                    ), hash_at
                if row.position in wanted:
                    hash_at[row.position] = row.hash
                previous = row.hash
                expected_position += 1
                checked += 1
            if progress is not None:
                progress(checked)
        return VerifyResult(True, checked), hash_at

    # -- following ---------------------------------------------------------------------

    def subscribe(self, after_position: int = 0, *, poll_interval: float = 0.2) -> Subscription:
        """Catch up from `after_position`, then wait for new events as they are committed."""
        from events.subscription import Subscription

        return Subscription(self, after_position, poll_interval)

    def _waiter(self, stop: threading.Event, poll_interval: float) -> Waiter:
        from events.subscription import SleepWaiter

        """Something that blocks until new events may have arrived (default: short polling)."""
        return SleepWaiter(stop, poll_interval)
