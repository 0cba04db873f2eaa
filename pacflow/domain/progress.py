"""Where steps and visits stand on a day, from plain values: the one definition of held,
overdue, done and late (the rules in `pacflow.domain.facts`).

Nothing here imports pydantic or the domain's models: a plan shown from its read model is
judged by the same function (`step_fact`) as a `PlanState` is (`facts.fact_of`).

Pure: the reference day is given, nothing reads the clock.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, timedelta

from pacflow.domain.statuses import OccurrenceStatus, StepStatus
from slotted import FrozenValue, frozen_record


class StepState(enum.StrEnum):
    """How a step stands on a day: its status, `done` for a step whose visits were all
    held, `late` for one past its end and not done."""

    DONE = "done"
    LATE = "late"
    CANCELLED = "cancelled"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    PLANNED = "planned"


class VisitState(enum.StrEnum):
    """How one occurrence (a visit, a session) stands on a day."""

    HELD = "held"
    PLANNED = "planned"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


def visit_state(status: OccurrenceStatus, day: date, today: date) -> VisitState:
    """Held, cancelled, overdue (its day is before `today`) or planned."""
    if status is OccurrenceStatus.DONE:
        return VisitState.HELD
    if status is OccurrenceStatus.CANCELLED:
        return VisitState.CANCELLED
    return VisitState.OVERDUE if day < today else VisitState.PLANNED


@frozen_record
class VisitFact(FrozenValue):
    """One visit's day (local, as scheduled or moved) and, once held, the day it was held."""

    day: date
    status: OccurrenceStatus
    done_on: date | None = None


@frozen_record
class StepFact(FrozenValue):
    """Where a step stands on a day (see the module docstring)."""

    state: StepState
    start: date | None
    end: date | None
    done_on: date | None

    @property
    def late(self) -> bool:
        return self.state is StepState.LATE

    @property
    def finished(self) -> bool:
        """Done or cancelled: it no longer holds its successors back."""
        return self.state in (StepState.DONE, StepState.CANCELLED)


def step_fact(
    status: StepStatus,
    due: tuple[date | None, date] | None,
    visits: Iterable[VisitFact],
    today: date,
    grace_days: int = 0,
    done_on: date | None = None,
) -> StepFact:
    """Where a step stands on `today`, from plain values: its recorded `status` (and
    `done_on`), its `(start, due)` dates when it has a due date, else its `visits`.

    The one definition every view calls (through `fact_of` when it holds a `PlanState`).
    """
    listed = list(visits)
    start: date | None
    end: date | None
    if due is not None:
        start, end = due
    else:
        live = [v.day for v in listed if v.status is not OccurrenceStatus.CANCELLED]
        days = live or [v.day for v in listed]
        start, end = (min(days), max(days)) if days else (None, None)
    if status is StepStatus.DONE:
        return StepFact(StepState.DONE, start, end, done_on)
    if status is StepStatus.CANCELLED:
        return StepFact(StepState.CANCELLED, start, end, None)
    if due is None:
        live_visits = [v for v in listed if v.status is not OccurrenceStatus.CANCELLED]
        if live_visits and all(v.status is OccurrenceStatus.DONE for v in live_visits):
            held = max(v.done_on or v.day for v in live_visits)
            return StepFact(StepState.DONE, start, end, held)
    if end is not None and end + timedelta(days=grace_days) < today:
        return StepFact(StepState.LATE, start, end, None)
    return StepFact(StepState(str(status)), start, end, None)
