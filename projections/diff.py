"""What changed in what a plan says between two of its states.

`diff(before, after)` compares two `PlanState`s: the plan's header and limits, the team,
targets, objectives, tracks, steps (added, moved, reassigned, edited, cancelled), their
occurrences (added, removed, moved, cancelled) and indicators (definitions and period
targets). Progress is not a change to the plan (a step started or done, a visit held), so
it is left out; a cancellation is a decision about the plan, so it is in, and so is a
correction of progress (a step or a visit done at the first state, reopened or done on
another date at the second): what the plan said had happened changed.

Pure: no store, no clock. Values are kept JSON-ready (dates and decimals as text) so the
same `Change` gives the text line and the JSON object.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pacflow.describe import schedule_summary
from pacflow.domain import PlanState
from pacflow.domain.derivation import Derivation
from pacflow.domain.plain import to_plain, without_none
from pacflow.domain.schedule import DueDate, Schedule
from pacflow.domain.state import Indicator, Objective, Occurrence, Person, Step, Target, Track
from pacflow.domain.values import OccurrenceStatus, StepStatus
from slotted import FrozenValue, frozen_record

Value = str | int | bool | list[str] | None
"""A field's value, JSON-ready."""


class Section(enum.StrEnum):
    """The part of the plan a change belongs to, in the order a reader goes through them."""

    PLAN = "plan"
    PEOPLE = "people"
    TARGETS = "targets"
    OBJECTIVES = "objectives"
    TRACKS = "tracks"
    STEPS = "steps"
    OCCURRENCES = "occurrences"
    INDICATORS = "indicators"


_QUOTED = frozenset({"title", "statement", "means", "location", "name", "scope"})


def _show(name: str, value: Value) -> str:
    if value is None or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value)
    return f"“{value}”" if name in _QUOTED else str(value)


@frozen_record
class FieldChange(FrozenValue):
    """One field's value before and after."""

    name: str
    old: Value
    new: Value

    def text(self) -> str:
        """`due 2025-06-30 → 2025-10-15`."""
        return f"{self.name} {_show(self.name, self.old)} → {_show(self.name, self.new)}"


@frozen_record
class Change(FrozenValue):
    """One change to one thing of the plan: `S10 moved: due 2025-06-30 → 2025-10-15`.

    `label` names the thing in text (`T1 objective main`); `fields` are its changed
    fields, `items` the occurrence keys added or removed, `note` what an added thing is or
    why a thing was cancelled.
    """

    section: Section
    key: str
    kind: str
    label: str
    fields: tuple[FieldChange, ...] = ()
    items: tuple[str, ...] = ()
    note: str | None = None

    def text(self) -> str:
        """The change in one line."""
        detail = "; ".join(f.text() for f in self.fields) or ", ".join(self.items) or self.note
        return f"{self.label} {self.kind}" + (f": {detail}" if detail else "")

    def as_json(self) -> dict[str, Any]:
        """The change as JSON-ready data."""
        data: dict[str, Any] = {
            "section": str(self.section),
            "key": self.key,
            "kind": self.kind,
            "summary": self.text(),
        }
        if self.fields:
            data["fields"] = {f.name: {"old": f.old, "new": f.new} for f in self.fields}
        if self.items:
            data["occurrences"] = list(self.items)
        if self.note:
            data["note"] = self.note
        return data


@frozen_record
class Side(FrozenValue):
    """Which state of the plan one side of a diff is."""

    revision: int
    status: str
    version: int

    def as_json(self) -> dict[str, Any]:
        """The side as JSON-ready data."""
        return {"revision": self.revision, "status": self.status, "version": self.version}


@frozen_record
class PlanDiff(FrozenValue):
    """Every change between two states of one plan, section by section."""

    plan: str
    before: Side
    after: Side
    changes: tuple[Change, ...]

    def lines(self) -> list[str]:
        """Section titles, each followed by its changes indented; `no change` when none."""
        if not self.changes:
            return ["no change to the plan"]
        lines: list[str] = []
        for section in Section:
            changes = [c for c in self.changes if c.section is section]
            if changes:
                lines.append(section.value.capitalize())
                lines += [f"  {change.text()}" for change in changes]
        return lines

    def as_json(self) -> dict[str, Any]:
        """The diff as JSON-ready data."""
        return {
            "plan": self.plan,
            "from": self.before.as_json(),
            "to": self.after.as_json(),
            "changes": [change.as_json() for change in self.changes],
        }


def diff(before: PlanState, after: PlanState) -> PlanDiff:
    """What changed in the plan from `before` to `after` (two states of the same plan)."""
    changes: list[Change] = []
    changes += _plan(before, after)
    changes += _people(before.people, after.people)
    changes += _targets(before.targets, after.targets)
    changes += _objectives(before.objectives, after.objectives)
    changes += _tracks(before.tracks, after.tracks)
    changes += _steps(before, after)
    changes += _occurrences(before, after)
    changes += _indicators(before.indicators, after.indicators)
    return PlanDiff(
        after.key,
        Side(before.revision, str(before.status), before.version),
        Side(after.revision, str(after.status), after.version),
        tuple(changes),
    )


