"""Moments users type, read one way by every front end.

A moment is transaction time (when a change was recorded), typed in the plan's time zone:
a bare date means the end of that day ("as it stood on 1 June"), or its start where the
caller asks for one (`--since`); a date-time without an offset is local; one with an
offset or `Z` is taken as given; a local time the clocks skip is refused, and a repeated
one needs an offset or `~1`/`~2` (`pacflow.domain.localtime`). The plan's zone is the one
it was created with, read from its first event (`PlanOrigin`), so every command resolves
moments the same way.

Moments are written in ASCII digits and fall within `SUPPORTED_YEARS` (1900 to 2200, see
`pacflow.domain.localtime`): far enough for any plan, near enough that every view can add a
day, a week or a time zone offset to them without leaving Python's calendar.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pacflow.domain.localtime import check_year, instant, read_typed, split_suffix
from pacflow.errors import InvalidInputError, NotFoundError
from slotted import FrozenValue, frozen_record

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}[0-9:.+\-Z ]{0,20}")


def parse_moment(text: str, zone: ZoneInfo, option: str, *, day_start: bool = False) -> datetime:
    """The UTC instant `text` names in `zone`; a bare date is the end of that day (its start
    with `day_start`). `option` names the input in the error (`--as-of`, `as_of`)."""
    value = text.strip()
    try:
        if _DATE.fullmatch(value):
            day = date.fromisoformat(value)
            check_year(day, option, text)
            if day_start:
                return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
            next_day = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
            return next_day.astimezone(UTC) - timedelta(microseconds=1)
        body, fold = split_suffix(value)
        if _DATE_TIME.fullmatch(body):
            moment = datetime.fromisoformat(body)
            check_year(moment, option, text)
            if moment.tzinfo is None or fold is not None:
                # The one policy for local times (docs/time.md): a time the clocks skip is
                # refused, a repeated one needs an offset or ~1/~2.
                return instant(read_typed(moment, fold, zone, option), zone)
            return moment.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: the first or last day of datetime
        pass
    raise InvalidInputError(
        f"{option} {text!r}: expected a date (2025-06-01), a local date-time "
        "(2025-06-30T17:00, ~2 for the second of two repeated times) or one with an offset "
        "(2025-06-30T15:00Z)",
        code="invalid-moment",
        subject=option,
        details={"option": option, "value": text},
    )


def local_date(now: datetime, zone: ZoneInfo | str) -> date:
    """The date at instant `now` in `zone` (a zone object, or an IANA name)."""
    return now.astimezone(zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)).date()


@frozen_record
class PlanOrigin(FrozenValue):
    """A plan's key, when it was created and its time zone: what reading moments needs."""

    key: str
    created_at: datetime
    zone: ZoneInfo

    def local(self, moment: datetime) -> str:
        """`moment` as local time in the plan's zone, to the minute."""
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def today(self, now: datetime) -> date:
        """The plan's local date at instant `now`."""
        return local_date(now, self.zone)

    def moment(self, text: str, option: str, *, day_start: bool = False) -> datetime:
        """`text` read in the plan's zone (see `parse_moment`)."""
        return parse_moment(text, self.zone, option, day_start=day_start)

    def existing_at(self, text: str, option: str) -> datetime:
        """`text` as a moment at which the plan existed (else a NotFoundError, worded the
        same for every view)."""
        moment = self.moment(text, option)
        if moment < self.created_at:
            raise NotFoundError(
                f"plan {self.key} did not exist yet on {text.strip()} "
                f"(created {self.local(self.created_at)})",
                code="plan-not-yet",
                subject=self.key,
                details={
                    "plan": self.key,
                    "moment": text.strip(),
                    "created": self.local(self.created_at),
                },
            )
        return moment
