"""What every backend can store and every view can show: checked once, at the boundary.

A command (and a plan file, before it becomes commands) may hold only values that the
event store, each read model and each export can take as they are:

- text without control characters: PostgreSQL cannot store NUL in a text column, and an
  escape sequence or a lone surrogate breaks a terminal, a CSV or an iCalendar line; tabs
  and line breaks stay allowed (notes and rationales span lines);
- numbers within ±10^15 with at most 9 decimals (money, days, indicator values): larger
  ones overflow the views' decimal arithmetic, and writing one out in full can take hours;
- whole numbers within ±2^31 (an order, a count): what every SQL integer column holds;
- dates and date-times within `SUPPORTED_YEARS`; durations of at most a year.

Events are not checked on read: the log keeps whatever it was given, and read models say
which event they could not take (see `projections`).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from pacflow.domain.values import SUPPORTED_YEARS, check_year
from pacflow.errors import InvalidInputError

LARGEST_NUMBER = Decimal(10) ** 15
"""The largest magnitude of a decimal value (a quadrillion: no plan's money or count)."""

MOST_DECIMALS = 9
LARGEST_WHOLE = 2**31 - 1
LONGEST_DURATION = timedelta(days=366)

_ALLOWED_CONTROLS = frozenset("\t\n\r")


def unstorable_character(text: str) -> str | None:
    """The first character of `text` a backend or a view cannot take, as `U+0000`, or None."""
    for character in text:
        if character in _ALLOWED_CONTROLS:
            continue
        if unicodedata.category(character) in ("Cc", "Cs"):
            return f"U+{ord(character):04X}"
    return None


def check_text(text: str, field: str) -> None:
    """Refuse text holding a control character (NUL, escape…) or a lone surrogate."""
    found = unstorable_character(text)
    if found is not None:
        raise InvalidInputError(
            f"{field} {_shown(text)}: holds the control character {found}, which pacflow "
            "cannot store; remove it",
            code="control-character",
            subject=field,
        )


def check_number(value: Decimal, field: str) -> None:
    """Refuse a decimal that is not finite, too large, or with too many decimals."""
    if (
        not value.is_finite()
        or value.copy_abs() >= LARGEST_NUMBER
        or _decimals(value) > MOST_DECIMALS
    ):
        raise InvalidInputError(
            f"{field} {_shown(value)}: expected a number below 10^15 in size, with at most "
            f"{MOST_DECIMALS} decimals",
            code="out-of-range",
            subject=field,
        )


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite, checked first
    if exponent >= 0:
        return 0
    digits = value.as_tuple().digits
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - trailing_zeros)


def check_storable(value: Any, field: str) -> None:
    """Refuse the first value inside `value` (a model, a mapping, a sequence or a plain
    value) that a backend or a view could not take; `field` names where it sits."""
    for where, item in _walk(value, field):
        if isinstance(item, str):
            check_text(item, where)
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if abs(item) > LARGEST_WHOLE:
                raise InvalidInputError(
                    f"{where} {_shown_whole(item)}: expected a whole number below {LARGEST_WHOLE}",
                    code="out-of-range",
                    subject=where,
                )
        elif isinstance(item, Decimal | float):
            check_number(Decimal(item) if isinstance(item, float) else item, where)
        elif isinstance(item, date):
            check_year(item, where)
        elif isinstance(item, timedelta) and item > LONGEST_DURATION:
            raise InvalidInputError(
                f"{where}: a duration of {item.days} days; expected at most "
                f"{LONGEST_DURATION.days} days",
                code="out-of-range",
                subject=where,
            )


def _walk(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    pending: list[tuple[str, Any]] = [(where, value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, BaseModel):
            for name in type(item).model_fields:
                pending.append((_join(path, name), getattr(item, name)))
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            for field in dataclasses.fields(item):
                pending.append((_join(path, field.name), getattr(item, field.name)))
        elif isinstance(item, Mapping):
            for key, inner in item.items():
                yield path, key
                pending.append((_join(path, str(key)), inner))
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend((f"{path}[{index}]", inner) for index, inner in enumerate(item))
        else:
            yield path, item


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _shown(value: object) -> str:
    text = repr(value) if isinstance(value, str) else repr(str(value))
    return text if len(text) <= 60 else f"{text[:57]}…{text[-1]}"


def _shown_whole(value: int) -> str:
    # str() of an int past 4,300 digits raises; such a number is shown by its length.
    return _shown(value) if value.bit_length() < 200 else f"(a number of {value.bit_length()} bits)"


__all__ = [
    "LARGEST_NUMBER",
    "LARGEST_WHOLE",
    "LONGEST_DURATION",
    "MOST_DECIMALS",
    "SUPPORTED_YEARS",
    "check_number",
    "check_storable",
    "check_text",
    "unstorable_character",
]
