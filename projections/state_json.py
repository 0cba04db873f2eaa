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
from collections.abc import Callable
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


Loader = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _loader(hint: Any) -> Loader:
    """A function turning dumped JSON back into a value of type `hint` (built once per type:
    loading a long plan's snapshot converts hundreds of thousands of values)."""
    try:
        found = _LOADERS.get(hint)
    except TypeError:  # an Annotated hint with unhashable metadata: build it each time
        return _make_loader(hint)
    if found is None:
        found = _LOADERS[hint] = _make_loader(hint)
    return found


def _make_loader(hint: Any) -> Loader:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in args if a is not type(None)]
        inner = _loader(options[0]) if len(options) == 1 else _identity
        return lambda value: None if value is None else inner(value)
    if hint is Schedule or (origin is typing.Annotated and args[0] is Schedule):
        return _schedule.validate_python
    if origin is typing.Annotated:
        return _loader(args[0])
    if origin is dict:
        load_key, load_value = _loader(args[0]), _loader(args[1])
        return lambda pairs: {load_key(k): load_value(v) for k, v in pairs}
    if origin is list:
        load_item = _loader(args[0])
        return lambda items: [load_item(v) for v in items]
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        load_item = _loader(args[0])
        return lambda items: tuple(load_item(v) for v in items)
    if origin is tuple:
        loaders = [_loader(a) for a in args]
        return lambda items: tuple(f(v) for f, v in zip(loaders, items, strict=True))
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return _dataclass_loader(hint)
        if issubclass(hint, enum.Enum):
            return hint
        simple: dict[type[Any], Loader] = {
            datetime: datetime.fromisoformat,
            date: date.fromisoformat,
            Decimal: Decimal,
            timedelta: parse_duration,
        }
        return simple.get(hint, _identity)
    return _identity


def _dataclass_loader(cls: type[Any]) -> Loader:
    hints = typing.get_type_hints(cls, vars(domain_state), include_extras=True)
    fields = [(f.name, _loader(hints[f.name])) for f in dataclasses.fields(cls)]

    def load(data: dict[str, Any]) -> Any:
        return cls(**{name: load_field(data[name]) for name, load_field in fields})

    return load


_LOADERS: dict[Any, Loader] = {}


def dump_state(state: PlanState) -> str:
    """A plan state as JSON text."""
    return json.dumps(_dump(state), ensure_ascii=False, separators=(",", ":"))


def load_state(text: str) -> PlanState:
    """The plan state `dump_state` wrote."""
    state: PlanState = _loader(PlanState)(json.loads(text))
    return state
