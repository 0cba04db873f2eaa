"""Decisions about steps and their occurrences (part of the decider)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time

from pacflow.domain.commands import (
    AddStep,
    AssignStep,
    BlockStep,
    CancelOccurrence,
    CancelStep,
    CompleteOccurrence,
    CompleteStep,
    EditStep,
    MoveOccurrence,
    MoveStep,
    StartStep,
)
from pacflow.domain.corrections import already_done, already_held
from pacflow.domain.events import (
    OccurrenceCancelled,
    OccurrenceCompleted,
    OccurrenceMoved,
    OccurrencesScheduled,
    OccurrencesUnscheduled,
    PlanEvent,
    StepAdded,
    StepAssigned,
    StepBlocked,
    StepCancelled,
    StepCompleted,
    StepEdited,
    StepMoved,
    StepStarted,
)
from pacflow.domain.localtime import same_moment
from pacflow.domain.rules import (
    FINISHED,
    Sequencing,
    active_people,
    active_person,
    check_sequencing,
    get_step,
    get_track,
    known_indicators,
    live_target,
    require_in_period,
    require_new_key,
    require_not_closed,
    require_plan_change,
    require_predecessor_done,
    require_reason,
    require_reason_unless_draft,
    runs_alongside,
)
from pacflow.domain.schedule import (
    Cadence,
    OccurrenceSlot,
    Schedule,
    as_start,
    expand,
    parse_occurrence_ref,
)
from pacflow.domain.state import Occurrence, PlanState, Step
from pacflow.domain.values import (
    OccurrenceStatus,
    StepStatus,
    check_local_time_exists,
    format_local,
    period_key,
)
from pacflow.errors import InvalidInputError, NotFoundError, RuleViolationError, Suggestion

# --- plan content ------------------------------------------------------------------------


def add_step(state: PlanState, command: AddStep) -> list[PlanEvent]:
    """A new step in a track, with its schedule's occurrences."""
    what = f"step {command.key}"
    require_plan_change(state, command, what)
    require_new_key(state, "step", command.key)
    track = get_track(state, command.track)
    if track.target is not None:
        live_target(state, track.target, of=f"track {track.key}")
    active_person(state, command.responsible, "responsible", what)
    active_people(state, command.participants, "participant", what)
    known_indicators(state, command.indicators, what)
    order = command.order
    if order is None:
        order = 1 + max((state.steps[key].order for key in track.steps), default=0)
    check_sequencing(
        state,
        Sequencing(
            command.key,
            track.key,
            order,
            command.predecessor,
            command.parallel,
            runs_alongside(command.schedule.kind),
        ),
    )
    slots = expand(command.key, command.schedule, state.period_for(command.responsible))
    events: list[PlanEvent] = [
        StepAdded(
            key=command.key,
            track=track.key,
            title=command.title,
            order=order,
            responsible=command.responsible,
            schedule=command.schedule,
            participants=command.participants,
            predecessor=command.predecessor,
            parallel=command.parallel,
            means=command.means,
            budget=command.budget,
            days=command.days,
            indicators=command.indicators,
            location=command.location,
        )
    ]
    if slots:
        events.append(OccurrencesScheduled(step=command.key, occurrences=slots))
    return events


def edit_step(state: PlanState, command: EditStep) -> list[PlanEvent]:
    """The step's description or sequencing as the command changes it; nothing if unchanged."""
    what = f"step {command.step}"
    require_plan_change(state, command, what)
    step = get_step(state, command.step)
    given = command.model_fields_set
    if "title" in given and command.title is None:
        raise InvalidInputError(f"{what}: the title cannot be removed")
    title = command.title if command.title is not None else step.title
    order = command.order if command.order is not None else step.order
    predecessor = command.predecessor if "predecessor" in given else step.predecessor
    parallel = command.parallel if command.parallel is not None else step.parallel
    # The last word wins: naming a predecessor ends parallelism and vice versa.
    if command.predecessor is not None and command.parallel is None:
        parallel = False
    if command.parallel and "predecessor" not in given:
        predecessor = None
    indicators = command.indicators if command.indicators is not None else step.indicators
    known_indicators(state, indicators, what)
    series = runs_alongside(step.schedule.kind)
    check_sequencing(state, Sequencing(step.key, step.track, order, predecessor, parallel, series))
    edited = StepEdited(
        step=step.key,
        title=title,
        order=order,
        predecessor=predecessor,
        parallel=parallel,
        means=command.means if "means" in given else step.means,
        budget=command.budget if "budget" in given else step.budget,
        days=command.days if "days" in given else step.days,
        indicators=indicators,
        location=command.location if "location" in given else step.location,
    )
    current = StepEdited(
        step=step.key,
        title=step.title,
        order=step.order,
        predecessor=step.predecessor,
        parallel=step.parallel,
        means=step.means,
        budget=step.budget,
        days=step.days,
        indicators=step.indicators,
        location=step.location,
    )
    return [] if edited == current else [edited]


