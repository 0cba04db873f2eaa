"""What each event type touches: the one map every view reads, instead of a table per view.

Two questions, answered once here:

- **What kind of change a type is**, whatever its values (`KINDS`, `kind_of`): the part of
  the plan it belongs to (`Area`: lifecycle, settings, team, targets, tracks, steps,
  occurrences, indicators, indicator values, environment); whether it changes the team or
  the targets ("choisir, c'est renoncer" is weighed again after it: `focus`); which calendar
  items it may change (`CalendarReach`); whether it is progress rather than a change to what
  the plan says (`progress`: `plan diff` leaves it out); whether folding changes the state
  (`folds`: environment facts leave it as it was); whether the indicator facts read model
  needs it (`indicator_facts`). An event of a step or its visits changes nothing else
  (`step_local`): typed indicators fold without them, and a view about one step or one
  target leaves the others' undecoded (`step_subject` reads what they are about from the
  stored payload).
- **Which keys one event touches** (`touches(event, state)`): targets, tracks, steps,
  occurrences, indicators and people, resolved against the plan the event applies to, i.e.
  the state *just before* it (a market change on `segment:SEG-BA` touches the targets of
  that segment then; a visit touches its step, its track and the track's target). The same
  answer serves `plan history --target/--step` and `check`'s market-change rule.

Every registered event type must be classified (tests/unit/test_touches.py): adding a type
without saying what it touches fails there, not in a view that silently skips it.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from pacflow.domain import events as ev
from pacflow.domain.kinds import occurrence_step
from pacflow.domain.state import PlanState
from slotted import FrozenValue, frozen_record


class Area(enum.Enum):
    """The part of the plan an event type belongs to."""

    LIFECYCLE = "plan lifecycle"
    SETTINGS = "settings"
    TEAM = "team"
    TARGETS = "targets"
    TRACKS = "tracks"
    STEPS = "steps"
    OCCURRENCES = "occurrences"
    INDICATORS = "indicators"
    INDICATOR_VALUES = "indicator values"
    ENVIRONMENT = "environment"
    DIAGNOSTIC = "diagnostic"


class CalendarReach(enum.Enum):
    """Which calendar items an event type may change."""

    NONE = "none"
    """No item shows anything it changes."""
    OCCURRENCE = "one occurrence"
    """The event of the one occurrence it names (and nothing else)."""
    STEPS = "steps"
    """The items of the steps `calendar_steps(event, state)` names (often one, may be more)."""


@frozen_record
class EventKind(FrozenValue):
    """What an event type touches whatever its values (see the module docstring)."""

    area: Area
    calendar: CalendarReach = CalendarReach.NONE
    focus: bool = False
    progress: bool = False
    folds: bool = True
    indicator_facts: bool = False

    @property
    def step_local(self) -> bool:
        """Whether it changes one step and that step's visits only: no other event refers to
        steps or visits, so the rest of the plan folds the same without it."""
        return self.area in (Area.STEPS, Area.OCCURRENCES)

    @property
    def read_by_typed_indicators(self) -> bool:
        """Whether a typed indicator's figures may depend on it: all but step-local events."""
        return not self.step_local


_LIFECYCLE = EventKind(Area.LIFECYCLE)
_STEP = EventKind(Area.STEPS, CalendarReach.STEPS)
_STEP_PROGRESS = EventKind(Area.STEPS, CalendarReach.STEPS, progress=True)
_VALUE = EventKind(Area.INDICATOR_VALUES, progress=True, indicator_facts=True)

