"""Value types of the PAC domain: enums, keys, periods, durations, local times, time zones.

Everything here is pure: parsing and checking values, never reading a clock or a file
(except the IANA database that `zoneinfo` consults to recognise a time zone name).
Parsers raise `InvalidInputError` with a one-line message naming the field at fault; the
`Annotated` aliases give pydantic models the same checks, and import pydantic only when a
model validates one (`pacflow.domain.checked`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any

from pacflow.domain.checked import Checked, pydantic
from pacflow.domain.kinds import KEY_PATTERN as KEY_PATTERN
from pacflow.domain.kinds import KEY_RULE as KEY_RULE
from pacflow.domain.kinds import AccessScope as AccessScope
from pacflow.domain.kinds import Aggregation as Aggregation
from pacflow.domain.kinds import Approach as Approach
from pacflow.domain.kinds import Direction as Direction
from pacflow.domain.kinds import Domain as Domain
from pacflow.domain.kinds import Impact as Impact
from pacflow.domain.kinds import IndicatorKind as IndicatorKind
from pacflow.domain.kinds import Per as Per
from pacflow.domain.kinds import PersonKind as PersonKind
from pacflow.domain.kinds import PlanStatus as PlanStatus
from pacflow.domain.kinds import TargetKind as TargetKind
from pacflow.domain.kinds import allowed_values as allowed_values
from pacflow.domain.kinds import check_key as check_key
from pacflow.domain.kinds import parse_enum as parse_enum
from pacflow.domain.localtime import SUPPORTED_YEARS as SUPPORTED_YEARS
from pacflow.domain.localtime import (
    check_exists,
    instant,
    local,
    read_typed,
    split_suffix,
    stored_moment,
    with_fold_text,
)
from pacflow.domain.localtime import check_year as check_year
from pacflow.domain.localtime import zone as zone  # where callers have always found it
from pacflow.domain.periods import PERIOD_EXAMPLES as PERIOD_EXAMPLES
from pacflow.domain.periods import period_bounds as period_bounds
from pacflow.domain.periods import period_key as period_key
from pacflow.domain.periods import periods_between as periods_between
from pacflow.domain.statuses import OccurrenceStatus as OccurrenceStatus
from pacflow.domain.statuses import StepStatus as StepStatus
from pacflow.errors import InvalidInputError
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    from pydantic import SerializerFunctionWrapHandler, ValidationInfo

FRENCH_METHOD_WORDS = {
    "collecte_d_information": "information",
    "developpement_interne": "internal",
    "interne": "internal",
    "vente": "sales",
    "pilotage": "steering",
    "notoriete": "notoriety",
    "chasse": "hunting",
    "elevage": "farming",
    "commercial": "rep",
    "client": "customer",
    "offre": "offer",
    "offre_segment": "offer_segment",
}
"""The method's own French words for track domains and approaches, people and targets
kinds (fiche 07), as pacflow stores them; accepted wherever the English value is."""


def method_word(value: Any) -> Any:
    """`Développement interne` → `internal`, `élevage` → `farming`; other values pass
    through unchanged (for the enum to accept or refuse)."""
    if not isinstance(value, str):
        return value
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    folded = plain.strip().lower().replace(" ", "_").replace("'", "_").replace("-", "_")
    return FRENCH_METHOD_WORDS.get(folded, value)


# --- keys --------------------------------------------------------------------------------

Key = Annotated[str, Checked(lambda: (pydantic().StringConstraints(pattern=f"^{KEY_PATTERN}$"),))]
"""A short human key, checked by pydantic (in its compiled core: events are decoded often)."""

MARKET_REF_KINDS = ("target", "segment", "offer", "account")
_MARKET_REF = re.compile(f"({'|'.join(MARKET_REF_KINDS)}):{KEY_PATTERN}")


def _market_ref_validator(value: str) -> str:
    if _MARKET_REF.fullmatch(value) is None:
        kinds = ", ".join(MARKET_REF_KINDS)
        raise ValueError(f"expected KIND:KEY with KIND one of {kinds} (e.g. target:T1)")
    return value


MarketRef = Annotated[str, Checked(lambda: (pydantic().AfterValidator(_market_ref_validator),))]
"""What a market change touches: `target:T1`, `segment:SEG-BA`, `offer:OFF-CRM`, …"""

Text = Annotated[
    str, Checked(lambda: (pydantic().StringConstraints(strip_whitespace=True, min_length=1),))
]
"""Free text that must say something (stripped, not empty)."""


def _optional_text(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value.strip() if isinstance(value, str) else value


OptionalText = Annotated[str | None, Checked(lambda: (pydantic().BeforeValidator(_optional_text),))]
"""Free text where blank means absent."""

_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d*)?")


def parse_decimal(text: str) -> Decimal:
    """A number as people type it: `28.5`, `28,5` (decimal comma), `1 234,5` (spaces, or the
    no-break spaces spreadsheets write, between groups of three digits). A comma is never a
    thousands separator: `1,000` is one."""
    value = text.strip()
    if _NUMBER.fullmatch(value) or _GROUPED.fullmatch(value):
        cleaned = re.sub(r"[ \u00a0\u202f]", "", value).replace(",", ".")
        return Decimal(cleaned)
    raise ValueError("expected a number such as 28.5 or 28,5")


def _decimal_validator(value: Any) -> Any:
    return parse_decimal(value) if isinstance(value, str) else value


NonNegativeDecimal = Annotated[
    Decimal,
    Checked(
        lambda: (
            pydantic().BeforeValidator(_decimal_validator),
            pydantic().Field(ge=0, allow_inf_nan=False),
        )
    ),
]
"""Money, days, counts and indicator values: finite and never negative."""

IndicatorValue = Annotated[
    Decimal,
    Checked(
        lambda: (
            pydantic().BeforeValidator(_decimal_validator),
            pydantic().Field(allow_inf_nan=False),
        )
    ),
]
"""An indicator's actual value for a period: finite, and negative when the business says so
(a gross margin rate or net orders after credit notes can fall below zero)."""

Count = Annotated[int, Checked(lambda: (pydantic().Field(ge=0, le=10_000),))]
"""A number of occurrences or targets: never negative."""


# --- dates within reach ------------------------------------------------------------------

# --- time zones --------------------------------------------------------------------------


def _timezone_validator(value: str) -> str:
    try:
        zone(value)
    except InvalidInputError:
        raise ValueError("expected an IANA time zone name such as Europe/Paris") from None
    return value


TimeZoneName = Annotated[str, Checked(lambda: (pydantic().AfterValidator(_timezone_validator),))]
"""An IANA time zone name, checked against the time zone database."""


def check_local_time_exists(moment: datetime, timezone: str, field: str) -> None:
    """Refuse a local time skipped by a daylight-saving change (e.g. 02:30 on a spring day),
    naming the nearest valid times."""
    check_exists(moment, timezone, field)


# --- local date-times and durations ------------------------------------------------------


def _naive(value: datetime) -> datetime:
    if value.tzinfo is not None:
        raise ValueError("expected a local time in the plan's time zone, without UTC offset")
    return value


class _Refused(ValueError):
    """A local time the policy refuses (its message says why and what to type; `code` is
    the refusal's, `time-does-not-exist` or `time-ambiguous`)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def _typed_zone(info: ValidationInfo, name: str = "timezone") -> str | None:
    """The plan's zone when the caller validates what a user typed (`context={"timezone":
    ..., "typed_in": ...}`); None when decoding what was stored. `typed_in`: the zone the
    user typed in, when not the plan's."""
    context = info.context
    found = context.get(name) if isinstance(context, dict) else None
    return found if isinstance(found, str) else None


@functools.lru_cache(maxsize=4096)
def _stored_local_time(text: str) -> datetime:
    """The naive local time `text` names, as stored (no zone to check it against). Cached:
    a plan's stream repeats the same times (visits on the same days), and decoding them
    was a third of a rebuild's decoding; a datetime is immutable, and an error is raised
    again each time (lru_cache keeps only results)."""
    return _naive(stored_moment(text))


def _local_date_time(text: str, info: ValidationInfo) -> datetime:
    """`2025-10-26T02:30`, `...~2` (the second of two repeated times) or, typed by a user,
    with an offset: the naive local time it names (see `pacflow.domain.localtime`)."""
    where = _typed_zone(info)
    if where is None:
        return _stored_local_time(text)
    body, fold = split_suffix(text)
    value = datetime.fromisoformat(body)
    typed_in = _typed_zone(info, "typed_in") or where
    try:
        moment = read_typed(value, fold, typed_in, "")
        if typed_in != where:
            moment = local(instant(moment, typed_in), where)
        return moment
    except InvalidInputError as error:
        raise _Refused(str(error), error.code) from None


def _local_value(value: Any, info: ValidationInfo) -> Any:
    if isinstance(value, str):
        try:
            if info.context is None:  # decoding what was stored: the common case by far
                return _stored_local_time(value.strip())
            return _local_date_time(value.strip(), info)
        except _Refused:
            raise
        except ValueError as error:
            raise ValueError(
                "expected a local date-time such as 2025-03-11T14:00 (~2 for the second of "
                "two repeated times)"
            ) from error
    if isinstance(value, datetime):
        where = _typed_zone(info)
        if where is None or value.fold:
            return _naive(value)
        try:  # a YAML time stamp a user wrote: the same policy as for text
            return read_typed(value, None, where, "")
        except InvalidInputError as error:
            raise _Refused(str(error), error.code) from None
    return value


def _local_text(value: datetime, handler: SerializerFunctionWrapHandler, info: Any) -> Any:
    """JSON text of a local time: ISO 8601, with `~2` for the second of two repeated times."""
    if info.mode_is_json() and isinstance(value, datetime):
        return with_fold_text(value, value.isoformat())
    return handler(value)


LocalDateTime = Annotated[
    datetime,
    Checked(
        lambda: (
            pydantic().BeforeValidator(_local_value),
            pydantic().AfterValidator(_naive),
            pydantic().WrapSerializer(_local_text),
        ),
        stored=_stored_local_time,
    ),
]
"""A date-time without UTC offset, read in the plan's time zone (a floating time)."""


def _date_or_datetime(value: Any, info: ValidationInfo) -> Any:
    """Strings with a time part become date-times, others dates (pydantic would coerce
    `2025-03-31` into a date-time at midnight and lose the 'all day' meaning)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if "T" in text or " " in text:
                return _local_date_time(text, info)
            return date.fromisoformat(text)
        except _Refused:
            raise
        except ValueError as error:
            raise ValueError(
                "expected a local date (2025-03-11) or date-time (2025-03-11T14:00)"
            ) from error
    if isinstance(value, datetime):
        return _local_value(value, info)
    return value


def _stored_start(text: str) -> date | datetime:
    return _stored_local_time(text) if "T" in text else date.fromisoformat(text)


LocalStart = Annotated[
    datetime | date,
    Checked(
        lambda: (
            pydantic().BeforeValidator(_date_or_datetime),
            pydantic().WrapSerializer(_local_text),
        ),
        stored=_stored_start,
    ),
]
"""When something happens: a date (all day) or a local date-time."""

_DURATION = re.compile(
    r"P(?:(?P<weeks>[0-9]{1,9})W)?(?:(?P<days>[0-9]{1,9})D)?"
    r"(?:T(?:(?P<hours>[0-9]{1,9})H)?(?:(?P<minutes>[0-9]{1,9})M)?(?:(?P<seconds>[0-9]{1,9})S)?)?"
)


def parse_duration(text: str, field: str = "duration") -> timedelta:
    """An ISO 8601 duration such as `PT1H30M` or `P1D` (no years or months: their length
    varies), strictly positive."""
    duration = _duration(text.strip().upper()) if isinstance(text, str) else None
    if duration is None:
        raise InvalidInputError(
            f"{field} {text!r}: expected an ISO 8601 duration such as PT1H30M or P1D, "
            "longer than zero"
        )
    return duration


@lru_cache(maxsize=256)  # a plan repeats a handful of durations thousands of times
def _duration(text: str) -> timedelta | None:
    match = _DURATION.fullmatch(text)
    if match is None or text.endswith(("P", "T")):
        return None
    parts = {name: int(value) for name, value in match.groupdict().items() if value}
    try:
        duration = timedelta(**parts)
    except OverflowError:
        return None  # longer than Python can count: no real session lasts that long
    return duration if duration > timedelta(0) else None


def format_duration(duration: timedelta) -> str:
    """The canonical ISO 8601 text of a positive duration: `PT1H30M`, `P1D`, `P1DT2H`."""
    days, seconds = duration.days, duration.seconds
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "P" + (f"{days}D" if days else "")
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    clock += f"{secs}S" if secs else ""
    return text + ("T" + clock if clock else "")


def _duration_validator(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except InvalidInputError as error:
            raise ValueError(str(error).split(": ", 1)[1]) from None
    if isinstance(value, timedelta) and value <= timedelta(0):
        raise ValueError("expected a duration longer than zero")
    return value


Duration = Annotated[
    timedelta,
    Checked(
        lambda: (
            pydantic().BeforeValidator(_duration_validator),
            pydantic().PlainSerializer(format_duration, return_type=str, when_used="json"),
        ),
        stored=parse_duration,
    ),
]
"""A positive ISO 8601 duration; JSON as `PT1H30M`."""


# --- periods (`pacflow.domain.periods`) --------------------------------------------------


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day`, as a naive local date-time."""
    return datetime.combine(day, time.min)


def format_local(moment: datetime) -> str:
    """A local date-time as users type it: `2025-03-11T14:00` (seconds only when set; `~2`
    when it is the second of two repeated times)."""
    return with_fold_text(
        moment, moment.isoformat(timespec="seconds" if moment.second else "minutes")
    )


# --- obsolescence checks -----------------------------------------------------------------


@frozen_record
class CheckThresholds(FrozenValue):
    """When `pacflow check` says a plan drifted; each plan has its own, changed over time.

    - `stale_after_days`: no revision or review for more days than this (`no-review`);
    - `off_track_periods`: consecutive periods off track before an indicator is flagged
      (`indicator-off-track`; an error from twice as many);
    - `overdue_grace_days`: days after its due date before an open step is overdue;
    - `pace_periods`: how many of the latest periods make "the recent pace" an indicator's
      remaining gap is weighed against (`gap-unclosable`).
    """

    stale_after_days: int = 90
    off_track_periods: int = 2
    overdue_grace_days: int = 0
    pace_periods: int = 3


CHECK_THRESHOLD_BOUNDS: dict[str, tuple[int, int]] = {
    "stale_after_days": (1, 3660),
    "off_track_periods": (1, 60),
    "overdue_grace_days": (0, 365),
    "pace_periods": (1, 24),
}
"""The smallest and largest value each check threshold accepts."""
