"""Decoding stored events into the PAC domain's events, once for every projector."""

from __future__ import annotations

from events import RecordedEvent
from pacflow.domain import PlanEvent, from_payload


def plan_event(recorded: RecordedEvent) -> PlanEvent:
    """The domain event a stored plan event holds (already upcast by the store)."""
    return from_payload(recorded.type, recorded.schema_version, recorded.data)
