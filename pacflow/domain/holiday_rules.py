"""Decisions about public holidays (part of the decider; docs/time.md).

Which holidays a plan, or a person, observes changes where cadence slots may land: the
planned slots of the cadences concerned are laid out again in the same decision, so that
no slot stays on a day that has become a holiday. Since that changes the plan's content,
it needs a draft or an open revision; a change that moves no slot needs only a reason.
"""

from __future__ import annotations

import dataclasses

from pacflow.domain.commands import CreatePlan, SetHolidays
from pacflow.domain.daysoff import NO_COUNTRY, check_country, country_of_zone
from pacflow.domain.events import HolidaysSet, PlanEvent
from pacflow.domain.rules import (
    get_person,
    require_not_closed,
    require_plan_change,
    require_reason_unless_draft,
)
from pacflow.domain.schedule import Cadence
from pacflow.domain.state import PlanState
from pacflow.domain.steps import reschedule
from pacflow.errors import InvalidInputError


def _country(text: str | None, subdivision: str | None, field: str) -> str | None:
    """`fr` → `FR`; `none` → None; anything the holidays library does not know: an error."""
    if text is None:
        return None
    code = text.strip()
    if code.lower() == NO_COUNTRY:
        if subdivision is not None:
            raise InvalidInputError(f"{field} {NO_COUNTRY}: a subdivision needs a country")
        return None
    check_country(code.upper(), subdivision, field)
    return code.upper()


def holidays_at_creation(command: CreatePlan) -> list[PlanEvent]:
    """The holidays a new plan observes: the country given, else its zone's when only one
    country uses that zone (said so: `from_zone`), else none."""
    if command.country is not None:
        country = _country(command.country, command.subdivision, "country")
        if country is None:
            return []
        return [HolidaysSet(country=country, subdivision=command.subdivision)]
    if command.subdivision is not None:
        raise InvalidInputError("subdivision: give the country too (--country)")
    inferred = country_of_zone(command.timezone)
    if inferred is None:
        return []
    return [HolidaysSet(country=inferred, from_zone=True)]


def set_holidays(state: PlanState, command: SetHolidays) -> list[PlanEvent]:
    """The holidays observed, as the command changes them, and the cadence slots laid out
    again around them; nothing when nothing changes."""
    require_not_closed(state)
    given = command.model_fields_set
    if command.person is not None:
        person = get_person(state, command.person)
        what = f"person {person.key}"
        if command.slots_on_holidays is not None or command.slots_on_weekends is not None:
            raise InvalidInputError(
                f"{what}: whether slots may land on holidays or weekends is the plan's choice"
            )
        current = (person.country, person.subdivision)
    else:
        what = f"plan {state.key}"
        current = (state.country, state.subdivision)
    country = _country(command.country, command.subdivision, f"{what}: country")
    if "country" not in given:
        country = current[0]
    subdivision = command.subdivision if "subdivision" in given or "country" in given else None
    if "country" not in given and "subdivision" not in given:
        subdivision = current[1]
    if subdivision is not None:
        if country is None:
            raise InvalidInputError(f"{what}: a subdivision needs a country")
        check_country(country, subdivision, f"{what}: country")
    on_holidays = _flag(command.slots_on_holidays, state.slots_on_holidays)
    on_weekends = _flag(command.slots_on_weekends, state.slots_on_weekends)
    if command.person is None:
        unchanged = (country, subdivision, on_holidays, on_weekends) == (
            state.country,
            state.subdivision,
            state.slots_on_holidays,
            state.slots_on_weekends,
        )
    else:
        unchanged = (country, subdivision) == current
    if unchanged:
        return []
    event = HolidaysSet(
        person=command.person,
        country=country,
        subdivision=subdivision,
        slots_on_holidays=on_holidays if command.person is None else False,
        slots_on_weekends=on_weekends if command.person is None else False,
    )
    moves = _slots_laid_out_again(state, event)
    if moves:
        require_plan_change(state, command, what)
    else:
        require_reason_unless_draft(state, command, what)
    return [event, *moves]


def _flag(given: bool | None, current: bool) -> bool:
    return current if given is None else given


def _slots_laid_out_again(state: PlanState, event: HolidaysSet) -> list[PlanEvent]:
    """The occurrence events that move the planned cadence slots concerned by `event`."""
    after = _with(state, event)
    moves: list[PlanEvent] = []
    for step in state.steps.values():
        if not isinstance(step.schedule, Cadence):
            continue
        if event.person is not None and step.responsible != event.person:
            continue
        moves.extend(reschedule(after, step, step.schedule))
    return moves


def _with(state: PlanState, event: HolidaysSet) -> PlanState:
    """A shallow copy of `state` observing the holidays of `event` (for laying out slots)."""
    if event.person is None:
        return dataclasses.replace(
            state,
            country=event.country,
            subdivision=event.subdivision,
            slots_on_holidays=event.slots_on_holidays,
            slots_on_weekends=event.slots_on_weekends,
        )
    person = dataclasses.replace(
        state.people[event.person], country=event.country, subdivision=event.subdivision
    )
    return dataclasses.replace(state, people={**state.people, person.key: person})