def _open_step(step: Step, doing: str) -> None:
    if step.status in FINISHED:
        raise RuleViolationError(f"step {step.key} is {step.status.value}; it cannot be {doing}")


def move_step(state: PlanState, command: MoveStep) -> list[PlanEvent]:
    """A new schedule; planned occurrences it no longer holds leave, new ones come in.

    Occurrences already done, cancelled or moved are facts and stay, whatever the schedule.
    """
    require_plan_change(state, command, f"step {command.step}")
    step = get_step(state, command.step)
    _open_step(step, "rescheduled")
    if command.schedule == step.schedule:
        return []
    return [
        StepMoved(step=step.key, schedule=command.schedule),
        *reschedule(state, step, command.schedule),
    ]


def reschedule(state: PlanState, step: Step, schedule: Schedule) -> list[PlanEvent]:
    """Occurrence events that turn `step`'s occurrences into those of `schedule`."""
    slots = {
        slot.key: slot for slot in expand(step.key, schedule, state.period_for(step.responsible))
    }
    gone: list[str] = []
    for key in step.occurrences:
        occurrence = state.occurrences[key]
        if occurrence.status is not OccurrenceStatus.PLANNED:
            slots.pop(key, None)
        elif key not in slots or not same_slot(occurrence, slots[key]):
            gone.append(key)
        else:
            del slots[key]
    return occurrence_changes(step.key, gone, slots.values())


def occurrence_changes(
    step: str, gone: Sequence[str], added: Iterable[OccurrenceSlot]
) -> list[PlanEvent]:
    """The events that withdraw the occurrences `gone` of `step` and schedule `added`."""
    events: list[PlanEvent] = []
    if gone:
        events.append(OccurrencesUnscheduled(step=step, occurrences=tuple(gone)))
    slots = tuple(sorted(added, key=lambda slot: (slot.start, slot.key)))
    if slots:
        events.append(OccurrencesScheduled(step=step, occurrences=slots))
    return events


def same_slot(occurrence: Occurrence, slot: OccurrenceSlot) -> bool:
    """Whether `occurrence` is still planned as `slot` says (start, all day, duration)."""
    return (occurrence.scheduled_start, occurrence.all_day, occurrence.duration) == (
        slot.start,
        slot.all_day,
        slot.duration,
    ) and same_moment(occurrence.scheduled_start, slot.start)


def assign_step(state: PlanState, command: AssignStep) -> list[PlanEvent]:
    """A new responsible person, and new participants when given."""
    require_plan_change(state, command, f"step {command.step}")
    step = get_step(state, command.step)
    _open_step(step, "reassigned")
    active_person(state, command.responsible, "responsible", f"step {step.key}")
    participants = step.participants
    if command.participants is not None:
        active_people(state, command.participants, "participant", f"step {step.key}")
        participants = command.participants
    if (command.responsible, participants) == (step.responsible, step.participants):
        return []
    events: list[PlanEvent] = [
        StepAssigned(step=step.key, responsible=command.responsible, participants=participants)
    ]
    if isinstance(step.schedule, Cadence) and command.responsible != step.responsible:
        # The slots pacflow picked avoid the responsible's public holidays: the new one's
        # may be others (another country or region), so the planned slots are laid out again.
        handed = dataclasses.replace(step, responsible=command.responsible)
        events.extend(reschedule(state, handed, step.schedule))
    return events


# --- progress ----------------------------------------------------------------------------


