"""What a change to the plan's dates should tell the person who made it (docs/time.md).

Not errors: the change is recorded. A recurrence occurrence shifted out of a daylight-saving
gap and a visit that lands on a public holiday are said once, when they are recorded (a
country of public holidays taken from the plan's time zone says so in its own summary).
"""

from __future__ import annotations

from collections.abc import Iterable

from pacflow.domain.events import OccurrenceMoved, OccurrencesScheduled, PlanEvent
from pacflow.domain.schedule import shift_of
from pacflow.domain.state import PlanState


def timing_notes(state: PlanState | None, events: Iterable[PlanEvent]) -> list[str]:
    """The notes about `events`, just recorded on the plan now in `state`."""
    if state is None:
        return []
    notes: list[str] = []
    for event in events:
        if isinstance(event, OccurrencesScheduled):
            step = state.steps.get(event.step)
            if step is None:
                continue
            days_off = state.days_off(step.responsible)
            for slot in event.occurrences:
                asked = (
                    None if slot.all_day else shift_of(step.schedule, slot.start, state.timezone)
                )
                if asked is not None:
                    notes.append(
                        f"{slot.key} is at {slot.start:%H:%M}: {asked:%H:%M} does not exist on "
                        f"{asked.date().isoformat()} in {state.timezone} (RFC 5545 shifts it)"
                    )
                holiday = days_off.holiday(slot.start.date())
                if holiday is not None:
                    notes.append(
                        f"{slot.key} falls on a public holiday in {days_off.country}: {holiday} "
                        f"(pacflow visit move {state.key} {slot.key} --to DATETIME)"
                    )
        elif isinstance(event, OccurrenceMoved):
            occurrence = state.occurrences.get(event.occurrence)
            if occurrence is None:
                continue
            days_off = state.days_off(state.steps[occurrence.step].responsible)
            holiday = days_off.holiday(event.start.date())
            if holiday is not None:
                notes.append(
                    f"{event.occurrence} now falls on a public holiday in {days_off.country}: "
                    f"{holiday}"
                )
    return notes
