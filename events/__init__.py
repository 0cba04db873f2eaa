"""A domain-agnostic, append-only event store on SQLAlchemy Core (SQLite, PostgreSQL).

    from events import EventStore, NewEvent, NO_STREAM

    store = EventStore.from_url("sqlite:///plans.db")
    store.append("plan-1", [NewEvent("Opened", {"by": "hg"})], expected_version=NO_STREAM)
    for event in store.read_stream("plan-1"):
        ...

Errors (all from `EventStoreError`; no driver exception escapes): see `events.errors`.
"""

from events.clock import Clock, system_clock
from events.errors import (
    ConcurrencyError,
    CorruptStoreError,
    EventIdConflictError,
    EventStoreError,
    StoreNotFoundError,
    StoreUnavailableError,
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
from events.store import EventStore
from events.subscription import Subscription
from events.upcasting import Upcasters

__all__ = [
    "ANY",
    "NO_STREAM",
    "Clock",
    "ConcurrencyError",
    "CorruptStoreError",
    "EventIdConflictError",
    "EventStore",
    "EventStoreError",
    "ExpectedVersion",
    "NewEvent",
    "RecordedEvent",
    "StoreNotFoundError",
    "StoreUnavailableError",
    "StreamSpan",
    "StreamState",
    "Subscription",
    "Upcasters",
    "VerifyResult",
    "system_clock",
]
