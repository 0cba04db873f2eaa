"""Decisions of the re-actualisation (replanning) of a published plan, part of the decider.

A plan goes obsolete when its market, customers or team change; it is then revised: a
revision is opened with a reason, the plan is changed, the revision is published. Besides
the ordinary change commands, a revision takes these, each recorded with existing events
(so that every read model, calendar and report already follows them):

- dropping a target cancels the open steps of its tracks (`TargetDropped`, `StepCancelled`);
- a person leaving can hand their open steps over to a successor (`PersonLeft`,
  `StepAssigned`);
- `ReviseObjective` changes some fields of an objective (`ObjectiveSet`);
- `SetIndicatorTargetsFrom` sets one target from a period on (`IndicatorTargetsSet`);
- `RescheduleStepFrom` changes a recurrence from a date on (`StepMoved`,
  `OccurrencesUnscheduled`, `OccurrencesScheduled`);
- `ShiftSteps` moves the dates of a track's, or a target's, open steps (`StepMoved` for due
  dates, `OccurrenceMoved` for sessions and visits).

Whatever is already done, cancelled or moved by hand is a fact, and stays as it is.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pacflow.domain.commands import (
    Command,
    RescheduleStepFrom,
    ReviseObjective,
    SetIndicatorTargetsFrom,
    ShiftSteps,
)
from pacflow.domain.events import (
    IndicatorTargetsSet,
    ObjectiveSet,
    OccurrenceMoved,
    PlanEvent,
    StepAssigned,
    StepCancelled,
    StepMoved,
)
from pacflow.domain.rrule import first_moment
from pacflow.domain.rules import (
    FINISHED,
    active_person,
    get_indicator,
    get_step,
    get_track,
    live_target,
    require_in_period,
    require_indicator_period,
    require_not_closed,
    require_plan_change,
)
from pacflow.domain.schedule import (
    Cadence,
    DueDate,
    Recurrence,
    RecurrenceRule,
    Schedule,
    SessionList,
    expand,
)
from pacflow.domain.state import PlanState, Step, Track
from pacflow.domain.steps import occurrence_changes, same_slot
from pacflow.domain.values import (
    OccurrenceStatus,
    PlanStatus,
    check_local_time_exists,
    format_local,
    period_bounds,
    period_key,
    periods_between,
)
from pacflow.errors import InvalidInputError, NotFoundError, RuleViolationError

_TO_HOLD = (OccurrenceStatus.PLANNED, OccurrenceStatus.MOVED)
_HELD_OR_TO_HOLD = (*_TO_HOLD, OccurrenceStatus.DONE)


def require_open_revision(state: PlanState, command: Command, what: str) -> None:
    """Replanning commands apply inside an open revision, with a reason."""
    require_not_closed(state)
    if state.status is PlanStatus.DRAFT:
        raise RuleViolationError(
            f"{what}: plan {state.key} is a draft; replanning applies inside a revision of a "
            "published plan (change the draft directly)"
        )
    require_plan_change(state, command, what)


def _open_steps(state: PlanState, tracks: list[Track]) -> list[Step]:
    """The steps of `tracks` that are neither done nor cancelled, track by track, in order."""
    found: list[Step] = []
    for track in tracks:
        steps = sorted((state.steps[key] for key in track.steps), key=lambda step: step.order)
        found.extend(step for step in steps if step.status not in FINISHED)
    return found


def _tracks_of(state: PlanState, target: str) -> list[Track]:
    return [track for track in state.tracks.values() if track.target == target]


# --- target drop, person leave -----------------------------------------------------------


def cancel_open_steps(
    state: PlanState, target: str, on: date | None, reason: str | None
) -> list[PlanEvent]:
    """StepCancelled for every open step of the tracks serving `target`, on `on`."""
    steps = _open_steps(state, _tracks_of(state, target))
    if not steps:
        return []
    what = f"target {target}"
    if on is None:
        keys = ", ".join(step.key for step in steps)
        raise InvalidInputError(
            f"{what}: dropping it cancels its open steps ({keys}); give the date they are "
            "cancelled on"
        )
    if not state.period.holds(on):
        keys = ", ".join(step.key for step in steps)
        raise InvalidInputError(
            f"{what}: its open steps ({keys}) would be cancelled on {on.isoformat()}, outside "
            f"the plan period {state.period.text()}; give a date inside it (--on DATE)"
        )
    why = reason if reason is not None else f"target {target} dropped"
    return [StepCancelled(step=step.key, on=on, reason=why) for step in steps]


def reassign_open_steps(state: PlanState, person: str, successor: str) -> list[PlanEvent]:
    """StepAssigned handing `person`'s open steps (as responsible or participant) over."""
    what = f"person {person}"
    if successor == person:
        raise InvalidInputError(f"{what}: cannot hand their steps over to themselves")
    active_person(state, successor, "successor", what)
    events: list[PlanEvent] = []
    for step in state.steps.values():
        if step.status in FINISHED:
            continue
        if step.responsible != person and person not in step.participants:
            continue
        if step.occurrences and not any(
            state.occurrences[key].status in _TO_HOLD for key in step.occurrences
        ):
            continue  # its meetings are all behind it: who held them stays as recorded
        responsible = successor if step.responsible == person else step.responsible
        participants: list[str] = []
        for key in step.participants:
            key = successor if key == person else key
            if key != responsible and key not in participants:
                participants.append(key)
        events.append(
            StepAssigned(step=step.key, responsible=responsible, participants=tuple(participants))
        )
    return events


