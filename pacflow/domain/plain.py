"""The domain's values as plain JSON data and back, with no pydantic.

Events, schedules, findings and derivations are frozen dataclasses. Pydantic validates
them where input comes in (commands, plan files, imports; `pacflow.domain.checked`); what
the store holds was validated when it was recorded, so reading it back only needs each
field turned into its type, which the type hints say. That keeps pydantic, and building a
validator per event type, out of every read: `plan history`, `check`, `plan diff`.

- `to_plain(value)`: the JSON data pydantic would give in JSON mode (Decimals as strings,
  dates and times in ISO 8601, a local time's `~2`, durations as `PT1H30M`, enums as their
  value), so stored payloads do not change;
- `loader(hint)(data)`: the value of type `hint` that `data` holds; raises `Unreadable`
  (naming the field) when data does not fit the hint's shape (its checks, like a key's
  pattern, are pydantic's, when it comes in).

A class may say how it is stored with `__plain__()` and `__from_plain__(data)`; a field
whose metadata holds `omit_none` is left out of the data when it is None.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import sys
import types
import typing
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pacflow.domain.checked import Checked
from pacflow.domain.localtime import stored_moment, with_fold_text
from pacflow.domain.values import format_duration, parse_duration

Dumper = Callable[[Any], Any]
Loader = Callable[[Any], Any]


class Unreadable(ValueError):
    """JSON data that does not fit its type: `where` (`figures.accounts`) and what."""

    def __init__(self, where: tuple[str, ...], what: str) -> None:
        super().__init__(f"{'.'.join(where)}: {what}" if where else what)
        self.where = where
        self.what = what


_SCALARS = frozenset({str, int, float, bool, type(None)})


def dumping(make: Callable[[type[Any]], Dumper]) -> Dumper:
    """A function writing any value as JSON data: text, numbers, flags and None as they
    are, others by the dumper `make` builds once for their type (a rebuild writes millions
    of values, of a few dozen types)."""
    dumpers: dict[type[Any], Dumper] = {}

    def dump(value: Any) -> Any:
        kind = type(value)
        if kind in _SCALARS:
            return value
        found = dumpers.get(kind)
        if found is None:
            found = dumpers[kind] = make(kind)
        return found(value)

    return dump


def per_hint(make: Callable[[Any], Loader]) -> Callable[[Any], Loader]:
    """`make` remembered: the loader of each hint is built once."""
    loaders: dict[Any, Loader] = {}

    def get(hint: Any) -> Loader:
        try:
            found = loaders.get(hint)
        except TypeError:  # unhashable metadata in an Annotated hint: build it each time
            return make(hint)
        if found is None:
            found = loaders[hint] = make(hint)
        return found

    return get


def without_none(data: Any) -> Any:
    """`data` without the None values of its mappings, at any depth (pydantic's
    `exclude_none`)."""
    if isinstance(data, dict):
        return {key: without_none(value) for key, value in data.items() if value is not None}
    if isinstance(data, list):
        return [without_none(item) for item in data]
    return data


def _dumper(kind: type[Any]) -> Dumper:
    if kind is list or kind is tuple:
        return lambda items: [to_plain(item) for item in items]
    if kind is dict:
        return lambda mapping: {to_plain(k): to_plain(v) for k, v in mapping.items()}
    if hasattr(kind, "__plain__"):
        return lambda value: value.__plain__()
    if dataclasses.is_dataclass(kind):
        return _dataclass_dumper(kind)
    dumper = scalar_dumper(kind)
    if dumper is None:
        raise TypeError(f"no plain JSON form for {kind.__name__}")
    return dumper


def scalar_dumper(kind: type[Any]) -> Dumper | None:
    """How a value of `kind` is written as JSON when it is one of the domain's scalars (an
    enum, a date, a local time with its `~2`, a Decimal, a duration); None for others."""
    if issubclass(kind, enum.Enum):
        return lambda member: member.value
    if issubclass(kind, datetime):
        return lambda moment: with_fold_text(moment, moment.isoformat())
    if issubclass(kind, date):
        return lambda day: day.isoformat()
    if issubclass(kind, Decimal):
        return str
    if issubclass(kind, timedelta):
        return format_duration
    return None


def _dataclass_dumper(kind: type[Any]) -> Dumper:
    # Not `record_dumper`: writing one costs more than a command dumps (a schedule shown).
    fields = [(f.name, bool(f.metadata.get("omit_none"))) for f in dataclasses.fields(kind)]

    def dump(obj: Any) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, omit_none in fields:
            value = getattr(obj, name)
            if value is None and omit_none:
                continue
            data[name] = to_plain(value)
        return data

    return dump


def record_dumper(kind: type[Any], dump: Dumper) -> Dumper:
    """A function writing a record of dataclass `kind` as a dict of its fields in order,
    each by `dump` but text, numbers, flags and None, taken as they are (`dumping`'s own
    shortcut). Written for `kind` and compiled, with no loop and no call for those plain
    values: a snapshot of a long plan writes millions of fields (writing the function
    costs as much as dumping a few hundred records the plain way)."""
    lines = ["def dump(obj):", "    data = {}"]
    for name in (f.name for f in dataclasses.fields(kind)):
        lines += [
            f"    v = obj.{name}",
            f"    data[{name!r}] = v if type(v) in SCALARS else write(v)",
        ]
    lines.append("    return data")
    scope: dict[str, Any] = {"SCALARS": _SCALARS, "write": dump}
    exec("\n".join(lines), scope)  # text written here from the field names, not from data
    return typing.cast(Dumper, scope["dump"])


to_plain = dumping(_dumper)
"""`value` as JSON data, as pydantic's JSON mode gives it (see the module)."""


