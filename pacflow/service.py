"""The application service: load a plan, decide, append, retry on a concurrent change.

It is the only place where the pure domain meets the event store. Who and why (actor,
reason, command and correlation ids, source) go into each event's metadata; event ids are
derived from the command id, so re-running a command with the same id records nothing new.

What a write costs is what changed, not the log: the service keeps the last state it read or
recorded per plan (a small LRU cache) and, on the next command, reads only the events
appended since; a plan it does not hold yet is loaded from its newest snapshot (when a
`snapshot` source is wired) and the events after it, else folded from the start.

States it hands out (`load`, `require`, `latest`, `Outcome.state`) are shared: by the
cache, by other threads running commands on the same plan. The service never changes one
once handed out (a command decides on a copy-on-write `Draft` of it, see
`pacflow.domain.folding`), and callers must not change them either.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from events import (
    NO_STREAM,
    ConcurrencyError,
    EventStore,
    EventStoreError,
    NewEvent,
    RecordedEvent,
)
from pacflow.domain import (
    PlanEvent,
    PlanState,
    event_type_name,
    fold,
    from_payload,
    to_payload,
)
from pacflow.domain.folding import Draft, advance
from pacflow.domain.touches import touches_focus
from pacflow.errors import ConflictError, dropped_plan, no_such_plan
from pacflow.storage import translate_store_error
from slotted import FrozenValue, MutableRecord, frozen_record, mutable_record

if TYPE_CHECKING:  # the command models and the decider are imported by writes only
    from pacflow.domain.commands import Command

MAX_ATTEMPTS = 5
END_OF_TIME = datetime(9999, 12, 31, tzinfo=UTC)
CACHE_SIZE = 64
"""Plans whose latest state a service keeps (least recently used dropped first)."""

Snapshots = Callable[[str], tuple[PlanState, str] | None]
"""`snapshot(plan)`: the plan's newest stored snapshot and the hash of the event at its
version (`state.version`), or None. The state must be one nobody else holds (the service
folds the events after it onto it in place), e.g. deserialised afresh on each call, as
`projections.snapshots.latest_snapshot` does. A snapshot whose hash does not match the
log is ignored."""


@frozen_record
class Outcome(FrozenValue):
    """What a command (or a batch of commands) recorded, and the plan afterwards.

    `state` never changes afterwards (later commands start from a copy-on-write draft of
    it), so it may be kept and shared between threads; it must not be changed.
    """

    plan: str
    events: list[PlanEvent]
    recorded: list[RecordedEvent]
    state: PlanState | None
    warnings: list[str] = field(default_factory=list)
    summaries: dict[int, str] = field(default_factory=dict)
    """What some events changed (by index in `events`), worked out against the plan before
    them where a bare description would not say (a step edited); the rest: `describe`."""

    def summary(self, index: int) -> str:
        """The line that says what the `index`th event recorded."""
        from pacflow.describe import describe

        return self.summaries.get(index) or describe(self.events[index])

    @property
    def changed(self) -> bool:
        return bool(self.recorded)


def _focus_warnings(state: PlanState | None, events: Sequence[PlanEvent]) -> list[str]:
    """'Choisir, c'est renoncer' warnings, after changes to the targets or the team only
    (repeating them after every step done would teach people to ignore them); then what the
    dates just recorded should tell (a shift out of a DST gap, a visit on a holiday)."""
    from pacflow.domain.focus import warnings
    from pacflow.domain.timing_notes import timing_notes

    notes = timing_notes(state, events)
    if state is None or not any(touches_focus(e) for e in events):
        return notes
    return [*warnings(state), *notes]


def _not_dropped(state: PlanState) -> PlanState:
    if state.status == "dropped":  # a StrEnum: reads start without the domain's values
        raise dropped_plan(state.key)
    return state


def decode(recorded: RecordedEvent) -> PlanEvent:
    """The domain event stored in a record."""
    return from_payload(recorded.type, recorded.schema_version, recorded.data)


class PlanService:
    """Runs commands against plans kept in an event store (one plan = one stream).

    One service may be shared by threads: its cache is locked, the states it hands out never
    change, and concurrent commands on one plan are serialised by the store's expected
    version (the loser is decided again on the new state).
    """

    def __init__(
        self,
        store: EventStore,
        *,
        source: str = "cli",
        id_factory: Callable[[], uuid.UUID] = uuid.uuid4,
        as_of: Callable[[str, datetime], PlanState | None] | None = None,
        snapshot: Snapshots | None = None,
        cache_size: int = CACHE_SIZE,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """`as_of`, if given, answers `load(plan, until=...)` faster (from snapshots);
        `snapshot`, if given, is where a plan not in the cache starts from (see
        `Snapshots`); without it, such a plan is folded from its first event. `clock`, if
        given, is what progress dated in the future is refused against (a replay of
        history, such as the demo's, goes without)."""
        self._store = store
        self._clock = clock
        self._as_of = as_of
        self._snapshot = snapshot
        self._source = source
        self._new_id = id_factory
        # The latest state this service read or recorded, per plan: the next command reads
        # only the events appended since, instead of folding the plan again.
        self._latest: OrderedDict[str, PlanState] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @property
    def store(self) -> EventStore:
        return self._store

    # -- reading -----------------------------------------------------------------------

    def load(self, plan: str, *, until: datetime | None = None) -> PlanState | None:
        """The plan as its events say (up to `until`, transaction time), or None.

        The state is shared (see the module docstring): read it, never change it.
        """
        try:
            if until is None:
                return self._current(plan)
            if self._as_of is not None:
                return self._as_of(plan, until)
            return fold(decode(r) for r in self._store.read_stream(plan, until=until))
        except EventStoreError as error:
            raise translate_store_error(error) from error

    def latest(self, plan: str) -> PlanState:
        """The plan now, as `require` gives it; but without a `snapshot` source, a plan the
        service does not hold yet comes from `as_of` (snapshots) when that is wired."""
        if self._snapshot is None and self._as_of is not None and not self._holds(plan):
            try:
                state = self._as_of(plan, END_OF_TIME)
            except EventStoreError as error:
                raise translate_store_error(error) from error
            if state is not None:
                self._remember(plan, state)
                return _not_dropped(state)
        return self.require(plan)

    def require(self, plan: str) -> PlanState:
        """The plan, or a NotFoundError naming it (also for a draft that was dropped)."""
        state = self.load(plan)
        if state is None:
            raise no_such_plan(plan)
        return _not_dropped(state)

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

    def history_without(
        self, plan: str, types: frozenset[str], after_version: int = 0
    ) -> Iterator[tuple[RecordedEvent, PlanEvent]]:
        """`history(plan)` after `after_version` without the events of `types` (left out by
        the store, unread)."""
        try:
            for recorded in self._store.read_stream_without(plan, types, after_version):
                yield recorded, decode(recorded)
        except EventStoreError as error:
            raise translate_store_error(error) from error

    def stream_versions(self, plan: str, versions: Sequence[int]) -> Iterator[RecordedEvent]:
        """The plan's records at `versions` (ascending), undecoded, the others unread."""
        try:
            yield from self._store.read_stream_versions(plan, versions)
        except EventStoreError as error:
            raise translate_store_error(error) from error

    def records(self, plan: str) -> list[tuple[RecordedEvent, PlanEvent]]:
        """`history(plan)` as a list: what a command that weighs the whole log reads."""
        return list(self.history(plan))

    def plan_keys(self) -> list[str]:
        """Keys of every plan in the store, in the order they were first created; a draft
        dropped (and not created again) is not a plan any more."""
        try:
            last: dict[str, str] = {}
            for record in self._store.read_all(types=["PlanCreated", "PlanDropped"]):
                last.setdefault(record.stream_id, record.type)  # keeps the first order
                last[record.stream_id] = record.type
            return [key for key, kind in last.items() if kind == "PlanCreated"]
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
                base = self._current(plan)
                version = base.version if base is not None else 0
                decided = self._decide_all(base, commands)
                state = decided.state
                if self._clock is not None and state is not None:
                    today = self._clock().astimezone(ZoneInfo(state.timezone)).date()
                    from pacflow.domain.corrections import refuse_future_progress

                    refuse_future_progress((e for _c, e in decided.events), today, state)
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
                    continue  # the next attempt reads what was appended meanwhile
                events = [event for _command, event in decided.events]
                if state is not None and recorded and recorded[-1].stream_version == state.version:
                    # Not when an idempotent retry returned events stored earlier: the
                    # stream may have moved on since, and `_current` will read it.
                    self._remember(plan, state)
                notes = _focus_warnings(state, events)
                return Outcome(plan, events, recorded, state, notes)
        except EventStoreError as error:
            raise translate_store_error(error) from error
        raise ConflictError(
            f"plan {plan} kept changing while this command was retried {MAX_ATTEMPTS} times: "
            "run it again"
        )

    # -- the latest state of each plan -------------------------------------------------

    def _current(self, plan: str) -> PlanState | None:
        """The plan now: the cached state advanced by the events appended since, else the
        newest snapshot and the events after it, else a fold of the whole stream."""
        with self._lock:
            cached = self._latest.get(plan)
        if cached is not None:
            tail = [
                decode(r) for r in self._store.read_stream(plan, from_version=cached.version + 1)
            ]
            state = advance(cached, tail)  # a new state: `cached` may be in a reader's hands
        else:
            state = self._load(plan)
        if state is not None:
            self._remember(plan, state)
        return state

    def _load(self, plan: str) -> PlanState | None:
        snapshot = self._snapshot(plan) if self._snapshot is not None else None
        if snapshot is not None:
            state, hash_at = snapshot
            records = self._store.read_stream(plan, from_version=state.version)
            first = next(records, None)
            if (
                first is not None
                and first.stream_version == state.version
                and first.hash == hash_at
            ):
                # The snapshot's state is ours alone (see `Snapshots`): folded in place.
                return fold((decode(r) for r in records), state)
            # A snapshot the log does not confirm (tampered, or of another store): ignored.
        return fold(decode(r) for r in self._store.read_stream(plan))

    def _holds(self, plan: str) -> bool:
        with self._lock:
            return plan in self._latest

    def _remember(self, plan: str, state: PlanState) -> None:
        with self._lock:
            held = self._latest.get(plan)
            if held is None or held.version <= state.version:
                self._latest[plan] = state
            self._latest.move_to_end(plan)
            while len(self._latest) > self._cache_size:
                self._latest.popitem(last=False)

    @mutable_record
    class _Decided(MutableRecord):
        state: PlanState | None
        events: list[tuple[Command, PlanEvent]]

    def _decide_all(self, state: PlanState | None, commands: Sequence[Command]) -> _Decided:
        """Decide each command on the state its predecessors' events lead to; `state` itself
        is left as it was (the events go to a copy-on-write draft of it)."""
        from pacflow.domain.decider import decide

        draft = Draft(state)
        decided: list[tuple[Command, PlanEvent]] = []
        for command in commands:
            for event in decide(draft.state, command):
                draft.apply(event)
                decided.append((command, event))
        return self._Decided(draft.state, decided)

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
