"""Step schedules and their expansion into occurrences.

A step's schedule is one of:

- `DueDate`: a deadline, optionally with a start date (a task; it has no occurrences);
- `SessionList`: dated sessions, each a local date or date-time with an optional duration;
- `Recurrence`: one or more RFC 5545 RRULEs, each with its local DTSTART, and a duration;
- `Cadence`: "N per month|week|quarter", with per-period exceptions (`{"2025-08": 0}`).

`expand(step, schedule, period)` checks a schedule against the plan period and returns
its occurrences, in order, each keyed `S08@2025-03-11` by the local date of its scheduled
start (`S08@2025-03-11T14:00` when two occurrences of the step share that day). Times are
floating: naive local date-times in the plan's time zone, converted to UTC only by the
calendar integrations. Expansion is deterministic: same input, same occurrences.
"""

from __future__ import annotations

import re
from dataclasses import field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, ClassVar, Literal

from pacflow.domain.checked import Checked, pydantic
from pacflow.domain.localtime import kind_of, shifted
from pacflow.domain.periods import PlanPeriod as PlanPeriod
from pacflow.domain.rrule import MAX_OCCURRENCES, rule_moments
from pacflow.domain.values import (
    KEY_PATTERN,
    Count,
    Duration,
    LocalDateTime,
    LocalStart,
    Per,
    check_local_time_exists,
    format_local,
    period_bounds,
    periods_between,
    start_of_day,
)
from pacflow.errors import InvalidInputError
from slotted import FrozenValue, frozen_record, frozen_value


class _Value(FrozenValue):
    """Base of the schedule types: frozen dataclasses that pydantic validates (with no
    unknown field) where they come in (commands, plan files); the store's copies are read
    back without it (`pacflow.domain.plain`)."""

    __slots__ = ()
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}


def _at_least_one() -> tuple[Any, ...]:
    return (pydantic().Field(min_length=1),)


@frozen_value
class DueDate(_Value):
    """A deadline, with an optional start date: the step is a task."""

    kind: Literal["due"] = "due"
    due: date
    start: date | None = None


@frozen_value
class Session(_Value):
    """One dated session: a local date (all day) or date-time, with an optional duration."""

    start: LocalStart
    duration: Duration | None = None


@frozen_value
class SessionList(_Value):
    """A fixed list of dated sessions (steering committees, webinars, breakfasts)."""

    kind: Literal["sessions"] = "sessions"
    sessions: Annotated[tuple[Session, ...], Checked(_at_least_one)]


@frozen_value
class RecurrenceRule(_Value):
    """One RFC 5545 RRULE (`FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=24`) and its local DTSTART."""

    dtstart: LocalStart
    rrule: str


@frozen_value
class Recurrence(_Value):
    """Occurrences from one or more RRULEs (their union), each lasting `duration`."""

    kind: Literal["recurrence"] = "recurrence"
    rules: Annotated[tuple[RecurrenceRule, ...], Checked(_at_least_one)]
    duration: Duration | None = None


@frozen_value
class Cadence(_Value):
    """`count` occurrences per period, spread over its weekdays; `exceptions` override the
    count for given periods, `first` and `last` bound the periods it runs in."""

    kind: Literal["cadence"] = "cadence"
    count: Count
    per: Per = Per.MONTH
    exceptions: dict[str, Count] = field(default_factory=dict)
    first: str | None = None
    last: str | None = None


Schedule = Annotated[
    DueDate | SessionList | Recurrence | Cadence,
    Checked(lambda: (pydantic().Field(discriminator="kind"),)),
]
"""Any step schedule; `kind` tells which (`due`, `sessions`, `recurrence`, `cadence`)."""


@frozen_value
class OccurrenceSlot(_Value):
    """One scheduled occurrence of a step, as expansion produced it."""

    key: str
    start: LocalDateTime
    all_day: bool = False
    duration: Duration | None = None


def expand(step: str, schedule: Schedule, period: PlanPeriod) -> tuple[OccurrenceSlot, ...]:
    """Check `schedule` of `step` against the plan period; return its occurrences in order.

    Raises InvalidInputError naming the step for dates outside the period, bad RRULEs,
    rules that yield nothing or too much, and impossible cadences.
    """
    if isinstance(schedule, DueDate):
        _check_due(step, schedule, period)
        return ()
    if isinstance(schedule, SessionList):
        starts = _sessions(step, schedule, period)
    elif isinstance(schedule, Recurrence):
        starts = _recurrence(step, schedule, period)
    else:
        starts = _cadence(step, schedule, period)
    if len(starts) > MAX_OCCURRENCES:
        raise InvalidInputError(
            f"step {step}: the schedule yields more than {MAX_OCCURRENCES} occurrences; "
            "use a coarser rule or a cadence"
        )
    return _keyed(step, starts)


