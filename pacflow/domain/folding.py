"""How events change a plan's state: `evolve` one event, `fold` a stream.

For speed, `evolve` updates the state it is given in place and returns it: the caller owns
that state and must not share it while folding. Events are facts the decider already
checked, so nothing here checks rules; an event that cannot apply at all (a corrupt or
foreign stream) is an IntegrityError.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pacflow.domain.collector import collector_paused
from pacflow.domain.events import (
    CalendarChangeOverridden,
    CheckThresholdsSet,
    IndicatorDefined,
    IndicatorTargetsSet,
    IndicatorValueCorrected,
    IndicatorValueRecorded,
    MarketChangeRecorded,
    ObjectiveSet,
    OccurrenceCancelled,
    OccurrenceCompleted,
    OccurrenceMoved,
    OccurrencesScheduled,
    OccurrencesUnscheduled,
    PersonAdded,
    PersonLeft,
    PlanApproved,
    PlanClosed,
    PlanCreated,
    PlanEvent,
    PlanPublished,
    RevisionOpened,
    StepAdded,
    StepAssigned,
    StepBlocked,
    StepCancelled,
    StepCompleted,
    StepEdited,
    StepMoved,
    StepStarted,
    TargetAdded,
    TargetDropped,
    TargetLimitsSet,
    TrackAdded,
    event_type_name,
)
from pacflow.domain.state import (
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
        occurrences[slot.key] = Occurrence(
            slot.key, event.step, slot.start, slot.start, slot.all_day, slot.duration, timezone
        )
        step.occurrences.append(slot.key)


def _occurrences_unscheduled(state: PlanState, event: OccurrencesUnscheduled) -> None:
    step = state.steps[event.step]
    gone = set(event.occurrences)
    for key in event.occurrences:
        del state.occurrences[key]
    step.occurrences = [key for key in step.occurrences if key not in gone]


def _occurrence_completed(state: PlanState, event: OccurrenceCompleted) -> None:
    occurrence = state.occurrences[event.occurrence]
    occurrence.status = OccurrenceStatus.DONE
    occurrence.done_on = event.on


def _occurrence_cancelled(state: PlanState, event: OccurrenceCancelled) -> None:
    occurrence = state.occurrences[event.occurrence]
    occurrence.status = OccurrenceStatus.CANCELLED
    occurrence.cancel_reason = event.reason


def _occurrence_moved(state: PlanState, event: OccurrenceMoved) -> None:
    occurrence = state.occurrences[event.occurrence]
    occurrence.status = OccurrenceStatus.MOVED
    occurrence.start = event.start
    occurrence.all_day = event.all_day
    if event.duration is not None:
        occurrence.duration = event.duration


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
    state: PlanState, event: MarketChangeRecorded | CalendarChangeOverridden
) -> None:
    """A market change is about the plan's world, not its content: the state stays as it was
    (rules that weigh market changes read them from the log, with their positions). So does
    a calendar change the plan did not take."""


def _check_thresholds_set(state: PlanState, event: CheckThresholdsSet) -> None:
    given = {name: value for name, value in event.model_dump().items() if value is not None}
    state.checks = dataclasses.replace(state.checks, **given)


_Handler = Callable[[PlanState, Any], None]

_HANDLERS: dict[type[PlanEvent], _Handler] = {
    PlanApproved: _plan_approved,
    PlanPublished: _plan_published,
    RevisionOpened: _revision_opened,
    PlanClosed: _plan_closed,
    TargetLimitsSet: _target_limits_set,
    PersonAdded: _person_added,
    PersonLeft: _person_left,
    TargetAdded: _target_added,
    TargetDropped: _target_dropped,
    ObjectiveSet: _objective_set,
    TrackAdded: _track_added,
    StepAdded: _step_added,
    StepEdited: _step_edited,
    StepMoved: _step_moved,
    StepAssigned: _step_assigned,
    StepStarted: _step_started,
    StepCompleted: _step_completed,
    StepBlocked: _step_blocked,
    StepCancelled: _step_cancelled,
    OccurrencesScheduled: _occurrences_scheduled,
    OccurrencesUnscheduled: _occurrences_unscheduled,
    OccurrenceCompleted: _occurrence_completed,
    OccurrenceCancelled: _occurrence_cancelled,
    OccurrenceMoved: _occurrence_moved,
    IndicatorDefined: _indicator_defined,
    IndicatorTargetsSet: _indicator_targets_set,
    IndicatorValueRecorded: _indicator_value,
    IndicatorValueCorrected: _indicator_value,
    MarketChangeRecorded: _environment_fact,
    CheckThresholdsSet: _check_thresholds_set,
    CalendarChangeOverridden: _environment_fact,
}


def _cannot_apply(event: PlanEvent, state: PlanState | None, problem: str) -> IntegrityError:
    at = f"at version {state.version + 1} of plan {state.key}" if state else "as first event"
    return IntegrityError(f"event {event_type_name(event)} {at} cannot be applied: {problem}")


def evolve(state: PlanState | None, event: PlanEvent) -> PlanState:
    """The state after `event`: `state` itself, changed in place (the caller owns it).

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

    Returns the state (the given one, changed in place), or None when there is no state and
    no event: the plan does not exist. The cyclic garbage collector is paused meanwhile.
    """
    iterator = iter(events)
    if state is None:
        first = next(iterator, None)
        if first is None:
            return None
        state = evolve(None, first)
    with collector_paused():  # see pacflow.domain.collector
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
