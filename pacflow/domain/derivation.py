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
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, model_validator

from pacflow.domain.values import Key


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


class Derivation(BaseModel):
    """How a derived indicator gets its values: what it counts (`kind`) and where."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    kind: DerivedFrom
    steps: tuple[Key, ...] = ()
    track: Key | None = None
    target: Key | None = None

    @model_validator(mode="after")
    def _one_scope(self) -> Derivation:
        given = [name for name in ("steps", "track", "target") if getattr(self, name)]
        if len(given) != 1:
            found = " and ".join(given) if given else "none"
            raise ValueError(f"give exactly one of steps, track or target (found {found})")
        return self

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