def start_step(state: PlanState, command: StartStep) -> list[PlanEvent]:
    """Start a planned step, or resume a blocked one, once its predecessor is done."""
    require_not_closed(state)
    step = get_step(state, command.step)
    if step.status is StepStatus.IN_PROGRESS:
        raise RuleViolationError(f"step {step.key} is already in progress")
    _open_step(step, "started")
    require_in_period(state, command.on, "start date", f"step {step.key}")
    require_predecessor_done(state, step, "start", command.on)
    return [StepStarted(step=step.key, on=command.on)]


def complete_step(state: PlanState, command: CompleteStep) -> list[PlanEvent]:
    """Mark a step done, once its predecessor is done."""
    require_not_closed(state)
    step = get_step(state, command.step)
    if step.status is StepStatus.DONE:
        raise already_done(step, command.on, state.key)
    _open_step(step, "done")
    require_in_period(state, command.on, "done date", f"step {step.key}")
    if step.started_on is not None and command.on < step.started_on:
        raise InvalidInputError(
            f"step {step.key}: done on {command.on.isoformat()}, before it started "
            f"({step.started_on.isoformat()})"
        )
    require_predecessor_done(state, step, "be done", command.on)
    return [StepCompleted(step=step.key, on=command.on)]


def block_step(state: PlanState, command: BlockStep) -> list[PlanEvent]:
    """Mark a step blocked; the reason says by what."""
    require_not_closed(state)
    step = get_step(state, command.step)
    reason = require_reason(command, f"step {step.key}", "blocking a step")
    if step.status is StepStatus.BLOCKED:
        raise RuleViolationError(f"step {step.key} is already blocked ({step.blocked_reason})")
    _open_step(step, "blocked")
    require_in_period(state, command.on, "blocking date", f"step {step.key}")
    return [StepBlocked(step=step.key, on=command.on, reason=reason)]


def cancel_step(state: PlanState, command: CancelStep) -> list[PlanEvent]:
    """Cancel a step that is not finished; the reason says why."""
    require_not_closed(state)
    step = get_step(state, command.step)
    reason = require_reason(command, f"step {step.key}", "cancelling a step")
    _open_step(step, "cancelled")
    require_in_period(state, command.on, "cancellation date", f"step {step.key}")
    return [StepCancelled(step=step.key, on=command.on, reason=reason)]


# --- occurrences -------------------------------------------------------------------------


def find_occurrence(state: PlanState, text: str) -> Occurrence:
    """The occurrence a user means by `S08@2025-03-11` (or `...T14:00`).

    The key itself first; then the step's occurrence scheduled that day (at that time, if
    given); then one moved to that day, since that is the date its calendar now shows.
    """
    ref = parse_occurrence_ref(text)
    step = get_step(state, ref.step)
    exact = state.occurrences.get(ref.text)
    if exact is not None and exact.step == step.key:
        return exact
    candidates = [state.occurrences[key] for key in step.occurrences]
    for moment in ("scheduled_start", "start"):
        matching = [
            occurrence
            for occurrence in candidates
            if _matches(getattr(occurrence, moment), ref.day, ref.at)
        ]
        if len(matching) == 1:
            return matching[0]
        if len(matching) > 1:
            keys = ", ".join(occurrence.key for occurrence in matching)
            raise InvalidInputError(
                f"occurrence {ref.text}: step {step.key} has several occurrences then "
                f"({keys}); give the full key"
            )
    raise NotFoundError(
        f"occurrence {ref.text}: step {step.key} has no occurrence then in plan {state.key}"
    )


def _matches(moment: datetime, day: date, at: time | None) -> bool:
    if moment.date() != day:
        return False
    return at is None or moment.time().replace(second=0, microsecond=0) == at


