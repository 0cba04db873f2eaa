"""A plan's folded state as JSON and back, for snapshots.

JSON, never pickle: a database row must not be able to run code when it is read.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import types
import typing
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from pydantic import TypeAdapter

from pacflow.domain import PlanState
from pacflow.domain import state as domain_state
from pacflow.domain.schedule import Schedule
from pacflow.domain.values import format_duration, parse_duration

_schedule: TypeAdapter[Schedule] = TypeAdapter(cast(Any, Schedule))


_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(cls: type[Any]) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _dump(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list or kind is tuple:
        return [_dump(v) for v in value]
    if kind is dict:
        return [[_dump(k), _dump(v)] for k, v in value.items()]
    if dataclasses.is_dataclass(kind):
        return {name: _dump(getattr(value, name)) for name in _field_names(kind)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, timedelta):
        return format_duration(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


def _load(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        if value is None:
            return None
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _load(options[0] if len(options) == 1 else hint, value)
    if hint is Schedule or (origin is typing.Annotated and typing.get_args(hint)[0] is Schedule):
        return _schedule.validate_python(value)
    if origin is typing.Annotated:
        return _load(typing.get_args(hint)[0], value)
    if origin is dict:
        key_hint, value_hint = typing.get_args(hint)
        return {_load(key_hint, k): _load(value_hint, v) for k, v in value}
    if origin is list:
        return [_load(typing.get_args(hint)[0], v) for v in value]
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_load(args[0], v) for v in value)
        return tuple(_load(a, v) for a, v in zip(args, value, strict=True))
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return _load_dataclass(hint, value)
        if issubclass(hint, enum.Enum):
            return hint(value)
        if hint is datetime:
            return datetime.fromisoformat(value)
        if hint is date:
            return date.fromisoformat(value)
        if hint is Decimal:
            return Decimal(value)
        if hint is timedelta:
            return parse_duration(value)
    return value


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls, vars(domain_state), include_extras=True)
    return hints


def _load_dataclass(cls: type[Any], data: dict[str, Any]) -> Any:
    hints = _hints(cls)
    return cls(**{name: _load(hints[name], value) for name, value in data.items()})


def dump_state(state: PlanState) -> str:
    """A plan state as JSON text."""
    return json.dumps(_dump(state), ensure_ascii=False, separators=(",", ":"))


def load_state(text: str) -> PlanState:
    """The plan state `dump_state` wrote."""
    state: PlanState = _load_dataclass(PlanState, json.loads(text))
    return state
