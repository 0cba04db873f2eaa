"""Warnings for "choisir, c'est renoncer": a plan spreading its team over too many targets.

A warning never refuses anything; the application service shows them after a change.
"""

from __future__ import annotations

from pacflow.domain.state import PlanState
from pacflow.domain.values import PersonKind

_MOTTO = "choisir, c'est renoncer"


def warnings(state: PlanState) -> list[str]:
    """Warnings about saupoudrage: too many live targets in all, for the reps of the team,
    or for one rep, against the plan's thresholds (`max_targets_total`,
    `max_targets_per_rep`)."""
    live = [target for target in state.targets.values() if not target.dropped]
    found: list[str] = []
    if len(live) > state.max_targets_total:
        found.append(
            f"{_MOTTO}: plan {state.key} has {len(live)} live targets, more than "
            f"{state.max_targets_total} in all"
        )
    reps = [
        person
        for person in state.people.values()
        if person.kind is PersonKind.REP and person.left_on is None
    ]
    if reps and len(live) > state.max_targets_per_rep * len(reps):
        found.append(
            f"{_MOTTO}: plan {state.key} has {len(live)} live targets for {len(reps)} "
            f"rep{'s' if len(reps) > 1 else ''}, "
            f"more than {state.max_targets_per_rep} per rep"
        )
    for rep in reps:
        carried = [target.key for target in live if target.responsible == rep.key]
        if len(carried) > state.max_targets_per_rep:
            found.append(
                f"{_MOTTO}: {rep.key} is responsible for {len(carried)} live targets "
                f"({', '.join(carried)}), more than {state.max_targets_per_rep}"
            )
    return found
