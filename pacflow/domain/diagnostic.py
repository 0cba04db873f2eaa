"""Decisions about the diagnostic (part of the decider): findings, decisions, justifications.

The chain the method asks for runs finding → decision → target: a decision cites the
findings it rests on, a target the decisions it implements. A finding is a fact about the
last period, like a market change: it needs no revision, only a plan that is not closed.
Decisions and which target implements which are what the plan says: they change like its
targets (freely in a draft, in a revision with a reason afterwards).
"""

from __future__ import annotations

from pacflow.domain.commands import JustifyTarget, RecordDecision, RecordFinding
from pacflow.domain.events import (
    DecisionRecorded,
    FindingRecorded,
    PlanEvent,
    TargetJustified,
)
from pacflow.domain.rules import (
    live_target,
    require_new_key,
    require_not_closed,
    require_plan_change,
)
from pacflow.domain.state import PlanState
from pacflow.errors import NotFoundError


def record_finding(state: PlanState, command: RecordFinding) -> list[PlanEvent]:
    """The finding as given, under a key no other entity of the plan uses."""
    require_not_closed(state)
    require_new_key(state, "finding", command.key)
    return [
        FindingRecorded(
            key=command.key, title=command.title, period=command.period, figures=command.figures
        )
    ]


def record_decision(state: PlanState, command: RecordDecision) -> list[PlanEvent]:
    """The decision, once every finding it cites is in the plan's diagnostic."""
    what = f"decision {command.key}"
    require_plan_change(state, command, what)
    require_new_key(state, "decision", command.key)
    findings = tuple(dict.fromkeys(command.findings))
    for key in findings:
        if key not in state.findings:
            raise NotFoundError(
                f"finding {key} of {what}: unknown finding in plan {state.key}",
                subject=key,
            )
    return [DecisionRecorded(key=command.key, statement=command.statement, findings=findings)]


def justify_target(state: PlanState, command: JustifyTarget) -> list[PlanEvent]:
    """The decisions a target implements; nothing when they are already those."""
    what = f"target {command.target}"
    require_plan_change(state, command, what)
    target = live_target(state, command.target)
    decisions = known_decisions(state, command.decisions, what)
    if decisions == target.decisions:
        return []
    return [TargetJustified(target=target.key, decisions=decisions)]


def known_decisions(state: PlanState, keys: tuple[str, ...], of: str) -> tuple[str, ...]:
    """`keys`, each once, once each names a decision of the plan."""
    decisions = tuple(dict.fromkeys(keys))
    for key in decisions:
        if key not in state.decisions:
            raise NotFoundError(
                f"decision {key} of {of}: unknown decision in plan {state.key}", subject=key
            )
    return decisions
