"""Corrections of progress recorded by mistake (part of the decider).

A step marked done, or a visit marked held, by mistake or on the wrong date is put right
by a new event, never by changing the one recorded: `StepReopened` and `OccurrenceReopened`
withdraw a completion, `StepDoneDateCorrected` and `OccurrenceDoneDateCorrected` replace its
date. Each carries the value it replaces and a reason (the actor travels in the metadata),
so the plan as it stood before the correction stays answerable, like an indicator value
corrected.

Sequencing still holds after a correction: a step whose successor already started cannot be
reopened (reopen the successor first), and a done date cannot move after the day a
successor started or was done, nor before the predecessor was done.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pacflow.domain.commands import (
    CorrectOccurrenceDone,
    CorrectStepDone,
    RemoveStep,
    ReopenOccurrence,
    ReopenStep,
)
from pacflow.domain.events import (
    IndicatorValueCorrected,
    IndicatorValueRecorded,
    OccurrenceCompleted,
    OccurrenceDoneDateCorrected,
    OccurrenceReopened,
    OccurrencesUnscheduled,
    PlanEvent,
    StepBlocked,
    StepCompleted,
    StepDoneDateCorrected,
    StepRemoved,
    StepReopened,
    StepStarted,
)
from pacflow.domain.facts import finished_on
from pacflow.domain.rules import (
    get_step,
    predecessors,
    require_in_period,
    require_not_closed,
    require_predecessor_done,
    require_reason,
)
from pacflow.domain.state import Occurrence, PlanState, Step
from pacflow.domain.values import OccurrenceStatus, PlanStatus, StepStatus, period_bounds
from pacflow.errors import InvalidInputError, RuleViolationError, Suggestion


def _done_step(state: PlanState, key: str, doing: str) -> tuple[Step, date]:
    step = get_step(state, key)
    if step.status is not StepStatus.DONE or step.done_on is None:
        raise RuleViolationError(
            f"step {step.key} is {step.status.value}, not done; there is no completion to "
            f"{doing}",
            code="not-done",
            subject=step.key,
        )
    return step, step.done_on


def _successors_under_way(state: PlanState, step: Step) -> list[Step]:
    """Steps that wait for `step` and already started, were blocked or were done."""
    waiting = [key for key, before in predecessors(state).items() if before == step.key]
    return [
        state.steps[key]
        for key in waiting
        if state.steps[key].status in (StepStatus.IN_PROGRESS, StepStatus.BLOCKED, StepStatus.DONE)
    ]


def reopen_step(state: PlanState, command: ReopenStep) -> list[PlanEvent]:
    """Withdraw a step's completion: it is in progress again if it had started, else planned."""
    require_not_closed(state)
    reason = require_reason(command, f"step {command.step}", "reopening a step")
    step, done_on = _done_step(state, command.step, "withdraw")
    under_way = _successors_under_way(state, step)
    if under_way:
        successor = under_way[0]
        raise RuleViolationError(
            f"step {step.key} cannot be reopened: step {successor.key}, which waits for it, is "
            f"{successor.status.value}; reopen or correct {successor.key} first",
            code="successor-under-way",
            subject=successor.key,
        )
    return [StepReopened(step=step.key, previous=done_on, reason=reason)]


def correct_step_done(state: PlanState, command: CorrectStepDone) -> list[PlanEvent]:
    """Replace the date a step was done on; nothing when it is that date already."""
    require_not_closed(state)
    what = f"step {command.step}"
    reason = require_reason(command, what, "correcting a done date")
    step, done_on = _done_step(state, command.step, "correct")
    if command.on == done_on:
        return []
    require_in_period(state, command.on, "done date", what)
    if step.started_on is not None and command.on < step.started_on:
        raise InvalidInputError(
            f"{what}: done on {command.on.isoformat()}, before it started "
            f"({step.started_on.isoformat()})"
        )
    require_predecessor_done(state, step, "be done", command.on)
    for successor in _successors_under_way(state, step):
        began = successor.started_on or successor.done_on or successor.blocked_on
        if began is not None and began < command.on:
            raise RuleViolationError(
                f"{what} cannot be done on {command.on.isoformat()}: step {successor.key}, "
                f"which waits for it, is {successor.status.value} since {began.isoformat()}",
                code="successor-under-way",
                subject=successor.key,
            )
    return [StepDoneDateCorrected(step=step.key, on=command.on, previous=done_on, reason=reason)]


