"""What a plan puts in calendars: one item per due-date step, one per visit or session.

Pure functions from `PlanState` to `CalendarItem`s, plain data that `integrations.ics`
renders and that `integrations.revisions` compares from one event to the next. Choices:

- A step with a due date (no occurrences) is a task (VTODO). A step with sessions, a
  recurrence or a cadence is one event (VEVENT) per occurrence and gets **no** task of its
  own: the rep marks visits held one by one, and a second, recurring "done" switch would
  compete with them (todoman even clones completed recurring tasks under a new UID).
- An item belongs to the step's **responsible** person: it goes to their calendar only;
  a visit already held belongs to who held it (`Occurrence.held_by`), so that handing the
  step to someone else later moves only the visits still to hold to their calendar.
  Participants are named in the description, not invited (no ATTENDEE: servers that
  schedule would e-mail invitations) and not copied into their calendars, so that each
  item has one owner who can tick it.
- Event times are shown in the responsible person's time zone when they have one, else
  in the plan's (in UTC when the local time is one of two repeated ones: readers do not
  agree on which a TZID time names there); all-day occurrences are dates. The end is
  exact (start plus duration in absolute time); a timed occurrence without a duration
  lasts an hour (`DEFAULT_LENGTH`), so that no reader has to guess.
- An occurrence on a public holiday of its responsible person says so in its description
  (and has the category `holiday`); `pacflow check` flags it (`visit-on-holiday`).
- UIDs use only `[A-Za-z0-9.+-]`: parts are separated by `.`, and any other character of a
  key is written `+XX` per UTF-8 byte, so `PAC-2025` / `S08` / `2025-03-11` gives
  `PAC-2025.S08.2025-03-11.pacflow` and distinct keys always give distinct UIDs.
"""

from __future__ import annotations

import string
from collections.abc import Container, Iterable
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pacflow.domain import PlanState
from pacflow.domain.daysoff import DaysOff
from pacflow.domain.localtime import instant, kind_of, same_moment
from pacflow.domain.schedule import DueDate, shift_of
from pacflow.domain.state import Occurrence, Step
from pacflow.domain.values import OccurrenceStatus, StepStatus
from slotted import FrozenValue, frozen_record

UID_SUFFIX = "pacflow"
_UTC = ZoneInfo("UTC")
DEFAULT_LENGTH = timedelta(hours=1)
"""How long a timed occurrence without a duration lasts in calendars (readers would guess)."""
_UID_SAFE = frozenset(string.ascii_letters + string.digits + "-")


class ItemKind(StrEnum):
    """Which iCalendar component an item becomes."""

    TODO = "VTODO"
    EVENT = "VEVENT"


@frozen_record
class CalendarItem(FrozenValue):
    """One task or event as a calendar shows it, before iCalendar encoding.

    Event times are aware (in `timezone`), or dates for all-day occurrences; `status` is
    the iCalendar STATUS; `plan_status` is the step's or occurrence's status in the plan.
    """

    uid: str
    kind: ItemKind
    plan: str
    step: str
    occurrence: str | None
    owner: str
    summary: str
    timezone: str
    start: datetime | date | None
    end: datetime | date | None
    due: date | None
    status: str
    plan_status: str
    completed: date | None
    priority: int
    categories: tuple[str, ...]
    description: str
    location: str | None

    def significant(self) -> tuple[object, ...]:
        """The fields whose change raises SEQUENCE: time, status and owner."""
        return (self.start, self.end, self.due, self.status, self.plan_status, self.owner)


def uid_part(text: str) -> str:
    """`text` with every character outside `[A-Za-z0-9-]` written `+XX` per UTF-8 byte."""
    return "".join(
        char if char in _UID_SAFE else "".join(f"+{byte:02X}" for byte in char.encode())
        for char in text
    )


def step_uid(plan: str, step: str) -> str:
    """The UID of a step's task: `PAC-2025.S10.pacflow`."""
    return f"{uid_part(plan)}.{uid_part(step)}.{UID_SUFFIX}"


def occurrence_uid(plan: str, step: str, occurrence: str) -> str:
    """The UID of one occurrence's event: `PAC-2025.S08.2025-03-11.pacflow`."""
    return f"{uid_part(plan)}.{uid_part(step)}.{_when(step, occurrence)}.{UID_SUFFIX}"


def _when(step: str, occurrence: str) -> str:
    """The UID part of an occurrence key: what follows `STEP@`, encoded."""
    return uid_part(occurrence.removeprefix(f"{step}@"))


