"""Decisions about indicators' actual values (part of the decider).

Recording an actual is a progress fact, like a visit held: it needs no open revision and
no reason, only a plan that is not closed. The period is valid time (which month the value
measures); when it was entered is the store's transaction time. A recorded value is never
overwritten: changing it takes a correction, with a reason, that keeps the earlier value.

A derived indicator (see `pacflow.domain.derivation`) takes no typed value: its values are
counted from the events of its scope. `check_derivation` is the part of defining an
indicator that concerns where its values come from.
"""

from __future__ import annotations

from pacflow.domain.commands import CorrectIndicatorValue, DefineIndicator, RecordIndicatorValue
from pacflow.domain.derivation import SCHEDULES_COUNTED, Derivation, DerivedFrom
from pacflow.domain.events import IndicatorValueCorrected, IndicatorValueRecorded, PlanEvent
from pacflow.domain.rules import (
    get_indicator,
    get_step,
    get_target,
    get_track,
    require_indicator_period,
    require_not_closed,
    require_reason,
)
from pacflow.domain.state import Indicator, PlanState
from pacflow.domain.values import Aggregation
from pacflow.errors import InvalidInputError, RuleViolationError, Suggestion

_COUNTABLE = (Aggregation.PER_PERIOD, Aggregation.CUMULATIVE_YTD)


def record_value(state: PlanState, command: RecordIndicatorValue) -> list[PlanEvent]:
    """A first value for a period; the same value again records nothing; another value for
    a period that has one takes a correction."""
    require_not_closed(state)
    indicator = get_indicator(state, command.indicator)
    what = f"indicator {indicator.key}"
    _require_typed(indicator, "recorded")
    require_indicator_period(state, indicator, command.period, "period", what)
    known = indicator.actuals.get(command.period)
    if known == command.value:
        return []  # recorded already: re-running an import or a script changes nothing
    if known is not None:
        raise RuleViolationError(
            f"{what}: {command.period} already has the value {known}; correct it to change it",
            code="value-already-recorded",
            subject=indicator.key,
            suggestion=Suggestion(
                ("indicator", "correct", state.key, indicator.key, "--period", command.period),
                placeholders='--value V --reason "…"',
            ),
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
    _require_typed(indicator, "corrected")
    require_indicator_period(state, indicator, command.period, "period", what)
    reason = require_reason(command, f"{what} {command.period}", "a correction")
    previous = indicator.actuals.get(command.period)
    if previous is None:
        raise RuleViolationError(
            f"{what}: no value was recorded for {command.period}, so there is nothing to "
            "correct; record one instead",
            code="no-value-to-correct",
            subject=indicator.key,
            suggestion=Suggestion(
                ("indicator", "record", state.key, indicator.key, "--period", command.period),
                placeholders="--value V",
            ),
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


def _require_typed(indicator: Indicator, doing: str) -> None:
    if indicator.derived is not None:
        raise RuleViolationError(
            f"indicator {indicator.key} is derived from {indicator.derived.describe()}: its "
            f"values are counted from those events and cannot be {doing} by hand"
        )


def check_derivation(state: PlanState, current: Indicator | None, command: DefineIndicator) -> None:
    """Refuse a derivation that cannot count anything, and a change between typed and
    derived values once an indicator has values of the other sort."""
    what = f"indicator {command.key}"
    derivation = command.derived
    if current is not None and current.derived is not None and derivation is None:
        raise RuleViolationError(
            f"{what} is derived from {current.derived.describe()}; it cannot become typed "
            "(define it again with its derivation, e.g. --derive visits-done --step S08)"
        )
    if derivation is None:
        return
    if current is not None and current.derived is None and current.actuals:
        first = min(current.actuals)
        raise RuleViolationError(
            f"{what} has values typed in (from {first}); it cannot become derived from events "
            "(define a new indicator for the derived figure)"
        )
    if command.aggregation not in _COUNTABLE:
        raise InvalidInputError(
            f"{what}: a derived indicator counts events; its aggregation must be per_period "
            f"or cumulative_ytd, not {command.aggregation.value}"
        )
    _check_scope(state, derivation, what)


def _check_scope(state: PlanState, derivation: Derivation, what: str) -> None:
    if derivation.track is not None:
        get_track(state, derivation.track)
    if derivation.target is not None:
        get_target(state, derivation.target, of=what)
    wanted = SCHEDULES_COUNTED[derivation.kind]
    for key in derivation.steps:
        schedule = get_step(state, key, of=what).schedule.kind
        if schedule in wanted:
            continue
        if derivation.kind is DerivedFrom.STEPS_ON_TIME:
            raise InvalidInputError(
                f"{what}: step {key} has no due date (it is scheduled as {schedule}); "
                "derive visits_done or sessions_held from it"
            )
        if schedule == "due":
            raise InvalidInputError(
                f"{what}: step {key} is a task with a due date, it has no occurrences; "
                "derive steps_on_time from it"
            )
