"""Activity indicators derived from the plan's own events instead of typed in.

An indicator may declare a `Derivation`: what it counts and where. Its value for a period
is then the number of those facts whose date falls in the period, as the events recording
them arrive (so "as known at T" counts the facts recorded up to T):

- `visits_done`: occurrences held (`OccurrenceCompleted`), in the period of the day each
  was held;
- `sessions_held`: the same, for sessions (steering committees, webinars, breakfasts);
- `steps_on_time`: steps done on or before their due date (`StepCompleted`), in the period
  of the day each was done.

The scope is exactly one of: named steps (`steps`: any of their occurrences, or the steps
themselves), a track, or a target (every track of it). A track or target scope counts
visits of its visit series (recurrence or cadence), sessions of its session lists and the
on-time completion of its steps that have a due date.

`Derivation` is a plain frozen dataclass that checks itself, not a pydantic model: the
events, commands and plan files holding one validate it as a dataclass, and reads answered
from read models (the dashboard, an indicator's history) use it without importing pydantic.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar

from pacflow.domain.kinds import KEY_PATTERN, KEY_RULE, is_key
from slotted import FrozenValue, frozen_record


class DerivedFrom(enum.StrEnum):
    """What a derived indicator counts."""

    VISITS_DONE = "visits_done"
    SESSIONS_HELD = "sessions_held"
    STEPS_ON_TIME = "steps_on_time"


SCHEDULES_COUNTED: dict[DerivedFrom, frozenset[str]] = {
    DerivedFrom.VISITS_DONE: frozenset({"recurrence", "cadence"}),
    DerivedFrom.SESSIONS_HELD: frozenset({"sessions"}),
    DerivedFrom.STEPS_ON_TIME: frozenset({"due"}),
}
"""The kinds of step schedule (`Schedule.kind`) each derivation counts in a track or target."""

_WORDS = {
    DerivedFrom.VISITS_DONE: "visits done",
    DerivedFrom.SESSIONS_HELD: "sessions held",
    DerivedFrom.STEPS_ON_TIME: "steps done on time",
}


def _key_patterns(schema: dict[str, Any]) -> None:
    """The JSON Schema of a derivation (in plan files' schema, for editors) with the key
    pattern `__post_init__` checks on steps, track and target."""
    pattern = f"^{KEY_PATTERN}$"
    properties = schema["properties"]
    properties["steps"]["items"]["pattern"] = pattern
    for name in ("track", "target"):
        properties[name]["anyOf"][0]["pattern"] = pattern


@frozen_record
class Derivation(FrozenValue):
    """How a derived indicator gets its values: what it counts (`kind`) and where."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {  # as models holding one validate it
        "extra": "forbid",
        "json_schema_extra": _key_patterns,
    }

    kind: DerivedFrom
    steps: tuple[str, ...] = ()
    track: str | None = None
    target: str | None = None

    def __post_init__(self) -> None:
        # Pydantic has checked the types already when it validates one; code may pass a
        # string kind or a list of steps, made right here.
        object.__setattr__(self, "kind", DerivedFrom(self.kind))
        object.__setattr__(self, "steps", tuple(self.steps))
        named: list[tuple[str, str | None]] = [
            (f"steps[{index}]", step) for index, step in enumerate(self.steps)
        ]
        named += [("track", self.track), ("target", self.target)]
        for name, key in named:
            if key is not None and not is_key(key):
                raise ValueError(f"{name} {key!r}: expected {KEY_RULE}")
        given = [name for name in ("steps", "track", "target") if getattr(self, name)]
        if len(given) != 1:
            found = " and ".join(given) if given else "none"
            raise ValueError(f"give exactly one of steps, track or target (found {found})")

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Derivation:
        """A derivation from the JSON data `as_data` gives (or with every field)."""
        return cls(**data)

    def as_data(self) -> dict[str, Any]:
        """JSON-ready data, without the fields left at their default: `{"kind":
        "visits_done", "steps": ["S08"]}`."""
        data: dict[str, Any] = {"kind": self.kind.value}
        if self.steps:
            data["steps"] = list(self.steps)
        for name, key in (("track", self.track), ("target", self.target)):
            if key is not None:
                data[name] = key
        return data

    @property
    def counts_occurrences(self) -> bool:
        """Whether it counts occurrences held (else: steps done on time)."""
        return self.kind is not DerivedFrom.STEPS_ON_TIME

    def covers(self, step: str, track: str, target: str | None, schedule: str) -> bool:
        """Whether a fact about `step` (in `track`, of `target`, scheduled as `schedule`)
        is in this derivation's scope."""
        if self.steps:
            return step in self.steps
        if self.track is not None and track != self.track:
            return False
        if self.target is not None and target != self.target:
            return False
        return schedule in SCHEDULES_COUNTED[self.kind]

    def describe(self) -> str:
        """`visits done of step S08`, `steps done on time in track T2-DEV`…"""
        if self.steps:
            noun = "step" if len(self.steps) == 1 else "steps"
            where = f"of {noun} {', '.join(self.steps)}"
        elif self.track is not None:
            where = f"in track {self.track}"
        else:
            where = f"in target {self.target}"
        return f"{_WORDS[self.kind]} {where}"
