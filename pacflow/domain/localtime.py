"""One policy for local times, whoever reads them (docs/time.md).

A plan's times are floating local date-times in its time zone (a person's, where a
command says so). Twice a year a zone's clock skips or repeats an hour, so a local time
may name no instant (the gap: 02:30 on 2025-03-30 in Europe/Paris) or two (the repeated
hour: 02:30 on 2025-10-26). The rules, applied by every front end:

- typed by a user (command line, plan file, `--as-of`): a time in the gap is refused with
  the nearest valid times; a repeated time is refused unless the user says which, with an
  offset (`2025-10-26T02:30+01:00`) or a suffix: `~1` the first time the clock shows it,
  `~2` the second (`2025-10-26T02:30~2`);
- computed by a recurrence: a time in the gap is read with the offset before the gap, as
  RFC 5545 says (02:30 becomes 03:30), and the shift is kept to be shown; a repeated
  time is the first one (RFC 5545 again);
- read from a calendar: the instant is kept exactly (the second 02:30 stays the second);
- durations are exact: the end is the start plus the duration in absolute time.

In memory the second of two repeated times is a naive `datetime` with `fold=1` (Python's
own marker); as text it carries the `~2` suffix, so stored events say which one they mean.
Naive date-times compare equal whatever their fold: `same_moment` compares both.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pacflow.errors import InvalidInputError

FIRST, SECOND = "~1", "~2"
"""Suffixes that say which of two repeated local times is meant."""

_SUFFIX = re.compile(r"~([12])$")

Kind = Literal["exists", "gap", "repeated"]


SUPPORTED_YEARS = (1900, 2200)
"""The first and last year of any date or moment pacflow accepts: wide enough for any plan,
narrow enough that every view can add a day, a week or an offset without overflowing."""


def check_year(moment: date, field: str, text: object = None) -> None:
    """Refuse a date or date-time outside `SUPPORTED_YEARS`, naming `field` (and what was
    typed, `text`, when there is one); with no `field`, the caller names the input."""
    first, last = SUPPORTED_YEARS
    if not first <= moment.year <= last:
        shown = text if text is not None else moment.isoformat()
        named = f"{field} {str(shown).strip()!r}: " if field else ""
        raise InvalidInputError(
            f"{named}expected a date between {first} and {last}",
            code="out-of-range",
            subject=field,
        )


_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-]{1,30}(?:/[A-Za-z0-9_+\-]{1,30}){0,2}")


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name` (e.g. `Europe/Paris`), or an InvalidInputError.

    Only names of real zones are read (not a folder of the database such as `Europe`, nor a
    path or a 4,000-character name): the database is a directory tree `ZoneInfo` would open
    whatever file the name points at."""
    real = isinstance(name, str) and _ZONE_NAME.fullmatch(name) and name in _zone_names()
    try:
        if real:
            return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        pass
    shown = name if len(str(name)) <= 60 else f"{str(name)[:60]}…"
    raise InvalidInputError(
        f"timezone {shown!r}: expected an IANA time zone name such as Europe/Paris"
    )


def _zone(where: ZoneInfo | str) -> ZoneInfo:
    return where if isinstance(where, ZoneInfo) else zone(where)


def kind_of(moment: datetime, where: ZoneInfo | str) -> Kind:
    """Whether the naive local `moment` names one instant in the zone, none or two."""
    tz = _zone(where)
    first = moment.replace(tzinfo=tz, fold=0)
    second = moment.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return "exists"
    back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return "repeated" if back == moment.replace(fold=0) else "gap"


def instant(moment: datetime, where: ZoneInfo | str) -> datetime:
    """The UTC instant of the naive local `moment` (its fold says which repeated time; a
    time in the gap is read with the offset before it, as RFC 5545 does)."""
    return moment.replace(tzinfo=_zone(where)).astimezone(UTC)


def local(at: datetime, where: ZoneInfo | str) -> datetime:
    """The naive local time of the aware instant `at` in the zone (fold set when it is the
    second of two repeated times)."""
    return at.astimezone(_zone(where)).replace(tzinfo=None)


def shifted(moment: datetime, where: ZoneInfo | str) -> datetime:
    """A local time in the gap as RFC 5545 reads it (02:30 → 03:30); others unchanged."""
    if kind_of(moment, where) != "gap":
        return moment
    return local(instant(moment.replace(fold=0), where), where)


def end_of(start: datetime, duration: timedelta, where: ZoneInfo | str) -> datetime:
    """The naive local end of something starting at local `start` and lasting `duration`
    of absolute time (90 minutes from 01:45 on fall-back day end at 02:15, the second)."""
    return local(instant(start, where) + duration, where)


