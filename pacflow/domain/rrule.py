"""RFC 5545 RRULEs: checked strictly, then expanded with dateutil.

dateutil accepts more than RFC 5545 (and calendar apps) do, and searches until the year
9999 for rules that never match; `rule_moments` refuses both with a message naming the step,
and expands only what the plan period holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from dateutil.rrule import rrulestr  # type: ignore[import-untyped]

from pacflow.domain.values import SUPPORTED_YEARS, format_local
from pacflow.errors import InvalidInputError

MAX_OCCURRENCES = 1000
"""More occurrences than this for one step is a mistake (a rule every day at every hour)."""

MAX_COUNT = 10_000
"""The largest COUNT or INTERVAL a rule may give (a bound, so that no number is read whole
whatever its length; a plan stops far sooner, see MAX_OCCURRENCES)."""

_RRULE_NAMES = frozenset(
    "FREQ INTERVAL COUNT UNTIL BYSECOND BYMINUTE BYHOUR BYDAY BYMONTHDAY BYYEARDAY "
    "BYWEEKNO BYMONTH BYSETPOS WKST".split()
)
_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_UNTIL = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})(?:T([0-9]{2})([0-9]{2})([0-9]{2}))?")
_VALUE = re.compile(r"[A-Z0-9,+\-]{1,200}")
_LONG_NUMBER = re.compile(r"[0-9]{9,}")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_WEEK_DAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")


def _rrule_parts(bad: str, text: str) -> dict[str, str]:
    """Split an RRULE into its parts, refusing what dateutil would accept but RFC 5545
    (or a calendar app) would not, and the rules that dateutil would search for centuries."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if not body or "\n" in body or ":" in body or not body.isascii():
        raise InvalidInputError(f"{bad}: expected one rule such as FREQ=MONTHLY;BYDAY=2TU")
    parts: dict[str, str] = {}
    for item in body.split(";"):
        name, equals, value = item.partition("=")
        name = name.strip().upper()
        if not equals or not value.strip():
            raise InvalidInputError(f"{bad}: {item!r} is not NAME=VALUE")
        if name not in _RRULE_NAMES:
            raise InvalidInputError(f"{bad}: unknown part {name}")
        if name in parts:
            raise InvalidInputError(f"{bad}: {name} is given twice")
        parts[name] = value.strip().upper()
        if _LONG_NUMBER.search(parts[name].replace("T", "-")) and name != "UNTIL":
            raise InvalidInputError(f"{bad}: {name} holds a number too long to be meant")
        if _VALUE.fullmatch(parts[name].replace("T", "")) is None:
            raise InvalidInputError(
                f"{bad}: {name} takes letters, digits, ',', '+' and '-' (ASCII)"
            )
    frequency = parts.get("FREQ")
    if frequency not in _FREQUENCIES:
        raise InvalidInputError(f"{bad}: FREQ must be one of {', '.join(_FREQUENCIES)}")
    if "COUNT" in parts and "UNTIL" in parts:
        raise InvalidInputError(f"{bad}: give COUNT or UNTIL, not both")
    for name in ("COUNT", "INTERVAL"):
        number = parts.get(name)
        if number is not None and (
            re.fullmatch("[0-9]{1,5}", number) is None or not 1 <= int(number) <= MAX_COUNT
        ):
            raise InvalidInputError(f"{bad}: {name} must be a whole number from 1 to {MAX_COUNT}")
    if "UNTIL" in parts:
        until = _UNTIL.fullmatch(parts["UNTIL"])
        if until is None:
            raise InvalidInputError(
                f"{bad}: UNTIL must be a local date-time such as 20251231T235959, without Z "
                "(the schedule is in the plan's time zone)"
            )
        first, last = SUPPORTED_YEARS
        if not first <= int(until[1]) <= last:
            raise InvalidInputError(f"{bad}: UNTIL must fall between {first} and {last}")
    _check_month_days(bad, parts)
    _check_week_days(bad, parts)
    _check_set_positions(bad, parts)
    return parts


def _check_week_days(bad: str, parts: dict[str, str]) -> None:
    """Refuse a BYDAY RFC 5545 does not allow, or that no month or year holds (dateutil
    searches until year 9999 for `6TU` in a month, and fails on `9TU`)."""
    if "BYDAY" not in parts:
        return
    frequency = parts["FREQ"]
    in_month = frequency == "MONTHLY" or "BYMONTH" in parts
    for day in parts["BYDAY"].split(","):
        match = _WEEK_DAY.fullmatch(day)
        if match is None:
            raise InvalidInputError(f"{bad}: BYDAY takes days such as TU, 2TU or -1FR")
        if match[1] is None:
            continue
        number = int(match[1])
        if frequency not in ("MONTHLY", "YEARLY") or "BYWEEKNO" in parts:
            raise InvalidInputError(
                f"{bad}: BYDAY {day}: a numbered day goes with FREQ=MONTHLY or YEARLY "
                "(without BYWEEKNO)"
            )
        most = 5 if in_month else 53
        if number == 0 or abs(number) > most:
            where = "a month" if in_month else "a year"
            raise InvalidInputError(
                f"{bad}: BYDAY {day}: {where} holds 1 to {most} of each weekday "
                f"(count from the end with -1 to -{most})"
            )