def calendar_items(
    state: PlanState,
    *,
    person: str | None = None,
    steps: Iterable[str] | None = None,
    waited_for: Container[str] | None = None,
) -> list[CalendarItem]:
    """The items of the plan (of `person`'s calendar, of `steps` only), in plan order.

    `waited_for` holds the keys of the steps another, non-parallel step waits for (their
    tasks are high priority); without it they are found from `state`, which costs a look
    at every step.
    """
    chosen = state.steps.values() if steps is None else (state.steps[key] for key in steps)
    if waited_for is None:
        waited_for = {
            other.predecessor
            for other in state.steps.values()
            if other.predecessor is not None and not other.parallel
        }
    items: list[CalendarItem] = []
    for step in chosen:
        if isinstance(step.schedule, DueDate):
            if person is not None and step.responsible != person:
                continue
            priority = 1 if step.key in waited_for else 5
            items.append(_todo(state, step, _context(state, step), step.schedule, priority))
            continue
        contexts: dict[tuple[str, tuple[str, ...]], _Context] = {}
        for key in step.occurrences:
            occurrence = state.occurrences[key]
            owner, others = item_people(step, occurrence)
            if person is not None and owner != person:
                continue
            context = contexts.get((owner, others))
            if context is None:
                context = contexts[(owner, others)] = _context(state, step, owner, others)
            items.append(_event(state, step, context, occurrence, owner))
    return items


def item_people(step: Step, occurrence: Occurrence) -> tuple[str, tuple[str, ...]]:
    """Whose calendar an occurrence's event belongs to, and who else its description names:
    once held, who held it and with whom (the past stays as recorded: a later reassignment
    moves only the visits still to hold), else the step's responsible and participants."""
    if occurrence.status is OccurrenceStatus.DONE and occurrence.held_by is not None:
        return occurrence.held_by, occurrence.held_with
    return step.responsible, step.participants


def occurrence_item(state: PlanState, occurrence: str) -> CalendarItem:
    """The event of one occurrence (cheaper than every item of its step)."""
    found = state.occurrences[occurrence]
    step = state.steps[found.step]
    owner, others = item_people(step, found)
    return _event(state, step, _context(state, step, owner, others), found, owner)


@frozen_record
class _Context(FrozenValue):
    """What every item of one step shares."""

    uid_prefix: str
    categories: tuple[str, ...]
    description: tuple[str, ...]
    timezone: str
    days_off: DaysOff


def _context(
    state: PlanState,
    step: Step,
    owner: str | None = None,
    participants: tuple[str, ...] | None = None,
) -> _Context:
    """What `owner`'s items of `step` share, naming `participants` (default: the step's
    responsible person and participants); times are shown in the owner's time zone."""
    owner = owner if owner is not None else step.responsible
    participants = participants if participants is not None else step.participants
    person = state.people.get(owner)
    timezone = person.timezone if person is not None and person.timezone else state.timezone
    return _Context(
        f"{uid_part(state.key)}.{uid_part(step.key)}.",
        _categories(state, step),
        _description(state, step, owner, participants),
        timezone,
        state.days_off(step.responsible),
    )


# --- tasks -------------------------------------------------------------------------------

_TODO_STATUS = {
    StepStatus.PLANNED: "NEEDS-ACTION",
    StepStatus.IN_PROGRESS: "IN-PROCESS",
    StepStatus.BLOCKED: "IN-PROCESS",
    StepStatus.DONE: "COMPLETED",
    StepStatus.CANCELLED: "CANCELLED",
}


def _todo(
    state: PlanState, step: Step, context: _Context, schedule: DueDate, priority: int
) -> CalendarItem:
    """A task; `priority` is 1 (high) when another step waits for this one, else 5."""
    status = _TODO_STATUS[step.status]
    blocked = step.status is StepStatus.BLOCKED
    if blocked and step.started_on is None:
        status = "NEEDS-ACTION"
    return CalendarItem(
        uid=context.uid_prefix + UID_SUFFIX,
        kind=ItemKind.TODO,
        plan=state.key,
        step=step.key,
        occurrence=None,
        owner=step.responsible,
        summary=step.title,
        timezone=state.timezone,
        start=schedule.start,
        end=None,
        due=schedule.due,
        status=status,
        plan_status=step.status.value,
        completed=step.done_on if step.status is StepStatus.DONE else None,
        priority=priority,
        categories=(*context.categories, "blocked") if blocked else context.categories,
        description="\n".join((*context.description, f"pacflow: {state.key} step {step.key}")),
        location=step.location,
    )


# --- events ------------------------------------------------------------------------------


