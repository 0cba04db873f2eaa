"""Frozen value dataclasses that cost little to declare: events, schedules, figures, and
the answers and report pieces that reads build.

`dataclass(frozen=True)` writes and compiles five methods for each class when its module
is imported (`__init__`, `__repr__`, `__eq__`, `__hash__`, `__setattr__`…): for the 60
event, schedule and figure types alone, a fifth of what a read command spent before it
read anything (Python 3.11). `@frozen_value` declares the same dataclass (fields, slots,
keyword-only arguments; `@frozen_record` takes them in order too) and `FrozenValue` gives
it the rest:

- equality, hash and repr by the fields, and refusing assignment, written once here;
- `__init__` compiled on the first instance of each type (a read decodes a dozen event
  types of the 45), setting the fields as a frozen dataclass does, then calling
  `__post_init__` if the class has one.

Type checkers see a frozen dataclass (`dataclass_transform`); pydantic validates one like
any dataclass (it sets the fields without calling `__init__`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, cast, dataclass_transform

_Value = TypeVar("_Value", bound=type[Any])


@dataclass_transform(kw_only_default=True, frozen_default=True, eq_default=False)
def frozen_value(cls: _Value) -> _Value:
    """Declare `cls` (a `FrozenValue`) a frozen, slotted, keyword-only dataclass."""
    return _declared(cls, kw_only=True)


@dataclass_transform(frozen_default=True, eq_default=False)
def frozen_record(cls: _Value) -> _Value:
    """`frozen_value`, whose fields may be given in order too (answers built in one
    place, like `HistoryAnswer(origin, entries)`)."""
    return _declared(cls, kw_only=False)


def _declared(cls: _Value, *, kw_only: bool) -> _Value:
    made = dataclasses.dataclass(init=False, repr=False, eq=False, slots=True, kw_only=kw_only)(cls)
    made.__init__ = _first_init  # its own, not one a base compiled for its fields
    return cast(_Value, made)


class FrozenValue:
    """Base of the `@frozen_value` and `@frozen_record` dataclasses (see the module)."""

    __slots__ = ()

    def __init__(self, *args: Any, **values: Any) -> None:
        _first_init(self, *args, **values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return _values(self) == _values(other)

    def __hash__(self) -> int:
        return hash((type(self), _values(self)))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _field_names(type(self)))
        return f"{type(self).__qualname__}({shown})"

    def __getstate__(self) -> tuple[Any, ...]:  # copy and pickle
        return _values(self)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(_field_names(type(self)), state, strict=True):
            object.__setattr__(self, name, value)


def _first_init(self: Any, *args: Any, **values: Any) -> None:
    """The `__init__` of a type's first instance: compiles the type's own and calls it."""
    kind = type(self)
    init = _compiled_init(kind)
    kind.__init__ = init  # the next instances go straight there
    init(self, *args, **values)


def _compiled_init(kind: type[Any]) -> Callable[..., None]:
    """`kind.__init__`, as `dataclass(frozen=True, kw_only=True)` would write it."""
    scope: dict[str, Any] = {"_set": object.__setattr__, "_MISSING": dataclasses.MISSING}
    in_order: list[str] = []
    by_name: list[str] = []
    lines: list[str] = []
    for field in dataclasses.fields(kind):
        name = field.name
        parameters = by_name if field.kw_only else in_order
        if field.default is not dataclasses.MISSING:
            scope[f"_default_{name}"] = field.default
            parameters.append(f"{name}=_default_{name}")
            lines.append(f"_set(self, {name!r}, {name})")
        elif field.default_factory is not dataclasses.MISSING:
            scope[f"_factory_{name}"] = field.default_factory
            parameters.append(f"{name}=_MISSING")
            lines.append(
                f"_set(self, {name!r}, _factory_{name}() if {name} is _MISSING else {name})"
            )
        else:
            parameters.append(name)
            lines.append(f"_set(self, {name!r}, {name})")
    if hasattr(kind, "__post_init__"):
        lines.append("self.__post_init__()")
    signature = ", ".join(["self", *in_order, *(["*", *by_name] if by_name else [])])
    body = "\n".join(f"    {line}" for line in lines) or "    pass"
    made: dict[str, Any] = {}
    exec(f"def __init__({signature}) -> None:\n{body}\n", scope, made)
    init: Callable[..., None] = made["__init__"]
    init.__qualname__ = f"{kind.__qualname__}.__init__"
    return init


def _field_names(kind: type[Any]) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _values(value: Any) -> tuple[Any, ...]:
    return tuple(getattr(value, name) for name in _field_names(type(value)))
