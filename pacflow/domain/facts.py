"""The plan's facts about progress, each defined once: when a visit is held or overdue,
when a step is done or late, and when a revision answers a finding.

Every view asks here rather than deciding for itself: `plan show`, `step list`, `report`,
`review`, `check`, the dashboard's derived indicators (through the events they count) and
the decider's sequencing. The rules, in the method's words:

- **Held**: a visit (an occurrence: a visit, a session, a meeting) is held once it is
  marked done; it is *overdue* while it is neither held nor cancelled and its (local) day
  is before today.
- **Done**: a step marked done; or a step made of visits or sessions (no due date) all of
  whose live visits are held, at least one: a step that is one meeting is done when the
  meeting is held, on the day it was held (the latest of them for several). The plan does
  not record a second "done" for it: un-holding a visit (`visit reopen`) makes the step
  open again by itself.
- **Late**: a step neither done nor cancelled whose end is more than the plan's
  `overdue_grace_days` before today. Its end is its due date, or for a step made of visits
  the day of its last live visit (all of them if all were cancelled): a series whose last
  visit has passed with visits not held is late, one still running is not (its missed
  visits are overdue, and `check` says in which periods the cadence was not kept).
- **Answered**: a published revision answers a finding about a subject only if it changed
  that subject (see `answers`); a finding about the whole plan (no review for too long, too
  many targets) is answered by any revision.

The rules of held, done and late are applied from plain values in `pacflow.domain.progress`
(a plan shown from its read model is judged there too); here, to a `PlanState`.

Pure: the reference day is given (the plan's "today" from the injected clock, or an as-of
day), nothing reads the clock.
"""

from __future__ import annotations

from datetime import date

from pacflow.domain.progress import StepFact, VisitFact, step_fact
from pacflow.domain.schedule import DueDate
from pacflow.domain.state import Occurrence, PlanState, Step
from pacflow.domain.touches import Touched


def occurrence_fact(occurrence: Occurrence) -> VisitFact:
    """The facts of a stored occurrence (its day is the local day it is set on)."""
    return VisitFact(occurrence.start.date(), occurrence.status, occurrence.done_on)


def fact_of(state: PlanState, step: Step, today: date) -> StepFact:
    """Where `step` of `state` stands on `today`, with the plan's grace days."""
    schedule = step.schedule
    due = (schedule.start, schedule.due) if isinstance(schedule, DueDate) else None
    visits = (
        () if due is not None else (occurrence_fact(state.occurrences[k]) for k in step.occurrences)
    )
    return step_fact(step.status, due, visits, today, state.checks.overdue_grace_days, step.done_on)


def finished_on(state: PlanState, step: Step) -> tuple[bool, date | None]:
    """Whether `step` no longer holds its successors back (done, cancelled, or all its
    visits held) whatever the day, and the day it was done (None if cancelled)."""
    fact = fact_of(state, step, date.min)  # no step is late on the first day there is
    return fact.finished, fact.done_on


# --- answered ----------------------------------------------------------------------------


def answers(changed: Touched, about: Touched | None) -> bool:
    """Whether a revision that changed `changed` answers a finding about `about` (None: the
    whole plan, which any revision answers): they share a target, track, step, occurrence,
    indicator or person."""
    if about is None:
        return True
    return bool(
        changed.targets & about.targets
        or changed.tracks & about.tracks
        or changed.steps & about.steps
        or changed.occurrences & about.occurrences
        or changed.indicators & about.indicators
        or changed.people & about.people
    )
