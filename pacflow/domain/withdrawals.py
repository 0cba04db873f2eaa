"""Withdrawing a mistake from a draft: a target typed by mistake (`RemoveTarget`).

While a plan is a draft nothing in it was communicated, so a target added by mistake can
be taken out with everything under it: its steps leave first (each as `step remove` takes
one out: occurrences unscheduled, then `StepRemoved`), then the target, its objectives and
its tracks (`TargetRemoved`). The log keeps all of it; the keys are free again. Once the
plan is approved, the plan as communicated is history: a target is dropped instead, with a
reason, and its open steps are cancelled.

Refused, with what to change first, when something that stays refers to it: an indicator
serving it or counted from it, a step of another target waiting for one of its steps, or
progress recorded on one of its steps.
"""

from __future__ import annotations

from pacflow.domain.commands import RemoveTarget
from pacflow.domain.corrections import require_no_progress, step_removal
from pacflow.domain.events import PlanEvent, TargetRemoved
from pacflow.domain.rules import get_target, require_not_closed
from pacflow.domain.state import PlanState
from pacflow.domain.values import PlanStatus
from pacflow.errors import RuleViolationError, Suggestion


def remove_target(state: PlanState, command: RemoveTarget) -> list[PlanEvent]:
    """Take a target out of a draft, with its steps, tracks and objectives."""
    require_not_closed(state)
    target = get_target(state, command.target)
    what = f"target {target.key}"
    if state.status is not PlanStatus.DRAFT:
        raise RuleViolationError(
            f"{what}: plan {state.key} is {state.status.value}; only a draft's targets can be "
            "removed (drop it, with a reason)",
            code="not-a-draft",
            subject=target.key,
            suggestion=Suggestion(
                ("target", "drop", state.key, target.key), placeholders='--reason "…"'
            ),
        )
    tracks = [track for track in state.tracks.values() if track.target == target.key]
    leaving = {key for track in tracks for key in track.steps}
    track_keys = {track.key for track in tracks}
    for indicator in state.indicators.values():
        derived = indicator.derived
        counted = derived is not None and (
            derived.target == target.key
            or derived.track in track_keys
            or any(step in leaving for step in derived.steps)
        )
        if target.key in indicator.serves or counted:
            raise RuleViolationError(
                f"{what}: indicator {indicator.key} "
                + ("is counted from it" if counted else "serves it")
                + "; change that first",
                code="referenced",
                subject=indicator.key,
            )
    for step in state.steps.values():
        if step.key not in leaving and step.predecessor in leaving:
            raise RuleViolationError(
                f"{what}: step {step.key} waits for its step {step.predecessor}; change that "
                "first",
                code="referenced",
                subject=step.key,
            )
    events: list[PlanEvent] = []
    for track in tracks:
        for key in track.steps:
            step = state.steps[key]
            require_no_progress(state, step, f"{what}: its step {key}", "drop the target instead")
            events += step_removal(step)
    return [*events, TargetRemoved(target=target.key, tracks=tuple(t.key for t in tracks))]
