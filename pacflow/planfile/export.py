"""A stored plan written back as a plan file (the round trip of `pacflow apply`)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pacflow.domain.schedule import Cadence, DueDate, Recurrence, SessionList
from pacflow.domain.state import PlanState, Step
from pacflow.domain.values import StepStatus, format_local
from pacflow.planfile.model import PlanFile


def export_plan(state: PlanState) -> dict[str, Any]:
    """The plan-file data for `state`: live targets and steps, in plan order, no defaults."""
    data: dict[str, Any] = {
        "plan": {
            "key": state.key,
            "title": state.title,
            "start": state.start,
            "end": state.end,
            "timezone": state.timezone,
            "owner": state.owner,
            "scope": state.scope,
            "limits": {
                "max_targets_per_rep": state.max_targets_per_rep,
                "max_targets_total": state.max_targets_total,
            },
            # Said even when none: a plan file without it takes the zone's country.
            "country": state.country or "none",
            "subdivision": state.subdivision,
            # Only when allowed: a plan file that does not say leaves them as they are.
            "slots_on_holidays": state.slots_on_holidays or None,
            "slots_on_weekends": state.slots_on_weekends or None,
        },
        "people": [
            {
                "key": p.key,
                "name": p.name,
                "kind": p.kind,
                "email": p.email,
                "role": p.role,
                "sector": p.sector,
                "timezone": p.timezone,
                "country": p.country,
                "subdivision": p.subdivision,
                "left_on": p.left_on,
            }
            for p in state.people.values()
        ],
        "targets": [
            {
                "key": t.key,
                "kind": t.kind,
                "title": t.title,
                "responsible": t.responsible,
                "ref": t.ref,
                "segments": list(t.segments),
                "rationale": t.rationale,
                "decisions": list(t.decisions),
                "objectives": [
                    {
                        "key": o.key,
                        "statement": o.statement,
                        "value": o.value,
                        "unit": o.unit,
                        "due": o.due,
                        "indicator": o.indicator,
                        "baseline": o.baseline,
                    }
                    for (owner, _key), o in state.objectives.items()
                    if owner == t.key
                ],
                "tracks": [
                    _track(state, key)
                    for key, track in state.tracks.items()
                    if track.target == t.key
                ],
            }
            for t in state.targets.values()
            if not t.dropped
        ],
        "steering": [
            _track(state, key) for key, track in state.tracks.items() if track.target is None
        ],
        "indicators": [
            {
                "key": i.key,
                "name": i.name,
                "kind": i.kind,
                "unit": i.unit,
                "owner": i.owner,
                "aggregation": i.aggregation,
                "direction": i.direction,
                "per": i.per,
                "serves": list(i.serves),
                "derived": i.derived.as_data() if i.derived else None,
                "targets": dict(sorted(i.targets.items())),
            }
            for i in state.indicators.values()
        ],
    }
    # Validate what we write, then drop what a person would not write by hand.
    validated = PlanFile.model_validate(data)
    pruned: dict[str, Any] = _prune(validated.model_dump(mode="json", exclude_defaults=True))
    if state.findings or state.decisions:
        # Whole, defaults included: each tool's figures are told apart by their `tool`.
        diagnostic = {
            "findings": [
                {
                    "key": f.key,
                    "title": f.title,
                    "period": f.period,
                    "figures": f.figures.as_data(),
                }
                for f in state.findings.values()
            ],
            "decisions": [
                {"key": d.key, "statement": d.statement, "findings": list(d.findings)}
                for d in state.decisions.values()
            ],
        }
        plan = pruned.pop("plan")
        pruned = {"plan": plan, "diagnostic": _prune(diagnostic), **pruned}
    return pruned


def _track(state: PlanState, key: str) -> dict[str, Any]:
    track = state.tracks[key]
    steps = [state.steps[k] for k in track.steps if state.steps[k].status != StepStatus.CANCELLED]
    steps.sort(key=lambda step: step.order)
    return {
        "key": track.key,
        "domain": track.domain,
        "approach": track.approach,
        "title": track.title,
        "steps": [_step(step, position) for position, step in enumerate(steps, start=1)],
    }


def _step(step: Step, position: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": step.key,
        "title": step.title,
        "responsible": step.responsible,
        "participants": list(step.participants),
    }
    schedule = step.schedule
    if isinstance(schedule, DueDate):
        data["due"] = schedule.due
        data["start"] = schedule.start
    elif isinstance(schedule, SessionList):
        data["sessions"] = [_second_as_text(dataclasses.asdict(s)) for s in schedule.sessions]
    elif isinstance(schedule, Recurrence):
        data["recurrence"] = {
            "rules": [_second_as_text(dataclasses.asdict(r)) for r in schedule.rules],
            "duration": schedule.duration,
        }
    elif isinstance(schedule, Cadence):
        data["cadence"] = schedule
    data.update(
        order=step.order if step.order != position else None,
        after=step.predecessor,
        parallel=step.parallel,
        means=step.means,
        budget=step.budget,
        days=step.days,
        indicators=list(step.indicators),
        location=step.location,
    )
    return data


def _second_as_text(data: dict[str, Any]) -> dict[str, Any]:
    """The second of two repeated local times as text with `~2` (a YAML time stamp cannot
    say which one it is; docs/time.md)."""
    return {
        key: format_local(value) if isinstance(value, datetime) and value.fold else value
        for key, value in data.items()
    }


_NUMBERS = frozenset(
    {"value", "baseline", "budget", "days", "revenue", "potential", "margin_pct", "conversion_pct"}
    | {"revenue_a", "revenue_b", "potential_a", "potential_b"}
)
_NUMBER_MAPS = frozenset({"targets"})
_DATES = frozenset({"start", "end", "due", "left_on"})


def _prune(value: Any, key: str = "") -> Any:
    """Drop None values and empty lists/maps, recursively (they are the defaults), and write
    numbers and dates unquoted, as a person would."""
    if isinstance(value, dict):
        if key in _NUMBER_MAPS:
            return {k: _number(v) for k, v in value.items()}
        pruned = {k: _prune(v, k) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    if isinstance(value, str) and key in _NUMBERS:
        return _number(value)
    if isinstance(value, str) and key in _DATES and len(value) == 10:
        return date.fromisoformat(value)
    return value


def _number(text: str) -> int | float | str:
    """`600` → 600, `19.5` → 19.5; anything a float would not keep exactly stays text."""
    number = Decimal(text)
    if number == number.to_integral_value():
        return int(number)
    return float(text) if str(float(text)) == text else text


def export_losses(state: PlanState) -> list[str]:
    """What a plan file of `state` cannot hold about the steps it lists, one line per step.

    A file holds each step's current schedule; applied to an empty store, it gives the
    occurrences that schedule expands to. A step whose occurrences differ (some kept from an
    earlier schedule, a visit moved or cancelled one by one) would come back otherwise:
    `export yaml` says so rather than drop it silently. Progress (steps done, visits held)
    is not part of a plan file at all.
    """
    from pacflow.domain.schedule import expand
    from pacflow.domain.values import OccurrenceStatus
    from pacflow.errors import PacflowError

    losses: list[str] = []
    for track in state.tracks.values():
        if track.target is not None and state.targets[track.target].dropped:
            continue
        for key in track.steps:
            step = state.steps[key]
            if step.status is StepStatus.CANCELLED:
                continue
            # A step moved to a due date keeps its visits already moved or held: a file
            # of it (a due date) has none, so they are counted as kept from before.
            try:
                planned = {s.key: s.start for s in expand(step.key, step.schedule, state.period)}
            except PacflowError:
                planned = {}
            held = {k: state.occurrences[k] for k in step.occurrences}
            kept = [k for k in held if k not in planned]
            dropped = [k for k in planned if k not in held]
            moved = [k for k, o in held.items() if k in planned and o.start != planned[k]]
            cancelled = [k for k, o in held.items() if o.status is OccurrenceStatus.CANCELLED]
            parts = [
                f"{len(kept)} occurrence(s) from an earlier schedule" if kept else "",
                f"{len(dropped)} occurrence(s) the schedule no longer holds" if dropped else "",
                f"{len(moved)} moved" if moved else "",
                f"{len(cancelled)} cancelled" if cancelled else "",
            ]
            found = ", ".join(part for part in parts if part)
            if found:
                losses.append(
                    f"step {step.key}: {found}; the file holds its current schedule only "
                    f"({len(planned)} occurrence(s) once applied, {len(held)} in the plan)"
                )
    return losses
