"""Given-when-then for the decider: `given(events).when(command).then(events)`.

Every scenario also checks what must hold for any command: `decide` leaves the state it is
given untouched, and the events it returns survive the store's round trip and apply.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable

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
from pacflow.errors import PacflowError


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
            payload = to_payload(event)
            json.dumps(payload)  # JSON-safe as is
            assert from_payload(event_type_name(event), event.schema_version, payload) == event
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
