"""What a rep did in their calendar, and what the plan makes of it (docs/calendars.md).

Ownership: the plan owns what and when (steps, due dates, visit series); the rep owns
completion of their tasks, and may move or cancel a single visit. So:

| in the calendar                  | in the plan                                           |
| -------------------------------- | ----------------------------------------------------- |
| task completed                   | step done on the COMPLETED date (else the sync's day) |
| task un-ticked                   | step reopened (its completion withdrawn)              |
| visit moved                      | occurrence moved, unless the plan changed it too      |
| visit cancelled or deleted       | occurrence cancelled, unless the plan changed it too  |
| anything else the plan owns      | not taken: the plan's version is written back         |

A change the plan does not take (both sides changed the item since the last sync, the
item left the rep's calendar, or a rule refuses it) is recorded as
`CalendarChangeOverridden`, with the rep as actor: nothing is silently lost.

The shape of a foreign item is never trusted. An item must be of the type pacflow wrote
for its UID (a task put at a visit's UID is not the completion of the visit's whole step),
and every date and integer read from it is range-checked: a date outside
`SUPPORTED_YEARS` makes the item unreadable, an out-of-range SEQUENCE is capped at
iCalendar's own limit. Either way the change is recorded as not taken and the plan's
version is written back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from integrations.items import CalendarItem, occurrence_uid, step_uid
from integrations.sync_state import ItemState
from pacflow.domain import Command, PlanState
from pacflow.domain import commands as c
from pacflow.domain.localtime import SUPPORTED_YEARS
from pacflow.domain.values import OccurrenceStatus, StepStatus
from slotted import FrozenValue, frozen_record

PLAN_WINS = "the plan changed this item too since the last sync, and the plan owns what and when"
MAX_SEQUENCE = 2**31 - 1
"""iCalendar's INTEGER range (RFC 5545 §3.3.8): a higher SEQUENCE is read as this."""
_MOMENTS = ("COMPLETED", "DTSTART", "DTEND", "DUE")


class _Unreadable(Exception):
    """A value in an item that pacflow will not take (the message says which and why)."""


@frozen_record
class Remote(FrozenValue):
    """One item as the calendar holds it now (the fields the sync compares)."""

    uid: str
    kind: str
    status: str
    done: bool
    completed: datetime | None
    start: str | None
    end: str | None
    due: str | None
    start_value: datetime | date | None
    sequence: int
    stamp: str | None
    alarms: str = ""  # the reminders (VALARM) the rep set, as iCalendar text
    unreadable: str | None = None
    """Why the item cannot be taken as it is (a date out of range, say); None if it can."""