def _held(state: PlanState, text: str, doing: str) -> tuple[Occurrence, date]:
    from pacflow.domain.steps import find_occurrence

    occurrence = find_occurrence(state, text)
    if occurrence.status is not OccurrenceStatus.DONE or occurrence.done_on is None:
        raise RuleViolationError(
            f"occurrence {occurrence.key} is {occurrence.status.value}, not held; there is "
            f"nothing to {doing}",
            code="not-held",
            subject=occurrence.key,
        )
    return occurrence, occurrence.done_on


def reopen_occurrence(state: PlanState, command: ReopenOccurrence) -> list[PlanEvent]:
    """Withdraw an occurrence's being held: it is to be held again, where it now stands."""
    require_not_closed(state)
    reason = require_reason(command, f"occurrence {command.occurrence}", "un-holding a visit")
    occurrence, done_on = _held(state, command.occurrence, "withdraw")
    step = state.steps[occurrence.step]
    if step.status is not StepStatus.DONE and finished_on(state, step)[0]:
        # Its step is done by its visits (`pacflow.domain.facts`): un-holding one reopens
        # it, which its successors under way forbid as they forbid `step reopen`.
        under_way = _successors_under_way(state, step)
        if under_way:
            successor = under_way[0]
            raise RuleViolationError(
                f"occurrence {occurrence.key} cannot be un-held: its step {step.key} would be "
                f"open again while step {successor.key}, which waits for it, is "
                f"{successor.status.value}; reopen or correct {successor.key} first",
                code="successor-under-way",
                subject=successor.key,
            )
    return [OccurrenceReopened(occurrence=occurrence.key, previous=done_on, reason=reason)]


def correct_occurrence_done(state: PlanState, command: CorrectOccurrenceDone) -> list[PlanEvent]:
    """Replace the date an occurrence was held on; nothing when it is that date already."""
    require_not_closed(state)
    what = f"occurrence {command.occurrence}"
    reason = require_reason(command, what, "correcting a held date")
    occurrence, done_on = _held(state, command.occurrence, "correct")
    if command.on == done_on:
        return []
    require_in_period(state, command.on, "held date", f"occurrence {occurrence.key}")
    return [
        OccurrenceDoneDateCorrected(
            occurrence=occurrence.key, on=command.on, previous=done_on, reason=reason
        )
    ]


def already_done(step: Step, on: date, plan: str) -> RuleViolationError:
    """The error for marking done a step that is done already, pointing at the correction
    when the dates differ."""
    assert step.done_on is not None
    if on == step.done_on:
        return RuleViolationError(
            f"step {step.key} is already done ({step.done_on.isoformat()})",
            code="already-done",
            subject=step.key,
        )
    return RuleViolationError(
        f"step {step.key} is already done ({step.done_on.isoformat()})",
        code="already-done",
        subject=step.key,
        suggestion=Suggestion(
            ("step", "correct", plan, step.key),
            note="to correct its date",
            placeholders=f'--on {on.isoformat()} --reason "…"',
        ),
    )


def already_held(occurrence: Occurrence, on: date | None, plan: str) -> RuleViolationError:
    """The error for marking held a visit held already, pointing at the correction."""
    assert occurrence.done_on is not None
    day = on.isoformat() if on is not None else "DATE"
    return RuleViolationError(
        f"occurrence {occurrence.key} was already held ({occurrence.done_on.isoformat()})",
        code="already-held",
        subject=occurrence.key,
        suggestion=Suggestion(
            ("visit", "correct", plan, occurrence.key),
            placeholders=f'--on {day} --reason "…"',
        ),
    )


# --- progress is recorded once it happened -----------------------------------------------


def _progress_date(event: PlanEvent) -> tuple[str, str, date] | None:
    """(subject, what the date is, the date) of an event recording progress, else None."""
    if isinstance(event, StepStarted):
        return f"step {event.step}", "start date", event.on
    if isinstance(event, StepCompleted | StepDoneDateCorrected):
        return f"step {event.step}", "done date", event.on
    if isinstance(event, StepBlocked):
        return f"step {event.step}", "blocking date", event.on
    if isinstance(event, OccurrenceCompleted | OccurrenceDoneDateCorrected):
        return f"occurrence {event.occurrence}", "held date", event.on
    return None