def _open_occurrence(state: PlanState, occurrence: Occurrence, doing: str) -> None:
    step = state.steps[occurrence.step]
    if step.status is StepStatus.CANCELLED:
        raise RuleViolationError(
            f"occurrence {occurrence.key}: step {step.key} was cancelled; its occurrences "
            f"cannot be {doing}"
        )
    if occurrence.status is OccurrenceStatus.DONE:
        on = occurrence.done_on.isoformat() if occurrence.done_on else "already"
        raise RuleViolationError(
            f"occurrence {occurrence.key} was done ({on}); it cannot be {doing}",
            code="already-held",
            subject=occurrence.key,
            suggestion=Suggestion(
                ("visit", "reopen", state.key, occurrence.key),
                note="if it was not held",
                placeholders='--reason "…"',
            ),
        )
    if occurrence.status is OccurrenceStatus.CANCELLED:
        raise RuleViolationError(f"occurrence {occurrence.key} was cancelled; it cannot be {doing}")


def complete_occurrence(state: PlanState, command: CompleteOccurrence) -> list[PlanEvent]:
    """Mark one occurrence (one visit) held."""
    require_not_closed(state)
    occurrence = find_occurrence(state, command.occurrence)
    if occurrence.status is OccurrenceStatus.DONE:
        raise already_held(occurrence, command.on, state.key)
    _open_occurrence(state, occurrence, "done")
    # Without a date, it was held on the day it is scheduled on (its key, or where it moved),
    # as its calendar shows it: the responsible person's own day.
    responsible = state.steps[occurrence.step].responsible
    on = command.on if command.on is not None else state.own_day(responsible, occurrence.start)
    require_in_period(state, on, "done date", f"occurrence {occurrence.key}")
    return [OccurrenceCompleted(occurrence=occurrence.key, on=on)]


def cancel_occurrence(state: PlanState, command: CancelOccurrence) -> list[PlanEvent]:
    """Cancel one occurrence; the reason says why."""
    require_not_closed(state)
    occurrence = find_occurrence(state, command.occurrence)
    reason = require_reason(command, f"occurrence {occurrence.key}", "cancelling an occurrence")
    _open_occurrence(state, occurrence, "cancelled")
    return [OccurrenceCancelled(occurrence=occurrence.key, reason=reason)]


def move_occurrence(state: PlanState, command: MoveOccurrence) -> list[PlanEvent]:
    """Move one occurrence to another date or date-time inside the plan period."""
    require_not_closed(state)
    occurrence = find_occurrence(state, command.occurrence)
    what = f"occurrence {occurrence.key}"
    start, all_day = as_start(command.to)
    if not _pinned_within_its_period(state, occurrence, start):
        require_reason_unless_draft(state, command, what)
    _open_occurrence(state, occurrence, "moved")
    if not state.period_for(state.steps[occurrence.step].responsible).holds_at(start, all_day):
        raise InvalidInputError(
            f"{what}: new date {format_local(start)} is outside the plan period "
            f"{state.period.text()}"
        )
    if not all_day:
        check_local_time_exists(start, state.timezone, f"{what}: new time")
    duration = command.duration if command.duration is not None else occurrence.duration
    unchanged = (start, all_day, duration) == (
        occurrence.start,
        occurrence.all_day,
        occurrence.duration,
    )
    # Naive times compare equal whatever their fold: the second 02:30 is a move from the first.
    if unchanged and same_moment(start, occurrence.start):
        return []
    for key in state.steps[occurrence.step].occurrences:
        other = state.occurrences[key]
        if (
            key != occurrence.key
            and same_moment(other.start, start)
            and other.status in _HELD_OR_TO_HOLD
        ):
            raise RuleViolationError(
                f"{what}: occurrence {key} of the same step is already at {format_local(start)}"
            )
    return [
        OccurrenceMoved(
            occurrence=occurrence.key,
            start=start,
            all_day=all_day,
            duration=command.duration,
        )
    ]


def _pinned_within_its_period(state: PlanState, occurrence: Occurrence, start: datetime) -> bool:
    """Whether the move only says when a cadence visit will actually happen: pacflow spread
    "N per month" over dates of its own choosing, so the rep pinning one to a real day (and
    time) in the same period changes no plan and needs no reason."""
    schedule = state.steps[occurrence.step].schedule
    if not isinstance(schedule, Cadence):
        return False
    per = schedule.per
    return period_key(occurrence.scheduled_start.date(), per) == period_key(start.date(), per)


_HELD_OR_TO_HOLD = (OccurrenceStatus.PLANNED, OccurrenceStatus.MOVED, OccurrenceStatus.DONE)