KINDS: dict[type[ev.PlanEvent], EventKind] = {
    # Its period and time zone place every indicator period; the owner is a person.
    ev.PlanCreated: EventKind(Area.LIFECYCLE, focus=True, indicator_facts=True),
    ev.PlanApproved: _LIFECYCLE,
    ev.PlanPublished: _LIFECYCLE,
    ev.RevisionOpened: _LIFECYCLE,
    ev.PlanClosed: _LIFECYCLE,
    # A draft dropped: every item of its steps leaves the calendars, derived indicators
    # forget its steps and tracks (its key, and theirs, may come back in a new plan).
    ev.PlanDropped: EventKind(Area.LIFECYCLE, CalendarReach.STEPS, indicator_facts=True),
    ev.TargetLimitsSet: EventKind(Area.SETTINGS, focus=True),
    ev.CheckThresholdsSet: EventKind(Area.SETTINGS),
    # Holidays are noted on the occurrences that fall on one; cadence slots moved off them
    # come as occurrence events of their own.
    ev.HolidaysSet: EventKind(Area.SETTINGS, CalendarReach.STEPS),
    # Items show a person's name and time zone: only the steps naming them (normally none
    # when they join, since steps may only name members; nothing an item shows when they leave).
    ev.PersonAdded: EventKind(Area.TEAM, CalendarReach.STEPS, focus=True),
    ev.PersonLeft: EventKind(Area.TEAM, focus=True),
    # A new target has no step yet; being dropped is not shown (its steps are cancelled
    # by their own events).
    ev.TargetAdded: EventKind(Area.TARGETS, focus=True),
    ev.TargetDropped: EventKind(Area.TARGETS, focus=True),
    # Taken out of a draft: its steps left by their own events; derived indicators forget
    # its tracks (their keys may come back under another target).
    ev.TargetRemoved: EventKind(Area.TARGETS, focus=True, indicator_facts=True),
    # Items of a target's steps quote its main objective.
    ev.ObjectiveSet: EventKind(Area.TARGETS, CalendarReach.STEPS),
    # Derived indicators place what was done under the target of its track.
    ev.TrackAdded: EventKind(Area.TRACKS, indicator_facts=True),
    ev.StepAdded: EventKind(Area.STEPS, CalendarReach.STEPS, indicator_facts=True),
    ev.StepEdited: _STEP,
    # A step taken out of a draft: its items leave the calendars; derived indicators forget
    # where it was (its key may come back in another track).
    ev.StepRemoved: EventKind(Area.STEPS, CalendarReach.STEPS, indicator_facts=True),
    ev.StepMoved: EventKind(Area.STEPS, CalendarReach.STEPS, indicator_facts=True),
    ev.StepAssigned: _STEP,
    ev.StepStarted: _STEP_PROGRESS,
    ev.StepCompleted: EventKind(
        Area.STEPS, CalendarReach.STEPS, progress=True, indicator_facts=True
    ),
    # Corrections of progress: what derived indicators counted follows them.
    ev.StepReopened: EventKind(
        Area.STEPS, CalendarReach.STEPS, progress=True, indicator_facts=True
    ),
    ev.StepDoneDateCorrected: EventKind(
        Area.STEPS, CalendarReach.STEPS, progress=True, indicator_facts=True
    ),
    ev.StepBlocked: _STEP_PROGRESS,
    ev.StepCancelled: _STEP,
    ev.OccurrencesScheduled: EventKind(Area.OCCURRENCES, CalendarReach.STEPS),
    ev.OccurrencesUnscheduled: EventKind(Area.OCCURRENCES, CalendarReach.STEPS),
    ev.OccurrenceCompleted: EventKind(
        Area.OCCURRENCES, CalendarReach.OCCURRENCE, progress=True, indicator_facts=True
    ),
    ev.OccurrenceReopened: EventKind(
        Area.OCCURRENCES, CalendarReach.OCCURRENCE, progress=True, indicator_facts=True
    ),
    ev.OccurrenceDoneDateCorrected: EventKind(
        Area.OCCURRENCES, CalendarReach.OCCURRENCE, progress=True, indicator_facts=True
    ),
    ev.OccurrenceCancelled: EventKind(Area.OCCURRENCES, CalendarReach.OCCURRENCE),
    ev.OccurrenceMoved: EventKind(Area.OCCURRENCES, CalendarReach.OCCURRENCE),
    ev.IndicatorDefined: EventKind(Area.INDICATORS, indicator_facts=True),
    ev.IndicatorTargetsSet: EventKind(Area.INDICATORS, indicator_facts=True),
    ev.IndicatorValueRecorded: _VALUE,
    ev.IndicatorValueCorrected: _VALUE,
    # Facts about the plan's environment: folding leaves the state as it was.
    ev.MarketChangeRecorded: EventKind(Area.ENVIRONMENT, folds=False),
    ev.CalendarChangeOverridden: EventKind(Area.ENVIRONMENT, folds=False),
    # Links handed out: the audit trail's, not the plan's content.
    ev.AccessGranted: EventKind(Area.TEAM, folds=False),
    ev.AccessRevoked: EventKind(Area.TEAM, folds=False),
    # The diagnostic behind the targets: no calendar item, indicator or focus weighs it.
    ev.FindingRecorded: EventKind(Area.DIAGNOSTIC),
    ev.DecisionRecorded: EventKind(Area.DIAGNOSTIC),
    ev.TargetJustified: EventKind(Area.DIAGNOSTIC),
}
"""What each registered event type touches whatever its values."""


