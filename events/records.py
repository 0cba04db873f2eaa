"""What goes into the store and what comes out of it."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import field
from datetime import datetime
from typing import Any, Final, NamedTuple, TypeAlias

from slotted import FrozenValue, frozen_record

JsonObject: TypeAlias = dict[str, Any]


class StreamState(enum.Enum):
    """Expected versions that are not a number."""

    NO_STREAM = "no stream"
    ANY = "any"

    def __str__(self) -> str:
        return self.value


NO_STREAM: Final = StreamState.NO_STREAM
"""The stream must not exist yet (same as expecting version 0)."""
ANY: Final = StreamState.ANY
"""Append whatever the stream's version is."""

ExpectedVersion: TypeAlias = int | StreamState


def _new_event_id() -> uuid.UUID:
    return uuid.uuid4()


@frozen_record
class NewEvent(FrozenValue):
    """An event to append; the store adds position, version, time and hash.

    `metadata` holds who and why: actor, reason, command_id, correlation_id, causation_id,
    source. The store does not interpret it.
    """

    type: str
    data: Mapping[str, Any]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    event_id: uuid.UUID = field(default_factory=_new_event_id)
    schema_version: int = 1


class RecordedEvent(NamedTuple):
    """An event as stored, after upcasting to the newest schema version of its type.

    A named tuple, not a dataclass: reading a long log builds millions of them.
    """

    position: int
    stream_id: str
    stream_version: int
    event_id: uuid.UUID
    type: str
    schema_version: int
    data: JsonObject
    metadata: JsonObject
    recorded_at: datetime
    hash: str


class StreamSpan(NamedTuple):
    """The events of one stream inside a window of positions: its first and last version there.

    Positions grow with versions inside a stream, so the versions in a window are consecutive.
    """

    stream_id: str
    first_version: int
    last_version: int


@frozen_record
class VerifyResult(FrozenValue):
    """Outcome of re-computing the hash chain."""

    ok: bool
    events_checked: int
    first_broken_position: int | None = None
    problem: str | None = None
    anchored: bool = False
    """Whether signed checkpoints were checked too (the store was given checkpoint keys)."""
    checkpoints_checked: int = 0
    problems: tuple[str, ...] = ()
    """Every divergence found (`problem` is the first)."""
    unknown_keys: tuple[str, ...] = ()
    """Ids of keys some checkpoints were signed with that were not given (not checked)."""
