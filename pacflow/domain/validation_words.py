"""Pydantic's validation errors in pacflow's words: one short phrase per kind of error.

Pydantic words its errors for developers ("Input should be a valid date or datetime, day
value is outside expected range", with a documentation URL). Users of the CLI, of plan files
and of the API read these instead; a kind not listed falls back to pydantic's phrase with
"Input should be" turned into "expected".
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails

_PHRASES = {
    "date_parsing": "expected a real date such as 2026-03-31",
    "date_from_datetime_parsing": "expected a real date such as 2026-03-31",
    "date_from_datetime_inexact": "expected a date without a time, such as 2026-03-31",
    "date_type": "expected a date such as 2026-03-31",
    "datetime_parsing": "expected a real local date-time such as 2026-03-11T14:00",
    "datetime_from_date_parsing": "expected a real local date-time such as 2026-03-11T14:00",
    "datetime_type": "expected a local date-time such as 2026-03-11T14:00",
    "int_parsing": "expected a whole number",
    "int_parsing_size": "expected a whole number of reasonable size",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "decimal_parsing": "expected a number such as 19.4",
    "decimal_type": "expected a number such as 19.4",
    "float_parsing": "expected a number such as 19.4",
    "float_type": "expected a number such as 19.4",
    "finite_number": "expected a finite number",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "string_type": "expected text",
    "string_unicode": "expected text (this is not valid Unicode)",
    "string_sub_type": "expected text",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "dict_type": "expected a mapping (key: value, ...)",
    "model_type": "expected a mapping (key: value, ...)",
    "model_attributes_type": "expected a mapping (key: value, ...)",
    "dataclass_type": "expected a mapping (key: value, ...)",
    "dataclass_args_type": "expected a mapping (key: value, ...)",
    "timedelta_parsing": "expected an ISO 8601 duration such as PT1H30M",
    "timedelta_type": "expected an ISO 8601 duration such as PT1H30M",
    "missing": "this field is required",
    "extra_forbidden": "unknown field",
    "unexpected_keyword_argument": "unknown field",
    "string_too_short": "must not be empty",
}

_BOUNDS = {
    "greater_than_equal": ("ge", "must be at least {}"),
    "greater_than": ("gt", "must be more than {}"),
    "less_than_equal": ("le", "must be at most {}"),
    "less_than": ("lt", "must be less than {}"),
    "string_too_long": ("max_length", "must be at most {} characters long"),
    "too_long": ("max_length", "must hold at most {} items"),
}


def phrase(error: ErrorDetails) -> str:
    """What is wrong, in pacflow's words, for one of pydantic's errors."""
    kind = error["type"]
    context: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in _PHRASES:
        reason = context.get("error")  # what pydantic found: "month value is outside..."
        if kind.endswith("_parsing") and isinstance(reason, str) and reason:
            return f"{_PHRASES[kind]} ({reason})"
        return _PHRASES[kind]
    if kind == "greater_than_equal" and context.get("ge") in (0, "0"):
        return "must not be negative"
    if kind in _BOUNDS:
        name, words = _BOUNDS[kind]
        return words.format(context.get(name))
    if kind == "too_short":
        least = context.get("min_length", 1)
        return "must not be empty" if least == 1 else f"must hold at least {least} items"
    if kind in ("enum", "literal_error"):
        expected = str(context.get("expected", "")).replace(" or ", ", ").replace("'", "")
        return f"expected one of {expected}"
    message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return message.replace("Input should be", "expected", 1)


def shown_input(value: object) -> str:
    """The value at fault as typed (` 'abc'`, ` 12`), or nothing when it is not a plain one."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    if isinstance(value, int) and value.bit_length() > 200:
        return " (a very long number)"
    text = repr(value)
    return f" {text}" if len(text) <= 60 else f" {text[:57]}…{text[-1]}"