def kind_of(event_type: type[ev.PlanEvent]) -> EventKind:
    """The classification of `event_type` (a KeyError for a type nobody classified)."""
    return KINDS[event_type]


def types_where(test: Callable[[EventKind], bool]) -> tuple[type[ev.PlanEvent], ...]:
    """The event types whose kind passes `test`, in registry order: for the tables views
    still hold (`isinstance` tuples, a projector's `handles`)."""
    return tuple(cls for cls in ev.EVENT_TYPES.values() if test(KINDS[cls]))


def names_where(test: Callable[[EventKind], bool]) -> frozenset[str]:
    """The registered names of the event types whose kind passes `test`."""
    return frozenset(name for name, cls in ev.EVENT_TYPES.items() if test(KINDS[cls]))


def touches_focus(event: ev.PlanEvent) -> bool:
    """Whether `event` changes the targets or the team, so the "choisir, c'est renoncer"
    warnings are worth weighing again after it (not after every step done)."""
    return KINDS[type(event)].focus


# --- which keys one event touches --------------------------------------------------------


@frozen_record
class Touched(FrozenValue):
    """The keys of what one event touches, in the plan it applies to."""

    targets: frozenset[str] = frozenset()
    tracks: frozenset[str] = frozenset()
    steps: frozenset[str] = frozenset()
    occurrences: frozenset[str] = frozenset()
    indicators: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()

    def __or__(self, other: Touched) -> Touched:
        """What either touches (what a revision's changes touch, together)."""
        return Touched(
            self.targets | other.targets,
            self.tracks | other.tracks,
            self.steps | other.steps,
            self.occurrences | other.occurrences,
            self.indicators | other.indicators,
            self.people | other.people,
        )


NOTHING = Touched()


def touches(event: ev.PlanEvent, state: PlanState | None) -> Touched:
    """The keys `event` touches, given `state`, the plan just before it (None only before
    PlanCreated).

    A step brings its track and the track's target; an occurrence its step; an indicator
    the targets it serves; a market change the targets it names or whose account, segment
    or offer it names (`market_targets`). Keys the state does not know (a corrupt stream)
    are given as the event names them, without what they would bring.
    """
    touched = _TOUCHES[type(event)]
    if state is None:
        # Only PlanCreated comes first; it needs no state.
        return touched(event, _EMPTY)
    return touched(event, state)


def market_targets(state: PlanState, event: ev.MarketChangeRecorded) -> tuple[str, ...]:
    """The targets a market change touches, in the order of its references then the plan's:
    each `target:KEY` it names, and every target whose `ref` (an account, a segment, an
    offer) is the key of another reference or whose segments include it. Dropped targets
    are in (a rule about live targets leaves them out)."""
    touched: dict[str, None] = {}
    for ref in event.affects:
        kind, _, key = ref.partition(":")
        if kind == "target":
            touched[key] = None
            continue
        for target in state.targets.values():
            if target.ref == key or key in target.segments:
                touched[target.key] = None
    return tuple(touched)


