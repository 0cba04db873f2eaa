"""The facts of a day added to a plan's view: how each step and visit stands, judged from
the view's plain values by the domain's one definition (`pacflow.domain.progress`).

A view has the shape of `pacflow.views.plan_view`, made from a `PlanState` (as of a moment)
or read from the read model (`projections.queries.plan_view`); either way nothing here
needs the domain's models, so `plan show` answers from the read model alone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pacflow.domain.progress import VisitFact, step_fact, visit_state
from pacflow.domain.statuses import OccurrenceStatus, StepStatus


def with_facts(view: dict[str, Any], today: date, grace_days: int) -> dict[str, Any]:
    """`view` with what the facts say on `today` (as `report` and `check` say it): the day
    they were judged on, each step's `state` (done, late, cancelled, in_progress, blocked or
    planned; `done_on` the day it was done, for a step whose visits were all held too) and
    each occurrence's `state` (held, overdue, planned or cancelled). `grace_days`: the
    plan's days past a step's end before it is late."""
    view["today"] = today.isoformat()
    for track in view["tracks"]:
        for step in track["steps"]:
            visits = [_visit(occurrence) for occurrence in step["occurrences"]]
            schedule = step["schedule"]
            due = (
                (_day(schedule.get("start")), date.fromisoformat(schedule["due"]))
                if schedule["kind"] == "due"
                else None
            )
            fact = step_fact(
                StepStatus(step["status"]),
                due,
                () if due is not None else visits,
                today,
                grace_days,
                _day(step["done_on"]),
            )
            step["state"] = str(fact.state)
            if fact.done_on is not None:
                step["done_on"] = fact.done_on.isoformat()
            for occurrence, visit in zip(step["occurrences"], visits, strict=True):
                occurrence["state"] = str(visit_state(visit.status, visit.day, today))
    return view


def _visit(occurrence: dict[str, Any]) -> VisitFact:
    """A visit's facts from its view: the local day it is set on (its start, `~2` or not)."""
    return VisitFact(
        date.fromisoformat(occurrence["start"][:10]),
        OccurrenceStatus(occurrence["status"]),
        _day(occurrence["done_on"]),
    )


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
