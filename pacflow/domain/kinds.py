"""The domain's plain vocabulary, with no pydantic behind it: its enums (what a plan, a
person, a target, a track or an indicator is) and its keys (`T1`, `S08`).

Kept apart from `pacflow.domain.values` (which re-exports them) so that reads answered from
read models, such as the dashboard, can use them without importing the domain's models.
"""

from __future__ import annotations

import enum
import re
from typing import TypeVar

from pacflow.errors import InvalidInputError


class PlanStatus(enum.StrEnum):
    """Where a plan is in its lifecycle: draft → approved → published ⇄ revising → closed;
    a draft may also be dropped (its key free again: a new `PlanCreated` starts afresh)."""

    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"
    REVISING = "revising"
    CLOSED = "closed"
    DROPPED = "dropped"


class PersonKind(enum.StrEnum):
    """What a team member does: sells, manages, or supports from the back office."""

    REP = "rep"
    MANAGER = "manager"
    BACK_OFFICE = "back_office"


class AccessScope(enum.StrEnum):
    """What a link handed to a person lets them do (each scope includes the ones above it,
    except `api`, which is for other systems)."""

    FEED = "feed"
    """Subscribe to their calendar feed (the team's, for a manager)."""
    READ = "read"
    """Also read their page (the whole plan's pages, for a manager or back office)."""
    REPORT = "report"
    """Also report from their page: a visit held or not, a step done, a visit moved."""
    API = "api"
    """The JSON API: the reads of `--json`, and indicator actuals and visit reports."""


class TargetKind(enum.StrEnum):
    """What a target (cible) is: a customer, a segment, an offer, or an offer for a segment."""

    CUSTOMER = "customer"
    SEGMENT = "segment"
    OFFER = "offer"
    OFFER_SEGMENT = "offer_segment"


class Domain(enum.StrEnum):
    """The domain of an action track; `steering` holds the plan's own governance steps."""

    INFORMATION = "information"
    INTERNAL = "internal"
    SALES = "sales"
    STEERING = "steering"


class Approach(enum.StrEnum):
    """How a sales track wins business: notoriety, hunting (prospects), farming (partners)."""

    NOTORIETY = "notoriety"
    HUNTING = "hunting"
    FARMING = "farming"


class IndicatorKind(enum.StrEnum):
    """Whether an indicator measures effort (activity) or outcome (result)."""

    ACTIVITY = "activity"
    RESULT = "result"


class Aggregation(enum.StrEnum):
    """How an indicator's period values combine into what is compared with its targets."""

    PER_PERIOD = "per_period"
    CUMULATIVE_YTD = "cumulative_ytd"
    RATE_PER_PERIOD = "rate_per_period"
    RATE_ROLLING_3M = "rate_rolling_3m"


class Direction(enum.StrEnum):
    """Whether higher (up) or lower (down) values of an indicator are better."""

    UP = "up"
    DOWN = "down"


class Impact(enum.StrEnum):
    """How much a market change is expected to weigh on the plan."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Per(enum.StrEnum):
    """The period of a cadence or of an indicator's targets."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


E = TypeVar("E", bound=enum.StrEnum)


def allowed_values(enum_type: type[enum.StrEnum]) -> str:
    """The values of an enum as a message fragment: `rep, manager, back_office`."""
    return ", ".join(member.value for member in enum_type)


def parse_enum(enum_type: type[E], value: str, field: str) -> E:
    """`value` as a member of `enum_type`, or an error listing the allowed values."""
    try:
        return enum_type(value)
    except ValueError:
        raise InvalidInputError(
            f"{field} {value!r}: expected one of {allowed_values(enum_type)}"
        ) from None


# --- keys --------------------------------------------------------------------------------

KEY_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}"
_KEY = re.compile(KEY_PATTERN)
KEY_RULE = "1-40 letters, digits, '-', '_' or '.', starting with a letter or a digit"


def occurrence_step(occurrence: str) -> str:
    """The key of the step a visit (an occurrence) belongs to: `S08` of `S08@2025-03-11`
    (`pacflow.domain.schedule.occurrence_key` writes it so; a key has no `@`)."""
    return occurrence.partition("@")[0]


def is_key(value: object) -> bool:
    """Whether `value` is a short human key such as `T1`, `S08` or `bank-info-1`."""
    return isinstance(value, str) and _KEY.fullmatch(value) is not None


def check_key(value: str, field: str = "key") -> str:
    """`value` if it is a key (see `is_key`), else an InvalidInputError."""
    if not is_key(value):
        raise InvalidInputError(f"{field} {value!r}: expected {KEY_RULE}")
    return value
