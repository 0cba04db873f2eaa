"""Visits held outside their step's schedule (part of the decider).

A rep who went to see a customer a third time in May, when the series planned two, records
what happened: an extra occurrence of the step, held on that day. Like a visit done, it is
a progress fact (no revision, no reason); it counts wherever held visits count (derived
indicators, `check`, reports) and goes to the rep's calendar like the others. It is recorded
with the events the plan already knows (`OccurrencesScheduled` for the one occurrence, then
`OccurrenceCompleted`), so every view reads it without learning anything new; and since it
is done, a later rescheduling of the step leaves it where it is.

A planned occurrence the same day is not an extra visit: that one is marked done.
"""

from __future__ import annotations

from pacflow.domain.commands import RecordUnscheduledOccurrence
from pacflow.domain.events import OccurrenceCompleted, OccurrencesScheduled, PlanEvent
from pacflow.domain.rules import get_step, require_in_period, require_not_closed
from pacflow.domain.schedule import OccurrenceSlot, as_start, occurrence_key
from pacflow.domain.state import PlanState
from pacflow.domain.values import OccurrenceStatus, StepStatus, check_local_time_exists
from pacflow.errors import InvalidInputError, RuleViolationError, Suggestion


def record_unscheduled(state: PlanState, command: RecordUnscheduledOccurrence) -> list[PlanEvent]:
    """An extra occurrence of a visit series or session list, held at `command.at`."""
    require_not_closed(state)
    step = get_step(state, command.step)
    what = f"step {step.key}"
    if step.schedule.kind == "due":
        raise InvalidInputError(
            f"{what} is a task with a due date, not visits or sessions; mark it done instead",
            code="not-a-visit-step",
            subject=step.key,
            suggestion=Suggestion(("step", "done", state.key, step.key)),
        )
    if step.status is StepStatus.CANCELLED:
        raise RuleViolationError(f"{what} was cancelled; it takes no more visits")
    start, all_day = as_start(command.at)
    day = start.date() if all_day else state.own_day(step.responsible, start)  # theirs
    require_in_period(state, day, "visit date", what)
    if not all_day:
        check_local_time_exists(start, state.timezone, f"{what}: visit time")
    same_day = [
        state.occurrences[key]
        for key in step.occurrences
        if state.occurrences[key].start.date() == start.date()
    ]
    planned = [
        o for o in same_day if o.status in (OccurrenceStatus.PLANNED, OccurrenceStatus.MOVED)
    ]
    if planned:
        raise RuleViolationError(
            f"{what} has {planned[0].key} planned on {start.date().isoformat()}: mark that "
            "one done",
            code="occurrence-planned-that-day",
            subject=planned[0].key,
            suggestion=Suggestion(("visit", "done", state.key, planned[0].key)),
        )
    taken = set(step.occurrences)
    key = occurrence_key(step.key, start, with_time=bool(same_day) and not all_day)
    if key in taken:
        raise RuleViolationError(
            f"{what} already has an occurrence {key}; give the time of this visit "
            "(e.g. 2026-05-20T14:00)",
            code="occurrence-exists",
            subject=key,
        )
    slot = OccurrenceSlot(key=key, start=start, all_day=all_day, duration=command.duration)
    return [
        OccurrencesScheduled(step=step.key, occurrences=(slot,)),
        OccurrenceCompleted(occurrence=key, on=day),
    ]