def _check_set_positions(bad: str, parts: dict[str, str]) -> None:
    """Refuse a BYSETPOS beyond what one period can hold (again a search until 9999)."""
    if "BYSETPOS" not in parts or parts["FREQ"] == "YEARLY":
        return
    try:
        positions = [abs(int(position)) for position in parts["BYSETPOS"].split(",")]
    except ValueError:
        raise InvalidInputError(f"{bad}: BYSETPOS takes whole numbers") from None
    days = 1
    if parts["FREQ"] == "WEEKLY" and "BYDAY" in parts:
        days = len(parts["BYDAY"].split(","))
    elif parts["FREQ"] == "MONTHLY":
        if "BYMONTHDAY" in parts:
            days = len(parts["BYMONTHDAY"].split(","))
        elif "BYDAY" in parts:
            # A month holds at most 5 of each weekday, and one of each `2TU`-like day.
            days = sum(1 if day[:-2] else 5 for day in parts["BYDAY"].split(","))
    most = days
    for name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        if name in parts:
            most *= len(parts[name].split(","))
    if max(positions) > most:
        frequency = parts["FREQ"].lower().removesuffix("ly").replace("dai", "day")
        raise InvalidInputError(
            f"{bad}: BYSETPOS {max(positions)} asks for more occurrences than a {frequency} "
            f"of this rule holds ({most})"
        )


_RANGES = {
    "BYMONTH": (12, "months 1 to 12"),
    "BYYEARDAY": (366, "days 1 to 366"),
    "BYWEEKNO": (53, "weeks 1 to 53"),
    "BYMONTHDAY": (31, "days 1 to 31"),
}
"""The largest value of each numbered part, and what it takes in words (all but BYMONTH may
count from the end with a minus sign)."""


def _numbers(bad: str, parts: dict[str, str], name: str) -> list[int]:
    """The values of part `name` (none if it is not given), each within its `_RANGES`:
    dateutil searches until year 9999 for a month, day or week that never comes."""
    if name not in parts:
        return []
    most, words = _RANGES[name]
    try:
        values = [int(value) for value in parts[name].split(",")]
    except ValueError:
        raise InvalidInputError(f"{bad}: {name} takes whole numbers") from None
    least = 1 if name == "BYMONTH" else -most
    if any(value == 0 or not least <= value <= most for value in values):
        backwards = "" if name == "BYMONTH" else f", or -{most} to -1 from the end"
        raise InvalidInputError(f"{bad}: {name} takes {words}{backwards}")
    return values


def _check_month_days(bad: str, parts: dict[str, str]) -> None:
    """Refuse a month, day of the year or week no year has, and a day no month named has."""
    months = _numbers(bad, parts, "BYMONTH") or list(range(1, 13))
    _numbers(bad, parts, "BYYEARDAY")
    _numbers(bad, parts, "BYWEEKNO")
    days = _numbers(bad, parts, "BYMONTHDAY")
    if days and not any(abs(day) <= _DAYS_IN_MONTH[month - 1] for day in days for month in months):
        raise InvalidInputError(f"{bad}: no month has that day, so it never occurs")


def _until(parts: dict[str, str], all_day: bool, bad: str) -> None:
    match = _UNTIL.fullmatch(parts["UNTIL"])
    if match is not None and match[4] is None and not all_day:
        raise InvalidInputError(
            f"{bad}: UNTIL must have a time (such as 20251231T235959) when DTSTART has one"
        )


def rule_moments(
    step: str, text: str, dtstart: datetime, all_day: bool, last_moment: datetime, period: str
) -> list[datetime]:
    """The starts of RRULE `text` from `dtstart` up to `last_moment` (the end of the plan
    period, shown as `period`): an unbounded rule stops there, a bounded one must too.

    DTSTART must be the rule's first occurrence, as RFC 5545 expects of a synchronised rule
    (dateutil would silently skip it otherwise).
    """
    bad = f"step {step}: bad RRULE {text!r}"
    parts = _rrule_parts(bad, text)
    if "UNTIL" in parts:
        _until(parts, all_day, bad)
    normalised = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        recurrence = rrulestr(normalised, dtstart=dtstart)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise InvalidInputError(f"{bad}: {error}") from None
    try:
        return _expand(bad, parts, iter(recurrence), dtstart, last_moment, period)
    except (ValueError, OverflowError) as error:  # dateutil stepping past year 9999
        raise InvalidInputError(f"{bad}: {error}") from None


def _expand(
    bad: str,
    parts: dict[str, str],
    moments: Iterator[datetime],
    dtstart: datetime,
    last_moment: datetime,
    period: str,
) -> list[datetime]:
    first = next(moments, None)
    if first is None:
        raise InvalidInputError(f"{bad}: it yields no occurrence")
    if first != dtstart:
        raise InvalidInputError(
            f"{bad}: DTSTART {format_local(dtstart)} is not one of its occurrences "
            f"(the first is {format_local(first)}); start the rule on an occurrence"
        )
    bounded = "COUNT" in parts or "UNTIL" in parts
    found: list[datetime] = [first]
    for moment in moments:
        if moment > last_moment:
            if bounded:
                raise InvalidInputError(
                    f"{bad}: it runs past the plan period {period} (to "
                    f"{format_local(moment)} at least); shorten COUNT or UNTIL, or drop them "
                    "to stop at the end of the period"
                )
            break
        found.append(moment)
        if len(found) > MAX_OCCURRENCES:
            break
    return found


def first_moment(step: str, text: str, since: datetime) -> datetime | None:
    """The first start of RRULE `text` at or after `since` (the DTSTART that synchronises it
    from then on), or None when it has none."""
    bad = f"step {step}: bad RRULE {text!r}"
    parts = _rrule_parts(bad, text)
    normalised = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        first: datetime | None = next(iter(rrulestr(normalised, dtstart=since)), None)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise InvalidInputError(f"{bad}: {error}") from None
    return first
