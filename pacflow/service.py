"""The application service: load a plan, decide, append, retry on a concurrent change.

It is the only place where the pure domain meets the event store. Who and why (actor,
reason, command and correlation ids, source) go into each event's metadata; event ids are
derived from the command id, so re-running a command with the same id records nothing new.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from events import (
    NO_STREAM,
    ConcurrencyError,
    EventStore,
    EventStoreError,
    NewEvent,
    RecordedEvent,
)
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
    warnings,
)
from pacflow.domain.collector import collector_paused
from pacflow.domain.touches import touches_focus
from pacflow.errors import ConflictError, no_such_plan
from pacflow.storage import translate_store_error

MAX_ATTEMPTS = 5
END_OF_TIME = datetime(9999, 12, 31, tzinfo=UTC)


@dataclass(frozen=True)
class Outcome:
    """What a command (or a batch of commands) recorded, and the plan afterwards.

    `state` is the service's working copy: later commands through the same service advance
    it. Take what you need from it before running the next command.
    """

    plan: str
    events: list[PlanEvent]
    recorded: list[RecordedEvent]
    state: PlanState | None
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.recorded)


def _focus_warnings(state: PlanState | None, events: Sequence[PlanEvent]) -> list[str]:
    """'Choisir, c'est renoncer' warnings, after changes to the targets or the team only
    (repeating them after every step done would teach people to ignore them)."""
    if state is None or not any(touches_focus(e) for e in events):
        return []
    return warnings(state)


def decode(recorded: RecordedEvent) -> PlanEvent:
    """The domain event stored in a record."""
    return from_payload(recorded.type, recorded.schema_version, recorded.data)


class PlanService:
    """Runs commands against plans kept in an event store (one plan = one stream)."""

    def __init__(
        self,
        store: EventStore,
        *,
        source: str = "cli",
        id_factory: Callable[[], uuid.UUID] = uuid.uuid4,
        as_of: Callable[[str, datetime], PlanState | None] | None = None,
    ) -> None:
        """`as_of`, if given, answers `load(plan, until=...)` faster (from snapshots)."""
        self._store = store
        self._as_of = as_of
        self._source = source
        self._new_id = id_factory
        # The last state this service recorded, per plan: reused while the stream has not
        # moved on, so that a run of commands does not fold the whole plan each time.
        self._latest: dict[str, PlanState] = {}

    @property
    def store(self) -> EventStore:
        return self._store

    # -- reading -----------------------------------------------------------------------

    def load(self, plan: str, *, until: datetime | None = None) -> PlanState | None:
        """The plan as its events say (up to `until`, transaction time), or None."""
        if until is not None and self._as_of is not None:
            try:
                return self._as_of(plan, until)
            except EventStoreError as error:
                raise translate_store_error(error) from error
        try:
            return fold(decode(r) for r in self._store.read_stream(plan, until=until))
        except EventStoreError as error:
            raise translate_store_error(error) from error

    def latest(self, plan: str) -> PlanState:
        """The plan now, from its latest snapshot when snapshots are wired (else folded)."""
        state = self.load(plan, until=END_OF_TIME) if self._as_of is not None else None
        return state if state is not None else self.require(plan)

    def require(self, plan: str) -> PlanState:
        """The plan, or a NotFoundError naming it."""
        state = self.load(plan)
        if state is None:
            raise no_such_plan(plan)
        return state

    def history(self, plan: str) -> Iterator[tuple[RecordedEvent, PlanEvent]]:
        """Every recorded event of the plan with its domain event, oldest first."""
        try:
            for recorded in self._store.read_stream(plan):
                yield recorded, decode(recorded)
        except EventStoreError as error:
            raise translate_store_error(error) from error

    def stream(self, plan: str) -> Iterator[RecordedEvent]:
        """The plan's stored records, oldest first, undecoded (for readers that decode
        only what they need)."""
        try:
            yield from self._store.read_stream(plan)
        except EventStoreError as error:
            raise translate_store_error(error) from error

    def records(self, plan: str) -> list[tuple[RecordedEvent, PlanEvent]]:
        """`history(plan)` as a list, read with the garbage collector paused (see
        pacflow.domain.collector): what a command that weighs the whole log reads."""
        with collector_paused():
            return list(self.history(plan))

    def plan_keys(self) -> list[str]:
        """Keys of every plan in the store, in the order they were created."""
        try:
            return [r.stream_id for r in self._store.read_all(types=["PlanCreated"])]
        except EventStoreError as error:
            raise translate_store_error(error) from error

    # -- writing -----------------------------------------------------------------------

    def execute(
        self, command: Command, *, command_id: uuid.UUID | None = None, source: str | None = None
    ) -> Outcome:
        """Decide and record one command."""
        return self.execute_all(command.plan, [command], command_id=command_id, source=source)

    def execute_all(
        self,
        plan: str,
        commands: Sequence[Command],
        *,
        command_id: uuid.UUID | None = None,
        source: str | None = None,
        dry_run: bool = False,
    ) -> Outcome:
        """Decide several commands in turn and record all their events in one append.

        Either every command is accepted and all events are recorded, or nothing is. On a
        concurrent change to the plan the commands are decided again on the new state.
        """
        if any(c.plan != plan for c in commands):
            raise ValueError("every command of one batch must name the same plan")
        command_id = command_id or self._new_id()
        try:
            for _attempt in range(MAX_ATTEMPTS):
                state = self._current(plan)
                self._latest.pop(plan, None)  # deciding below evolves `state` in place
                version = state.version if state is not None else 0
                decided = self._decide_all(state, commands)
                state = decided.state
                if not decided.events or dry_run:
                    notes = _focus_warnings(state, [e for _c, e in decided.events])
                    return Outcome(plan, [e for _c, e in decided.events], [], state, notes)
                batch = [
                    NewEvent(
                        type=event_type_name(event),
                        data=to_payload(event),
                        metadata=self._metadata(command, command_id, source),
                        event_id=uuid.uuid5(command_id, str(index)),
                    )
                    for index, (command, event) in enumerate(decided.events)
                ]
                try:
                    recorded = self._store.append(
                        plan, batch, expected_version=version or NO_STREAM
                    )
                except ConcurrencyError:
                    continue
                events = [event for _command, event in decided.events]
                if state is not None:
                    self._latest[plan] = state
                notes = _focus_warnings(state, events)
                return Outcome(plan, events, recorded, state, notes)
        except EventStoreError as error:
            raise translate_store_error(error) from error
        raise ConflictError(
            f"plan {plan} kept changing while this command was retried {MAX_ATTEMPTS} times: "
            "run it again"
        )

    def _current(self, plan: str) -> PlanState | None:
        cached = self._latest.get(plan)
        if cached is not None and cached.version == self._store.stream_version(plan):
            return cached
        return self.load(plan)

    @dataclass
    class _Decided:
        state: PlanState | None
        events: list[tuple[Command, PlanEvent]]

    def _decide_all(self, state: PlanState | None, commands: Sequence[Command]) -> _Decided:
        decided: list[tuple[Command, PlanEvent]] = []
        for command in commands:
            for event in decide(state, command):
                state = evolve(state, event)
                decided.append((command, event))
        return self._Decided(state, decided)

    def _metadata(
        self, command: Command, command_id: uuid.UUID, source: str | None
    ) -> dict[str, Any]:
        metadata: dict[str, Any] = {
            "actor": command.actor,
            "command": type(command).__name__,
            "command_id": str(command_id),
            "correlation_id": str(command_id),
            "source": source or self._source,
        }
        if command.reason:
            metadata["reason"] = command.reason
        return metadata
