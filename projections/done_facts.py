"""Which recorded events make or take back the facts derived indicators count (`DoneFact`,
see `projections.derived`), and the facts each makes.

Apart from `projections.derived` because it needs the domain's events and state, while
counting facts already made (what reads from the indicator read model do) does not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from pacflow.domain import PlanEvent, PlanState
from pacflow.domain import events as ev
from pacflow.domain.schedule import DueDate
from projections.derived import DoneFact, withdrawal


class DoneKind(NamedTuple):
    """What an event of `DONE_FACTS` does."""

    visit: bool
    """About a visit (its `occurrence`), not a step (its `step`)."""
    completed: bool
    """A completion: nothing of it stood before (a correction replaces what stood)."""
    reopened: bool
    """Takes back what stood, and records nothing in its place."""


DONE_KINDS: dict[type[PlanEvent], DoneKind] = {
    ev.OccurrenceCompleted: DoneKind(visit=True, completed=True, reopened=False),
    ev.OccurrenceDoneDateCorrected: DoneKind(visit=True, completed=False, reopened=False),
    ev.OccurrenceReopened: DoneKind(visit=True, completed=False, reopened=True),
    ev.StepCompleted: DoneKind(visit=False, completed=True, reopened=False),
    ev.StepDoneDateCorrected: DoneKind(visit=False, completed=False, reopened=False),
    ev.StepReopened: DoneKind(visit=False, completed=False, reopened=True),
}
"""The event types that make or take back what derivations count, and what each does (the
one table the fold of indicators and the indicator facts read model dispatch on)."""

DONE_FACTS: frozenset[type[PlanEvent]] = frozenset(DONE_KINDS)

Standing = dict[str, DoneFact]
"""The completion that stands for each subject (occurrence key, or `step:KEY`), so that a
correction knows what it withdraws."""


def done_facts(
    position: int,
    recorded_at: datetime,
    actor: str,
    event: PlanEvent,
    state: PlanState,
    standing: Standing,
) -> list[DoneFact]:
    """The facts `event` records, if derivations may count them (a completion, or the
    withdrawal and replacement a correction makes); `state` is the plan just after the
    event, `standing` is kept up to date."""
    kind = DONE_KINDS.get(type(event))
    if kind is None:
        return []
    done: Any = event  # one of DONE_KINDS: it names an `occurrence` or a `step`
    subject = done.occurrence if kind.visit else f"step:{done.step}"
    before = standing.pop(subject, None)
    if kind.reopened:
        return [] if before is None else [withdrawal(before, position, recorded_at, actor)]
    if kind.visit:
        step = state.steps[state.occurrences[done.occurrence].step]
        occurrence, on_time = True, False
    else:
        step = state.steps[done.step]
        occurrence = False
        on_time = isinstance(step.schedule, DueDate) and done.on <= step.schedule.due
    facts: list[DoneFact] = []
    if before is not None and not kind.completed:
        facts.append(withdrawal(before, position, recorded_at, actor))
    fact = DoneFact(
        position,
        recorded_at,
        actor,
        step.key,
        step.track,
        state.tracks[step.track].target,
        step.schedule.kind,
        done.on,
        occurrence,
        on_time,
        subject,
    )
    standing[subject] = fact
    return [*facts, fact]
