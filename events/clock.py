"""The one place the event store reads the wall clock; everything else takes a clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Normalise an aware datetime to UTC; refuse naive ones, whose zone is a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: give a timezone (e.g. ...+00:00)")
    return moment.astimezone(UTC)


def format_utc(moment: datetime) -> str:
    """Fixed-width ISO 8601 UTC text: sorts like the instant it names."""
    return as_utc(moment).isoformat(timespec="microseconds")[:-6] + "Z"


def parse_utc(text: str) -> datetime:
    """Read back what format_utc wrote."""
    return datetime.fromisoformat(text)
