"""Upcasters turn old payloads into the current schema on read; stored rows never change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from events.errors import CorruptStoreError

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class Upcasters:
    """Registry of (type, schema_version) -> function producing schema_version + 1."""

    def __init__(self) -> None:
        self._steps: dict[tuple[str, int], Upcaster] = {}
        self._types: set[str] = set()

    def register(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator: `@upcasters.register("PlanCreated", 1)` upgrades v1 payloads to v2."""

        def add(step: Upcaster) -> Upcaster:
            key = (event_type, from_version)
            if key in self._steps:
                raise ValueError(f"an upcaster for {event_type} v{from_version} already exists")
            self._steps[key] = step
            self._types.add(event_type)
            return step

        return add

    def __bool__(self) -> bool:
        return bool(self._steps)

    def upcast(
        self, event_type: str, schema_version: int, data: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Apply every registered step from `schema_version` on; return the final version."""
        if event_type not in self._types:
            return schema_version, data
        while (step := self._steps.get((event_type, schema_version))) is not None:
            try:
                data = step(data)
            except Exception as error:
                raise CorruptStoreError(
                    f"cannot upcast {event_type} v{schema_version}: {error}"
                ) from error
            schema_version += 1
        return schema_version, data
