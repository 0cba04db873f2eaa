"""A plan's history in words a manager reads, its revisions, and its state at a revision.

Pure: everything here folds the `(RecordedEvent, PlanEvent)` pairs it is given, as
`PlanService.history` yields them (or the stored records, decoding them as it goes), and
never touches a store. Each history entry compares the event with the entity it changes as
it was just before (`S15 responsible jm → pg`) instead of repeating the event's payload,
because a manager asks what changed, not what was typed. What an entry touches, which its
`--target`/`--step` filters test, comes from the one map `pacflow.domain.touches`; entries
stream, so what a walk holds is the plan and the entries its caller keeps.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import datetime, tzinfo
from decimal import Decimal
from itertools import islice
from typing import Any

from events import RecordedEvent
from pacflow.describe import describe, schedule_summary
from pacflow.domain import PlanEvent, PlanState, evolve, from_payload
from pacflow.domain import events as ev
from pacflow.domain.derivation import Derivation
from pacflow.domain.schedule import DueDate
from pacflow.domain.touches import Area, step_subject, touches, types_where
from pacflow.domain.values import StepStatus
from pacflow.errors import NotFoundError, Suggestion, no_such_plan
from slotted import FrozenValue, MutableRecord, frozen_record, mutable_record

Records = Iterable[tuple[RecordedEvent, PlanEvent]]
"""A plan's recorded events with their domain events, oldest first."""

_LIFECYCLE = types_where(lambda kind: kind.area is Area.LIFECYCLE)


@frozen_record
class HistoryEntry(FrozenValue):
    """One recorded change: when, who, why, in which revision, what it touches, in words."""

    position: int
    recorded_at: datetime
    actor: str
    source: str
    command: str | None
    command_id: str | None
    revision: int
    reason: str | None
    event_type: str
    summary: str
    targets: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    occurrences: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    people: tuple[str, ...] = ()

    def line(self, zone: tzinfo) -> str:
        """`2025-03-10 10:12 hg — S15 responsible jm → pg — reason: … [rev 2, cli]`."""
        when = self.recorded_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        # A cancellation or a revision already tells its reason: do not say it twice.
        shown = self.reason and self.reason not in self.summary
        reason = f" — reason: {self.reason}" if shown else ""
        return f"{when} {self.actor} — {self.summary}{reason} [rev {self.revision}, {self.source}]"

    def as_json(self, zone: tzinfo) -> dict[str, Any]:
        """The entry as JSON-ready data; `local_time` is in `zone` (the plan's)."""
        return {
            "position": self.position,
            "recorded_at": self.recorded_at,
            "local_time": self.recorded_at.astimezone(zone).isoformat(),
            "actor": self.actor,
            "source": self.source,
            "command": self.command,
            "command_id": self.command_id,
            "revision": self.revision,
            "reason": self.reason,
            "type": self.event_type,
            "summary": self.summary,
            "targets": list(self.targets),
            "steps": list(self.steps),
            "occurrences": list(self.occurrences),
            "indicators": list(self.indicators),
            "people": list(self.people),
        }


@frozen_record
class HistoryFilter(FrozenValue):
    """Which entries to keep: a time window (inclusive, UTC-aware) and keys they touch."""

    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    target: str | None = None
    step: str | None = None

    def keeps(self, entry: HistoryEntry) -> bool:
        """Whether `entry` passes every criterion given."""
        return self.keeps_record(entry.recorded_at, entry.actor) and self.keeps_keys(
            entry.targets, entry.steps
        )

    def keeps_record(self, recorded_at: datetime, actor: str) -> bool:
        """Whether a record passes the criteria known before reading its event (when, who)."""
        return (
            (self.since is None or recorded_at >= self.since)
            and (self.until is None or recorded_at <= self.until)
            and (self.actor is None or actor == self.actor)
        )

    def keeps_keys(self, targets: Collection[str], steps: Collection[str]) -> bool:
        """Whether what an event touches passes the `target` and `step` criteria."""
        return (self.target is None or self.target in targets) and (
            self.step is None or self.step in steps
        )


