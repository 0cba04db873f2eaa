"""Decisions about indicators' actual values (part of the decider).

Recording an actual is a progress fact, like a visit held: it needs no open revision and
no reason, only a plan that is not closed. The period is valid time (which month the value
measures); when it was entered is the store's transaction time. A recorded value is never
overwritten: changing it takes a correction, with a reason, that keeps the earlier value.
"""

from __future__ import annotations

from pacflow.domain.commands import CorrectIndicatorValue, RecordIndicatorValue
from pacflow.domain.events import IndicatorValueCorrected, IndicatorValueRecorded, PlanEvent
from pacflow.domain.rules import (
    get_indicator,
    require_indicator_period,
    require_not_closed,
    require_reason,
)
from pacflow.domain.state import PlanState
from pacflow.errors import RuleViolationError


def record_value(state: PlanState, command: RecordIndicatorValue) -> list[PlanEvent]:
    """A first value for a period; a period that already has one takes a correction."""
    require_not_closed(state)
    indicator = get_indicator(state, command.indicator)
    what = f"indicator {indicator.key}"
    require_indicator_period(state, indicator, command.period, "period", what)
    known = indicator.actuals.get(command.period)
    if known is not None:
        raise RuleViolationError(
            f"{what}: {command.period} already has the value {known}; use `pacflow indicator "
            f"correct {state.key} {indicator.key} --period {command.period} --value V "
            '--reason "…"` to change it'
        )
    return [
        IndicatorValueRecorded(
            indicator=indicator.key,
            period=command.period,
            value=command.value,
            note=command.note,
        )
    ]


def correct_value(state: PlanState, command: CorrectIndicatorValue) -> list[PlanEvent]:
    """A new value for a period that has one, with the previous value and the reason."""
    require_not_closed(state)
    indicator = get_indicator(state, command.indicator)
    what = f"indicator {indicator.key}"
    require_indicator_period(state, indicator, command.period, "period", what)
    reason = require_reason(command, f"{what} {command.period}", "a correction")
    previous = indicator.actuals.get(command.period)
    if previous is None:
        raise RuleViolationError(
            f"{what}: no value was recorded for {command.period}, so there is nothing to "
            f"correct; use `pacflow indicator record {state.key} {indicator.key} --period "
            f"{command.period} --value V`"
        )
    if previous == command.value:
        return []
    return [
        IndicatorValueCorrected(
            indicator=indicator.key,
            period=command.period,
            value=command.value,
            previous=previous,
            reason=reason,
        )
    ]
