"""A plan's history in words a manager reads, its revisions, and its state at a revision.

Pure: everything here folds the `(RecordedEvent, PlanEvent)` pairs it is given, as
`PlanService.history` yields them, and never touches a store. Each history entry compares
the entity an event touches before and after it (`S15 responsible jm → pg`) instead of
repeating the event's payload, because a manager asks what changed, not what was typed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from events import RecordedEvent
from pacflow.describe import describe, schedule_summary
from pacflow.domain import PlanEvent, PlanState, evolve
from pacflow.domain import events as ev
from pacflow.domain.derivation import Derivation
from pacflow.domain.schedule import DueDate
from pacflow.domain.state import Indicator, Objective, Occurrence, Step
from pacflow.domain.values import StepStatus
from pacflow.errors import NotFoundError, Suggestion, no_such_plan

Records = Iterable[tuple[RecordedEvent, PlanEvent]]
"""A plan's recorded events with their domain events, oldest first."""

_LIFECYCLE = (
    ev.PlanCreated,
    ev.PlanApproved,
    ev.PlanPublished,
    ev.RevisionOpened,
    ev.PlanClosed,
)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
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


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """Which entries to keep: a time window (inclusive, UTC-aware) and keys they touch."""

    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    target: str | None = None
    step: str | None = None

    def keeps(self, entry: HistoryEntry) -> bool:
        """Whether `entry` passes every criterion given."""
        return (
            (self.since is None or entry.recorded_at >= self.since)
            and (self.until is None or entry.recorded_at <= self.until)
            and (self.actor is None or entry.actor == self.actor)
            and (self.target is None or self.target in entry.targets)
            and (self.step is None or self.step in entry.steps)
        )