_EVERYTHING = HistoryFilter()


class PlanHistory:
    """Folds a plan's records into history entries; `state` is the plan after the last
    record read.

    Entries are built only for the records a filter keeps, each from the event and the plan
    just before it (read before the event applies, not copied), so the walk holds the plan
    and no more. Asked about one step or one target, it leaves out the events of the other
    steps and their visits (`pacflow.domain.touches.step_subject`), which change nothing
    else: they are not folded, and from stored records not even decoded. `state` then has
    only the steps asked about (or the target's), the rest of the plan whole.
    """

    def __init__(self, state: PlanState | None = None) -> None:
        """`state`, if given, is the plan before the first record given (a snapshot, say,
        to start a `since` walk there); it is changed in place as records are read."""
        self.state: PlanState | None = state

    def entries(
        self,
        records: Records,
        wanted: HistoryFilter = _EVERYTHING,
        *,
        limit: int | None = None,
        newest: bool = False,
    ) -> Iterator[HistoryEntry]:
        """The entries `wanted` keeps, oldest first, from decoded records, as they are read.

        `limit`: at most that many: the first ones, like `store log --limit` (the walk
        stops there, and `state` is the plan at that point), or with `newest` the last
        ones (the whole log is read, and only `limit` entries are held meanwhile). Past
        `wanted.until` the walk reads on only to keep `state` the plan's latest.
        """
        return _limited(self._walk(records, wanted), limit, newest)

    def entries_of_records(
        self,
        records: Iterable[RecordedEvent],
        wanted: HistoryFilter = _EVERYTHING,
        *,
        limit: int | None = None,
        newest: bool = False,
    ) -> Iterator[HistoryEntry]:
        """`entries` of stored records as the store reads them (`read_stream`), each decoded
        only if the walk needs it: the way for a front end to page through a long log."""
        pairs = ((recorded, None) for recorded in records)
        return _limited(self._walk(pairs, wanted), limit, newest)

    def _walk(
        self, records: Iterable[tuple[RecordedEvent, PlanEvent | None]], wanted: HistoryFilter
    ) -> Iterator[HistoryEntry]:
        keys_asked = wanted.target is not None or wanted.step is not None
        for recorded, decoded in records:
            before = self.state
            if keys_asked and before is not None:
                # Events of other steps the store left out unread count all the same.
                before.version = max(before.version, recorded.stream_version - 1)
            if keys_asked and before is not None and _elsewhere(recorded, before, wanted):
                # It changes another step or its visits only: counted, not folded.
                before.version += 1
                continue
            event = decoded
            if event is None:
                event = from_payload(recorded.type, recorded.schema_version, recorded.data)
            metadata = recorded.metadata
            actor = str(metadata.get("actor", "unknown"))
            if not wanted.keeps_record(recorded.recorded_at, actor):
                self.state = evolve(before, event)
                continue
            keys = touches(event, before)
            if keys_asked and not wanted.keeps_keys(keys.targets, keys.steps):
                self.state = evolve(before, event)
                continue
            # Read what the entry says before the event changes the plan in place.
            summarise = _SUMMARIES.get(type(event))
            summary = summarise(event, before) if summarise and before else describe(event)
            state = self.state = evolve(before, event)
            yield HistoryEntry(
                position=recorded.position,
                recorded_at=recorded.recorded_at,
                actor=actor,
                source=str(metadata.get("source", "unknown")),
                command=metadata.get("command"),
                command_id=metadata.get("command_id"),
                revision=state.revision,
                reason=metadata.get("reason"),
                event_type=recorded.type,
                summary=summary,
                targets=tuple(sorted(keys.targets)),
                steps=tuple(sorted(keys.steps)),
                occurrences=tuple(sorted(keys.occurrences)),
                indicators=tuple(sorted(keys.indicators)),
                people=tuple(sorted(keys.people)),
            )

    def entry(self, recorded: RecordedEvent, event: PlanEvent) -> HistoryEntry:
        """Apply one event and say what it changed."""
        return next(self._walk(((recorded, event),), _EVERYTHING))


