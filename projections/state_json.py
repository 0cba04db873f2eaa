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
import zlib
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pacflow.domain import PlanState
from pacflow.domain.localtime import stored_moment
from pacflow.domain.plain import (
    Dumper,
    Loader,
    dumping,
    field_hints,
    loader,
    per_hint,
    record_dumper,
    scalar_dumper,
    to_plain,
)
from pacflow.domain.values import parse_duration
from pacflow.remembering import remembering


def _make_dumper(kind: type[Any]) -> Dumper:
    if kind is list or kind is tuple:
        return lambda items: [_dump(v) for v in items]
    if kind is dict:
        return lambda mapping: [[_dump(k), _dump(v)] for k, v in mapping.items()]
    if _stored_as_payload(kind):
        return to_plain
    if dataclasses.is_dataclass(kind):
        return record_dumper(kind, _dump)
    # A local time keeps its `~2` (which of two repeated times is meant, docs/time.md).
    return scalar_dumper(kind) or _identity


def _payload_hint(hint: Any) -> bool:
    """A hint of such values, or a union of them (a schedule)."""
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    else:
        options = [hint]
    return all(isinstance(option, type) and _stored_as_payload(option) for option in options)


def _stored_as_payload(kind: Any) -> bool:
    """Values that events carry too (schedules, figures, derivations): a snapshot holds
    them as their payload does (`pacflow.domain.plain`)."""
    return hasattr(kind, "__pydantic_config__") or hasattr(kind, "__plain__")


_dump = dumping(_make_dumper)
"""Plain JSON data for a state value (the dumper is chosen once per type)."""


def _identity(value: Any) -> Any:
    return value


def _make_loader(hint: Any) -> Loader:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in args if a is not type(None)]
        inner = _loader(options[0]) if len(options) == 1 else _identity
        return lambda value: None if value is None else inner(value)
    if origin is typing.Annotated and _payload_hint(args[0]):
        return loader(hint)
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
        if _stored_as_payload(hint):
            return loader(hint)
        if dataclasses.is_dataclass(hint):
            return _dataclass_loader(hint)
        if issubclass(hint, enum.Enum):
            return hint
        # One object per distinct text (built once per type, see `_loader`): a long plan's
        # visits repeat a few names, days and times, and each visit's key comes twice (the
        # map's and its own); loaded apart, the state took twice the memory of its fold.
        simple: dict[type[Any], Loader] = {
            str: _identity,
            datetime: stored_moment,
            date: date.fromisoformat,
            Decimal: Decimal,
            timedelta: parse_duration,
        }
        parse = simple.get(hint)
        return _identity if parse is None else remembering(parse)
    return _identity


def _dataclass_loader(cls: type[Any]) -> Loader:
    hints = field_hints(cls)
    fields = [(f.name, _loader(hints[f.name])) for f in dataclasses.fields(cls)]

    def load(data: dict[str, Any]) -> Any:
        # A field with a default that the snapshot lacks was added to the state after the
        # snapshot was taken, so no event before it could have set it: its default holds.
        return cls(**{name: load_field(data[name]) for name, load_field in fields if name in data})

    return load


_loader = per_hint(_make_loader)
"""A function turning dumped JSON back into a value of type `hint` (built once per type:
loading a long plan's snapshot converts hundreds of thousands of values)."""


_CHUNK = 1000
"""Entities per line of a snapshot (and per json encoding of `dump_state`): a long plan's
state is never held as one tree of Python dicts, or as one text, on its way in or out."""
_SNAPSHOT = b"pacflow-state/2\n"
"""What a compressed snapshot starts with (a JSON text starts with `{`)."""


def dump_state(state: PlanState) -> str:
    """A plan state as JSON text."""
    parts = []
    for name, entities in _plan_fields():
        value = getattr(state, name)
        text = _encode_entities(value) if entities else _encode(_dump(value))
        parts.append(f'"{name}":{text}')
    return "{" + ",".join(parts) + "}"


def dump_snapshot(state: PlanState) -> bytes:
    """A plan state as a snapshot: zlib-compressed JSON lines, a header line with the plan's
    own fields, then one line per chunk of an entity map (`["steps", [[key, step], …]]`).

    A snapshot of a plan with 150,000 steps and visits is some 36 MB of JSON and a few MB
    compressed; made and read a chunk at a time, it never needs more memory than a chunk.
    """
    compressor = zlib.compressobj(1)  # fastest: JSON lines shrink four- to eightfold anyway
    out = [_SNAPSHOT]
    header = {
        name: _dump(getattr(state, name)) for name, entities in _plan_fields() if not entities
    }
    out.append(compressor.compress(_encode(header).encode() + b"\n"))
    for name, entities in _plan_fields():
        if not entities:
            continue
        items = iter(getattr(state, name).items())
        while chunk := [[_dump(k), _dump(v)] for k, v in itertools.islice(items, _CHUNK)]:
            out.append(compressor.compress(_encode([name, chunk]).encode() + b"\n"))
    out.append(compressor.flush())
    return b"".join(out)


def _encode_entities(value: dict[Any, Any]) -> str:
    if len(value) <= _CHUNK:
        return _encode([[_dump(k), _dump(v)] for k, v in value.items()])
    chunks: list[str] = []
    items = iter(value.items())
    while chunk := [[_dump(k), _dump(v)] for k, v in itertools.islice(items, _CHUNK)]:
        chunks.append(_encode(chunk)[1:-1])
    return "[" + ",".join(chunks) + "]"


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@functools.cache
def _plan_fields() -> list[tuple[str, bool]]:
    """PlanState's fields, and whether each is an entity map (written in chunks)."""
    return [(f.name, str(f.type).startswith("dict[")) for f in dataclasses.fields(PlanState)]


def load_state(data: str | bytes) -> PlanState:
    """The plan state `dump_state` (JSON text) or `dump_snapshot` (bytes) wrote."""
    if isinstance(data, str):
        state: PlanState = _loader(PlanState)(json.loads(data))
        return state
    if not data.startswith(_SNAPSHOT):
        raise ValueError("not a pacflow plan snapshot")
    hints = field_hints(PlanState)
    fields: dict[str, Any] = {}
    maps: dict[str, Any] = {}
    for number, line in enumerate(_lines(data[len(_SNAPSHOT) :])):
        if number == 0:
            header = json.loads(line)
            fields = {name: _loader(hints[name])(value) for name, value in header.items()}
            continue
        name, pairs = json.loads(line)
        maps.setdefault(name, {}).update(_loader(hints[name])(pairs))
    loaded: PlanState = PlanState(**fields, **maps)
    return loaded


def _lines(compressed: bytes) -> Iterator[bytes]:
    """The lines of a zlib stream, decompressed a piece at a time."""
    decompressor = zlib.decompressobj()
    pending = b""
    for start in range(0, len(compressed), 1 << 16):
        pending += decompressor.decompress(compressed[start : start + (1 << 16)])
        *complete, pending = pending.split(b"\n")
        yield from complete
    pending += decompressor.flush()
    yield from (line for line in pending.split(b"\n") if line)
