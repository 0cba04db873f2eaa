"""Given-when-then for the decider: `given(events).when(command).then(events)`.

Every scenario also checks what must hold for any command: `decide` leaves the state it is
given untouched, and the events it returns survive the store's round trip and apply; their
payloads are what pydantic writes and reads for the same types (`stored_as_pydantic_would`).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Iterable
from typing import Any

import pytest

from pacflow.domain import (
    Command,
    PlanEvent,
    PlanState,
    decide,
    event_type_name,
    evolve,
    fold,
    from_payload,
    to_payload,
)
from pacflow.domain.checked import pydantic, validate
from pacflow.errors import PacflowError


def stored_as_pydantic_would(event: PlanEvent) -> PlanEvent:
    """`event` through the store's encoding, checked against pydantic's for its type: the
    payload is the JSON pydantic dumps (less the fields left out when None), and reading it
    back gives what pydantic's validation of it gives. Returns the event read back."""
    payload = to_payload(event)
    json.dumps(payload)  # JSON-safe as is
    dumped: dict[str, Any] = pydantic().TypeAdapter(type(event)).dump_python(event, mode="json")
    for field in dataclasses.fields(event):
        if field.metadata.get("omit_none") and dumped[field.name] is None:
            del dumped[field.name]
    assert payload == dumped
    read = from_payload(event_type_name(event), event.schema_version, payload)
    assert read == validate(type(event), payload)
    return read


class Outcome:
    """What `decide` made of a command on a given history."""

    def __init__(self, history: list[PlanEvent], command: Command) -> None:
        self.history = history
        self.command = command
        self.state: PlanState | None = fold(history)

    def _decide(self) -> list[PlanEvent]:
        before = copy.deepcopy(self.state)
        try:
            return decide(self.state, self.command)
        finally:
            assert self.state == before, "decide changed the state it was given"

    def events(self) -> list[PlanEvent]:
        """The events the command yields, whatever they are."""
        return self._decide()

    def then(self, *expected: PlanEvent) -> PlanState | None:
        """The command yields exactly `expected`; returns the state after them."""
        events = self._decide()
        assert events == list(expected)
        state = self.state
        for event in events:
            assert stored_as_pydantic_would(event) == event
            state = evolve(state, event)
        return state

    def raises(self, error: type[PacflowError], fragment: str) -> str:
        """The command is refused with `error`, a one-line message holding `fragment`."""
        return self.refused(error, fragment).message

    def refused(self, error: type[PacflowError], fragment: str) -> PacflowError:
        """`raises`, giving the error itself (its code, subject and suggestion)."""
        with pytest.raises(error, match=re.escape(fragment)) as caught:
            self._decide()
        assert "\n" not in caught.value.message
        return caught.value


class Scenario:
    """A plan's history, waiting for a command."""

    def __init__(self, events: Iterable[PlanEvent]) -> None:
        self.events = list(events)

    def when(self, command: Command) -> Outcome:
        """Decide `command` on the history."""
        return Outcome(self.events, command)


def given(*histories: Iterable[PlanEvent] | PlanEvent) -> Scenario:
    """A history made of events and lists of events, in order."""
    events: list[PlanEvent] = []
    for part in histories:
        if isinstance(part, PlanEvent):
            events.append(part)
        else:
            events.extend(part)
    return Scenario(events)


def literal(text: str) -> str:
    """A message fragment to match as is."""
    return re.escape(text)
