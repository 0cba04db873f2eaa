"""A plan's state as plain data (for --json, exports and reports)."""

from __future__ import annotations

from typing import Any

from pacflow.domain import PlanState
from pacflow.domain.localtime import with_fold_text
from pacflow.domain.plain import to_plain, without_none
from pacflow.domain.schedule import Schedule
from pacflow.domain.state import Person


def _schedule(schedule: Schedule) -> dict[str, Any]:
    data: dict[str, Any] = without_none(to_plain(schedule))
    return data


def person_view(person: Person) -> dict[str, Any]:
    """One person of the team, JSON-ready (as `plan show --json` and `person list` give it)."""
    return {
        "key": person.key,
        "name": person.name,
        "kind": str(person.kind),
        "email": person.email,
        "role": person.role,
        "sector": person.sector,
        "timezone": person.timezone,
        "left_on": person.left_on.isoformat() if person.left_on else None,
    }


def plan_view(state: PlanState) -> dict[str, Any]:
    """Everything about the plan, JSON-ready, in the order a reader expects."""
    return {
        "key": state.key,
        "title": state.title,
        "period": {"start": state.start.isoformat(), "end": state.end.isoformat()},
        "timezone": state.timezone,
        "owner": state.owner,
        "scope": state.scope,
        "status": str(state.status),
        "revision": state.revision,
        "version": state.version,
        "limits": {
            "max_targets_per_rep": state.max_targets_per_rep,
            "max_targets_total": state.max_targets_total,
        },
        "people": [person_view(p) for p in state.people.values()],
        "targets": [
            {
                "key": t.key,
                "kind": str(t.kind),
                "title": t.title,
                "responsible": t.responsible,
                "ref": t.ref,
                "segments": list(t.segments),
                "rationale": t.rationale,
                "dropped": t.dropped,
                "objectives": [
                    {
                        "key": o.key,
                        "statement": o.statement,
                        "indicator": o.indicator,
                        "baseline": str(o.baseline) if o.baseline is not None else None,
                        "value": str(o.value),
                        "unit": o.unit,
                        "due": o.due.isoformat(),
                    }
                    for o in sorted(
                        (o for (target, _k), o in state.objectives.items() if target == t.key),
                        key=lambda o: (o.key != "main", o.key),
                    )
                ],
            }
            for t in state.targets.values()
        ],
        "tracks": [
            {
                "key": track.key,
                "target": track.target,
                "domain": str(track.domain),
                "approach": str(track.approach) if track.approach else None,
                "title": track.title,
                "steps": [_step(state, key) for key in track.steps],
            }
            for track in state.tracks.values()
        ],
        "indicators": [
            {
                "key": i.key,
                "name": i.name,
                "kind": str(i.kind),
                "unit": i.unit,
                "aggregation": str(i.aggregation),
                "direction": str(i.direction),
                "owner": i.owner,
                "per": str(i.per),
                "serves": list(i.serves),
                "targets": {period: str(value) for period, value in sorted(i.targets.items())},
            }
            for i in state.indicators.values()
        ],
    }


def _step(state: PlanState, key: str) -> dict[str, Any]:
    step = state.steps[key]
    return {
        "key": step.key,
        "title": step.title,
        "order": step.order,
        "status": str(step.status),
        "responsible": step.responsible,
        "participants": list(step.participants),
        "schedule": _schedule(step.schedule),
        "predecessor": step.predecessor,
        "parallel": step.parallel,
        "means": step.means,
        "budget": str(step.budget) if step.budget is not None else None,
        "days": str(step.days) if step.days is not None else None,
        "indicators": list(step.indicators),
        "location": step.location,
        "started_on": step.started_on.isoformat() if step.started_on else None,
        "done_on": step.done_on.isoformat() if step.done_on else None,
        "blocked_reason": step.blocked_reason,
        "cancel_reason": step.cancel_reason,
        "occurrences": [
            {
                "key": o.key,
                "start": with_fold_text(o.start, o.start.isoformat()),
                "all_day": o.all_day,
                "status": str(o.status),
                "done_on": o.done_on.isoformat() if o.done_on else None,
                "cancel_reason": o.cancel_reason,
            }
            for o in sorted(
                (state.occurrences[k] for k in step.occurrences),
                key=lambda o: (o.scheduled_start, o.key),
            )
        ],
    }