def calendar_steps(event: ev.PlanEvent, state: PlanState) -> frozenset[str]:
    """The steps whose calendar items `event` may change, given the plan just before it.

    Only for `CalendarReach.STEPS` types; NONE changes no item, and an OCCURRENCE type changes
    the one occurrence it names. A step waited for by another (not parallel) step is a
    priority, so a step added or re-sequenced touches its predecessors, old and new.
    """
    if isinstance(event, ev.StepAdded):
        return frozenset(key for key in (event.key, event.predecessor) if key is not None)
    if isinstance(event, ev.StepEdited):
        before = state.steps.get(event.step)
        old = before.predecessor if before is not None else None
        return frozenset(key for key in (event.step, old, event.predecessor) if key is not None)
    if isinstance(event, ev.ObjectiveSet):
        if event.objective != "main":  # items quote the main objective only
            return frozenset()
        return frozenset(_steps_of_target(state, event.target))
    if isinstance(event, ev.PersonAdded):
        return frozenset(
            step.key
            for step in state.steps.values()
            if step.responsible == event.key or event.key in step.participants
        )
    if isinstance(event, ev.HolidaysSet):
        return frozenset(
            step.key
            for step in state.steps.values()
            if event.person is None or step.responsible == event.person
        )
    if isinstance(event, ev.PlanDropped):
        return frozenset(state.steps)
    if KINDS[type(event)].calendar is not CalendarReach.STEPS:
        return frozenset()
    step = getattr(event, "step", None)  # every other STEPS type names its step
    return frozenset((step,)) if isinstance(step, str) else frozenset()


def _steps_of_target(state: PlanState, target: str) -> Iterable[str]:
    for track in state.tracks.values():
        if track.target == target:
            yield from track.steps


# --- events of one step, before they are decoded -----------------------------------------


@frozen_record
class StepSubject(FrozenValue):
    """The step (or the visit of a step) an event of a step or its visits is about, read from
    its stored payload. `track` is set for a step being added (its key is `step`)."""

    step: str | None = None
    occurrence: str | None = None
    track: str | None = None


def step_subject(type_name: str, payload: Mapping[str, Any]) -> StepSubject | None:
    """What a stored event of area STEPS or OCCURRENCES is about; None for any other event.

    Such an event changes only its step and that step's visits, and no other event refers
    to them (the plan folds without them): a view about other steps, or other targets, can
    leave it undecoded and unfolded. Read from the payload because decoding is what costs.
    """
    field = _SUBJECT_FIELDS.get(type_name)
    if field is None:
        return None
    if type_name == "StepAdded":
        return StepSubject(step=payload[field], track=payload["track"])
    if field == "occurrence":
        return StepSubject(occurrence=payload[field])
    return StepSubject(step=payload[field])


def stored_step(type_name: str, payload: Mapping[str, Any]) -> str | None:
    """The key of the step a stored event of area STEPS or OCCURRENCES is about (for a
    visit's, the visit's step); None for any other event. `step_subject` without what a
    walk needs besides, for a reader that goes through every event of the log."""
    field = _SUBJECT_FIELDS.get(type_name)
    if field is None:
        return None
    key: str = payload[field]
    return occurrence_step(key) if field == "occurrence" else key


def _subject_field(name: str, cls: type[ev.PlanEvent]) -> str:
    if cls is ev.StepAdded:
        return "key"
    names = {f.name for f in dataclasses.fields(cls)}
    return "step" if "step" in names else "occurrence"


_SUBJECT_FIELDS = {
    name: _subject_field(name, cls) for name, cls in ev.EVENT_TYPES.items() if KINDS[cls].step_local
}
STEP_LOCAL_TYPES = frozenset(_SUBJECT_FIELDS)
"""Stored names of the events that change one step or its visits only (`step_subject`);
their payloads name that step (`step`, or `key` when added) or the visit (`STEP@…`)."""


# --- one function per type ---------------------------------------------------------------


class _Collect:
    """Keys gathered for one event, with what steps and occurrences bring along."""

    __slots__ = ("indicators", "occurrences", "people", "state", "steps", "targets", "tracks")

    def __init__(self, state: PlanState) -> None:
        self.state = state
        self.targets: set[str] = set()
        self.tracks: set[str] = set()
        self.steps: set[str] = set()
        self.occurrences: set[str] = set()
        self.indicators: set[str] = set()
        self.people: set[str] = set()

    def track(self, key: str) -> None:
        self.tracks.add(key)
        track = self.state.tracks.get(key)
        if track is not None and track.target is not None:
            self.targets.add(track.target)

    def step(self, key: str) -> None:
        self.steps.add(key)
        step = self.state.steps.get(key)
        if step is not None:
            self.track(step.track)

    def occurrence(self, key: str) -> None:
        self.occurrences.add(key)
        occurrence = self.state.occurrences.get(key)
        if occurrence is not None:
            self.step(occurrence.step)

    def indicator(self, key: str) -> None:
        # An indicator's targets and values are the business of the targets it serves.
        self.indicators.add(key)
        indicator = self.state.indicators.get(key)
        if indicator is not None:
            self.targets.update(indicator.serves)

    def done(self) -> Touched:
        return Touched(
            frozenset(self.targets),
            frozenset(self.tracks),
            frozenset(self.steps),
            frozenset(self.occurrences),
            frozenset(self.indicators),
            frozenset(self.people),
        )