# --- objectives and indicator targets ----------------------------------------------------


def revise_objective(state: PlanState, command: ReviseObjective) -> list[PlanEvent]:
    """The objective with the fields given changed; nothing if they are what it says."""
    what = f"objective {command.objective} of target {command.target}"
    require_open_revision(state, command, what)
    live_target(state, command.target)
    current = state.objectives.get((command.target, command.objective))
    if current is None:
        known = sorted(key for target, key in state.objectives if target == command.target)
        has = f"target {command.target} has {', '.join(known)}" if known else "none yet"
        raise NotFoundError(
            f"{what}: no such objective in plan {state.key} ({has}); create it with "
            "`objective set`"
        )
    fields = ("statement", "value", "unit", "due")
    if all(getattr(command, name) is None for name in fields):
        raise InvalidInputError(
            f"{what}: nothing to revise; give a new value, due date, statement or unit"
        )
    if command.due is not None:
        require_in_period(state, command.due, "due date", what)
    revised = ObjectiveSet(
        target=current.target,
        objective=current.key,
        statement=command.statement if command.statement is not None else current.statement,
        value=command.value if command.value is not None else current.value,
        unit=command.unit if command.unit is not None else current.unit,
        due=command.due if command.due is not None else current.due,
        indicator=current.indicator,
        baseline=current.baseline,
    )
    unchanged = (current.statement, current.value, current.unit, current.due) == (
        revised.statement,
        revised.value,
        revised.unit,
        revised.due,
    )
    return [] if unchanged else [revised]


def set_targets_from(state: PlanState, command: SetIndicatorTargetsFrom) -> list[PlanEvent]:
    """One target for every period from `first` to the plan's end; earlier ones stay."""
    what = f"indicator {command.indicator}"
    require_plan_change(state, command, what)
    indicator = get_indicator(state, command.indicator)
    require_indicator_period(state, indicator, command.first, "first period", what)
    first_day = max(period_bounds(command.first, indicator.per)[0], state.start)
    changed = {
        period: command.value
        for period in periods_between(first_day, state.end, indicator.per)
        if indicator.targets.get(period) != command.value
    }
    if not changed:
        return []
    return [IndicatorTargetsSet(indicator=indicator.key, targets=changed)]


# --- step reschedule ---------------------------------------------------------------------


def reschedule_from(state: PlanState, command: RescheduleStepFrom) -> list[PlanEvent]:
    """The step's new rule from `from_date` on: planned occurrences from then leave, the new
    rule's occurrences from then come in; everything else stays."""
    what = f"step {command.step}"
    require_open_revision(state, command, what)
    step = get_step(state, command.step)
    if step.status in FINISHED:
        raise RuleViolationError(f"{what} is {step.status.value}; it cannot be rescheduled")
    if isinstance(step.schedule, DueDate):
        raise RuleViolationError(
            f"{what} is a task with a due date, not a series; move it with `step move` or "
            "`replan shift`"
        )
    require_in_period(state, command.from_date, "reschedule date", what)
    schedule = _new_schedule(step, command)
    since = command.from_date
    fresh = {
        slot.key: slot
        for slot in expand(step.key, schedule, state.period_for(step.responsible))
        if slot.start.date() >= since
    }
    if not fresh:
        raise InvalidInputError(
            f"{what}: the new schedule has no occurrence on or after {since.isoformat()}"
        )
    gone: list[str] = []
    for key in step.occurrences:
        occurrence = state.occurrences[key]
        replaced = (
            occurrence.status is OccurrenceStatus.PLANNED
            and occurrence.scheduled_start.date() >= since
        )
        if not replaced:
            fresh.pop(key, None)  # what was held, cancelled or moved stays, key included
        elif key in fresh and same_slot(occurrence, fresh[key]):
            del fresh[key]
        else:
            gone.append(key)
    events: list[PlanEvent] = []
    if schedule != step.schedule:
        events.append(StepMoved(step=step.key, schedule=schedule))
    return events + occurrence_changes(step.key, gone, fresh.values())


