"""Slotted dataclasses that cost little to declare, for every layer (the store's records,
the domain's events, values and state, the answers reads build, the calendar items). It
needs only the standard library, so `events` can use it and still know nothing of PACs.

`dataclass(frozen=True, slots=True)` writes and compiles five methods for each class when
its module is imported (`__init__`, `__repr__`, `__eq__`, `__hash__`, `__setattr__`…) and
parses each field's type looking for `ClassVar`: up to a millisecond a class (Python 3.11).
`check` declares about 120 classes; the 39 it declared that way were a ninth of all it
executed on a small store. Here a class is declared for a fifteenth of that:

- `@frozen_value` declares a frozen, slotted, keyword-only dataclass (`@frozen_record` takes
  the fields in order too), and `FrozenValue` gives it equality, hash and repr by the fields
  and refuses assignment, written once here;
- `@mutable_record` and `MutableRecord` do the same for a slotted dataclass whose fields are
  set in place (the entities `fold` changes, the tallies a projection keeps): equality and
  repr by the fields, unhashable, as `dataclass(slots=True)` makes it;
- `__init__` is compiled on the first instance of each type (a read decodes a dozen event
  types of the 45), setting the fields as `dataclass` does, then calling `__post_init__`
  if the class has one;
- the dataclass fields are the standard library's own `Field` objects, so
  `dataclasses.fields`, `replace` and `asdict` work, and pydantic validates one like any
  dataclass (it sets the fields without calling `__init__`).

Type checkers see the dataclasses (`dataclass_transform`).
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


@dataclass_transform(eq_default=False)
def mutable_record(cls: _Value) -> _Value:
    """Declare `cls` (a `MutableRecord`) a slotted dataclass whose fields are given in order
    or by name and may be set later."""
    return _declared(cls, kw_only=False)


def _declared(cls: _Value, *, kw_only: bool) -> _Value:
    """`cls` made again with a slot for each of its fields and the dataclass fields that
    `dataclasses.fields`, `replace` and pydantic read, as `dataclass(slots=True)` would make
    them, for half the cost: the fields' types stay the strings they were written as
    (`dataclass` parses each one, looking for `ClassVar`)."""
    namespace = dict(cls.__dict__)
    if "__slots__" in namespace:
        raise TypeError(f"{cls.__qualname__} declares its fields, not __slots__")
    fields: dict[str, dataclasses.Field[Any]] = {}
    for base in reversed(cls.__mro__[1:]):
        fields.update(getattr(base, "__dataclass_fields__", {}))
    own: list[str] = []
    for name, kind in namespace.get("__annotations__", {}).items():
        if _is_class_variable(kind):
            continue
        fields[name] = _field(cls, name, kind, namespace.pop(name, dataclasses.MISSING), kw_only)
        own.append(name)
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    namespace["__slots__"] = tuple(own)
    namespace["__dataclass_fields__"] = fields
    namespace["__init__"] = _first_init  # its own, not one a base compiled for its fields
    metaclass: Any = type(cls)
    made = metaclass(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    return cast(_Value, made)


def _is_class_variable(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    if text.startswith(("InitVar", "dataclasses.InitVar")):
        raise TypeError(f"init-only fields are not supported: {text}")
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _field(
    cls: type[Any], name: str, annotation: Any, given: Any, kw_only: bool
) -> dataclasses.Field[Any]:
    """The dataclass field `name` of `cls`, as `dataclass` sets it up from the class body."""
    field: dataclasses.Field[Any] = (
        given if isinstance(given, dataclasses.Field) else dataclasses.field(default=given)
    )
    if type(field.default).__hash__ is None:  # a list, dict or set shared by every value
        raise ValueError(f"{cls.__qualname__}.{name}: use default_factory for a mutable default")
    field.name = name
    field.type = annotation
    if field.kw_only is dataclasses.MISSING:
        field.kw_only = kw_only
    field._field_type = _FIELD  # type: ignore[attr-defined]  # what `fields()` keeps
    return field


# How `dataclasses` marks a field (not a `ClassVar`); private, so `test_slotted` compares what
# `fields()` and pydantic see here with what the standard `dataclass` gives the same class.
_FIELD = dataclasses._FIELD  # type: ignore[attr-defined]


class MutableRecord:
    """Base of the `@mutable_record` dataclasses, and of `FrozenValue` (see the module)."""

    __slots__: tuple[str, ...] = ()  # each class's: its own fields

    __hash__ = None  # type: ignore[assignment]  # equal by its fields, which may change

    def __init__(self, *args: Any, **values: Any) -> None:
        _first_init(self, *args, **values)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return _values(self) == _values(other)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _field_names(type(self)))
        return f"{type(self).__qualname__}({shown})"

    def __getstate__(self) -> tuple[Any, ...]:  # copy and pickle
        return _values(self)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(_field_names(type(self)), state, strict=True):
            object.__setattr__(self, name, value)


class FrozenValue(MutableRecord):
    """Base of the `@frozen_value` and `@frozen_record` dataclasses (see the module)."""

    __slots__: tuple[str, ...] = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:  # type: ignore[override]
        return hash((type(self), _values(self)))


def _first_init(self: Any, *args: Any, **values: Any) -> None:
    """The `__init__` of a type's first instance: compiles the type's own and calls it."""
    kind = type(self)
    init = _compiled_init(kind)
    kind.__init__ = init  # the next instances go straight there
    init(self, *args, **values)


def _compiled_init(kind: type[Any]) -> Callable[..., None]:
    """`kind.__init__`, as `dataclass` would write it (`frozen=True` for a `FrozenValue`)."""
    scope: dict[str, Any] = {"_set": object.__setattr__, "_MISSING": dataclasses.MISSING}
    # A frozen value refuses `self.x = …`; a record takes it, and that is the faster way.
    setting = "_set(self, {0!r}, {1})" if issubclass(kind, FrozenValue) else "self.{0} = {1}"
    in_order: list[str] = []
    by_name: list[str] = []
    lines: list[str] = []
    for field in dataclasses.fields(kind):
        name = field.name
        parameters = by_name if field.kw_only else in_order
        if field.default is not dataclasses.MISSING:
            scope[f"_default_{name}"] = field.default
            parameters.append(f"{name}=_default_{name}")
            lines.append(setting.format(name, name))
        elif field.default_factory is not dataclasses.MISSING:
            scope[f"_factory_{name}"] = field.default_factory
            parameters.append(f"{name}=_MISSING")
            given = f"_factory_{name}() if {name} is _MISSING else {name}"
            lines.append(setting.format(name, given))
        else:
            parameters.append(name)
            lines.append(setting.format(name, name))
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
