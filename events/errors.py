"""Errors raised by the event store.

EventStoreError                 every failure of the store; no driver error leaks
 ├── ConcurrencyError           the stream moved on: expected version != actual version
 ├── StoreUnavailableError      bad URL, server down, file not writable, schema too new
 │    └── StoreNotFoundError    opened with create=False, and no store is there yet
 ├── CorruptStoreError          stored rows cannot be decoded
 └── EventIdConflictError       a batch mixes stored and new event ids
"""

from __future__ import annotations


class EventStoreError(Exception):
    """Root of every error the event store raises."""


class ConcurrencyError(EventStoreError):
    """The stream's version is not the one the caller expected; nothing was written."""

    def __init__(self, stream_id: str, expected: object, actual: int) -> None:
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"stream {stream_id!r} is at version {actual}, expected {expected}: "
            "reload it and try again"
        )


class StoreUnavailableError(EventStoreError):
    """The store cannot be opened or reached; the message says why and what to do."""


class StoreNotFoundError(StoreUnavailableError):
    """No store exists at the URL, and the caller asked not to create one."""


class CorruptStoreError(EventStoreError):
    """A stored event cannot be read back (bad JSON, unknown format)."""


class EventIdConflictError(EventStoreError):
    """An event id is already stored, but not as part of the same append."""
