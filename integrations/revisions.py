"""SEQUENCE, CREATED and LAST-MODIFIED of every calendar item, from the plan's history.

The plan's events are folded one by one; after each, the items of the steps it touched are
built again and compared with what they were:

- an item that appears for the first time gets SEQUENCE 0 and CREATED = that event's time;
- a *significant* change (its time, its status, its owner: `CalendarItem.significant`)
  raises SEQUENCE by one; an item that left the plan (an occurrence unscheduled by a
  replanning) and comes back counts as one such change, so SEQUENCE never goes down;
- any change of what the item shows (a title, a description) moves LAST-MODIFIED, which
  is also the DTSTAMP, to the time the change was recorded.

Nothing reads a clock: the same events always give the same revisions, so the same plan
always renders the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from integrations.items import CalendarItem, calendar_items, occurrence_item
from pacflow.domain import PlanEvent, PlanState, evolve
from pacflow.domain import events as ev


@dataclass(frozen=True, slots=True)
class Revision:
    """Where one item stands after the history: its SEQUENCE, creation and last change."""

    sequence: int
    created: datetime
    modified: datetime


@dataclass(frozen=True, slots=True)
class CalendarHistory:
    """The plan after its events, and the revision of every item it ever had."""

    state: PlanState
    revisions: dict[str, Revision]


@dataclass(slots=True)
class _Record:
    item: CalendarItem
    sequence: int
    created: datetime
    modified: datetime
    present: bool = True


# Events that change no calendar item: the plan's lifecycle, its indicators (definitions,
# targets, actual values), its environment, and calendar changes the plan did not take.
_NO_ITEM = (
    ev.PlanApproved,
    ev.PlanPublished,
    ev.RevisionOpened,
    ev.PlanClosed,
    ev.TargetLimitsSet,
    ev.IndicatorDefined,
    ev.IndicatorTargetsSet,
    ev.IndicatorValueRecorded,
    ev.IndicatorValueCorrected,
    ev.MarketChangeRecorded,
    ev.CalendarChangeOverridden,
    ev.CheckThresholdsSet,
)

# Events about one step: its items (task, or events of its occurrences) are built again.
_ONE_STEP = (
    ev.StepMoved,
    ev.StepAssigned,
    ev.StepStarted,
    ev.StepCompleted,
    ev.StepBlocked,
    ev.StepCancelled,
    ev.OccurrencesScheduled,
    ev.OccurrencesUnscheduled,
)

# Events about one occurrence: only its event changes.
_ONE_OCCURRENCE = (ev.OccurrenceCompleted, ev.OccurrenceCancelled, ev.OccurrenceMoved)


def _touched(event: PlanEvent) -> set[str] | None:
    """Keys of the steps whose items `event` may change; None when it may change any."""
    if isinstance(event, _NO_ITEM):
        return set()
    if isinstance(event, _ONE_STEP):
        return {event.step}
    if isinstance(event, ev.StepAdded):
        # A new successor may make its predecessor a priority.
        return {event.key} if event.predecessor is None else {event.key, event.predecessor}
    # Targets, objectives, tracks and people show in every item's text; edits may change
    # priorities; and an event type this module does not know may change anything.
    return None


def calendar_history(events: Iterable[tuple[datetime, PlanEvent]]) -> CalendarHistory | None:
    """Fold `(recorded_at, event)` pairs, oldest first; None when there are none."""
    state: PlanState | None = None
    records: dict[str, _Record] = {}
    uids_by_step: dict[str, set[str]] = {}
    for recorded_at, event in events:
        state = evolve(state, event)
        assert state is not None  # folding from PlanCreated on
        if isinstance(event, _ONE_OCCURRENCE):
            _note(records, occurrence_item(state, event.occurrence), recorded_at)
            continue
        touched = _touched(event)
        if touched is not None and not touched:
            continue
        steps = list(state.steps) if touched is None else [k for k in touched if k in state.steps]
        current: dict[str, set[str]] = {step: set() for step in steps}
        for item in calendar_items(state, steps=steps):
            current[item.step].add(item.uid)
            _note(records, item, recorded_at)
        for step, uids in current.items():
            for gone in uids_by_step.get(step, set()) - uids:
                records[gone].present = False
            uids_by_step[step] = uids
    if state is None:
        return None
    revisions = {
        uid: Revision(record.sequence, record.created, record.modified)
        for uid, record in records.items()
    }
    return CalendarHistory(state, revisions)


def _note(records: dict[str, _Record], item: CalendarItem, at: datetime) -> None:
    record = records.get(item.uid)
    if record is None:
        records[item.uid] = _Record(item, 0, at, at)
        return
    if not record.present:
        record.present = True
        record.sequence += 1
    elif item == record.item:
        return
    elif item.significant() != record.item.significant():
        record.sequence += 1
    record.item = item
    record.modified = at