def same_moment(one: datetime, other: datetime) -> bool:
    """Whether two naive local times are the same, fold included."""
    return one == other and one.fold == other.fold


def with_fold_text(moment: datetime, text: str) -> str:
    """`text` (a local time written out) with `~2` when `moment` is the second one."""
    return text + SECOND if moment.fold else text


def split_suffix(text: str) -> tuple[str, int | None]:
    """`2025-10-26T02:30~2` → (`2025-10-26T02:30`, 1); no suffix → (text, None)."""
    match = _SUFFIX.search(text)
    if match is None:
        return text, None
    return text[: match.start()], int(match[1]) - 1


def stored_moment(text: str) -> datetime:
    """The local time a stored text names (`~2`: the second of two repeated ones)."""
    body, fold = split_suffix(text)
    return datetime.fromisoformat(body).replace(fold=fold or 0)


def _hm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def _transition(moment: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant, to the minute, at which the zone's offset changes around the local
    `moment` (which is in a gap or a repeated hour)."""
    low = moment.replace(tzinfo=tz, fold=1).astimezone(UTC) - timedelta(hours=3)
    high = moment.replace(tzinfo=tz, fold=0).astimezone(UTC) + timedelta(hours=3)
    offset = low.astimezone(tz).utcoffset()
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle -= timedelta(seconds=middle.second, microseconds=middle.microsecond)
        if middle <= low:
            break
        if middle.astimezone(tz).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds" if moment.second else "minutes")


def _named(field: str, moment: datetime) -> str:
    """`--session 2025-03-30T02:30 ` to start a message; nothing when `field` is empty (the
    caller names the input already)."""
    return f"{field} {_iso(moment.replace(fold=0))} " if field else ""


def gap_error(moment: datetime, where: ZoneInfo | str, field: str) -> InvalidInputError:
    """A local time in the gap, refused with the nearest valid times either side."""
    tz = _zone(where)
    change = _transition(moment, tz)
    before = (change - timedelta(minutes=1)).astimezone(tz)
    after = change.astimezone(tz)
    jumped_from = before.replace(tzinfo=None) + timedelta(minutes=1)
    return InvalidInputError(
        f"{_named(field, moment)}does not exist in {tz.key} (the clocks go from "
        f"{_hm(jumped_from)} to {_hm(after)} that day); the nearest valid times are "
        f"{_iso(before.replace(tzinfo=None))} and {_iso(after.replace(tzinfo=None))}",
        code="time-does-not-exist",
        subject=field,
    )


def repeated_error(moment: datetime, where: ZoneInfo | str, field: str) -> InvalidInputError:
    """A repeated local time given without saying which, refused with both ways to say it."""
    tz = _zone(where)
    first = moment.replace(tzinfo=tz, fold=0)
    second = moment.replace(tzinfo=tz, fold=1)
    text = _iso(moment.replace(fold=0))
    return InvalidInputError(
        f"{_named(field, moment)}happens twice in {tz.key} (the clocks go back that day); "
        "say which: "
        f"{first.isoformat(timespec='minutes')} or {text}~1 for the first ({first.tzname()}), "
        f"{second.isoformat(timespec='minutes')} or {text}~2 for the second "
        f"({second.tzname()})",
        code="time-ambiguous",
        subject=field,
    )


def check_exists(moment: datetime, where: ZoneInfo | str, field: str) -> None:
    """Refuse a local time in the gap (it names no instant)."""
    if kind_of(moment, where) == "gap":
        raise gap_error(moment, where, field)


def read_typed(value: datetime, fold: int | None, where: ZoneInfo | str, field: str) -> datetime:
    """A date-time a user typed, as the naive local time it names in the zone.

    `value` with an offset is converted (the instant is kept, whatever zone it was typed
    in); a naive one must exist, and a repeated one needs `fold` (from `~1` or `~2`). Its
    year is checked first: converting 9999-12-31T23:59Z to Paris time would overflow.
    """
    check_year(value, field)
    if value.tzinfo is not None:
        if fold is not None:
            raise InvalidInputError(
                f"{field} {value.isoformat()}~{fold + 1}: give an offset or ~1/~2, not both".strip()
            )
        return local(value, where)
    found = kind_of(value, where)
    if found == "gap":
        raise gap_error(value, where, field)
    if found == "repeated":
        if fold is None:
            raise repeated_error(value, where, field)
        return value.replace(fold=fold)
    return value.replace(fold=0)