def refuse_future_progress(
    events: Iterable[PlanEvent], today: date, state: PlanState | None = None
) -> None:
    """Refuse progress dated after `today` (the plan's local date): a step is done, a visit
    held, once it happened, and an indicator's actual value is for a period already begun;
    planning the future is what schedules and targets are for. `state` (the plan after the
    events) tells an indicator's periods."""
    for event in events:
        found = _progress_date(event)
        if found is not None and found[2] > today:
            subject, what, day = found
            raise InvalidInputError(
                f"{subject}: {what} {day.isoformat()} is in the future (today is "
                f"{today.isoformat()}); record it once it has happened",
                code="future-date",
                subject=subject.split(" ", 1)[1],
            )
        begins = _value_period_start(event, state) if state is not None else None
        if begins is not None and begins > today:
            assert isinstance(event, IndicatorValueRecorded | IndicatorValueCorrected)
            raise InvalidInputError(
                f"indicator {event.indicator}: period {event.period} has not begun (today is "
                f"{today.isoformat()}); record its value once it has",
                code="future-period",
                subject=event.indicator,
            )


def _value_period_start(event: PlanEvent, state: PlanState) -> date | None:
    if not isinstance(event, IndicatorValueRecorded | IndicatorValueCorrected):
        return None
    indicator = state.indicators.get(event.indicator)
    if indicator is None:
        return None
    return period_bounds(event.period, indicator.per)[0]


# --- withdrawing a mistake from a draft --------------------------------------------------


def remove_step(state: PlanState, command: RemoveStep) -> list[PlanEvent]:
    """Take a step out of a draft: its planned occurrences leave, then the step itself.

    Only a draft (after approval the plan as communicated is history: cancel the step), and
    only a step nothing else refers to and with no progress recorded.
    """
    require_not_closed(state)
    step = get_step(state, command.step)
    what = f"step {step.key}"
    if state.status is not PlanStatus.DRAFT:
        raise RuleViolationError(
            f"{what}: plan {state.key} is {state.status.value}; only a draft's steps can be "
            "removed (cancel it, with a reason)",
            code="not-a-draft",
            subject=step.key,
            suggestion=Suggestion(
                ("step", "cancel", state.key, step.key), placeholders='--reason "…"'
            ),
        )
    require_no_progress(state, step, what, "cancel it instead")
    for other in state.steps.values():
        if other.predecessor == step.key:
            raise RuleViolationError(
                f"{what}: step {other.key} waits for it; change that first",
                code="referenced",
                subject=other.key,
            )
    for indicator in state.indicators.values():
        if indicator.derived is not None and step.key in indicator.derived.steps:
            raise RuleViolationError(
                f"{what}: indicator {indicator.key} is counted from it; change that first",
                code="referenced",
                subject=indicator.key,
            )
    return step_removal(step)


def require_no_progress(state: PlanState, step: Step, what: str, instead: str) -> None:
    """Refuse to take out a step with progress recorded (started, done, blocked, cancelled,
    or an occurrence held or cancelled): that is history, not a typo."""
    progressed = step.status is not StepStatus.PLANNED or step.started_on is not None
    held = [
        key
        for key in step.occurrences
        if state.occurrences[key].status in (OccurrenceStatus.DONE, OccurrenceStatus.CANCELLED)
    ]
    if progressed or held:
        raise RuleViolationError(
            f"{what} has progress recorded ({step.status.value}"
            + (f", {len(held)} occurrence(s) held or cancelled" if held else "")
            + f"); {instead}",
            code="has-progress",
            subject=step.key,
        )


def step_removal(step: Step) -> list[PlanEvent]:
    """The events taking `step` out: its occurrences unscheduled, then the step."""
    events: list[PlanEvent] = []
    if step.occurrences:
        events.append(OccurrencesUnscheduled(step=step.key, occurrences=tuple(step.occurrences)))
    return [*events, StepRemoved(step=step.key)]