def _elsewhere(recorded: RecordedEvent, state: PlanState, wanted: HistoryFilter) -> bool:
    """Whether `recorded` is an event of a step (or its visits) that `wanted` does not
    follow: not the step asked about, nor one of the target asked about. The steps followed
    are those in `state`, since only they were folded."""
    subject = step_subject(recorded.type, recorded.data)
    if subject is None:
        return False
    if subject.occurrence is not None:
        return subject.occurrence not in state.occurrences
    if subject.track is None:
        return subject.step not in state.steps
    track = state.tracks.get(subject.track)
    under = track is not None and wanted.target is not None and track.target == wanted.target
    return subject.step != wanted.step and not under


def _limited(
    entries: Iterator[HistoryEntry], limit: int | None, newest: bool
) -> Iterator[HistoryEntry]:
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    if limit is None:
        return entries
    if newest:
        return iter(deque(entries, maxlen=limit))
    return islice(entries, limit)


# --- summaries that compare before and after ----------------------------------------------


def _number(value: Decimal | None) -> str:
    if value is None:
        return "none"
    return format(value.normalize(), "f")


def _local(moment: datetime, all_day: bool) -> str:
    return moment.date().isoformat() if all_day else moment.strftime("%Y-%m-%d %H:%M")


def _people(keys: tuple[str, ...], nobody: str = "nobody") -> str:
    return ", ".join(keys) if keys else nobody


def _quoted(text: str | None) -> str:
    return f"“{text}”" if text else "none"


def _changes(pairs: Iterable[tuple[str, object, object]]) -> list[str]:
    return [
        f"{name} {'none' if old is None else old} → {'none' if new is None else new}"
        for name, old, new in pairs
        if old != new
    ]


def _step_assigned(event: ev.StepAssigned, state: PlanState) -> str:
    before = state.steps.get(event.step)
    if before is None:
        return describe(event)
    parts = _changes(
        [
            ("responsible", before.responsible, event.responsible),
            ("participants", _people(before.participants), _people(event.participants)),
        ]
    )
    return f"{event.step} " + ("; ".join(parts) if parts else f"still with {event.responsible}")


def _step_moved(event: ev.StepMoved, state: PlanState) -> str:
    before = state.steps.get(event.step)
    if before is None:
        return describe(event)
    old, new = before.schedule, event.schedule
    if isinstance(old, DueDate) and isinstance(new, DueDate):
        parts = _changes([("start", old.start, new.start), ("due", old.due, new.due)])
        if parts:
            return f"{event.step} " + "; ".join(parts)
    old_text, new_text = schedule_summary(old), schedule_summary(new)
    if old_text == new_text:
        return f"{event.step} rescheduled: {new_text}"
    return f"{event.step} rescheduled: {old_text} → {new_text}"


def _step_edited(event: ev.StepEdited, state: PlanState) -> str:
    before = state.steps.get(event.step)
    if before is None:
        return describe(event)
    parts = _changes(
        [
            ("title", _quoted(before.title), _quoted(event.title)),
            ("order", before.order, event.order),
            ("predecessor", before.predecessor, event.predecessor),
            ("parallel", before.parallel, event.parallel),
            ("means", _quoted(before.means), _quoted(event.means)),
            ("budget", _number(before.budget), _number(event.budget)),
            ("days", _number(before.days), _number(event.days)),
            ("indicators", _people(before.indicators, "none"), _people(event.indicators, "none")),
            ("location", _quoted(before.location), _quoted(event.location)),
        ]
    )
    return f"{event.step} " + ("; ".join(parts) if parts else "edited, nothing changed")


def _step_started(event: ev.StepStarted, state: PlanState) -> str:
    before = state.steps.get(event.step)
    verb = "resumed" if before is not None and before.status is StepStatus.BLOCKED else "started"
    return f"{event.step} {verb} on {event.on}"