def moment_text(value: object, timezone: str) -> str | None:
    """A start, end or due as compared: dates as dates, times in UTC (floating: local)."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(timezone))
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return None


def parse_remote(data: bytes, timezone: str) -> Remote | None:
    """The first task or event in `data`; None when there is none or `data` is no calendar.

    An item whose UID can be read but whose values cannot be taken (a date out of
    `SUPPORTED_YEARS`, a value that does not parse) comes back with `unreadable` saying why.
    """
    try:
        calendar = Calendar.from_ical(data)
        found = [
            part for part in calendar.walk() if part.name in ("VTODO", "VEVENT") and "UID" in part
        ]
    except (ValueError, TypeError, KeyError, OverflowError):
        return None
    if not found:
        return None
    component = found[0]
    try:
        return _remote(component, timezone)
    except _Unreadable as error:
        return _unreadable(component, str(error))
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        return _unreadable(component, f"a value cannot be read ({type(error).__name__})")


def _unreadable(component: Any, why: str) -> Remote:
    return Remote(
        uid=str(component["UID"]),
        kind=component.name,
        status=str(component.get("STATUS", "")).upper()[:20],
        done=False,
        completed=None,
        start=None,
        end=None,
        due=None,
        start_value=None,
        sequence=_integer(component.get("SEQUENCE"), MAX_SEQUENCE) or 0,
        stamp=None,
        unreadable=why,
    )


def _integer(value: object, highest: int) -> int | None:
    """A non-negative integer property, capped at `highest`; None when absent or not one."""
    if value is None:
        return None
    text = str(value).strip().removeprefix("+")
    if not text.isascii() or not text.isdigit():
        return None
    return highest if len(text) > len(str(highest)) else min(int(text), highest)


def _moment(component: Any, name: str) -> datetime | date | None:
    """A date property, checked to lie within `SUPPORTED_YEARS` (else `_Unreadable`)."""
    if name not in component:
        return None
    value = component.decoded(name)
    if not isinstance(value, date):
        raise _Unreadable(f"{name} cannot be read")
    low, high = SUPPORTED_YEARS
    if not low <= value.year <= high:
        raise _Unreadable(f"{name} in the year {value.year}, outside {low}-{high}")
    return value


def _remote(component: Any, timezone: str) -> Remote:
    status = str(component.get("STATUS", "")).upper()
    percent = _integer(component.get("PERCENT-COMPLETE"), 100)
    completed, start, end, due = (_moment(component, name) for name in _MOMENTS)
    if end is None and isinstance(start, datetime) and "DURATION" in component:
        length = component.decoded("DURATION")
        if not isinstance(length, timedelta) or abs(length) > timedelta(days=366):
            raise _Unreadable("DURATION longer than a year")
        end = start + length
    due_day = due.date() if isinstance(due, datetime) else due
    stamp = component.get("DTSTAMP")
    event = component.name == "VEVENT"
    return Remote(
        uid=str(component["UID"]),
        kind=component.name,
        status=status,
        done=status == "COMPLETED" or completed is not None or percent == 100,
        completed=completed if isinstance(completed, datetime) else None,
        start=moment_text(start, timezone) if event else None,
        end=moment_text(end, timezone) if event else None,
        due=due_day.isoformat() if isinstance(due_day, date) else None,
        start_value=start if isinstance(start, datetime | date) else None,
        sequence=_integer(component.get("SEQUENCE"), MAX_SEQUENCE) or 0,
        stamp=stamp.to_ical().decode() if stamp is not None else None,
        alarms="".join(
            part.to_ical().decode() for part in component.subcomponents if part.name == "VALARM"
        ),
    )


def shown(item: CalendarItem) -> tuple[str, str | None, str | None, str | None]:
    """What the sync remembers an item showed: status, start, end (events) and due (tasks)."""
    if item.kind.value == "VTODO":
        return (item.status, None, None, item.due.isoformat() if item.due else None)
    return (
        item.status,
        moment_text(item.start, item.timezone),
        moment_text(item.end, item.timezone),
        None,
    )


@frozen_record
class Decision(FrozenValue):
    """What to do about one rep change: a command to record, or an override, or nothing.

    `command` is the rep's change as a plan command; `override` is the change as text when
    the plan does not take it (then `rule` says why). `write_back`: the calendar must get
    the plan's version again even if the plan did not change (the rep's edit was not
    taken). `accept_delete`: the rep deleted the item and the plan agrees; do not
    recreate it. `foreign`: the item is not one the plan can read (another type than
    pacflow wrote for its UID, or values out of range): nothing of it is remembered.
    """

    command: Command | None = None
    override: str | None = None
    rule: str | None = None
    write_back: bool = False
    accept_delete: bool = False
    foreign: bool = False


NOTHING = Decision()


def decide_change(
    state: PlanState,
    person: str,
    row: ItemState,
    remote: Remote | None,
    planned: CalendarItem | None,
    today: date,
) -> Decision:
    """What the plan makes of the rep's change to one item (`remote` None: deleted)."""
    where = f"in the calendar of {person}"
    step_key, occurrence_key = item_keys(state, row.uid, planned)
    if remote is not None:
        refused = _foreign(remote, planned, occurrence_key)
        if refused is not None:
            return Decision(
                override=f"{refused[0]} {where}",
                rule=refused[1],
                write_back=planned is not None,
                foreign=True,
            )
    if remote is not None and remote.kind == "VTODO":
        return _task(state, person, row, remote, planned, today, step_key, where)
    if planned is None:
        if remote is None:
            return Decision(accept_delete=True)
        change = _event_change(row, remote)
        if change is None:
            return NOTHING
        return Decision(
            override=f"{change} {where}",
            rule=f"the item is no longer in the calendar of {person}",
        )
    if remote is None and occurrence_key is None:
        return Decision(
            override=f"deleted {where}",
            rule="the plan owns its tasks; a deleted task is put back",
            write_back=True,
        )
    occurrence = state.occurrences.get(occurrence_key or "")
    if occurrence is None or step_key is None:
        return NOTHING
    plan_changed = shown(planned) != (row.status, row.start, row.end, row.due)
    if remote is None:
        if occurrence.status is OccurrenceStatus.CANCELLED:
            return Decision(accept_delete=True)
        if plan_changed or occurrence.status is OccurrenceStatus.DONE:
            rule = PLAN_WINS if plan_changed else "the visit was already held"
            return Decision(override=f"deleted {where}", rule=rule, write_back=True)
        cancel = c.CancelOccurrence(
            plan=state.key, actor=person, reason=f"deleted {where}", occurrence=occurrence.key
        )
        return Decision(command=cancel, accept_delete=True)
    change = _event_change(row, remote)
    if change is None:
        return NOTHING
    if change == "cancelled" and occurrence.status is OccurrenceStatus.CANCELLED:
        return NOTHING
    if plan_changed or change == "restored":
        rule = PLAN_WINS if plan_changed else "a cancelled visit is not restored from a calendar"
        return Decision(override=f"{change} {where}", rule=rule, write_back=True)
    if change == "cancelled":
        command = c.CancelOccurrence(
            plan=state.key, actor=person, reason=f"cancelled {where}", occurrence=occurrence.key
        )
        return Decision(command=command)
    assert remote.start_value is not None
    to = _local(remote.start_value, occurrence.timezone)
    duration = _duration(remote, row)
    move = c.MoveOccurrence(
        plan=state.key,
        actor=person,
        reason=f"moved {where}",
        occurrence=occurrence.key,
        to=to,
        duration=duration,
    )
    return Decision(command=move)


