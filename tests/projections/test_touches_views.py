"""The touch map (`pacflow.domain.touches`) against what the views compute, on the demo:
what it says an event cannot change, the view finds unchanged after it."""

from __future__ import annotations

import copy

import pytest

from events.memory import InMemoryEventStore
from integrations.items import CalendarItem, calendar_items
from pacflow.demo import DEMO_PLAN, SettableClock, build_demo
from pacflow.domain import PlanEvent, PlanState, evolve
from pacflow.domain.touches import Area, CalendarReach, calendar_steps, kind_of
from pacflow.service import PlanService
from projections.diff import diff


@pytest.fixture(scope="module")
def demo() -> list[PlanEvent]:
    opened: list[InMemoryEventStore] = []

    def open_store(clock: SettableClock) -> InMemoryEventStore:
        opened.append(InMemoryEventStore(clock=clock))
        return opened[-1]

    build_demo(open_store)
    return [event for _recorded, event in PlanService(opened[-1]).history(DEMO_PLAN)]


def _items(state: PlanState) -> dict[str, CalendarItem]:
    return {item.uid: item for item in calendar_items(state)}


def test_progress_values_and_environment_change_nothing_plan_diff_shows(
    demo: list[PlanEvent],
) -> None:
    state = evolve(None, demo[0])
    checked = 0
    for event in demo[1:]:
        kind = kind_of(type(event))
        if kind.progress or kind.area is Area.ENVIRONMENT:
            before = copy.deepcopy(state)
            state = evolve(state, event)
            assert diff(before, state).changes == (), event
            checked += 1
        else:
            state = evolve(state, event)
    assert checked > 100


def test_calendar_items_change_only_where_the_map_reaches(demo: list[PlanEvent]) -> None:
    reached = dict.fromkeys(CalendarReach, 0)
    state = evolve(None, demo[0])
    old = _items(state)
    for event in demo[1:]:
        kind = kind_of(type(event))
        steps = calendar_steps(event, state)  # from the plan before the event
        state = evolve(state, event)
        new = _items(state)
        changed = {uid for uid in old.keys() | new.keys() if old.get(uid) != new.get(uid)}
        reached[kind.calendar] += 1
        if kind.calendar is CalendarReach.NONE:
            assert not changed, event
        elif kind.calendar is CalendarReach.OCCURRENCE:
            occurrence = event.occurrence  # type: ignore[attr-defined]
            assert {(old.get(u) or new[u]).occurrence for u in changed} <= {occurrence}, event
        else:
            assert {(old.get(u) or new[u]).step for u in changed} <= steps, event
        old = new
    assert all(reached.values())