def _nothing(event: Any, state: PlanState) -> Touched:
    return NOTHING


def _plan_created(event: ev.PlanCreated, state: PlanState) -> Touched:
    return Touched(people=frozenset((event.owner,)))


def _person_added(event: ev.PersonAdded, state: PlanState) -> Touched:
    return Touched(people=frozenset((event.key,)))


def _holidays_set(event: ev.HolidaysSet, state: PlanState) -> Touched:
    return Touched(people=frozenset((event.person,)) if event.person else frozenset())


def _person_left(event: ev.PersonLeft, state: PlanState) -> Touched:
    return Touched(people=frozenset((event.person,)))


def _target_added(event: ev.TargetAdded, state: PlanState) -> Touched:
    return Touched(targets=frozenset((event.key,)), people=frozenset((event.responsible,)))


def _target_dropped(event: ev.TargetDropped, state: PlanState) -> Touched:
    # The indicators serving it: they measure what is no longer sought.
    return Touched(
        targets=frozenset((event.target,)),
        indicators=frozenset(
            key for key, indicator in state.indicators.items() if event.target in indicator.serves
        ),
    )


def _plan_dropped(event: ev.PlanDropped, state: PlanState) -> Touched:
    # Everything the draft held leaves with it.
    return Touched(
        targets=frozenset(state.targets),
        tracks=frozenset(state.tracks),
        steps=frozenset(state.steps),
        occurrences=frozenset(state.occurrences),
        indicators=frozenset(state.indicators),
        people=frozenset(state.people),
    )


def _target_removed(event: ev.TargetRemoved, state: PlanState) -> Touched:
    return Touched(targets=frozenset((event.target,)), tracks=frozenset(event.tracks))


def _objective_set(event: ev.ObjectiveSet, state: PlanState) -> Touched:
    before = state.objectives.get((event.target, event.objective))
    indicators = {event.indicator, before.indicator if before is not None else None}
    return Touched(
        targets=frozenset((event.target,)),
        indicators=frozenset(key for key in indicators if key is not None),
    )


def _track_added(event: ev.TrackAdded, state: PlanState) -> Touched:
    targets = frozenset((event.target,)) if event.target is not None else frozenset()
    return Touched(targets=targets, tracks=frozenset((event.key,)))


def _step_added(event: ev.StepAdded, state: PlanState) -> Touched:
    found = _Collect(state)
    found.steps.add(event.key)
    found.track(event.track)
    found.people.update((event.responsible, *event.participants))
    found.indicators.update(event.indicators)
    return found.done()


def _step_edited(event: ev.StepEdited, state: PlanState) -> Touched:
    found = _Collect(state)
    found.step(event.step)
    found.indicators.update(event.indicators)
    return found.done()


def _step_assigned(event: ev.StepAssigned, state: PlanState) -> Touched:
    found = _Collect(state)
    found.step(event.step)
    found.people.update((event.responsible, *event.participants))
    before = state.steps.get(event.step)
    if before is not None:  # who had it: they are touched too
        found.people.update((before.responsible, *before.participants))
    return found.done()


def _one_step(event: Any, state: PlanState) -> Touched:
    found = _Collect(state)
    found.step(event.step)
    return found.done()


def _occurrences_scheduled(event: ev.OccurrencesScheduled, state: PlanState) -> Touched:
    found = _Collect(state)
    found.step(event.step)
    found.occurrences.update(slot.key for slot in event.occurrences)
    return found.done()


def _occurrences_unscheduled(event: ev.OccurrencesUnscheduled, state: PlanState) -> Touched:
    found = _Collect(state)
    found.step(event.step)
    found.occurrences.update(event.occurrences)
    return found.done()


