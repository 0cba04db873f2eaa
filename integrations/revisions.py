"""SEQUENCE, CREATED and LAST-MODIFIED of every calendar item, from the plan's history.

The plan's events are folded one by one; after each, the items of the steps it touched
(`integrations.effects` says which) are built again and compared with what they were:

- an item that appears for the first time gets SEQUENCE 0 and CREATED = that event's time;
- a *significant* change (its time, its status, its owner: `CalendarItem.significant`)
  raises SEQUENCE by one; an item that left the plan (an occurrence unscheduled by a
  replanning) and comes back counts as one such change, so SEQUENCE never goes down;
- any change of what the item shows (a title, a description) moves LAST-MODIFIED, which
  is also the DTSTAMP, to the time the change was recorded.

Nothing reads a clock: the same events always give the same revisions, so the same plan
always renders the same bytes. `CalendarFold` keeps what the fold needs to go on (the
plan's state, each item as last seen, which steps others wait for), so that a fold stored
at some stream version (`integrations.calendar_view`) continues with the newer events only.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from integrations.effects import ItemEffect, item_effect
from integrations.items import CalendarItem, calendar_items, occurrence_item
from pacflow.domain import PlanEvent, PlanState, evolve
from slotted import FrozenValue, frozen_record


@frozen_record
class Revision(FrozenValue):
    """Where one item stands after the history: its SEQUENCE, creation and last change."""

    sequence: int
    created: datetime
    modified: datetime


@frozen_record
class CalendarHistory(FrozenValue):
    """The plan after its events, and the revision of every item it ever had."""

    state: PlanState
    revisions: dict[str, Revision]


class ItemRecord:
    """One item as the fold last saw it, with its revision; `present` False once it left.

    The item itself may be held as stored text (`integrations.calendar_view`) and is then
    decoded only when an event makes the fold compare it.
    """

    __slots__ = ("_item", "_stored", "created", "modified", "present", "sequence", "step")

    def __init__(
        self,
        step: str,
        item: CalendarItem | None,
        sequence: int,
        created: datetime,
        modified: datetime,
        present: bool = True,
        stored: str | None = None,
    ) -> None:
        self.step = step
        self._item = item
        self._stored = stored
        self.sequence = sequence
        self.created = created
        self.modified = modified
        self.present = present

    @property
    def item(self) -> CalendarItem:
        if self._item is None:
            from integrations.calendar_view import item_from_text

            assert self._stored is not None
            self._item = item_from_text(self._stored)
        return self._item

    @item.setter
    def item(self, item: CalendarItem) -> None:
        self._item, self._stored = item, None

    def text(self) -> str:
        """The item as stored text (kept as read when it was never decoded)."""
        if self._stored is None:
            from integrations.calendar_view import item_to_text

            self._stored = item_to_text(self.item)
        return self._stored

    def copy(self) -> ItemRecord:
        return ItemRecord(
            self.step,
            self._item,
            self.sequence,
            self.created,
            self.modified,
            self.present,
            self._stored,
        )


class _Waits:
    """The steps another (non-parallel) step waits for, kept as the fold goes: finding
    them by a scan of every step after each event would cost the plan's size per event."""

    def __init__(self, state: PlanState | None = None) -> None:
        self._count: Counter[str] = Counter()
        if state is not None:
            for step in state.steps:
                self.add(self.link(state, step))

    @staticmethod
    def link(state: PlanState, step: str) -> str | None:
        """The step that `step` waits for, if it waits for one."""
        found = state.steps.get(step)
        if found is None or found.predecessor is None or found.parallel:
            return None
        return found.predecessor

    def add(self, predecessor: str | None) -> None:
        if predecessor is not None:
            self._count[predecessor] += 1

    def remove(self, predecessor: str | None) -> None:
        if predecessor is not None:
            self._count[predecessor] -= 1
            if self._count[predecessor] <= 0:
                del self._count[predecessor]

    def __contains__(self, step: object) -> bool:
        return step in self._count

    def copy(self) -> _Waits:
        made = _Waits()
        made._count = Counter(self._count)
        return made