# A start: (local date-time, all day?, duration)
_Start = tuple[datetime, bool, timedelta | None]


def _check_due(step: str, schedule: DueDate, period: PlanPeriod) -> None:
    if not period.holds(schedule.due):
        raise InvalidInputError(
            f"due date {schedule.due.isoformat()} of step {step} is outside the plan period "
            f"{period.text()}"
        )
    if schedule.start is not None:
        if not period.holds(schedule.start):
            raise InvalidInputError(
                f"start date {schedule.start.isoformat()} of step {step} is outside the plan "
                f"period {period.text()}"
            )
        if schedule.start > schedule.due:
            raise InvalidInputError(
                f"step {step}: start date {schedule.start.isoformat()} is after its due date "
                f"{schedule.due.isoformat()}"
            )


def as_start(moment: datetime | date) -> tuple[datetime, bool]:
    """A local date-time and whether it is all day, from a date or a date-time."""
    if isinstance(moment, datetime):
        return moment, False
    return start_of_day(moment), True


def check_in_period(
    step: str, what: str, moment: datetime, period: PlanPeriod, all_day: bool = False
) -> None:
    """Refuse an occurrence outside the plan period (on the plan's day and on its person's)."""
    if not period.holds_at(moment, all_day):
        raise InvalidInputError(
            f"{what} {format_local(moment)} of step {step} is outside the plan period "
            f"{period.text()}"
        )


def _sessions(step: str, schedule: SessionList, period: PlanPeriod) -> list[_Start]:
    starts: list[_Start] = []
    seen: set[datetime] = set()
    for session in schedule.sessions:
        moment, all_day = as_start(session.start)
        check_in_period(step, "session", moment, period, all_day)
        if not all_day:
            check_local_time_exists(moment, period.timezone, f"step {step}: session")
        if moment in seen:
            raise InvalidInputError(f"step {step}: two sessions start at {format_local(moment)}")
        seen.add(moment)
        starts.append((moment, all_day, session.duration))
    return sorted(starts, key=lambda start: start[0])


# --- RRULE -------------------------------------------------------------------------------


def _recurrence(step: str, schedule: Recurrence, period: PlanPeriod) -> list[_Start]:
    moments: dict[datetime, bool] = {}
    last_moment = period.last_moment()
    for rule in schedule.rules:
        dtstart, all_day = as_start(rule.dtstart)
        check_in_period(step, "DTSTART", dtstart, period, all_day)
        if not all_day:
            check_local_time_exists(dtstart, period.timezone, f"step {step}: DTSTART")
        found = rule_moments(step, rule.rrule, dtstart, all_day, last_moment, period.text())
        # Several rules are a union (as in an RFC 5545 recurrence set): a shared start counts once.
        for found_moment in found:
            moment = found_moment
            if moment == dtstart:
                moment = dtstart  # the rule's own start keeps its fold (~2)
            elif not all_day:
                # A start in the gap is read with the offset before it (RFC 5545 3.3.5):
                # 02:30 on the spring-forward day is 03:30; `shift_of` tells it was.
                moment = shifted(moment, period.timezone)
            moments.setdefault(moment, all_day)
    duration = schedule.duration
    return [(moment, all_day, duration) for moment, all_day in sorted(moments.items())]


def shift_of(schedule: Schedule, start: datetime, timezone: str) -> datetime | None:
    """The local time a recurrence asked for when its occurrence at `start` was shifted out
    of a daylight-saving gap (02:30 asked, 03:30 held), else None."""
    if not isinstance(schedule, Recurrence):
        return None
    for rule in schedule.rules:
        if not isinstance(rule.dtstart, datetime):
            continue
        asked = datetime.combine(start.date(), rule.dtstart.time())
        if kind_of(asked, timezone) == "gap" and shifted(asked, timezone) == start:
            return asked
    return None


# --- cadence -----------------------------------------------------------------------------