def _loader(hint: Any, get: Callable[[Any], Loader], written: bool) -> Loader:
    """The loader of `hint`, its parts taken from `get` (the family it is of); `written`:
    its dataclasses read by a function written for each (`_straight`)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        stored = next((m.stored for m in hint.__metadata__ if isinstance(m, Checked)), None)
        return _text(stored) if stored is not None else get(args[0])
    if origin in (types.UnionType, typing.Union):
        return _union(args, get)
    if origin is typing.Literal:
        return _literal(args)
    if origin is dict:
        load_key, load_value = get(args[0]), get(args[1])
        return lambda data: {load_key(k): load_value(v) for k, v in _mapping(data).items()}
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        load_item = get(args[0])
        return lambda data: tuple(map(load_item, _items(data)))
    if origin is list:
        load_item = get(args[0])
        return lambda data: list(map(load_item, _items(data)))
    if not isinstance(hint, type):
        raise TypeError(f"cannot read a {hint!r} back from JSON data")
    if hasattr(hint, "__from_plain__"):
        return typing.cast(Loader, hint.__from_plain__)
    if dataclasses.is_dataclass(hint):
        return _dataclass_loader(hint, get, written)
    if issubclass(hint, enum.Enum):
        return _enum(hint)
    if hint in _LEAVES:
        return _LEAVES[hint]
    for kind, load in _LEAVES.items():  # a subclass, like freezegun's stand-in for date
        if issubclass(hint, kind):
            return load
    raise TypeError(f"cannot read a {hint.__name__} back from JSON data")


def _union(args: tuple[Any, ...], get: Callable[[Any], Loader]) -> Loader:
    options = [arg for arg in args if arg is not type(None)]
    optional = len(options) < len(args)
    inner = get(options[0]) if len(options) == 1 else _tagged(options, get)
    if not optional:
        return inner

    def load(data: Any) -> Any:
        return None if data is None else inner(data)

    if inner in _EXACT:
        _EXACT[load] = (_EXACT[inner][0], True)
    return load


def _tagged(options: list[Any], get: Callable[[Any], Loader]) -> Loader:
    """A union of dataclasses, each tagged by the Literal default of its first field
    (`kind: Literal["due"] = "due"`, `tool: Literal["abc"] = "abc"`)."""
    if not all(dataclasses.is_dataclass(option) for option in options):
        raise TypeError(f"cannot tell {options!r} apart in JSON data")
    tag = dataclasses.fields(options[0])[0].name
    by_tag = {dataclasses.fields(option)[0].default: get(option) for option in options}

    def load(data: Any) -> Any:
        return by_tag[_mapping(data)[tag]](data)

    return load


def _enum(kind: type[enum.Enum]) -> Loader:
    members = {member.value: member for member in kind}

    def load(data: Any) -> Any:
        try:
            return members[data]
        except (KeyError, TypeError):
            raise ValueError(f"expected one of {', '.join(map(str, members))}") from None

    return load


def _literal(values: tuple[Any, ...]) -> Loader:
    def load(data: Any) -> Any:
        if data not in values:
            raise ValueError(f"expected one of {values!r}")
        return data

    return load


def field_hints(cls: type[Any]) -> dict[str, Any]:
    """The types of `cls`'s fields, each read in the module of the class that declares it.

    `typing.get_type_hints` would do, but it compiles every annotation of every class in
    the MRO again for each class; events, and the state's entities, share their bases and
    most field types."""
    fields = {f.name for f in dataclasses.fields(cls)}
    return {
        name: _evaluated(annotation, base.__module__)
        for base in reversed(cls.__mro__)
        for name, annotation in base.__dict__.get("__annotations__", {}).items()
        if name in fields
    }


@functools.cache
def _evaluated(annotation: Any, module: str) -> Any:
    if not isinstance(annotation, str):
        return annotation
    return eval(annotation, vars(sys.modules[module]))  # the module's own annotation text


def _dataclass_loader(cls: type[Any], get: Callable[[Any], Loader], written: bool) -> Loader:
    hints = field_hints(cls)
    # Text, numbers and flags are taken as they are once their type is right (most fields
    # of most events): no call per field for them (a rebuild reads millions of fields).
    fields: dict[str, tuple[Loader, type[Any] | None, bool]] = {}
    for f in dataclasses.fields(cls):
        if f.init:
            load_field = get(hints[f.name])
            exact, or_none = _EXACT.get(load_field, (None, False))
            fields[f.name] = (load_field, exact, or_none)

    def careful(data: Any) -> Any:
        values = {}
        for name, value in _mapping(data).items():
            field = fields.get(name)
            if field is None:
                raise Unreadable((name,), "unknown field")
            load_field, exact, or_none = field
            if exact is not None and (type(value) is exact or (or_none and value is None)):
                values[name] = value
                continue
            try:
                values[name] = load_field(value)
            except Unreadable as error:
                raise Unreadable((name, *error.where), error.what) from error
            except (TypeError, ValueError, ArithmeticError, KeyError) as error:
                raise Unreadable((name,), str(error) or type(error).__name__) from error
        try:
            return cls(**values)
        except TypeError as error:
            missing = [name for name in _required(cls) if name not in values]
            raise Unreadable((missing[0],) if missing else (), "missing") from error
        except (ValueError, ArithmeticError) as error:  # its own checks (`__post_init__`)
            raise Unreadable((), str(error)) from error

    return _straight(cls, fields, loader(cls)) if written else careful


_ABSENT = object()


def _straight(
    cls: type[Any], fields: dict[str, tuple[Loader, type[Any] | None, bool]], careful: Loader
) -> Loader:
    """`careful` (the loader that names what does not fit), behind a function written for
    `cls` that reads well-formed data field by field with no loop and no lookup of how to
    read a field; on anything unexpected it hands the data to `careful`, which reads it
    again and says what is wrong. Reading the store's events (millions in a rebuild) is
    most of what it does."""
    scope: dict[str, Any] = {"careful": careful, "cls": cls, "ABSENT": _ABSENT}
    body = []
    for n, (name, (load_field, exact, or_none)) in enumerate(fields.items()):
        body += [f"v = data.get({name!r}, ABSENT)", "if v is not ABSENT:"]
        if exact is None:
            scope[f"load{n}"] = load_field
            body.append(f"    values[{name!r}] = load{n}(v)")
            continue
        scope[f"kind{n}"] = exact
        fits = f"type(v) is kind{n}" + (" or v is None" if or_none else "")
        body += [f"    if not ({fits}):", "        raise TypeError"]
        body.append(f"    values[{name!r}] = v")
    lines = [
        "def load(data):",
        "    if type(data) is dict:",
        "        try:",
        "            values = {}",
        *(f"            {line}" for line in body),
        "            if len(values) == len(data):",  # else a field `cls` does not have
        "                return cls(**values)",
        "        except Exception:",  # read again by `careful`, which says what is wrong
        "            pass",
        "    return careful(data)",
    ]
    exec("\n".join(lines), scope)  # text written here from the field names, not from data
    return typing.cast(Loader, scope["load"])


def _required(cls: type[Any]) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(cls)
        if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]


def _mapping(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise Unreadable((), f"expected an object, found {type(data).__name__}")
    return data


def _items(data: Any) -> list[Any] | tuple[Any, ...]:
    if not isinstance(data, list | tuple):
        raise TypeError(f"expected a list, found {type(data).__name__}")
    return data


def _text(parse: Callable[[str], Any]) -> Loader:
    def load(data: Any) -> Any:
        if not isinstance(data, str):
            raise TypeError(f"expected text, found {type(data).__name__}")
        return parse(data)

    return load


def _exactly(kind: type[Any]) -> Loader:
    def load(data: Any) -> Any:
        if type(data) is not kind:
            raise TypeError(f"expected {kind.__name__}, found {type(data).__name__}")
        return data

    return load


def _decimal(data: Any) -> Decimal:
    if isinstance(data, bool) or not isinstance(data, str | int | float):
        raise TypeError(f"expected a number, found {type(data).__name__}")
    return Decimal(str(data))


_LEAVES: dict[type[Any], Loader] = {
    str: _exactly(str),
    bool: _exactly(bool),
    int: _exactly(int),
    float: lambda data: float(_decimal(data)),
    Decimal: _decimal,
    datetime: _text(stored_moment),
    date: _text(date.fromisoformat),
    timedelta: _text(parse_duration),
}
"""In this order: a subclass finds its nearest base first (a datetime is a date too)."""

_EXACT: dict[Loader, tuple[type[Any], bool]] = {
    _LEAVES[kind]: (kind, False) for kind in (str, int, bool)
}
"""Loaders that only check a value's type, by the type they check and whether None is
accepted (an optional field)."""

loader: Callable[[Any], Loader] = per_hint(lambda hint: _loader(hint, loader, written=False))
"""`loader(hint)`: a function turning the JSON data of a `hint` back into one."""

written_loader: Callable[[Any], Loader] = per_hint(
    lambda hint: _loader(hint, written_loader, written=True)
)
"""`loader`, with each dataclass (at any depth) read by a function written and compiled for
it (`_straight`): for a type read many times. Writing one costs about as much as reading
a few hundred events with `loader`; a command reading a small plan writes none
(`Reads.loader`)."""

HOT = 300
"""Reads of a type after which `Reads` has a loader written for it."""


class Reads:
    """The loader to read a type with, by how often it was read: `loader` at first, then,
    from its `HOT`th read, `written_loader`."""

    def __init__(self) -> None:
        self._counts: dict[Any, int] = {}

    def loader(self, hint: Any) -> Loader:
        count = self._counts.get(hint, 0) + 1
        self._counts[hint] = count
        return written_loader(hint) if count >= HOT else loader(hint)
