"""Decisions about market changes and overridden calendar changes (part of the decider).

A market change is a fact about the plan's environment, like a visit held is a fact about
its progress: it needs no open revision, only a plan that is not closed. What it touches is
a list of references; `target:KEY` must name a target of the plan, while segments, offers
and accounts are free keys (the plan does not keep lists of them).
"""

from __future__ import annotations

from pacflow.domain.commands import RecordCalendarOverride, RecordMarketChange
from pacflow.domain.events import CalendarChangeOverridden, MarketChangeRecorded, PlanEvent
from pacflow.domain.rules import get_target, require_not_closed
from pacflow.domain.state import PlanState
from pacflow.errors import NotFoundError


def record_market_change(state: PlanState, command: RecordMarketChange) -> list[PlanEvent]:
    """The market change as given, once every `target:` reference names a known target."""
    require_not_closed(state)
    for ref in command.affects:
        kind, _, key = ref.partition(":")
        if kind == "target":
            get_target(state, key, "affects target")
    affects = tuple(dict.fromkeys(command.affects))  # each reference once, in given order
    return [
        MarketChangeRecorded(
            summary=command.summary,
            affects=affects,
            effective=command.effective,
            impact=command.impact,
        )
    ]


def record_calendar_override(state: PlanState, command: RecordCalendarOverride) -> list[PlanEvent]:
    """A calendar change the plan did not take: a fact about the plan's environment too.

    Recorded even on a closed plan, since the change it keeps track of was refused anyway.
    """
    if command.step not in state.steps:
        raise NotFoundError(f"step {command.step}: not in plan {state.key}")
    if command.occurrence is not None and command.occurrence not in state.occurrences:
        raise NotFoundError(f"occurrence {command.occurrence}: not in plan {state.key}")
    return [
        CalendarChangeOverridden(
            step=command.step,
            occurrence=command.occurrence,
            change=command.change,
            rule=command.rule,
        )
    ]
