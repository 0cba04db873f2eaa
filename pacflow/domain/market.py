"""Decisions about market changes (part of the decider).

A market change is a fact about the plan's environment, like a visit held is a fact about
its progress: it needs no open revision, only a plan that is not closed. What it touches is
a list of references; `target:KEY` must name a target of the plan, while segments, offers
and accounts are free keys (the plan does not keep lists of them).
"""

from __future__ import annotations

from pacflow.domain.commands import RecordMarketChange
from pacflow.domain.events import MarketChangeRecorded, PlanEvent
from pacflow.domain.rules import get_target, require_not_closed
from pacflow.domain.state import PlanState


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