def _event(
    state: PlanState, step: Step, context: _Context, occurrence: Occurrence, owner: str
) -> CalendarItem:
    start: datetime | date
    end: datetime | date | None
    if occurrence.all_day:
        start = occurrence.start.date()
        days = max(1, occurrence.duration.days) if occurrence.duration else 1
        end = start + timedelta(days=days)
    else:
        begins = instant(occurrence.start, occurrence.timezone)
        # Exact: the end is the start plus the duration in absolute time (90 minutes from
        # 01:45 on fall-back day end at 02:15 the second time), and every event has one.
        ends = begins + (occurrence.duration or DEFAULT_LENGTH)
        start, end = _shown(begins, context.timezone), _shown(ends, context.timezone)
    # A visit already held stays held when its step is cancelled later (a target dropped,
    # say): only the visits still to come are called off.
    cancelled = occurrence.status is OccurrenceStatus.CANCELLED or (
        step.status is StepStatus.CANCELLED and occurrence.status is not OccurrenceStatus.DONE
    )
    moved = not same_moment(occurrence.start, occurrence.scheduled_start)
    flags = (("done", occurrence.status is OccurrenceStatus.DONE), ("moved", moved))
    lines = list(context.description)
    if occurrence.cancel_reason:
        lines.append(f"Cancelled: {occurrence.cancel_reason}")
    if moved:
        lines.append(f"Moved from {_local_text(occurrence.scheduled_start)}")
    else:
        asked = shift_of(step.schedule, occurrence.start, occurrence.timezone)
        if asked is not None:
            lines.append(
                f"At {occurrence.start:%H:%M}, not {asked:%H:%M}: {asked:%H:%M} does not exist "
                f"on {asked.date().isoformat()} in {occurrence.timezone} (RFC 5545)"
            )
    holiday = context.days_off.holiday(occurrence.start.date())
    if holiday is not None and not cancelled:
        lines.append(f"Public holiday in {context.days_off.country}: {holiday}")
    lines.append(f"pacflow: {state.key} step {step.key}, occurrence {occurrence.key}")
    return CalendarItem(
        uid=f"{context.uid_prefix}{_when(step.key, occurrence.key)}.{UID_SUFFIX}",
        kind=ItemKind.EVENT,
        plan=state.key,
        step=step.key,
        occurrence=occurrence.key,
        owner=owner,
        summary=step.title,
        timezone=context.timezone,
        start=start,
        end=end,
        due=None,
        status="CANCELLED" if cancelled else "CONFIRMED",
        plan_status=occurrence.status.value,
        completed=occurrence.done_on,
        priority=0,
        categories=(
            *context.categories,
            *(name for name, on in flags if on),
            *(("holiday",) if holiday is not None and not cancelled else ()),
        ),
        description="\n".join(lines),
        location=step.location,
    )


def _shown(at: datetime, timezone: str) -> datetime:
    """An instant as an event time: in the person's zone, or in UTC when the local time is
    one of two repeated ones. RFC 5545 (3.3.5) says a TZID time there names the first, but
    readers differ: khal, through icalendar's pytz provider, takes the second, and would
    end a 30-minute visit at the first 02:30 before it starts. UTC has one reading."""
    moment = at.astimezone(ZoneInfo(timezone))
    if kind_of(moment.replace(tzinfo=None, fold=0), timezone) == "repeated":
        return at.astimezone(_UTC)
    return moment


# --- text --------------------------------------------------------------------------------


def _categories(state: PlanState, step: Step) -> tuple[str, ...]:
    track = state.tracks[step.track]
    found: list[str] = [track.domain.value]
    if track.approach is not None:
        found.append(track.approach.value)
    target = state.targets.get(track.target) if track.target else None
    if target is not None:
        found.append(target.title)
    return tuple(found)


def _name(state: PlanState, key: str) -> str:
    person = state.people.get(key)
    return f"{person.name} ({key})" if person is not None else key


def _description(
    state: PlanState, step: Step, responsible: str, participants: tuple[str, ...]
) -> tuple[str, ...]:
    """The lines every item of the step shows: plan, target, objective, track, people (for
    a visit held: who held it and with whom)."""
    track = state.tracks[step.track]
    lines = [f"Plan {state.key}: {state.title}"]
    target = state.targets.get(track.target) if track.target else None
    if target is not None:
        lines.append(f"Target (cible) {target.key}: {target.title}")
        objective = state.objectives.get((target.key, "main"))
        if objective is not None:
            lines.append(
                f"Objective: {objective.statement} ({objective.value} {objective.unit} "
                f"by {objective.due.isoformat()})"
            )
    lines.append(f"Track (piste d'action) {track.key}: {track.title}")
    if step.means:
        lines.append(f"Means: {step.means}")
    lines.append(f"Responsible: {_name(state, responsible)}")
    if participants:
        lines.append("Participants: " + ", ".join(_name(state, key) for key in participants))
    if step.status is StepStatus.BLOCKED and step.blocked_reason:
        lines.append(f"Blocked: {step.blocked_reason}")
    if step.status is StepStatus.CANCELLED and step.cancel_reason:
        lines.append(f"Step cancelled: {step.cancel_reason}")
    return tuple(lines)


def _local_text(moment: datetime) -> str:
    if moment.time() == time():
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%d %H:%M")