# --- helpers -----------------------------------------------------------------------------


def _value(value: object) -> Value:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [str(item) for item in value]
    return str(value)


def _fields(pairs: Iterable[tuple[str, object, object]]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name, _value(old), _value(new)) for name, old, new in pairs if old != new
    )


E = TypeVar("E")


def _walk(
    section: Section,
    before: Mapping[Any, E],
    after: Mapping[Any, E],
    label: Callable[[Any], str],
    note: Callable[[E], str],
    compare: Callable[[Any, E, E], list[Change]],
    added: str = "added",
) -> list[Change]:
    """Changes in the order of `after` (things added where they now stand), then removals."""
    changes: list[Change] = []
    for key, entity in after.items():
        old = before.get(key)
        if old is None:
            changes.append(Change(section, _key(key), added, label(key), note=note(entity)))
        else:
            changes += compare(key, old, entity)
    changes += [
        Change(section, _key(key), "removed", label(key)) for key in before if key not in after
    ]
    return changes


def _key(key: object) -> str:
    return "/".join(key) if isinstance(key, tuple) else str(key)


def _same(key: object) -> str:
    return str(key)


# --- sections ----------------------------------------------------------------------------


def _plan(before: PlanState, after: PlanState) -> list[Change]:
    fields = _fields(
        (name, getattr(before, name), getattr(after, name))
        for name in ("title", "scope", "start", "end", "timezone", "owner")
    ) + _fields(
        [
            ("max targets per rep", before.max_targets_per_rep, after.max_targets_per_rep),
            ("max targets in all", before.max_targets_total, after.max_targets_total),
        ]
    )
    return [Change(Section.PLAN, after.key, "changed", "plan", fields)] if fields else []


def _people(before: dict[str, Person], after: dict[str, Person]) -> list[Change]:
    def compare(key: str, old: Person, new: Person) -> list[Change]:
        if old.left_on is None and new.left_on is not None:
            return [Change(Section.PEOPLE, key, "left", key, note=f"on {new.left_on}")]
        return []

    return _walk(
        Section.PEOPLE, before, after, _same, lambda p: f"{p.name} ({p.kind})", compare, "joined"
    )


def _targets(before: dict[str, Target], after: dict[str, Target]) -> list[Change]:
    def compare(key: str, old: Target, new: Target) -> list[Change]:
        if new.dropped and not old.dropped:
            return [Change(Section.TARGETS, key, "dropped", key)]
        return []

    def note(target: Target) -> str:
        return f"{target.title} ({target.kind}), responsible {target.responsible}"

    return _walk(Section.TARGETS, before, after, _same, note, compare)


def _objective_label(key: tuple[str, str]) -> str:
    return f"{key[0]} objective {key[1]}"


def _objectives(
    before: dict[tuple[str, str], Objective], after: dict[tuple[str, str], Objective]
) -> list[Change]:
    def compare(key: tuple[str, str], old: Objective, new: Objective) -> list[Change]:
        fields = _fields(
            [
                ("value", f"{_value(old.value)} {old.unit}", f"{_value(new.value)} {new.unit}"),
                ("due", old.due, new.due),
                ("indicator", old.indicator, new.indicator),
                ("baseline", old.baseline, new.baseline),
                ("statement", old.statement, new.statement),
            ]
        )
        if not fields:
            return []
        return [Change(Section.OBJECTIVES, _key(key), "changed", _objective_label(key), fields)]

    def note(objective: Objective) -> str:
        value = f"{_value(objective.value)} {objective.unit}"
        return f"{value} by {objective.due} — {objective.statement}"

    return _walk(Section.OBJECTIVES, before, after, _objective_label, note, compare, "set")


def _tracks(before: dict[str, Track], after: dict[str, Track]) -> list[Change]:
    def note(track: Track) -> str:
        approach = f", {track.approach}" if track.approach else ""
        return f"{track.title} ({track.domain}{approach}) on {track.target or 'the plan'}"

    return _walk(Section.TRACKS, before, after, _same, note, lambda _k, _o, _n: [])


def _schedule_fields(old: Schedule, new: Schedule) -> tuple[FieldChange, ...]:
    if old == new:
        return ()
    if isinstance(old, DueDate) and isinstance(new, DueDate):
        return _fields([("start", old.start, new.start), ("due", old.due, new.due)])
    old_text, new_text = schedule_summary(old), schedule_summary(new)
    if old_text == new_text:
        # Summaries can hide a difference (one session of several moved): show it all.
        old_text = json.dumps(without_none(to_plain(old)))
        new_text = json.dumps(without_none(to_plain(new)))
    return (FieldChange("schedule", old_text, new_text),)


def _step_note(step: Step) -> str:
    return (
        f"{step.title} in {step.track}, responsible {step.responsible}, "
        f"{schedule_summary(step.schedule)}"
    )