def _new_schedule(step: Step, command: RescheduleStepFrom) -> Schedule:
    what = f"step {step.key}"
    if (command.rrule is None) == (command.cadence is None):
        raise InvalidInputError(f"{what}: give the new recurrence rule or the new cadence")
    if command.cadence is not None:
        if command.dtstart is not None or command.duration is not None:
            raise InvalidInputError(
                f"{what}: a start time and a duration go with a recurrence rule, not a cadence"
            )
        cadence = command.cadence
        if cadence.first is None:
            cadence = Cadence(
                count=cadence.count,
                per=cadence.per,
                exceptions=cadence.exceptions,
                first=period_key(command.from_date, cadence.per),
                last=cadence.last,
            )
        return cadence
    assert command.rrule is not None
    at, duration = _current_time_and_duration(step.schedule)
    dtstart: date | datetime
    if command.dtstart is not None:
        dtstart = command.dtstart
    else:
        since = datetime.combine(command.from_date, at if at is not None else time.min)
        first = first_moment(step.key, command.rrule, since)
        if first is None:
            raise InvalidInputError(
                f"{what}: the new rule has no occurrence on or after "
                f"{command.from_date.isoformat()}"
            )
        dtstart = first if at is not None else first.date()
    return Recurrence(
        rules=(RecurrenceRule(dtstart=dtstart, rrule=command.rrule),),
        duration=command.duration if command.duration is not None else duration,
    )


def _current_time_and_duration(schedule: Schedule) -> tuple[time | None, timedelta | None]:
    """The time of day and the length of the step's occurrences so far (None: all day)."""
    if isinstance(schedule, Recurrence):
        start = schedule.rules[0].dtstart
        return (start.time() if isinstance(start, datetime) else None), schedule.duration
    if isinstance(schedule, SessionList):
        first = schedule.sessions[0]
        return (first.start.time() if isinstance(first.start, datetime) else None), (first.duration)
    return None, None


# --- replan shift ------------------------------------------------------------------------


def shift_steps(state: PlanState, command: ShiftSteps) -> list[PlanEvent]:
    """Every open step of the track (or of the target's tracks) moved by `days`."""
    if (command.track is None) == (command.target is None):
        raise InvalidInputError("shift: give a track or a target (one of them)")
    what = f"track {command.track}" if command.track is not None else f"target {command.target}"
    require_open_revision(state, command, what)
    if command.track is not None:
        tracks = [get_track(state, command.track)]
    else:
        assert command.target is not None
        live_target(state, command.target)
        tracks = _tracks_of(state, command.target)
    if command.days == 0:
        raise InvalidInputError(f"{what}: a shift of 0 days moves nothing")
    delta = timedelta(days=command.days)
    events: list[PlanEvent] = []
    for step in _open_steps(state, tracks):
        events.extend(_shift_step(state, step, delta, command.from_date))
    return events


def _shift_step(
    state: PlanState, step: Step, delta: timedelta, since: date | None
) -> list[PlanEvent]:
    schedule = step.schedule
    if isinstance(schedule, DueDate):
        if since is not None and schedule.due < since:
            return []
        start = schedule.start
        if start is not None and (since is None or start >= since):
            start += delta
        moved = DueDate(due=schedule.due + delta, start=start)
        expand(step.key, moved, state.period)  # dates outside the plan: an error naming the step
        return [StepMoved(step=step.key, schedule=moved)]
    moving = [
        occurrence
        for occurrence in (state.occurrences[key] for key in step.occurrences)
        if occurrence.status in _TO_HOLD and (since is None or occurrence.start.date() >= since)
    ]
    keys = {occurrence.key for occurrence in moving}
    taken = {
        occurrence.start: occurrence.key
        for occurrence in (state.occurrences[key] for key in step.occurrences)
        if occurrence.key not in keys and occurrence.status in _HELD_OR_TO_HOLD
    }
    events: list[PlanEvent] = []
    for occurrence in moving:
        start = occurrence.start + delta
        where = f"step {step.key}: occurrence {occurrence.key} would move to {format_local(start)}"
        if not state.period_for(step.responsible).holds_at(start, occurrence.all_day):
            raise InvalidInputError(f"{where}, outside the plan period {state.period.text()}")
        if not occurrence.all_day:
            moved_to = f"step {step.key}: occurrence {occurrence.key} moved to"
            check_local_time_exists(start, state.timezone, moved_to)
        if start in taken:
            raise RuleViolationError(f"{where}, where occurrence {taken[start]} already is")
        events.append(
            OccurrenceMoved(occurrence=occurrence.key, start=start, all_day=occurrence.all_day)
        )
    return events
