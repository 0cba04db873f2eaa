"""How events change a plan's state: `evolve` one event, `fold` a stream, `advance` a
state others may be reading.

Two ways to apply events, for two kinds of owner:

- `evolve` and `fold` change the state they are given in place and return it. That is what
  a fold of a long stream needs (no copy per event), and it is safe when the caller owns the
  state: it built it from the stream, or loaded it from a snapshot, and has not handed it
  to anyone yet.
- `advance` (and `Draft`, event by event) leaves the state it is given as it was and returns
  a new one, copying on first write only what the events change (the mapping that holds an
  entity, the entity, the lists and dicts inside it) and sharing the rest. That is what a
  state already handed out needs: a reader in another thread, or a caller keeping an
  earlier `Outcome`, never sees it change. A command on a plan of thousands of steps copies
  a few mappings, not the plan.

Events are facts the decider already checked, so nothing here checks rules; an event that
cannot apply at all (a corrupt or foreign stream) is an IntegrityError.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pacflow.domain.events import (
    AccessGranted,
    AccessRevoked,
    CalendarChangeOverridden,
    CheckThresholdsSet,
    DecisionRecorded,
    FindingRecorded,
    HolidaysSet,
    IndicatorDefined,
    IndicatorTargetsSet,
    IndicatorValueCorrected,
    IndicatorValueRecorded,
    MarketChangeRecorded,
    ObjectiveSet,
    OccurrenceCancelled,
    OccurrenceCompleted,
    OccurrenceDoneDateCorrected,
    OccurrenceMoved,
    OccurrenceReopened,
    OccurrencesScheduled,
    OccurrencesUnscheduled,
    PersonAdded,
    PersonLeft,
    PlanApproved,
    PlanClosed,
    PlanCreated,
    PlanDropped,
    PlanEvent,
    PlanPublished,
    RevisionOpened,
    StepAdded,
    StepAssigned,
    StepBlocked,
    StepCancelled,
    StepCompleted,
    StepDoneDateCorrected,
    StepEdited,
    StepMoved,
    StepRemoved,
    StepReopened,
    StepStarted,
    TargetAdded,
    TargetDropped,
    TargetJustified,
    TargetLimitsSet,
    TargetRemoved,
    TrackAdded,
    event_type_name,
)
from pacflow.domain.state import (
    Decision,
    Finding,
    Indicator,
    Objective,
    Occurrence,
    Person,
    PlanState,
    Step,
    Target,
    Track,
)
from pacflow.domain.values import OccurrenceStatus, PlanStatus, StepStatus
from pacflow.errors import IntegrityError
from pacflow.remembering import remembering

# --- evolve ------------------------------------------------------------------------------


def _plan_created(event: PlanCreated) -> PlanState:
    return PlanState(
        key=event.key,
        title=event.title,
        start=event.start,
        end=event.end,
        timezone=event.timezone,
        owner=event.owner,
        scope=event.scope,
        max_targets_per_rep=event.max_targets_per_rep,
        max_targets_total=event.max_targets_total,
    )


def _plan_approved(state: PlanState, event: PlanApproved) -> None:
    state.status = PlanStatus.APPROVED


def _plan_published(state: PlanState, event: PlanPublished) -> None:
    state.status = PlanStatus.PUBLISHED
    state.revision = event.revision


def _revision_opened(state: PlanState, event: RevisionOpened) -> None:
    state.status = PlanStatus.REVISING
    state.revision = event.revision


def _plan_closed(state: PlanState, event: PlanClosed) -> None:
    state.status = PlanStatus.CLOSED


def _plan_dropped(state: PlanState, event: PlanDropped) -> None:
    # A shell keeps the header (key, time zone, version): no content is left to show or to
    # put in a calendar. New mappings, not cleared ones: a `Draft` shares its base's.
    state.status = PlanStatus.DROPPED
    for name in _MAPPINGS:
        setattr(state, name, {})


def _plan_created_again(state: PlanState, event: PlanCreated) -> None:
    # One plan is one stream: a key dropped and created again is a new plan, from scratch,
    # in the same stream (its version goes on). Fields are replaced, never changed in place.
    if state.status is not PlanStatus.DROPPED:
        raise _cannot_apply(event, state, "the plan already exists")
    fresh = _plan_created(event)
    fresh.version = state.version
    fresh.life_start = state.version + 1
    for name in PlanState.__slots__:
        setattr(state, name, getattr(fresh, name))


def _target_limits_set(state: PlanState, event: TargetLimitsSet) -> None:
    state.max_targets_per_rep = event.max_targets_per_rep
    state.max_targets_total = event.max_targets_total


def _person_added(state: PlanState, event: PersonAdded) -> None:
    state.people[event.key] = Person(
        event.key, event.name, event.kind, event.email, event.role, event.sector, event.timezone
    )


def _person_left(state: PlanState, event: PersonLeft) -> None:
    state.people[event.person].left_on = event.on


def _target_added(state: PlanState, event: TargetAdded) -> None:
    state.targets[event.key] = Target(
        event.key,
        event.kind,
        event.title,
        event.responsible,
        event.ref,
        event.segments,
        event.rationale,
    )


def _target_dropped(state: PlanState, event: TargetDropped) -> None:
    state.targets[event.target].dropped = True


def _target_removed(state: PlanState, event: TargetRemoved) -> None:
    del state.targets[event.target]
    for key in [key for key in state.objectives if key[0] == event.target]:
        del state.objectives[key]
    for track in event.tracks:
        del state.tracks[track]


def _objective_set(state: PlanState, event: ObjectiveSet) -> None:
    state.objectives[(event.target, event.objective)] = Objective(
        event.target,
        event.objective,
        event.statement,
        event.value,
        event.unit,
        event.due,
        event.indicator,
        event.baseline,
    )


def _track_added(state: PlanState, event: TrackAdded) -> None:
    state.tracks[event.key] = Track(
        event.key, event.target, event.domain, event.approach, event.title
    )


def _step_added(state: PlanState, event: StepAdded) -> None:
    state.steps[event.key] = Step(
        key=event.key,
        track=event.track,
        title=event.title,
        order=event.order,
        responsible=event.responsible,
        participants=event.participants,
        schedule=event.schedule,
        predecessor=event.predecessor,
        parallel=event.parallel,
        means=event.means,
        budget=event.budget,
        days=event.days,
        indicators=event.indicators,
        location=event.location,
    )
    state.tracks[event.track].steps.append(event.key)


def _step_edited(state: PlanState, event: StepEdited) -> None:
    step = state.steps[event.step]
    step.title = event.title
    step.order = event.order
    step.predecessor = event.predecessor
    step.parallel = event.parallel
    step.means = event.means
    step.budget = event.budget
    step.days = event.days
    step.indicators = event.indicators
    step.location = event.location


def _step_removed(state: PlanState, event: StepRemoved) -> None:
    step = state.steps.pop(event.step)
    track = state.tracks[step.track]
    # A new track entity: the event names no track, so a draft cannot copy it beforehand.
    kept = [key for key in track.steps if key != step.key]
    state.tracks[track.key] = dataclasses.replace(track, steps=kept)


def _step_moved(state: PlanState, event: StepMoved) -> None:
    state.steps[event.step].schedule = event.schedule


def _step_assigned(state: PlanState, event: StepAssigned) -> None:
    step = state.steps[event.step]
    step.responsible = event.responsible
    step.participants = event.participants


def _step_started(state: PlanState, event: StepStarted) -> None:
    step = state.steps[event.step]
    step.status = StepStatus.IN_PROGRESS
    if step.started_on is None:
        step.started_on = event.on
    step.blocked_on = None
    step.blocked_reason = None


def _step_completed(state: PlanState, event: StepCompleted) -> None:
    step = state.steps[event.step]
    step.status = StepStatus.DONE
    step.done_on = event.on
    step.blocked_on = None
    step.blocked_reason = None


def _step_reopened(state: PlanState, event: StepReopened) -> None:
    step = state.steps[event.step]
    step.status = StepStatus.IN_PROGRESS if step.started_on is not None else StepStatus.PLANNED
    step.done_on = None


def _step_done_date_corrected(state: PlanState, event: StepDoneDateCorrected) -> None:
    state.steps[event.step].done_on = event.on


def _step_blocked(state: PlanState, event: StepBlocked) -> None:
    step = state.steps[event.step]
    step.status = StepStatus.BLOCKED
    step.blocked_on = event.on
    step.blocked_reason = event.reason


def _step_cancelled(state: PlanState, event: StepCancelled) -> None:
    step = state.steps[event.step]
    step.status = StepStatus.CANCELLED
    step.cancelled_on = event.on
    step.cancel_reason = event.reason


def _occurrences_scheduled(state: PlanState, event: OccurrencesScheduled) -> None:
    step = state.steps[event.step]
    occurrences = state.occurrences
    timezone = state.timezone
    for slot in event.occurrences:
        start = _shared(slot.start)
        duration = _shared(slot.duration)  # None stays None
        occurrences[slot.key] = Occurrence(
            slot.key, event.step, start, start, slot.all_day, duration, timezone
        )
        step.occurrences.append(slot.key)


def _exactly(value: Any) -> tuple[Any, int, Any]:
    """A date, time or duration told apart from an equal one with another fold or zone:
    the second pass through a DST change is never swapped for the first."""
    return value, getattr(value, "fold", 0), getattr(value, "tzinfo", None)


_shared = remembering(lambda value: value, key=_exactly, size=16_384)
"""One object for equal visit dates, times and durations: a plan of 100,000 visits repeats
a few thousand of them, and each held on its own costs its 32 to 48 bytes again."""


def _occurrences_unscheduled(state: PlanState, event: OccurrencesUnscheduled) -> None:
    step = state.steps[event.step]
    gone = set(event.occurrences)
    for key in event.occurrences:
        del state.occurrences[key]
    step.occurrences = [key for key in step.occurrences if key not in gone]


def _occurrence_completed(state: PlanState, event: OccurrenceCompleted) -> None:
    occurrence = state.occurrences[event.occurrence]
    occurrence.status = OccurrenceStatus.DONE
    occurrence.done_on = _shared(event.on)
    step = state.steps[occurrence.step]  # read only: who held it, as things stood then
    occurrence.held_by = step.responsible
    occurrence.held_with = step.participants


def _occurrence_reopened(state: PlanState, event: OccurrenceReopened) -> None:
    occurrence = state.occurrences[event.occurrence]
    # To be held again where it stands now: moved if it no longer is where first scheduled.
    moved = occurrence.start != occurrence.scheduled_start
    occurrence.status = OccurrenceStatus.MOVED if moved else OccurrenceStatus.PLANNED
    occurrence.done_on = None
    occurrence.held_by = None
    occurrence.held_with = ()


def _occurrence_done_date_corrected(state: PlanState, event: OccurrenceDoneDateCorrected) -> None:
    state.occurrences[event.occurrence].done_on = _shared(event.on)


def _occurrence_cancelled(state: PlanState, event: OccurrenceCancelled) -> None:
    occurrence = state.occurrences[event.occurrence]
    occurrence.status = OccurrenceStatus.CANCELLED
    occurrence.cancel_reason = event.reason


def _occurrence_moved(state: PlanState, event: OccurrenceMoved) -> None:
    occurrence = state.occurrences[event.occurrence]
    occurrence.status = OccurrenceStatus.MOVED
    occurrence.start = _shared(event.start)
    occurrence.all_day = event.all_day
    if event.duration is not None:
        occurrence.duration = _shared(event.duration)


def _indicator_defined(state: PlanState, event: IndicatorDefined) -> None:
    previous = state.indicators.get(event.key)
    state.indicators[event.key] = Indicator(
        event.key,
        event.name,
        event.kind,
        event.unit,
        event.aggregation,
        event.direction,
        event.owner,
        event.per,
        event.serves,
        previous.targets if previous is not None else {},
        previous.actuals if previous is not None else {},
        event.derived,
    )


def _indicator_targets_set(state: PlanState, event: IndicatorTargetsSet) -> None:
    state.indicators[event.indicator].targets.update(event.targets)


def _indicator_value(
    state: PlanState, event: IndicatorValueRecorded | IndicatorValueCorrected
) -> None:
    state.indicators[event.indicator].actuals[event.period] = event.value


def _environment_fact(
    state: PlanState,
    event: MarketChangeRecorded | CalendarChangeOverridden | AccessGranted | AccessRevoked,
) -> None:
    """A market change is about the plan's world, not its content: the state stays as it was
    (rules that weigh market changes read them from the log, with their positions). So does
    a calendar change the plan did not take, and who was handed a link."""


def _check_thresholds_set(state: PlanState, event: CheckThresholdsSet) -> None:
    given = {
        f.name: getattr(event, f.name)
        for f in dataclasses.fields(event)
        if getattr(event, f.name) is not None
    }
    state.checks = dataclasses.replace(state.checks, **given)


def _finding_recorded(state: PlanState, event: FindingRecorded) -> None:
    state.findings[event.key] = Finding(event.key, event.title, event.period, event.figures)


def _decision_recorded(state: PlanState, event: DecisionRecorded) -> None:
    state.decisions[event.key] = Decision(event.key, event.statement, event.findings)


def _target_justified(state: PlanState, event: TargetJustified) -> None:
    state.targets[event.target].decisions = event.decisions


def _holidays_set(state: PlanState, event: HolidaysSet) -> None:
    if event.person is not None:
        person = state.people[event.person]
        person.country, person.subdivision = event.country, event.subdivision
        return
    state.country, state.subdivision = event.country, event.subdivision
    state.slots_on_holidays = event.slots_on_holidays
    state.slots_on_weekends = event.slots_on_weekends


_Handler = Callable[[PlanState, Any], None]

_HANDLERS: dict[type[PlanEvent], _Handler] = {
    PlanCreated: _plan_created_again,
    PlanDropped: _plan_dropped,
    PlanApproved: _plan_approved,
    PlanPublished: _plan_published,
    RevisionOpened: _revision_opened,
    PlanClosed: _plan_closed,
    TargetLimitsSet: _target_limits_set,
    PersonAdded: _person_added,
    PersonLeft: _person_left,
    TargetAdded: _target_added,
    TargetDropped: _target_dropped,
    TargetRemoved: _target_removed,
    ObjectiveSet: _objective_set,
    TrackAdded: _track_added,
    StepAdded: _step_added,
    StepEdited: _step_edited,
    StepMoved: _step_moved,
    StepRemoved: _step_removed,
    StepAssigned: _step_assigned,
    StepStarted: _step_started,
    StepCompleted: _step_completed,
    StepReopened: _step_reopened,
    StepDoneDateCorrected: _step_done_date_corrected,
    StepBlocked: _step_blocked,
    StepCancelled: _step_cancelled,
    OccurrencesScheduled: _occurrences_scheduled,
    OccurrencesUnscheduled: _occurrences_unscheduled,
    OccurrenceCompleted: _occurrence_completed,
    OccurrenceReopened: _occurrence_reopened,
    OccurrenceDoneDateCorrected: _occurrence_done_date_corrected,
    OccurrenceCancelled: _occurrence_cancelled,
    OccurrenceMoved: _occurrence_moved,
    IndicatorDefined: _indicator_defined,
    IndicatorTargetsSet: _indicator_targets_set,
    IndicatorValueRecorded: _indicator_value,
    IndicatorValueCorrected: _indicator_value,
    MarketChangeRecorded: _environment_fact,
    CheckThresholdsSet: _check_thresholds_set,
    HolidaysSet: _holidays_set,
    CalendarChangeOverridden: _environment_fact,
    AccessGranted: _environment_fact,
    AccessRevoked: _environment_fact,
    FindingRecorded: _finding_recorded,
    DecisionRecorded: _decision_recorded,
    TargetJustified: _target_justified,
}


def _cannot_apply(event: PlanEvent, state: PlanState | None, problem: str) -> IntegrityError:
    at = f"at version {state.version + 1} of plan {state.key}" if state else "as first event"
    return IntegrityError(f"event {event_type_name(event)} {at} cannot be applied: {problem}")


def evolve(state: PlanState | None, event: PlanEvent) -> PlanState:
    """The state after `event`: `state` itself, changed in place (the caller owns it; for a
    state others may be reading, see `advance`).

    Events are facts the decider already checked, so evolve does not check rules; an event
    that cannot apply at all (a corrupt or foreign stream) is an IntegrityError.
    """
    if state is None:
        if not isinstance(event, PlanCreated):
            raise _cannot_apply(event, None, "the stream does not start with PlanCreated")
        state = _plan_created(event)
    else:
        handler = _HANDLERS.get(type(event))
        if handler is None:
            raise _cannot_apply(event, state, "the plan already exists")
        try:
            handler(state, event)
        except KeyError as error:
            raise _cannot_apply(event, state, f"unknown key {error}") from None
    state.version += 1
    return state


def fold(events: Iterable[PlanEvent], state: PlanState | None = None) -> PlanState | None:
    """Apply `events` in order to `state` (None: from the start of the stream).

    Returns the state (the given one, changed in place: the caller must own it, see the
    module docstring), or None when there is no state and no event: the plan does not exist.
    """
    iterator = iter(events)
    if state is None:
        first = next(iterator, None)
        if first is None:
            return None
        state = evolve(None, first)
    _apply_all(state, iterator)
    return state


def _apply_all(state: PlanState, events: Iterator[PlanEvent]) -> None:
    handlers = _HANDLERS
    for event in events:
        handler = handlers.get(type(event))
        if handler is None:
            raise _cannot_apply(event, state, "the plan already exists")
        try:
            handler(state, event)
        except KeyError as error:
            raise _cannot_apply(event, state, f"unknown key {error}") from None
        state.version += 1


# --- copy-on-write -----------------------------------------------------------------------

_Claim = tuple[str, str | None]
"""(mapping of PlanState, event field naming the entity in it; None: the mapping only)."""

_CHANGES: dict[type[PlanEvent], tuple[_Claim, ...]] = {
    # Both replace every mapping with a new one: nothing of the base is changed in place.
    PlanCreated: (),
    PlanDropped: (),
    PlanApproved: (),
    PlanPublished: (),
    RevisionOpened: (),
    PlanClosed: (),
    TargetLimitsSet: (),
    CheckThresholdsSet: (),
    HolidaysSet: (("people", "person"),),
    MarketChangeRecorded: (),
    CalendarChangeOverridden: (),
    AccessGranted: (),
    AccessRevoked: (),
    PersonAdded: (("people", None),),
    PersonLeft: (("people", "person"),),
    TargetAdded: (("targets", None),),
    TargetDropped: (("targets", "target"),),
    TargetRemoved: (("targets", None), ("objectives", None), ("tracks", None)),
    ObjectiveSet: (("objectives", None),),
    TrackAdded: (("tracks", None),),
    StepAdded: (("steps", None), ("tracks", "track")),
    StepEdited: (("steps", "step"),),
    StepMoved: (("steps", "step"),),
    StepRemoved: (("steps", "step"), ("tracks", None)),
    StepAssigned: (("steps", "step"),),
    StepStarted: (("steps", "step"),),
    StepCompleted: (("steps", "step"),),
    StepReopened: (("steps", "step"),),
    StepDoneDateCorrected: (("steps", "step"),),
    StepBlocked: (("steps", "step"),),
    StepCancelled: (("steps", "step"),),
    OccurrencesScheduled: (("occurrences", None), ("steps", "step")),
    OccurrencesUnscheduled: (("occurrences", None), ("steps", "step")),
    OccurrenceCompleted: (("occurrences", "occurrence"),),
    OccurrenceReopened: (("occurrences", "occurrence"),),
    OccurrenceDoneDateCorrected: (("occurrences", "occurrence"),),
    OccurrenceCancelled: (("occurrences", "occurrence"),),
    OccurrenceMoved: (("occurrences", "occurrence"),),
    # A redefined indicator keeps the previous one's targets and actuals: copied first.
    IndicatorDefined: (("indicators", "key"),),
    IndicatorTargetsSet: (("indicators", "indicator"),),
    IndicatorValueRecorded: (("indicators", "indicator"),),
    IndicatorValueCorrected: (("indicators", "indicator"),),
    FindingRecorded: (("findings", None),),
    DecisionRecorded: (("decisions", None),),
    TargetJustified: (("targets", "target"),),
}
"""What each event type's handler above changes in place, hence what `Draft` copies first.
Header fields need nothing: a draft starts from a copy of the header. A test checks that
every handled type is here and that applying any event leaves the draft's base unchanged."""

