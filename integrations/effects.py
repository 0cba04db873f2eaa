"""What each plan event may change in calendar items: one table, one entry per event type.

A calendar item (`integrations.items`) shows its step (title, schedule, status, owner,
means, location, reasons), the step's occurrences, the track and target it serves, the
target's main objective, the names of the people on it, the responsible person's time zone,
the plan's key, title and time zone, and whether another step waits for it (priority).
`ITEM_EFFECTS` says, for every registered event type, which of those an event changes, as
plan entities; `integrations.revisions` turns them into the steps whose items it builds
again. Naming an entity that the event does not change costs time, never correctness;
missing one would leave an item stale, which is why the table must cover every type (a
test checks it against `pacflow.domain.events.EVENT_TYPES`) and an unknown type counts as
changing every item.

This is the calendar's own slice of "what an event touches"; a domain-wide map is meant to
replace it, so keep it to this one table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pacflow.domain import PlanEvent
from pacflow.domain import events as ev
from slotted import FrozenValue, frozen_record


@frozen_record
class ItemEffect(FrozenValue):
    """The plan entities an event may change, as far as calendar items are concerned.

    - `steps`: those steps' items;
    - `occurrence`: that occurrence's item only;
    - `people`: the items of every step whose responsible person or participants include
      them (names in descriptions, the responsible person's time zone);
    - `targets`: the items of every step of a track serving those targets;
    - `links_of`: the step whose predecessor or parallel flag may change: the items of its
      predecessor before and after the event (their priority) are built again too;
    - `every_step`: every item (the plan itself, or an event type nobody classified).
    """

    steps: frozenset[str] = frozenset()
    occurrence: str | None = None
    people: frozenset[str] = frozenset()
    targets: frozenset[str] = frozenset()
    links_of: str | None = None
    every_step: bool = False


NO_ITEM = ItemEffect()
EVERY_ITEM = ItemEffect(every_step=True)


def _no_item(_event: Any) -> ItemEffect:
    return NO_ITEM


def _every_item(_event: Any) -> ItemEffect:
    return EVERY_ITEM


def _one_step(event: Any) -> ItemEffect:
    return ItemEffect(steps=frozenset({event.step}))


def _one_occurrence(event: Any) -> ItemEffect:
    return ItemEffect(occurrence=event.occurrence)


def _step_added(event: ev.StepAdded) -> ItemEffect:
    # A new successor may make its predecessor a priority.
    return ItemEffect(steps=frozenset({event.key}), links_of=event.key)


def _step_edited(event: ev.StepEdited) -> ItemEffect:
    # Title, means, location: its own items. Predecessor and parallel flag: the priority
    # of the step it waited for before, and of the one it waits for now.
    return ItemEffect(steps=frozenset({event.step}), links_of=event.step)


def _person_added(event: ev.PersonAdded) -> ItemEffect:
    # Named (and, when responsible, giving the time zone) in the items of their steps.
    return ItemEffect(people=frozenset({event.key}))


def _target_added(event: ev.TargetAdded) -> ItemEffect:
    return ItemEffect(targets=frozenset({event.key}))


def _objective_set(event: ev.ObjectiveSet) -> ItemEffect:
    # Only a target's main objective is shown.
    return ItemEffect(targets=frozenset({event.target})) if event.objective == "main" else NO_ITEM


_Classifier = Callable[[Any], ItemEffect]

ITEM_EFFECTS: dict[type[PlanEvent], _Classifier] = {
    # The plan: its key, title and time zone are in every item.
    ev.PlanCreated: _every_item,
    # Lifecycle, limits, indicators, thresholds, the plan's environment, and calendar
    # changes the plan did not take: no item shows them.
    ev.PlanApproved: _no_item,
    ev.PlanPublished: _no_item,
    ev.RevisionOpened: _no_item,
    ev.PlanClosed: _no_item,
    # A draft dropped: every item of its steps leaves the calendars.
    ev.PlanDropped: _every_item,
    ev.TargetLimitsSet: _no_item,
    ev.IndicatorDefined: _no_item,
    ev.IndicatorTargetsSet: _no_item,
    ev.IndicatorValueRecorded: _no_item,
    ev.IndicatorValueCorrected: _no_item,
    ev.MarketChangeRecorded: _no_item,
    ev.CalendarChangeOverridden: _no_item,
    ev.CheckThresholdsSet: _no_item,
    ev.AccessGranted: _no_item,
    ev.AccessRevoked: _no_item,
    # The diagnostic behind the targets: no item shows it.
    ev.FindingRecorded: _no_item,
    ev.DecisionRecorded: _no_item,
    ev.TargetJustified: _no_item,
    # Holidays: noted on the occurrences that fall on one, anywhere in the plan (slots that
    # move off a holiday come as occurrence events of their own).
    ev.HolidaysSet: _every_item,
    # People: shown by name; leaving the team changes no name (the steps handed over to
    # someone else come as StepAssigned events of their own).
    ev.PersonAdded: _person_added,
    ev.PersonLeft: _no_item,
    # Targets and tracks: titles shown in their steps' items. Dropping a target shows only
    # through the cancellations recorded with it; a new track has no step yet.
    ev.TargetAdded: _target_added,
    ev.TargetDropped: _no_item,
    ev.TargetRemoved: _no_item,  # its steps left the calendars by their own events
    ev.ObjectiveSet: _objective_set,
    ev.TrackAdded: _no_item,
    # Steps.
    ev.StepAdded: _step_added,
    ev.StepEdited: _step_edited,
    ev.StepRemoved: _one_step,
    ev.StepMoved: _one_step,
    ev.StepAssigned: _one_step,
    ev.StepStarted: _one_step,
    ev.StepCompleted: _one_step,
    ev.StepReopened: _one_step,
    ev.StepDoneDateCorrected: _one_step,
    ev.StepBlocked: _one_step,
    ev.StepCancelled: _one_step,
    ev.OccurrencesScheduled: _one_step,
    ev.OccurrencesUnscheduled: _one_step,
    # One occurrence: only its own event.
    ev.OccurrenceCompleted: _one_occurrence,
    ev.OccurrenceReopened: _one_occurrence,
    ev.OccurrenceDoneDateCorrected: _one_occurrence,
    ev.OccurrenceCancelled: _one_occurrence,
    ev.OccurrenceMoved: _one_occurrence,
}
"""Every registered event type, by what it may change in calendar items."""


def item_effect(event: PlanEvent) -> ItemEffect:
    """What `event` may change in calendar items (every item, for a type not classified)."""
    classify = ITEM_EFFECTS.get(type(event))
    return EVERY_ITEM if classify is None else classify(event)
