"""The one map of what each event type touches (`pacflow.domain.touches`)."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, datetime
from decimal import Decimal

import pytest

from pacflow.describe import describe
from pacflow.domain import (
    EVENT_TYPES,
    PlanEvent,
    PlanState,
    event_type_name,
    evolve,
    expand,
    fold,
    to_payload,
)
from pacflow.domain import events as ev
from pacflow.domain.schedule import DueDate, Session, SessionList
from pacflow.domain.touches import (
    KINDS,
    Area,
    CalendarReach,
    Touched,
    calendar_steps,
    kind_of,
    market_targets,
    names_where,
    step_subject,
    touches,
    touches_focus,
    types_where,
)
from pacflow.domain.values import (
    AccessScope,
    Aggregation,
    Direction,
    Domain,
    IndicatorKind,
    PersonKind,
    TargetKind,
)
from tests.unit.diagnostic_examples import DECISION, FINDING, JUSTIFIED
from tests.unit.example import CREATED, DRAFT, PERIOD


def _draft() -> PlanState:
    state = fold(DRAFT)
    assert state is not None
    return state


EXAMPLES: dict[type[PlanEvent], PlanEvent] = {
    ev.PlanCreated: CREATED,
    ev.PlanApproved: ev.PlanApproved(),
    ev.PlanPublished: ev.PlanPublished(revision=1),
    ev.RevisionOpened: ev.RevisionOpened(revision=2, reason="fusion"),
    ev.PlanClosed: ev.PlanClosed(),
    ev.PlanDropped: ev.PlanDropped(reason="typed by mistake"),
    ev.TargetLimitsSet: ev.TargetLimitsSet(max_targets_per_rep=3, max_targets_total=8),
    ev.CheckThresholdsSet: ev.CheckThresholdsSet(stale_after_days=30),
    ev.HolidaysSet: ev.HolidaysSet(country="FR"),
    ev.PersonAdded: ev.PersonAdded(key="ic", name="Isabelle", kind=PersonKind.BACK_OFFICE),
    ev.PersonLeft: ev.PersonLeft(person="kb", on=date(2025, 6, 1)),
    ev.TargetAdded: ev.TargetAdded(
        key="T5", kind=TargetKind.SEGMENT, title="Santé", responsible="sm", ref="SEG-SAN"
    ),
    ev.TargetDropped: ev.TargetDropped(target="T4"),
    ev.TargetRemoved: ev.TargetRemoved(target="T4"),
    ev.ObjectiveSet: ev.ObjectiveSet(
        target="T1",
        objective="main",
        statement="Doubler le CA",
        value=Decimal(360),
        unit="kEUR",
        due=date(2025, 12, 31),
        indicator="I1",
    ),
    ev.TrackAdded: ev.TrackAdded(key="T2-INFO", target="T2", domain=Domain.INFORMATION, title="x"),
    ev.StepAdded: ev.StepAdded(
        key="S04",
        track="T1-INFO",
        title="Étape S04",
        order=4,
        responsible="kb",
        participants=("jm",),
        schedule=DueDate(due=date(2025, 4, 30)),
        predecessor="S03",
        indicators=("I1",),
    ),
    ev.StepEdited: ev.StepEdited(
        step="S03",
        title="Étape S03 bis",
        order=3,
        predecessor="S01",
        parallel=False,
        means=None,
        budget=None,
        days=None,
        indicators=("I2",),
        location=None,
    ),
    ev.StepMoved: ev.StepMoved(step="S01", schedule=DueDate(due=date(2025, 2, 28))),
    ev.StepRemoved: ev.StepRemoved(step="S09"),
    ev.StepAssigned: ev.StepAssigned(step="S01", responsible="kb", participants=("pg",)),
    ev.StepStarted: ev.StepStarted(step="S01", on=date(2025, 1, 10)),
    ev.StepCompleted: ev.StepCompleted(step="S01", on=date(2025, 1, 20)),
    ev.StepReopened: ev.StepReopened(step="S01", previous=date(2025, 1, 20), reason="erreur"),
    ev.StepDoneDateCorrected: ev.StepDoneDateCorrected(
        step="S01", on=date(2025, 1, 21), previous=date(2025, 1, 20), reason="erreur"
    ),
    ev.StepBlocked: ev.StepBlocked(step="S01", on=date(2025, 1, 15), reason="attente"),
    ev.StepCancelled: ev.StepCancelled(step="S09", on=date(2025, 2, 1), reason="inutile"),
    ev.OccurrencesScheduled: ev.OccurrencesScheduled(
        step="S11",
        occurrences=expand(
            "S11", SessionList(sessions=(Session(start=datetime(2025, 10, 2, 14)),)), PERIOD
        ),
    ),
    ev.OccurrencesUnscheduled: ev.OccurrencesUnscheduled(
        step="S08", occurrences=("S08@2025-12-23",)
    ),
    ev.OccurrenceCompleted: ev.OccurrenceCompleted(
        occurrence="S11@2025-03-27", on=date(2025, 3, 27)
    ),
    ev.OccurrenceReopened: ev.OccurrenceReopened(
        occurrence="S11@2025-03-27", previous=date(2025, 3, 27), reason="erreur"
    ),
    ev.OccurrenceDoneDateCorrected: ev.OccurrenceDoneDateCorrected(
        occurrence="S11@2025-03-27", on=date(2025, 3, 28), previous=date(2025, 3, 27), reason="x"
    ),
    ev.OccurrenceCancelled: ev.OccurrenceCancelled(occurrence="S11@2025-03-27", reason="grève"),
    ev.OccurrenceMoved: ev.OccurrenceMoved(
        occurrence="S11@2025-03-27", start=datetime(2025, 3, 28, 14), all_day=False
    ),
    ev.CalendarChangeOverridden: ev.CalendarChangeOverridden(
        step="S11", occurrence="S11@2025-03-27", change="moved", rule="plan wins"
    ),
    ev.AccessGranted: ev.AccessGranted(grant="g1", person="cd", scope=AccessScope.FEED),
    ev.AccessRevoked: ev.AccessRevoked(grant="g1", person="cd"),
    ev.IndicatorDefined: ev.IndicatorDefined(
        key="I3",
        name="Propositions",
        kind=IndicatorKind.ACTIVITY,
        unit="count",
        aggregation=Aggregation.PER_PERIOD,
        direction=Direction.UP,
        owner="tl",
        serves=("T3",),
    ),
    ev.IndicatorTargetsSet: ev.IndicatorTargetsSet(
        indicator="I1", targets={"2025-01": Decimal(10)}
    ),
    ev.IndicatorValueRecorded: ev.IndicatorValueRecorded(
        indicator="I1", period="2025-01", value=Decimal(12)
    ),
    ev.IndicatorValueCorrected: ev.IndicatorValueCorrected(
        indicator="I1", period="2025-01", value=Decimal(11), previous=Decimal(12), reason="typo"
    ),
    ev.FindingRecorded: FINDING,
    ev.DecisionRecorded: DECISION,
    ev.TargetJustified: JUSTIFIED,
    ev.MarketChangeRecorded: ev.MarketChangeRecorded(
        summary="Fusion", affects=("segment:SEG-BA",), effective=date(2025, 6, 16)
    ),
}
"""One event of every registered type, each of which applies to the DRAFT plan (a
correction, once what it corrects is recorded: `_PRIOR`)."""

_PRIOR: dict[type[PlanEvent], PlanEvent] = {
    ev.StepReopened: EXAMPLES[ev.StepCompleted],
    ev.StepDoneDateCorrected: EXAMPLES[ev.StepCompleted],
    ev.OccurrenceReopened: EXAMPLES[ev.OccurrenceCompleted],
    ev.OccurrenceDoneDateCorrected: EXAMPLES[ev.OccurrenceCompleted],
}


# --- every type is classified ------------------------------------------------------------


def test_every_registered_event_type_is_classified() -> None:
    registered = set(EVENT_TYPES.values())
    assert set(KINDS) == registered, "classify the new event type in pacflow.domain.touches"
    assert set(EXAMPLES) == registered, "add an example of the new event type here"


@pytest.mark.parametrize("event_type", list(EVENT_TYPES.values()), ids=list(EVENT_TYPES))
def test_every_registered_event_type_says_what_it_touches(event_type: type[PlanEvent]) -> None:
    event = EXAMPLES[event_type]
    state = None if event_type is ev.PlanCreated else _draft()
    assert isinstance(touches(event, state), Touched)
    kind = kind_of(event_type)
    if kind.calendar is CalendarReach.STEPS:
        assert state is not None
        assert isinstance(calendar_steps(event, state), frozenset)
    assert describe(event) != event_type.__name__, "give it words in pacflow.describe"


@pytest.mark.parametrize("event_type", list(EVENT_TYPES.values())[1:], ids=list(EVENT_TYPES)[1:])
def test_folds_says_whether_folding_changes_the_plan(event_type: type[PlanEvent]) -> None:
    before = _draft()
    if event_type in _PRIOR:
        before = evolve(before, _PRIOR[event_type])
    after = evolve(copy.deepcopy(before), EXAMPLES[event_type])
    after = dataclasses.replace(after, version=before.version)
    assert (after != before) is kind_of(event_type).folds


def test_tables_the_views_held_come_from_the_map() -> None:
    """The tables the views kept by hand, as the map now gives them."""
    assert set(types_where(lambda kind: kind.area is Area.LIFECYCLE)) == {
        ev.PlanCreated,
        ev.PlanApproved,
        ev.PlanPublished,
        ev.RevisionOpened,
        ev.PlanClosed,
        ev.PlanDropped,
    }
    assert set(types_where(lambda kind: kind.focus)) == {
        ev.PlanCreated,
        ev.PersonAdded,
        ev.PersonLeft,
        ev.TargetAdded,
        ev.TargetDropped,
        ev.TargetRemoved,
        ev.TargetLimitsSet,
    }
    assert names_where(lambda kind: kind.indicator_facts) == {
        "PlanCreated",
        "PlanDropped",
        "TrackAdded",
        "StepAdded",
        "StepMoved",
        "StepRemoved",
        "TargetRemoved",
        "StepCompleted",
        "StepReopened",
        "StepDoneDateCorrected",
        "OccurrenceCompleted",
        "OccurrenceReopened",
        "OccurrenceDoneDateCorrected",
        "IndicatorDefined",
        "IndicatorTargetsSet",
        "IndicatorValueRecorded",
        "IndicatorValueCorrected",
    }
    not_read = types_where(lambda kind: not kind.read_by_typed_indicators)
    assert {cls.__name__[:4] for cls in not_read} == {"Step", "Occu"}
    assert len(not_read) == 18
    assert set(types_where(lambda kind: kind.calendar is CalendarReach.OCCURRENCE)) == {
        ev.OccurrenceCompleted,
        ev.OccurrenceReopened,
        ev.OccurrenceDoneDateCorrected,
        ev.OccurrenceCancelled,
        ev.OccurrenceMoved,
    }
    assert touches_focus(EXAMPLES[ev.TargetDropped])
    assert not touches_focus(EXAMPLES[ev.StepCompleted])


# --- which keys one event touches --------------------------------------------------------


def test_a_visit_touches_its_step_its_track_and_the_tracks_target() -> None:
    assert touches(EXAMPLES[ev.OccurrenceCompleted], _draft()) == Touched(
        targets=frozenset({"T1"}),
        tracks=frozenset({"T1-ELEV"}),
        steps=frozenset({"S11"}),
        occurrences=frozenset({"S11@2025-03-27"}),
    )


def test_a_step_added_touches_its_people_indicators_and_target() -> None:
    found = touches(EXAMPLES[ev.StepAdded], _draft())
    assert found == Touched(
        targets=frozenset({"T1"}),
        tracks=frozenset({"T1-INFO"}),
        steps=frozenset({"S04"}),
        indicators=frozenset({"I1"}),
        people=frozenset({"kb", "jm"}),
    )


def test_a_step_assigned_touches_who_had_it_and_who_has_it() -> None:
    found = touches(EXAMPLES[ev.StepAssigned], _draft())
    assert found.people == {"cd", "jm", "kb", "pg"}


def test_an_indicator_change_touches_the_targets_it_serves() -> None:
    state = _draft()
    for event_type in (ev.IndicatorTargetsSet, ev.IndicatorValueRecorded):
        found = touches(EXAMPLES[event_type], state)
        assert found == Touched(targets=frozenset({"T1", "T2"}), indicators=frozenset({"I1"}))
    assert touches(EXAMPLES[ev.IndicatorDefined], state) == Touched(
        targets=frozenset({"T3"}), indicators=frozenset({"I3"}), people=frozenset({"tl"})
    )


def test_an_objective_touches_its_indicator_before_and_after() -> None:
    state = evolve(_draft(), EXAMPLES[ev.ObjectiveSet])
    objective = EXAMPLES[ev.ObjectiveSet]
    assert isinstance(objective, ev.ObjectiveSet)
    again = dataclasses.replace(objective, indicator="I2")
    assert touches(again, state).indicators == {"I1", "I2"}


def test_a_market_change_touches_the_targets_of_the_segment_or_account_it_names() -> None:
    state = _draft()
    # T3's segments include SEG-BA; T1's account is ACC-BRC; T3's offer is OFF-CRM.
    for affects, targets in (
        (("segment:SEG-BA",), ("T3",)),
        (("account:ACC-BRC",), ("T1",)),
        (("offer:OFF-CRM", "target:T2"), ("T3", "T2")),
        (("target:T4", "segment:SEG-BA", "account:ACC-BRC"), ("T4", "T3", "T1")),
        (("segment:SEG-NONE",), ()),
    ):
        event = ev.MarketChangeRecorded(summary="x", affects=affects, effective=date(2025, 6, 1))
        assert market_targets(state, event) == targets
        assert touches(event, state).targets == set(targets)


def test_a_market_change_still_names_a_dropped_target() -> None:
    """History shows it; `check` leaves dropped targets out (a rule about live targets)."""
    state = evolve(_draft(), ev.TargetDropped(target="T3"))
    event = EXAMPLES[ev.MarketChangeRecorded]
    assert isinstance(event, ev.MarketChangeRecorded)
    assert market_targets(state, event) == ("T3",)


def test_nothing_is_touched_by_the_lifecycle_or_settings() -> None:
    state = _draft()
    for event_type in types_where(lambda kind: kind.area in (Area.LIFECYCLE, Area.SETTINGS)):
        if event_type not in (ev.PlanCreated, ev.PlanDropped):
            assert touches(EXAMPLES[event_type], state) == Touched()
    assert touches(CREATED, None) == Touched(people=frozenset({"hg"}))


def test_a_dropped_draft_takes_everything_it_held_with_it() -> None:
    state = _draft()
    dropped = touches(EXAMPLES[ev.PlanDropped], state)
    assert dropped.targets == set(state.targets)
    assert dropped.steps == set(state.steps)
    assert dropped.people == set(state.people)
    assert dropped.indicators == set(state.indicators)
    assert calendar_steps(EXAMPLES[ev.PlanDropped], state) == set(state.steps)


# --- calendar items --------------------------------------------------------------------------


def test_a_step_edit_reaches_its_predecessors_old_and_new() -> None:
    state = evolve(_draft(), EXAMPLES[ev.StepAdded])  # S04 after S03
    edit = ev.StepEdited(
        step="S04",
        title="S04",
        order=4,
        predecessor="S02",
        parallel=False,
        means=None,
        budget=None,
        days=None,
        indicators=(),
        location=None,
    )
    assert calendar_steps(edit, state) == {"S04", "S03", "S02"}
    assert calendar_steps(EXAMPLES[ev.StepAdded], _draft()) == {"S04", "S03"}


def test_a_main_objective_reaches_the_steps_of_its_target_only() -> None:
    state = _draft()
    main = EXAMPLES[ev.ObjectiveSet]
    assert isinstance(main, ev.ObjectiveSet)
    assert calendar_steps(main, state) == {"S01", "S02", "S03", "S08", "S09", "S11"}
    other = dataclasses.replace(main, objective="volume")
    assert calendar_steps(other, state) == frozenset()


def test_one_step_events_reach_their_step() -> None:
    state = _draft()
    for event_type in (ev.StepMoved, ev.StepAssigned, ev.OccurrencesUnscheduled):
        event = EXAMPLES[event_type]
        assert calendar_steps(event, state) == touches(event, state).steps
    assert calendar_steps(EXAMPLES[ev.PersonAdded], state) == frozenset()
    assert calendar_steps(EXAMPLES[ev.MarketChangeRecorded], state) == frozenset()
    assert kind_of(ev.MarketChangeRecorded).calendar is CalendarReach.NONE
    assert kind_of(ev.MarketChangeRecorded).area is Area.ENVIRONMENT


@pytest.mark.parametrize("event_type", types_where(lambda kind: kind.step_local))
def test_a_stored_step_event_says_which_step_or_visit_it_is_about(
    event_type: type[PlanEvent],
) -> None:
    """What `step_subject` reads from a payload is what `touches` finds in the event."""
    event = EXAMPLES[event_type]
    subject = step_subject(event_type_name(event), to_payload(event))
    assert subject is not None
    found = touches(event, _draft())
    if subject.occurrence is not None:
        assert found.occurrences == {subject.occurrence}
    else:
        assert subject.step in found.steps
        assert (subject.track is not None) is (event_type is ev.StepAdded)


def test_other_stored_events_have_no_step_subject() -> None:
    for event_type in types_where(lambda kind: not kind.step_local):
        event = EXAMPLES[event_type]
        assert step_subject(event_type_name(event), to_payload(event)) is None