def _objective_set(event: ev.ObjectiveSet, state: PlanState) -> str:
    before = state.objectives.get((event.target, event.objective))
    label = f"{event.target} objective {event.objective}"
    if before is None:
        return (
            f"{label} set: {_number(event.value)} {event.unit} by {event.due} — {event.statement}"
        )
    old_value = f"{_number(before.value)} {before.unit}"
    new_value = f"{_number(event.value)} {event.unit}"
    parts = [f"{old_value} → {new_value}"] if old_value != new_value else []
    parts += _changes(
        [
            ("due", before.due, event.due),
            ("indicator", before.indicator, event.indicator),
            ("baseline", _number(before.baseline), _number(event.baseline)),
        ]
    )
    if before.statement != event.statement:
        parts.append(f"statement now {_quoted(event.statement)}")
    return f"{label} " + ("; ".join(parts) if parts else "set again, unchanged")


def _occurrence_moved(event: ev.OccurrenceMoved, state: PlanState) -> str:
    before = state.occurrences.get(event.occurrence)
    text = f"{event.occurrence} moved to {_local(event.start, event.all_day)}"
    if before is not None and before.start != before.scheduled_start:
        text += f" (was {_local(before.start, before.all_day)})"
    return text


def _indicator_defined(event: ev.IndicatorDefined, state: PlanState) -> str:
    before = state.indicators.get(event.key)
    if before is None:
        return describe(event)
    parts = _changes(
        [
            ("name", _quoted(before.name), _quoted(event.name)),
            ("kind", before.kind, event.kind),
            ("unit", before.unit, event.unit),
            ("aggregation", before.aggregation, event.aggregation),
            ("direction", before.direction, event.direction),
            ("owner", before.owner, event.owner),
            ("per", before.per, event.per),
            ("serves", _people(before.serves, "none"), _people(event.serves, "none")),
            ("derived from", _derived(before.derived), _derived(event.derived)),
        ]
    )
    return f"indicator {event.key} " + ("; ".join(parts) if parts else "redefined, unchanged")


def _derived(derivation: Derivation | None) -> str | None:
    return derivation.describe() if derivation is not None else None


def _indicator_targets(event: ev.IndicatorTargetsSet, state: PlanState) -> str:
    before = state.indicators.get(event.indicator)
    old = before.targets if before is not None else {}
    if not any(period in old for period in event.targets):
        return describe(event)
    parts = [
        f"{period} {_number(old.get(period))} → {_number(value)}"
        for period, value in sorted(event.targets.items())
        if old.get(period) != value
    ]
    return f"{event.indicator} targets " + (", ".join(parts) if parts else "unchanged")


def _limits(event: ev.TargetLimitsSet, state: PlanState) -> str:
    new = f"{event.max_targets_per_rep} per rep, {event.max_targets_total} in all"
    before = (state.max_targets_per_rep, state.max_targets_total)
    return f"target limits {before[0]} per rep, {before[1]} in all → {new}"


def change_summary(event: PlanEvent, before: PlanState | None) -> str:
    """What `event` changes, said against the plan just before it (`describe(event)` for
    events that need no comparison, or with no plan to compare with)."""
    summarise = _SUMMARIES.get(type(event))
    return summarise(event, before) if summarise and before else describe(event)


_SUMMARIES: dict[type[PlanEvent], Callable[[Any, PlanState], str]] = {
    ev.StepAssigned: _step_assigned,
    ev.StepMoved: _step_moved,
    ev.StepEdited: _step_edited,
    ev.StepStarted: _step_started,
    ev.StepCompleted: lambda e, _s: f"{e.step} done on {e.on}",
    ev.StepBlocked: lambda e, _s: f"{e.step} blocked on {e.on}: {e.reason}",
    ev.StepCancelled: lambda e, _s: f"{e.step} cancelled on {e.on}: {e.reason}",
    ev.ObjectiveSet: _objective_set,
    ev.OccurrenceMoved: _occurrence_moved,
    ev.OccurrenceCompleted: lambda e, _s: f"{e.occurrence} held on {e.on}",
    ev.OccurrencesScheduled: lambda e, _s: _occurrence_keys(
        e.step, "added", [slot.key for slot in e.occurrences]
    ),
    ev.OccurrencesUnscheduled: lambda e, _s: _occurrence_keys(
        e.step, "removed", list(e.occurrences)
    ),
    ev.IndicatorDefined: _indicator_defined,
    ev.IndicatorTargetsSet: _indicator_targets,
    ev.TargetLimitsSet: _limits,
}
"""Summaries that compare the event with the plan just before it (the rest: `describe`)."""