class PlanHistory:
    """Folds a plan's records into history entries; `state` is the plan after the last one."""

    def __init__(self) -> None:
        self.state: PlanState | None = None

    def entries(self, records: Records) -> Iterator[HistoryEntry]:
        """One entry per recorded event, oldest first."""
        for recorded, event in records:
            yield self.entry(recorded, event)

    def entry(self, recorded: RecordedEvent, event: PlanEvent) -> HistoryEntry:
        """Apply one event and say what it changed."""
        before = _subject(self.state, event)
        state = self.state = evolve(self.state, event)
        summarise = _SUMMARIES.get(type(event))
        summary = summarise(event, before, state) if summarise else describe(event)
        keys = _touched(event, before, state)
        metadata = recorded.metadata
        return HistoryEntry(
            position=recorded.position,
            recorded_at=recorded.recorded_at,
            actor=str(metadata.get("actor", "unknown")),
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


# --- what an event touches, before it applies --------------------------------------------


def _subject(state: PlanState | None, event: PlanEvent) -> Any:
    """A copy of the entity `event` is about, as it was before: evolve changes it in place."""
    if state is None:
        return None
    if isinstance(event, ev.TargetLimitsSet):
        return (state.max_targets_per_rep, state.max_targets_total)
    if isinstance(event, ev.IndicatorDefined | ev.IndicatorTargetsSet):
        key = event.key if isinstance(event, ev.IndicatorDefined) else event.indicator
        indicator = copy.copy(state.indicators.get(key))
        if indicator is not None:
            indicator.targets = dict(indicator.targets)  # updated in place by new targets
        return indicator
    found: Any = None
    if isinstance(event, ev.ObjectiveSet):
        found = state.objectives.get((event.target, event.objective))
    elif isinstance(event, ev.OccurrenceMoved):
        found = state.occurrences.get(event.occurrence)
    elif hasattr(event, "step"):
        found = state.steps.get(event.step)
    return copy.copy(found)


_INDICATOR_EVENTS = (
    ev.IndicatorDefined,
    ev.IndicatorTargetsSet,
    ev.IndicatorValueRecorded,
    ev.IndicatorValueCorrected,
)


@dataclass(slots=True)
class _Keys:
    targets: set[str] = field(default_factory=set)
    steps: set[str] = field(default_factory=set)
    occurrences: set[str] = field(default_factory=set)
    indicators: set[str] = field(default_factory=set)
    people: set[str] = field(default_factory=set)


def _touched(event: PlanEvent, before: Any, state: PlanState) -> _Keys:
    keys = _Keys()
    own_key = getattr(event, "key", None)
    by_type: dict[type[PlanEvent], set[str]] = {
        ev.TargetAdded: keys.targets,
        ev.StepAdded: keys.steps,
        ev.PersonAdded: keys.people,
        ev.IndicatorDefined: keys.indicators,
    }
    if own_key is not None and type(event) in by_type:
        by_type[type(event)].add(own_key)
    for name, into in (
        ("target", keys.targets),
        ("step", keys.steps),
        ("occurrence", keys.occurrences),
        ("indicator", keys.indicators),
        ("person", keys.people),
        ("responsible", keys.people),
        ("owner", keys.people),
    ):
        value = getattr(event, name, None)
        if isinstance(value, str):
            into.add(value)
    keys.people.update(getattr(event, "participants", ()))
    keys.indicators.update(getattr(event, "indicators", ()))
    if isinstance(event, ev.OccurrencesScheduled):
        keys.occurrences.update(slot.key for slot in event.occurrences)
    elif isinstance(event, ev.OccurrencesUnscheduled):
        keys.occurrences.update(event.occurrences)
    elif isinstance(event, ev.StepAssigned) and isinstance(before, Step):
        keys.people.update((before.responsible, *before.participants))
    elif isinstance(event, _INDICATOR_EVENTS):
        # An indicator's targets and values are a target's business: filtering on T1 shows them.
        for key in keys.indicators:
            keys.targets.update(state.indicators[key].serves)
    elif isinstance(event, ev.MarketChangeRecorded):
        keys.targets.update(ref[7:] for ref in event.affects if ref.startswith("target:"))
    elif isinstance(event, ev.ObjectiveSet) and isinstance(before, Objective) and before.indicator:
        keys.indicators.add(before.indicator)
    for occurrence in keys.occurrences:
        if occurrence in state.occurrences:
            keys.steps.add(state.occurrences[occurrence].step)
    for step in keys.steps:
        track = state.tracks[state.steps[step].track] if step in state.steps else None
        if track is not None and track.target is not None:
            keys.targets.add(track.target)
    return keys


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


def _step_assigned(event: ev.StepAssigned, before: Step | None, state: PlanState) -> str:
    if before is None:
        return describe(event)
    parts = _changes(
        [
            ("responsible", before.responsible, event.responsible),
            ("participants", _people(before.participants), _people(event.participants)),
        ]
    )
    return f"{event.step} " + ("; ".join(parts) if parts else f"still with {event.responsible}")


def _step_moved(event: ev.StepMoved, before: Step | None, state: PlanState) -> str:
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


def _step_edited(event: ev.StepEdited, before: Step | None, state: PlanState) -> str:
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


def _step_started(event: ev.StepStarted, before: Step | None, state: PlanState) -> str:
    verb = "resumed" if before is not None and before.status is StepStatus.BLOCKED else "started"
    return f"{event.step} {verb} on {event.on}"


def _objective_set(event: ev.ObjectiveSet, before: Objective | None, state: PlanState) -> str:
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


def _occurrence_moved(event: ev.OccurrenceMoved, before: Occurrence | None, _: PlanState) -> str:
    text = f"{event.occurrence} moved to {_local(event.start, event.all_day)}"
    if before is not None and before.start != before.scheduled_start:
        text += f" (was {_local(before.start, before.all_day)})"
    return text


def _indicator_defined(
    event: ev.IndicatorDefined, before: Indicator | None, state: PlanState
) -> str:
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


def _indicator_targets(
    event: ev.IndicatorTargetsSet, before: Indicator | None, state: PlanState
) -> str:
    old = before.targets if before is not None else {}
    if not any(period in old for period in event.targets):
        return describe(event)
    parts = [
        f"{period} {_number(old.get(period))} → {_number(value)}"
        for period, value in sorted(event.targets.items())
        if old.get(period) != value
    ]
    return f"{event.indicator} targets " + (", ".join(parts) if parts else "unchanged")


def _limits(event: ev.TargetLimitsSet, before: tuple[int, int] | None, state: PlanState) -> str:
    new = f"{event.max_targets_per_rep} per rep, {event.max_targets_total} in all"
    if before is None:
        return f"target limits: {new}"
    return f"target limits {before[0]} per rep, {before[1]} in all → {new}"


_SUMMARIES: dict[type[PlanEvent], Callable[[Any, Any, PlanState], str]] = {
    ev.StepAssigned: _step_assigned,
    ev.StepMoved: _step_moved,
    ev.StepEdited: _step_edited,
    ev.StepStarted: _step_started,
    ev.StepCompleted: lambda e, _b, _s: f"{e.step} done on {e.on}",
    ev.StepBlocked: lambda e, _b, _s: f"{e.step} blocked on {e.on}: {e.reason}",
    ev.StepCancelled: lambda e, _b, _s: f"{e.step} cancelled on {e.on}: {e.reason}",
    ev.ObjectiveSet: _objective_set,
    ev.OccurrenceMoved: _occurrence_moved,
    ev.OccurrenceCompleted: lambda e, _b, _s: f"{e.occurrence} held on {e.on}",
    ev.OccurrencesScheduled: lambda e, _b, _s: _occurrence_keys(
        e.step, "added", [slot.key for slot in e.occurrences]
    ),
    ev.OccurrencesUnscheduled: lambda e, _b, _s: _occurrence_keys(
        e.step, "removed", list(e.occurrences)
    ),
    ev.IndicatorDefined: _indicator_defined,
    ev.IndicatorTargetsSet: _indicator_targets,
    ev.TargetLimitsSet: _limits,
}

_LISTED = 6


def _occurrence_keys(step: str, verb: str, keys: list[str]) -> str:
    shown = ", ".join(keys[:_LISTED])
    more = f" and {len(keys) - _LISTED} more" if len(keys) > _LISTED else ""
    noun = "occurrence" if len(keys) == 1 else "occurrences"
    return f"{step}: {len(keys)} {noun} {verb} ({shown}{more})"


# --- revisions ---------------------------------------------------------------------------


@dataclass(slots=True)
class Revision:
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