def _cadence(step: str, cadence: Cadence, period: PlanPeriod) -> list[_Start]:
    per = cadence.per
    first_day = period.start
    last_day = period.end
    if cadence.first is not None:
        first_day = max(first_day, period_bounds(cadence.first, per, f"step {step}: first")[0])
    if cadence.last is not None:
        last_day = min(last_day, period_bounds(cadence.last, per, f"step {step}: last")[1])
    if first_day > last_day:
        raise InvalidInputError(
            f"step {step}: the cadence runs from {cadence.first or '(plan start)'} to "
            f"{cadence.last or '(plan end)'}, which leaves no day in the plan period "
            f"{period.text()}"
        )
    keys = periods_between(first_day, last_day, per)
    for key in cadence.exceptions:
        period_bounds(key, per, f"step {step}: exception")
        if key not in keys:
            raise InvalidInputError(
                f"step {step}: exception {key} is outside the periods of the cadence "
                f"({keys[0]}..{keys[-1]})"
            )
    starts: list[_Start] = []
    days_off = period.days_off
    for key in keys:
        wanted = cadence.exceptions.get(key, cadence.count)
        bounds = period_bounds(key, per)
        low, high = max(bounds[0], first_day), min(bounds[1], last_day)
        span = [low + timedelta(days=offset) for offset in range((high - low).days + 1)]
        candidates = [day for day in span if day.weekday() < 5 or days_off.weekends_allowed]
        open_days = [day for day in span if days_off.open_for_slots(day)]
        if wanted > len(open_days):
            if (low, high) == bounds:
                what = "weekdays" if len(open_days) == len(candidates) else "working days"
                raise InvalidInputError(
                    f"step {step}: {wanted} per {per.value} is more than the {len(open_days)} "
                    f"{what} of {key}"
                )
            # A period cut by the plan's start or end holds at most one per day left.
            wanted = len(open_days)
        # Spread evenly: the i-th of n falls in the middle of the i-th n-th of the weekdays;
        # one that falls on a public holiday goes to the next open day (else the previous).
        chosen: list[date] = []
        for index in range(wanted):
            day = candidates[(2 * index + 1) * len(candidates) // (2 * wanted)]
            chosen.append(_open_day_near(day, open_days, chosen))
        starts.extend((start_of_day(day), True, None) for day in sorted(chosen))
    if not starts:
        raise InvalidInputError(f"step {step}: the cadence yields no occurrence")
    return starts


def _open_day_near(day: date, open_days: list[date], taken: list[date]) -> date:
    """`day` if open and free, else the first open free day after it, else before it."""
    free = [other for other in open_days if other not in taken]
    after = [other for other in free if other >= day]
    return after[0] if after else free[-1]


# --- keys --------------------------------------------------------------------------------


def occurrence_key(step: str, start: datetime, with_time: bool) -> str:
    """`S08@2025-03-11`, or `S08@2025-03-11T14:00` when the day alone is ambiguous."""
    day = start.date().isoformat()
    return f"{step}@{day}T{start:%H:%M}" if with_time else f"{step}@{day}"


def _keyed(step: str, starts: list[_Start]) -> tuple[OccurrenceSlot, ...]:
    per_day: dict[date, int] = {}
    for moment, _, _ in starts:
        per_day[moment.date()] = per_day.get(moment.date(), 0) + 1
    slots: list[OccurrenceSlot] = []
    seen: set[str] = set()
    for moment, all_day, duration in starts:
        key = occurrence_key(step, moment, per_day[moment.date()] > 1)
        if key in seen:
            raise InvalidInputError(
                f"step {step}: two occurrences start within the same minute "
                f"({format_local(moment)})"
            )
        seen.add(key)
        slots.append(OccurrenceSlot(key=key, start=moment, all_day=all_day, duration=duration))
    return tuple(slots)


_REF = re.compile(
    rf"(?P<step>{KEY_PATTERN})@(?P<day>\d{{4}}-\d{{2}}-\d{{2}})(?:T(?P<time>\d{{2}}:\d{{2}}))?"
)


@frozen_record
class OccurrenceRef(FrozenValue):
    """What a user typed to name one occurrence: `S08@2025-03-11[T14:00]`."""

    step: str
    day: date
    at: time | None

    @property
    def text(self) -> str:
        """The reference as typed, normalised."""
        base = f"{self.step}@{self.day.isoformat()}"
        return base if self.at is None else f"{base}T{self.at:%H:%M}"


def parse_occurrence_ref(text: str) -> OccurrenceRef:
    """`S08@2025-03-11` or `S08@2025-03-11T14:00`, or an InvalidInputError."""
    match = _REF.fullmatch(text.strip())
    problem = (
        f"occurrence {text!r}: expected STEP@YYYY-MM-DD or STEP@YYYY-MM-DDTHH:MM, "
        "such as S08@2025-03-11"
    )
    if match is None:
        raise InvalidInputError(problem)
    try:
        day = date.fromisoformat(match["day"])
        at = time.fromisoformat(match["time"]) if match["time"] else None
    except ValueError:
        raise InvalidInputError(problem) from None
    return OccurrenceRef(step=match["step"], day=day, at=at)


__all__ = [
    "MAX_OCCURRENCES",
    "Cadence",
    "DueDate",
    "OccurrenceRef",
    "OccurrenceSlot",
    "PlanPeriod",
    "Recurrence",
    "RecurrenceRule",
    "Schedule",
    "Session",
    "SessionList",
    "as_start",
    "check_in_period",
    "expand",
    "occurrence_key",
    "parse_occurrence_ref",
    "shift_of",
]
