"""Checks that pydantic applies, declared without importing pydantic.

The domain's value aliases (`Key`, `Text`, `LocalDateTime`, …) annotate the dataclasses of
events, schedules and findings. Pydantic validates those where input comes in (commands,
plan files, imports); reading what the store holds does not need it
(`pacflow.domain.plain`). So each alias carries a `Checked`: what pydantic should apply,
built on first use, and how a stored value reads back.

    Key = Annotated[str, Checked(lambda: (pydantic().StringConstraints(pattern=...),))]
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Annotated, Any


def pydantic() -> ModuleType:
    """The pydantic module, imported on first call (a read that never validates never pays
    for it)."""
    return importlib.import_module("pydantic")


class Checked:
    """`Annotated` metadata that expands into pydantic's own (`make()`) when pydantic builds
    a validator or a JSON Schema; `stored` turns the JSON a value was stored as back into
    it, where the type alone does not say how (a local time with `~2`, a duration)."""

    __slots__ = ("_make", "stored")

    def __init__(
        self, make: Callable[[], tuple[Any, ...]], stored: Callable[[Any], Any] | None = None
    ) -> None:
        self._make = make
        self.stored = stored

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return handler.generate_schema(Annotated[(source, *self._make())])

    def __repr__(self) -> str:
        return f"Checked({self._make!r})"


_ADAPTERS: dict[Any, Any] = {}


def validate(kind: Any, data: Any, context: dict[str, Any] | None = None) -> Any:
    """`data` validated by pydantic as a `kind` (a dataclass of the domain, or an alias):
    what comes in from a user or a file; raises pydantic's ValidationError."""
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = pydantic().TypeAdapter(kind)
    return adapter.validate_python(data, context=context)