def _one_occurrence(event: Any, state: PlanState) -> Touched:
    found = _Collect(state)
    found.occurrence(event.occurrence)
    return found.done()


def _calendar_override(event: ev.CalendarChangeOverridden, state: PlanState) -> Touched:
    found = _Collect(state)
    found.step(event.step)
    if event.occurrence is not None:
        found.occurrence(event.occurrence)
    return found.done()


def _indicator_defined(event: ev.IndicatorDefined, state: PlanState) -> Touched:
    # The targets it serves from now on (a redefinition may change them).
    return Touched(
        targets=frozenset(event.serves),
        indicators=frozenset((event.key,)),
        people=frozenset((event.owner,)),
    )


def _one_indicator(event: Any, state: PlanState) -> Touched:
    found = _Collect(state)
    found.indicator(event.indicator)
    return found.done()


def _access(event: ev.AccessGranted | ev.AccessRevoked, state: PlanState) -> Touched:
    return Touched(people=frozenset((event.person,)))


def _target_justified(event: ev.TargetJustified, state: PlanState) -> Touched:
    return Touched(targets=frozenset((event.target,)))


def _decision_recorded(event: ev.DecisionRecorded, state: PlanState) -> Touched:
    # The targets that already implement it (a decision is recorded before its targets
    # cite it, so normally none).
    return Touched(
        targets=frozenset(
            target.key for target in state.targets.values() if event.key in target.decisions
        )
    )


def _market_change(event: ev.MarketChangeRecorded, state: PlanState) -> Touched:
    return Touched(targets=frozenset(market_targets(state, event)))


_TOUCHES: dict[type[ev.PlanEvent], Callable[[Any, PlanState], Touched]] = {
    ev.PlanCreated: _plan_created,
    ev.PlanApproved: _nothing,
    ev.PlanPublished: _nothing,
    ev.RevisionOpened: _nothing,
    ev.PlanClosed: _nothing,
    ev.PlanDropped: _plan_dropped,
    ev.TargetLimitsSet: _nothing,
    ev.CheckThresholdsSet: _nothing,
    ev.HolidaysSet: _holidays_set,
    ev.PersonAdded: _person_added,
    ev.PersonLeft: _person_left,
    ev.TargetAdded: _target_added,
    ev.TargetDropped: _target_dropped,
    ev.TargetRemoved: _target_removed,
    ev.ObjectiveSet: _objective_set,
    ev.TrackAdded: _track_added,
    ev.StepAdded: _step_added,
    ev.StepEdited: _step_edited,
    ev.StepRemoved: _one_step,
    ev.StepMoved: _one_step,
    ev.StepAssigned: _step_assigned,
    ev.StepStarted: _one_step,
    ev.StepCompleted: _one_step,
    ev.StepReopened: _one_step,
    ev.StepDoneDateCorrected: _one_step,
    ev.StepBlocked: _one_step,
    ev.StepCancelled: _one_step,
    ev.OccurrencesScheduled: _occurrences_scheduled,
    ev.OccurrencesUnscheduled: _occurrences_unscheduled,
    ev.OccurrenceCompleted: _one_occurrence,
    ev.OccurrenceReopened: _one_occurrence,
    ev.OccurrenceDoneDateCorrected: _one_occurrence,
    ev.OccurrenceCancelled: _one_occurrence,
    ev.OccurrenceMoved: _one_occurrence,
    ev.CalendarChangeOverridden: _calendar_override,
    ev.IndicatorDefined: _indicator_defined,
    ev.IndicatorTargetsSet: _one_indicator,
    ev.IndicatorValueRecorded: _one_indicator,
    ev.IndicatorValueCorrected: _one_indicator,
    ev.MarketChangeRecorded: _market_change,
    ev.AccessGranted: _access,
    ev.AccessRevoked: _access,
    ev.FindingRecorded: _nothing,
    ev.DecisionRecorded: _decision_recorded,
    ev.TargetJustified: _target_justified,
}


_EMPTY = PlanState("", "", date.min, date.min, "UTC", "", None, 0, 0)
"""What `touches` resolves against before the plan exists: nothing is found in it (never
changed: `touches` only reads)."""