_MAPPINGS = frozenset(f.name for f in dataclasses.fields(PlanState) if f.default_factory is dict)


def _clone(entity: Any, *, deep: bool = True) -> Any:
    """A copy of a slotted state entity; `deep`: its lists and dicts are copies too (handlers
    append to a track's steps, a step's occurrences, an indicator's targets and actuals)."""
    kind = type(entity)
    clone = object.__new__(kind)
    for name in kind.__slots__:
        value = getattr(entity, name)
        if deep and (type(value) is list or type(value) is dict):
            value = value.copy()
        setattr(clone, name, value)
    return clone


class Draft:
    """A new plan state made from a shared one, event by event, copying on first write.

    The base state is never changed; `state` is the draft's own (its header copied, each
    mapping and entity copied the first time an event changes it, everything else shared).
    Once handed out, a draft's state must not be applied to again: start a new Draft from it.
    """

    __slots__ = ("_copied", "_state")

    def __init__(self, base: PlanState | None) -> None:
        # The header only: the mappings are copied when an event first changes them.
        self._state: PlanState | None = _clone(base, deep=False) if base is not None else None
        # Names of the mappings, and (mapping, key) of the entities, this draft owns.
        self._copied: set[object] = set()

    @property
    def state(self) -> PlanState | None:
        """The state after the events applied so far (the base itself if none)."""
        return self._state

    def apply(self, event: PlanEvent) -> PlanState:
        """Apply one event to the draft's state (see `evolve` for what may be raised)."""
        state = self._state
        if state is None:
            state = self._state = evolve(None, event)
            self._copied.update(_MAPPINGS)  # a new plan shares nothing
            return state
        claims = _CHANGES.get(type(event))
        if claims is None:
            return evolve(state, event)  # a type nobody classified: evolve says why
        copied = self._copied
        for mapping_name, key_field in claims:
            mapping = getattr(state, mapping_name)
            if mapping_name not in copied:
                mapping = mapping.copy()
                setattr(state, mapping_name, mapping)
                copied.add(mapping_name)
            if key_field is not None:
                key = getattr(event, key_field)
                if key in mapping and (mapping_name, key) not in copied:
                    mapping[key] = _clone(mapping[key])
                    copied.add((mapping_name, key))
        # An unknown key is left to evolve, which raises the IntegrityError a fold raises.
        return evolve(state, event)


def advance(state: PlanState | None, events: Iterable[PlanEvent]) -> PlanState | None:
    """The state after `events`, as a new state: `state` is left as it was (copy-on-write,
    see `Draft`). With no event, `state` itself."""
    draft: Draft | None = None
    for event in events:
        if draft is None:
            draft = Draft(state)
        draft.apply(event)
    return draft.state if draft is not None else state