def _foreign(
    remote: Remote, planned: CalendarItem | None, occurrence_key: str | None
) -> tuple[str, str] | None:
    """The change and the rule when `remote` is not an item the plan can read, else None."""
    wrote = planned.kind.value if planned is not None else "VEVENT" if occurrence_key else "VTODO"
    if remote.kind != wrote:
        return (
            f"replaced by a {remote.kind}",
            f"pacflow wrote a {wrote} with this UID; an item of another type is not taken",
        )
    if remote.unreadable is not None:
        low, high = SUPPORTED_YEARS
        return (
            f"changed with {remote.unreadable}",
            f"dates from a calendar are taken between {low} and {high}, in values that parse",
        )
    return None


def _task(
    state: PlanState,
    person: str,
    row: ItemState,
    remote: Remote,
    planned: CalendarItem | None,
    today: date,
    step_key: str | None,
    where: str,
) -> Decision:
    step = state.steps.get(step_key or "")
    if step is None:
        return NOTHING
    if remote.done and row.status != "COMPLETED":
        # The rep's own day: 23:30 on 31 December in New York is still 31 December.
        member = state.people.get(person)
        zone = ZoneInfo(
            member.timezone if member is not None and member.timezone else state.timezone
        )
        on = remote.completed.astimezone(zone).date() if remote.completed else today
        change = f"completed on {on.isoformat()} {where}"
        if step.status is StepStatus.DONE:
            return NOTHING
        if planned is None:
            rule = f"the step is no longer in the calendar of {person}"
            return Decision(override=change, rule=rule)
        if step.status is StepStatus.CANCELLED:
            return Decision(override=change, rule="the step was cancelled in the plan")
        command = c.CompleteStep(
            plan=state.key, actor=person, reason=f"completed {where}", step=step.key, on=on
        )
        return Decision(command=command)
    changes = []
    reopened = not remote.done and row.status == "COMPLETED"
    unticked_only = remote.status != "CANCELLED" and remote.due == row.due
    if reopened and unticked_only and step.status is StepStatus.DONE and planned is not None:
        # Un-ticked by the rep: their completion is theirs to withdraw.
        reopen = c.ReopenStep(
            plan=state.key, actor=person, reason=f"reopened {where}", step=step.key
        )
        return Decision(command=reopen)
    if reopened:
        changes.append("reopened")
    if remote.status == "CANCELLED" and row.status != "CANCELLED":
        changes.append("cancelled")
    if remote.due != row.due:
        changes.append(f"due date changed to {remote.due or 'none'}")
    if not changes:
        return NOTHING
    return Decision(
        override=f"{', '.join(changes)} {where}",
        rule="the plan owns a task's status and due date; only its completion comes back",
        write_back=planned is not None,
    )


def _event_change(row: ItemState, remote: Remote) -> str | None:
    if remote.status == "CANCELLED" and row.status != "CANCELLED":
        return "cancelled"
    if remote.status != "CANCELLED" and row.status == "CANCELLED":
        return "restored"
    if (remote.start, remote.end) != (row.start, row.end):
        return f"moved to {_text(remote.start_value)}"
    return None


def item_keys(
    state: PlanState, uid: str, planned: CalendarItem | None
) -> tuple[str | None, str | None]:
    """The step and occurrence keys of the item `uid` (found among the plan's if need be)."""
    if planned is not None:
        return planned.step, planned.occurrence
    # The item left the calendar: find its step and occurrence by UID among the plan's.
    for step in state.steps.values():
        if step_uid(state.key, step.key) == uid:
            return step.key, None
        for key in step.occurrences:
            if occurrence_uid(state.key, step.key, key) == uid:
                return step.key, key
    return None, None


def _local(value: datetime | date, timezone: str) -> datetime | date:
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(timezone))
        return aware.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    return value


def _duration(remote: Remote, row: ItemState) -> timedelta | None:
    """The visit's new length when the rep changed it, else None (it keeps its own)."""

    def length(start: str | None, end: str | None) -> timedelta | None:
        if start is None or end is None:
            return None
        return datetime.fromisoformat(end) - datetime.fromisoformat(start)

    new = length(remote.start, remote.end)
    if new is None or new <= timedelta(0) or new == length(row.start, row.end):
        return None
    return new


def _text(value: datetime | date | None) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M %Z").strip()
    return value.isoformat() if value is not None else "no date"