_LISTED = 6


def _occurrence_keys(step: str, verb: str, keys: list[str]) -> str:
    shown = ", ".join(keys[:_LISTED])
    more = f" and {len(keys) - _LISTED} more" if len(keys) > _LISTED else ""
    noun = "occurrence" if len(keys) == 1 else "occurrences"
    return f"{step}: {len(keys)} {noun} {verb} ({shown}{more})"


# --- revisions ---------------------------------------------------------------------------


@mutable_record
class Revision(MutableRecord):
    """One revision of a plan: who opened it and why, who published it and why.

    Revision 1 opens with the plan's creation; `approved_*` is only set for it. `changes`
    counts what was recorded while it was open, lifecycle events aside.
    """

    number: int
    opened_at: datetime
    opened_by: str
    reason: str | None
    approved_at: datetime | None = None
    approved_by: str | None = None
    approve_reason: str | None = None
    published_at: datetime | None = None
    published_by: str | None = None
    publish_reason: str | None = None
    changes: int = 0

    @property
    def status(self) -> str:
        """`published`, or `open` while it is being worked on."""
        return "published" if self.published_at is not None else "open"

    def as_json(self) -> dict[str, Any]:
        """The revision as JSON-ready data."""
        return {
            "revision": self.number,
            "status": self.status,
            "opened_at": self.opened_at,
            "opened_by": self.opened_by,
            "reason": self.reason,
            "approved_at": self.approved_at,
            "approved_by": self.approved_by,
            "approve_reason": self.approve_reason,
            "published_at": self.published_at,
            "published_by": self.published_by,
            "publish_reason": self.publish_reason,
            "changes": self.changes,
        }


def revisions(records: Records) -> list[Revision]:
    """Every revision of the plan, oldest first (none for a plan without events)."""
    found: list[Revision] = []
    for recorded, event in records:
        actor = str(recorded.metadata.get("actor", "unknown"))
        reason = recorded.metadata.get("reason")
        when = recorded.recorded_at
        if isinstance(event, ev.PlanCreated):
            found.append(Revision(1, when, actor, reason))
        elif isinstance(event, ev.RevisionOpened):
            found.append(Revision(event.revision, when, actor, event.reason))
        elif not found:
            continue
        elif isinstance(event, ev.PlanApproved):
            current = found[-1]
            current.approved_at, current.approved_by, current.approve_reason = when, actor, reason
        elif isinstance(event, ev.PlanPublished):
            current = found[-1]
            current.published_at, current.published_by = when, actor
            current.publish_reason = reason
        elif not isinstance(event, _LIFECYCLE) and found[-1].published_at is None:
            found[-1].changes += 1
    return found


def revision_state(records: Records, number: int) -> PlanState:
    """The plan as revision `number` left it: right after its publication, just before the
    next revision opened if it never was published, or now if it is still open."""
    state: PlanState | None = None
    if number < 1:
        raise NotFoundError(f"revision {number}: revisions are numbered from 1")
    for _recorded, event in records:
        opens_later = isinstance(event, ev.RevisionOpened) and event.revision > number
        if state is not None and opens_later:
            return state
        state = evolve(state, event)
        if isinstance(event, ev.PlanPublished) and event.revision == number:
            return state
    if state is None:
        raise no_such_plan()
    if state.revision == number:
        return state
    raise NotFoundError(
        f"plan {state.key} has no revision {number}: its revisions are 1 to {state.revision}",
        code="no-such-revision",
        subject=str(number),
        suggestion=Suggestion(("plan", "revisions", state.key)),
    )
