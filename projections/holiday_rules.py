"""The `visit-on-holiday` rule of `pacflow check` (docs/time.md).

Cadence slots avoid public holidays by construction; dated sessions, recurrences and
visits moved by hand do not, so a visit still to hold on a public holiday of its
responsible person (their own country's, else the plan's) is flagged, with the holiday's
name and the command that moves it to the next open day, at the same time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from pacflow.domain.daysoff import DaysOff
from pacflow.domain.schedule import Cadence
from pacflow.domain.values import OccurrenceStatus, format_local

if TYPE_CHECKING:
    from projections.obsolescence_rules import Finding, Moment

_TO_HOLD = (OccurrenceStatus.PLANNED, OccurrenceStatus.MOVED)


def _next_open_day(day: date, days_off: DaysOff) -> date:
    following = day + timedelta(days=1)
    while following.weekday() >= 5 or days_off.holiday(following) is not None:
        following += timedelta(days=1)
    return following


def visit_on_holiday(at: Moment) -> list[Finding]:
    """Visits still to hold that fall on a public holiday of their responsible person."""
    from pacflow.domain.touches import Touched
    from projections.obsolescence_rules import Finding, Severity, record_fact

    def make(subject: str, message: str, step: str, day: date, command: str) -> Finding:
        schedule = at.log.schedule_set.get(step)
        facts = (record_fact(schedule, day),) if schedule is not None else ()
        about = Touched(steps=frozenset((step,)), occurrences=frozenset((subject,)))
        return Finding(
            "visit-on-holiday", Severity.WARNING, subject, message, facts, command, about=about
        )

    return _findings(at, make)


def _findings(at: Moment, make: Callable[..., Finding]) -> list[Finding]:
    state = at.state
    found: list[Finding] = []
    for step in state.steps.values():
        days_off = state.days_off(step.responsible)
        if not days_off.holidays:
            continue
        if isinstance(step.schedule, Cadence) and state.slots_on_holidays:
            continue  # the plan lets its cadence slots land on holidays
        for key in step.occurrences:
            occurrence = state.occurrences[key]
            if occurrence.status not in _TO_HOLD:
                continue
            day = occurrence.start.date()
            name = days_off.holiday(day)
            if name is None:
                continue
            moved_to = datetime.combine(_next_open_day(day, days_off), occurrence.start.time())
            target = moved_to.date().isoformat() if occurrence.all_day else format_local(moved_to)
            found.append(
                make(
                    key,
                    f"visit {key} ({step.title}, {step.responsible}) falls on {day.isoformat()}, "
                    f"a public holiday in {days_off.country}: {name}",
                    step.key,
                    day,
                    f"pacflow visit move {state.key} {key} --to {target} " f'--reason "{name}"',
                )
            )
    return found
