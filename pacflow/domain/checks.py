"""Decisions about the thresholds of `pacflow check` (part of the decider).

Thresholds say how the plan is watched, not what it says: changing them needs no open
revision (a revision published only to retune the check would itself answer the findings
it silences), but a plan that is no longer a draft records why.
"""

from __future__ import annotations

from dataclasses import fields

from pacflow.domain.commands import SetCheckThresholds
from pacflow.domain.events import CheckThresholdsSet, PlanEvent
from pacflow.domain.rules import require_not_closed, require_reason_unless_draft
from pacflow.domain.state import PlanState
from pacflow.domain.values import CHECK_THRESHOLD_BOUNDS, CheckThresholds
from pacflow.errors import InvalidInputError

THRESHOLD_NAMES = tuple(f.name for f in fields(CheckThresholds))


def set_check_thresholds(state: PlanState, command: SetCheckThresholds) -> list[PlanEvent]:
    """The thresholds given that differ from the plan's; nothing when none does."""
    require_not_closed(state)
    what = f"plan {state.key}"
    given = {
        name: getattr(command, name)
        for name in THRESHOLD_NAMES
        if getattr(command, name) is not None
    }
    if not given:
        raise InvalidInputError(
            f"{what}: give at least one threshold ({', '.join(THRESHOLD_NAMES)})"
        )
    for name, value in given.items():
        low, high = CHECK_THRESHOLD_BOUNDS[name]
        if not low <= value <= high:
            raise InvalidInputError(f"{what}: {name} {value}: expected {low} to {high}")
    require_reason_unless_draft(state, command, what)
    changed = {name: value for name, value in given.items() if getattr(state.checks, name) != value}
    if not changed:
        return []
    return [CheckThresholdsSet(**changed)]
