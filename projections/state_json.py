"""A plan's folded state as JSON and back, for snapshots.

JSON, never pickle: a database row must not be able to run code when it is read.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import itertools
import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from pydantic import BaseModel, TypeAdapter

from pacflow.domain import PlanState
from pacflow.domain import state as domain_state
from pacflow.domain.schedule import Schedule
from pacflow.domain.values import format_duration, parse_duration

_schedule: TypeAdapter[Schedule] = TypeAdapter(cast(Any, Schedule))


Dumper = Callable[[Any], Any]
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _dump(value: Any) -> Any:
    """Plain JSON data for a state value (the dumper is chosen once per type)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    dumper = _DUMPERS.get(kind)
    if dumper is None:
        dumper = _DUMPERS[kind] = _make_dumper(kind)
    return dumper(value)


def _make_dumper(kind: type[Any]) -> Dumper:
    if kind is list or kind is tuple:
        return lambda items: [_dump(v) for v in items]
    if kind is dict:
        return lambda mapping: [[_dump(k), _dump(v)] for k, v in mapping.items()]
    if dataclasses.is_dataclass(kind):
        names = tuple(f.name for f in dataclasses.fields(kind))
        return lambda obj: {name: _dump(getattr(obj, name)) for name in names}
    if issubclass(kind, enum.Enum):
        return lambda member: member.value
    if issubclass(kind, datetime | date):
        return lambda moment: moment.isoformat()
    if issubclass(kind, Decimal):
        return str
    if issubclass(kind, timedelta):
        return format_duration
    if hasattr(kind, "model_dump"):
        return lambda model: model.model_dump(mode="json")
    return _identity_dump


def _identity_dump(value: Any) -> Any:
    return value


_DUMPERS: dict[type[Any], Dumper] = {}


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
        if issubclass(hint, BaseModel):
            return hint.model_validate
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
        # A field with a default that the snapshot lacks was added to the state after the
        # snapshot was taken, so no event before it could have set it: its default holds.
        return cls(**{name: load_field(data[name]) for name, load_field in fields if name in data})

    return load


_LOADERS: dict[Any, Loader] = {}


_CHUNK = 1000
"""Entities encoded per json.dumps call: a long plan's snapshot is never held as one tree
of Python dicts (several times the size of its text) on its way to JSON."""


def dump_state(state: PlanState) -> str:
    """A plan state as JSON text."""
    parts = []
    for name, dump_field, entities in _plan_fields():
        value = getattr(state, name)
        if entities is None:
            text = _encode(dump_field(value))
        else:
            text = _encode_entities(value, *entities)
        parts.append(f'"{name}":{text}')
    return "{" + ",".join(parts) + "}"


def _encode_entities(value: dict[Any, Any], dump_key: Dumper, dump_entity: Dumper) -> str:
    if len(value) <= _CHUNK:
        return _encode([[dump_key(k), dump_entity(v)] for k, v in value.items()])
    chunks: list[str] = []
    items = iter(value.items())
    while chunk := [[dump_key(k), dump_entity(v)] for k, v in itertools.islice(items, _CHUNK)]:
        chunks.append(_encode(chunk)[1:-1])
    return "[" + ",".join(chunks) + "]"


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@functools.cache
def _plan_fields() -> list[tuple[str, Dumper, tuple[Dumper, Dumper] | None]]:
    """PlanState's fields with their dumpers; the entity maps apart, to be encoded by chunks."""
    fields: list[tuple[str, Dumper, tuple[Dumper, Dumper] | None]] = []
    for field in dataclasses.fields(PlanState):
        entities = (_dump, _dump) if field.type.startswith("dict[") else None
        fields.append((field.name, _dump, entities))
    return fields


def load_state(text: str) -> PlanState:
    """The plan state `dump_state` wrote."""
    state: PlanState = _loader(PlanState)(json.loads(text))
    return state