_STEP_DETAILS = (
    "title",
    "order",
    "predecessor",
    "parallel",
    "means",
    "budget",
    "days",
    "indicators",
    "location",
)


def _step_changes(_key: str, old: Step, new: Step) -> list[Change]:
    found = [
        ("moved", _schedule_fields(old.schedule, new.schedule)),
        (
            "reassigned",
            _fields(
                [
                    ("responsible", old.responsible, new.responsible),
                    ("participants", old.participants, new.participants),
                ]
            ),
        ),
        (
            "edited",
            _fields((name, getattr(old, name), getattr(new, name)) for name in _STEP_DETAILS),
        ),
    ]
    changes = [Change(Section.STEPS, new.key, kind, new.key, fields) for kind, fields in found]
    changes = [change for change in changes if change.fields]
    if new.status is StepStatus.CANCELLED and old.status is not StepStatus.CANCELLED:
        note = f"on {new.cancelled_on}: {new.cancel_reason}"
        changes.append(Change(Section.STEPS, new.key, "cancelled", new.key, note=note))
    changes += _done_corrected(Section.STEPS, new.key, old.done_on, new.done_on)
    return changes


def _done_corrected(section: Section, key: str, old: date | None, new: date | None) -> list[Change]:
    """A completion withdrawn, or its date changed, between the two states."""
    if old is None or old == new:
        return []
    if new is None:
        field = FieldChange("done_on", _value(old), None)
        return [Change(section, key, "reopened", key, (field,))]
    field = FieldChange("done_on", _value(old), _value(new))
    return [Change(section, key, "done date corrected", key, (field,))]


def _steps(before: PlanState, after: PlanState) -> list[Change]:
    return _walk(Section.STEPS, before.steps, after.steps, _same, _step_note, _step_changes)


def _moment(occurrence: Occurrence) -> str:
    start = occurrence.start
    return start.date().isoformat() if occurrence.all_day else start.strftime("%Y-%m-%d %H:%M")


def _occurrences(before: PlanState, after: PlanState) -> list[Change]:
    """Occurrences of steps in both states: added, removed (a new schedule), moved, cancelled.

    A step added or removed as a whole brings or takes its occurrences: the step says it.
    """
    changes: list[Change] = []
    for key, step in after.steps.items():
        old_step = before.steps.get(key)
        if old_step is None:
            continue
        old_keys, new_keys = set(old_step.occurrences), set(step.occurrences)
        for kind, items in (
            ("occurrences added", [k for k in step.occurrences if k not in old_keys]),
            ("occurrences removed", [k for k in old_step.occurrences if k not in new_keys]),
        ):
            if items:
                changes.append(Change(Section.OCCURRENCES, key, kind, key, items=tuple(items)))
        for occurrence_key in step.occurrences:
            if occurrence_key in old_keys:
                changes += _occurrence_changes(
                    before.occurrences[occurrence_key], after.occurrences[occurrence_key]
                )
    return changes


def _occurrence_changes(old: Occurrence, new: Occurrence) -> list[Change]:
    changes: list[Change] = []
    if (old.start, old.all_day) != (new.start, new.all_day):
        field = FieldChange("start", _moment(old), _moment(new))
        changes.append(Change(Section.OCCURRENCES, new.key, "moved", new.key, (field,)))
    cancelled = OccurrenceStatus.CANCELLED
    if new.status is cancelled and old.status is not cancelled:
        changes.append(
            Change(Section.OCCURRENCES, new.key, "cancelled", new.key, note=new.cancel_reason)
        )
    changes += _done_corrected(Section.OCCURRENCES, new.key, old.done_on, new.done_on)
    return changes


def _indicators(before: dict[str, Indicator], after: dict[str, Indicator]) -> list[Change]:
    def compare(key: str, old: Indicator, new: Indicator) -> list[Change]:
        changes: list[Change] = []
        definition = _fields(
            [
                *((name, getattr(old, name), getattr(new, name)) for name in _DEFINITION),
                ("derived", _derived(old.derived), _derived(new.derived)),
            ]
        )
        if definition:
            changes.append(Change(Section.INDICATORS, key, "redefined", key, definition))
        targets = _fields(
            (period, old.targets.get(period), new.targets.get(period))
            for period in sorted(old.targets.keys() | new.targets.keys())
        )
        if targets:
            changes.append(Change(Section.INDICATORS, key, "targets changed", key, targets))
        return changes

    def note(indicator: Indicator) -> str:
        count = len(indicator.targets)
        return f"{indicator.name} ({indicator.kind}, {indicator.unit}), {count} period targets"

    return _walk(Section.INDICATORS, before, after, _same, note, compare)


_DEFINITION = ("name", "kind", "unit", "aggregation", "direction", "owner", "per", "serves")


def _derived(derivation: Derivation | None) -> str | None:
    return derivation.describe() if derivation is not None else None
