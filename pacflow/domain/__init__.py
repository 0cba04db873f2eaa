"""The PAC domain: a pure functional core, with no I/O.

    state = fold(events)                     # PlanState | None
    new_events = decide(state, command)      # or a PacflowError, nothing to record
    for event in new_events:
        state = evolve(state, event)          # in place: the caller owns `state`
    warnings(state)                          # "choisir, c'est renoncer"

Modules: `values` (enums, keys, periods, durations, time zones), `schedule` and `rrule`
(schedules and their occurrences), `events` (event types and their registry), `commands`,
`state` (`PlanState`), `folding` (`evolve`, `fold`), `decider` (`decide`), `rules`,
`steps`, `indicator_values` and `market` (the decider's parts), `focus` (`warnings`).
Plain modules, with no pydantic behind them, hold what reads from the read models need:
`kinds` (enums, keys), `periods` (`PlanPeriod`, period keys), `statuses` and `progress`
(done, late, held), `indicator` and `derivation`; `values` and `state` re-export them.

Pydantic checks what comes in: commands are pydantic models, and the events, schedules
and findings they carry are frozen dataclasses it validates against the checks their
types declare (`checked`). Reading the store needs none of it: `plain` turns a stored
payload back into its event by the type hints alone, so a read that folds (history,
check, diff, a plan as of a date) never imports pydantic.
Nothing here imports a database, CLI or calendar library, or the `events` store package,
and nothing reads the clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pacflow.lazy import lazy_exports

if TYPE_CHECKING:
    from pacflow.domain.commands import Command, build_command
    from pacflow.domain.decider import decide
    from pacflow.domain.events import (
        EVENT_TYPES,
        PlanEvent,
        event_type_name,
        from_payload,
        to_payload,
    )
    from pacflow.domain.focus import warnings
    from pacflow.domain.folding import evolve, fold
    from pacflow.domain.schedule import OccurrenceSlot, PlanPeriod, Schedule, expand
    from pacflow.domain.state import PlanState

# Imported on first use: a command that only reads (and folds) never pays for building
# the pydantic models of commands and the decider (a fifth of a second at start-up).
_HOMES = {
    "Command": "commands",
    "build_command": "commands",
    "decide": "decider",
    "EVENT_TYPES": "events",
    "PlanEvent": "events",
    "event_type_name": "events",
    "from_payload": "events",
    "to_payload": "events",
    "warnings": "focus",
    "evolve": "folding",
    "fold": "folding",
    "OccurrenceSlot": "schedule",
    "PlanPeriod": "schedule",
    "Schedule": "schedule",
    "expand": "schedule",
    "PlanState": "state",
}


__getattr__ = lazy_exports(__name__, _HOMES)


__all__ = [
    "EVENT_TYPES",
    "Command",
    "OccurrenceSlot",
    "PlanEvent",
    "PlanPeriod",
    "PlanState",
    "Schedule",
    "build_command",
    "decide",
    "event_type_name",
    "evolve",
    "expand",
    "fold",
    "from_payload",
    "to_payload",
    "warnings",
]
