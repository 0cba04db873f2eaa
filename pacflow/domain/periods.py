"""Periods: the dates a plan covers (`PlanPeriod`), and the months, ISO weeks and quarters
indicators and cadences count in (`2025-03`, `2025-W07`, `2025-Q1`).

Plain code with no pydantic behind it, so that reads answered from read models (the
dashboard, an indicator's history) can use it without importing the domain's models;
`pacflow.domain.values` and `pacflow.domain.schedule` re-export what they always offered.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta

from pacflow.domain.daysoff import NO_DAYS_OFF, DaysOff
from pacflow.domain.kinds import Per
from pacflow.domain.localtime import instant, local
from pacflow.errors import InvalidInputError
from slotted import FrozenValue, frozen_record

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")
_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")
PERIOD_EXAMPLES = {Per.MONTH: "2025-03", Per.WEEK: "2025-W07", Per.QUARTER: "2025-Q1"}


def period_key(day: date, per: Per) -> str:
    """The key of the period holding `day`: `2025-03`, `2025-W07` (ISO week) or `2025-Q1`."""
    if per is Per.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    if per is Per.QUARTER:
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def period_bounds(key: str, per: Per, field: str = "period") -> tuple[date, date]:
    """First and last day of the period `key` (`2025-03`, `2025-W07`, `2025-Q1`)."""
    try:
        if per is Per.MONTH and (match := _MONTH.fullmatch(key)):
            year, month = int(match[1]), int(match[2])
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        if per is Per.QUARTER and (match := _QUARTER.fullmatch(key)):
            year, first_month = int(match[1]), 3 * (int(match[2]) - 1) + 1
            last = first_month + 2
            return date(year, first_month, 1), date(year, last, calendar.monthrange(year, last)[1])
        if per is Per.WEEK and (match := _WEEK.fullmatch(key)):
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return monday, monday + timedelta(days=6)
    except ValueError:
        pass
    raise InvalidInputError(
        f"{field} {key!r}: expected a {per.value} such as {PERIOD_EXAMPLES[per]}"
    )


def periods_between(start: date, end: date, per: Per) -> list[str]:
    """Keys of every period that overlaps `start..end`, in order."""
    keys: list[str] = []
    day = start
    while day <= end:
        key = period_key(day, per)
        keys.append(key)
        day = period_bounds(key, per)[1] + timedelta(days=1)
    return keys


@frozen_record
class PlanPeriod(FrozenValue):
    """The dates a plan covers (both inclusive), the time zone its local times are in, and
    the days off (public holidays, weekends) cadence slots avoid."""

    start: date
    end: date
    timezone: str
    days_off: DaysOff = NO_DAYS_OFF
    own_zone: str | None = None
    """The zone of the person the schedule is for, when not the plan's (their day counts)."""

    def text(self) -> str:
        """`2025-01-01..2025-12-31`, as messages show it."""
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def holds(self, day: date) -> bool:
        """Whether `day` falls inside the period."""
        return self.start <= day <= self.end

    def holds_at(self, moment: datetime, all_day: bool = False) -> bool:
        """Whether the plan's local time `moment` falls inside the period: on the plan's day,
        or on the own day of the person it is for (23:30 on 31 December in New York is 05:30
        on 1 January in Paris, still inside a Paris plan that ends on 31 December)."""
        if self.holds(moment.date()):
            return True
        if all_day or self.own_zone is None:
            return False
        return self.holds(local(instant(moment, self.timezone), self.own_zone).date())

    def last_moment(self) -> datetime:
        """The plan's last local time that is still inside the period for the person."""
        last = datetime.combine(self.end, time.max)
        if self.own_zone is None:
            return last
        theirs = local(instant(last, self.own_zone), self.timezone)
        return max(last, theirs.replace(fold=0))


def require_period_in(plan: PlanPeriod, per: Per, period: str, role: str, of: str) -> None:
    """Refuse a `period` of `per` (`2025-03`) that is malformed or lies outside the plan: the
    message names it as the `role` of `of` (`I7: period`)."""
    first, last = period_bounds(period, per, f"{of}: {role}")
    if last < plan.start or first > plan.end:
        raise InvalidInputError(
            f"{of}: {role} {period} is outside the plan period {plan.text()}",
            code="outside-plan",
        )