class CalendarFold:
    """The plan's calendar history folded up to `state.version`, ready to take more events.

    `changed` collects the UIDs whose record changed since it was last cleared (what a
    stored fold has to write again).
    """

    def __init__(
        self, state: PlanState | None = None, records: dict[str, ItemRecord] | None = None
    ) -> None:
        self.state = state
        self.records: dict[str, ItemRecord] = {} if records is None else records
        self.changed: set[str] = set()
        self._waits = _Waits(state)
        self._uids_by_step: dict[str, set[str]] = {}
        for uid, record in self.records.items():
            if record.present:
                self._uids_by_step.setdefault(record.step, set()).add(uid)

    @property
    def version(self) -> int:
        """The stream version folded so far (0 before the plan's first event)."""
        return 0 if self.state is None else self.state.version

    def copy(self) -> CalendarFold:
        """An independent copy (folding into it leaves this one as it is)."""
        made = CalendarFold.__new__(CalendarFold)
        made.state = copy.deepcopy(self.state)
        made.records = {uid: record.copy() for uid, record in self.records.items()}
        made.changed = set(self.changed)
        made._waits = self._waits.copy()
        made._uids_by_step = {step: set(uids) for step, uids in self._uids_by_step.items()}
        return made

    def fold(self, events: Iterable[tuple[datetime, PlanEvent]]) -> None:
        """Fold `(recorded_at, event)` pairs, oldest first."""
        for recorded_at, event in events:
            self.apply(recorded_at, event)

    def apply(self, recorded_at: datetime, event: PlanEvent) -> None:
        """Fold one event recorded at `recorded_at`."""
        effect = item_effect(event)
        linked = effect.links_of
        before = _Waits.link(self.state, linked) if linked and self.state else None
        self.state = state = evolve(self.state, event)
        if effect.every_step:
            self._waits = _Waits(state)
        elif linked is not None:
            after = _Waits.link(state, linked)
            self._waits.remove(before)
            self._waits.add(after)
        if effect.occurrence is not None:
            self._note(occurrence_item(state, effect.occurrence), recorded_at)
            return
        # A step taken out of a draft, or every step of a draft dropped.
        leaving = self._uids_by_step.keys() if effect.every_step else effect.steps
        for removed in leaving - state.steps.keys():
            for gone in self._uids_by_step.pop(removed, set()):
                self.records[gone].present = False
                self.changed.add(gone)
        steps = self._steps(effect, state, before)
        if not steps:
            return
        current: dict[str, set[str]] = {step: set() for step in steps}
        for item in calendar_items(state, steps=steps, waited_for=self._waits):
            current[item.step].add(item.uid)
            self._note(item, recorded_at)
        for step, uids in current.items():
            for gone in self._uids_by_step.get(step, set()) - uids:
                self.records[gone].present = False
                self.changed.add(gone)
            self._uids_by_step[step] = uids

    def _steps(self, effect: ItemEffect, state: PlanState, before: str | None) -> list[str]:
        """The keys of the steps whose items `effect` may change, in the plan after it."""
        if effect.every_step:
            return list(state.steps)
        keys = set(effect.steps)
        if effect.links_of is not None:
            # The step it waited for may stop being a priority, the one it waits for now
            # may become one.
            keys.update(k for k in (before, _Waits.link(state, effect.links_of)) if k)
        if effect.people:
            people = effect.people
            keys.update(
                key
                for key, step in state.steps.items()
                if step.responsible in people or not people.isdisjoint(step.participants)
            )
        if effect.targets:
            for track in state.tracks.values():
                if track.target in effect.targets:
                    keys.update(track.steps)
        return [key for key in keys if key in state.steps]

    def _note(self, item: CalendarItem, at: datetime) -> None:
        records = self.records
        record = records.get(item.uid)
        if record is None:
            records[item.uid] = ItemRecord(item.step, item, 0, at, at)
            self.changed.add(item.uid)
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
        self.changed.add(item.uid)

    def history(self) -> CalendarHistory:
        """The plan and every item's revision, as folded so far (a plan must be folded)."""
        assert self.state is not None
        revisions = {
            uid: Revision(record.sequence, record.created, record.modified)
            for uid, record in self.records.items()
        }
        return CalendarHistory(self.state, revisions)


def calendar_history(events: Iterable[tuple[datetime, PlanEvent]]) -> CalendarHistory | None:
    """Fold `(recorded_at, event)` pairs, oldest first; None when there are none."""
    fold = CalendarFold()
    fold.fold(events)
    return None if fold.state is None else fold.history()
