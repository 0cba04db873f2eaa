"""advance and Draft: a state already handed out never changes when events are applied to it."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from pacflow.domain import EVENT_TYPES, PlanEvent, PlanState, fold
from pacflow.domain import events as ev
from pacflow.domain.folding import _CHANGES, _HANDLERS, Draft, advance
from pacflow.domain.schedule import DueDate, OccurrenceSlot
from pacflow.domain.values import (
    AccessScope,
    Aggregation,
    Direction,
    Domain,
    IndicatorKind,
    PersonKind,
    PlanStatus,
    StepStatus,
)
from pacflow.errors import IntegrityError

from .diagnostic_examples import DIAGNOSTIC
from .example import CREATED, DRAFT, PUBLISHED, REASON
from .test_properties import histories

EVERY_KIND = [
    *PUBLISHED,
    ev.RevisionOpened(revision=2, reason=REASON),
    ev.TargetLimitsSet(max_targets_per_rep=3, max_targets_total=8),
    ev.CheckThresholdsSet(stale_after_days=60),
    ev.PersonAdded(key="ab", name="Anne Blanc", kind=PersonKind.REP),
    ev.PersonLeft(person="kb", on=date(2025, 6, 30)),
    ev.TargetDropped(target="T4"),
    ev.ObjectiveSet(
        target="T1",
        objective="main",
        statement="Doubler le CA",
        value=Decimal(400),
        unit="kEUR",
        due=date(2025, 12, 31),
    ),
    ev.TrackAdded(key="T2-HUNT", target="T2", domain=Domain.SALES, title="Prospecter"),
    ev.StepAdded(
        key="S20",
        track="T2-HUNT",
        title="Salon",
        order=1,
        responsible="cd",
        schedule=DueDate(due=date(2025, 10, 1)),
    ),
    ev.StepEdited(
        step="S20",
        title="Salon Banque",
        order=1,
        predecessor=None,
        parallel=True,
        means=None,
        budget=Decimal(5),
        days=None,
        indicators=(),
        location="Paris",
    ),
    ev.StepRemoved(step="S20"),
    ev.StepMoved(step="S01", schedule=DueDate(due=date(2025, 2, 28))),
    ev.StepAssigned(step="S02", responsible="tl", participants=("cd",)),
    ev.StepStarted(step="S01", on=date(2025, 1, 20)),
    ev.StepCompleted(step="S01", on=date(2025, 2, 20)),
    ev.StepBlocked(step="S02", on=date(2025, 3, 1), reason="Budget"),
    ev.StepCancelled(step="S03", on=date(2025, 3, 2), reason="Inutile"),
    ev.StepDoneDateCorrected(
        step="S01", on=date(2025, 2, 21), previous=date(2025, 2, 20), reason="Typo"
    ),
    ev.StepReopened(step="S01", previous=date(2025, 2, 21), reason="Pas fini"),
    ev.OccurrenceCompleted(occurrence="S08@2025-01-14", on=date(2025, 1, 14)),
    ev.OccurrenceDoneDateCorrected(
        occurrence="S08@2025-01-14", on=date(2025, 1, 15), previous=date(2025, 1, 14), reason="Typo"
    ),
    ev.OccurrenceReopened(occurrence="S08@2025-01-14", previous=date(2025, 1, 15), reason="Non"),
    ev.OccurrenceCompleted(occurrence="S08@2025-01-14", on=date(2025, 1, 14)),
    ev.OccurrenceCancelled(occurrence="S08@2025-01-28", reason="Client absent"),
    ev.OccurrenceMoved(occurrence="S08@2025-02-11", start=datetime(2025, 2, 12, 10), all_day=False),
    ev.OccurrencesUnscheduled(step="S11", occurrences=("S11@2025-12-11",)),
    ev.OccurrencesScheduled(
        step="S11",
        occurrences=(
            OccurrenceSlot(
                key="S11@2025-12-18",
                start=datetime(2025, 12, 18, 14),
                all_day=False,
                duration=timedelta(hours=2),
            ),
        ),
    ),
    ev.CalendarChangeOverridden(step="S08", change="moved", rule="plan wins"),
    ev.AccessGranted(grant="g1", person="cd", scope=AccessScope.REPORT),
    ev.AccessRevoked(grant="g1", person="cd"),
    ev.IndicatorTargetsSet(indicator="I2", targets={"2025-03": Decimal(4)}),
    ev.IndicatorValueRecorded(indicator="I2", period="2025-03", value=Decimal(3)),
    ev.IndicatorValueCorrected(
        indicator="I2", period="2025-03", value=Decimal(4), previous=Decimal(3), reason="Oubli"
    ),
    ev.IndicatorDefined(
        key="I2",
        name="Visites chez BRC (renommé)",
        kind=IndicatorKind.ACTIVITY,
        unit="count",
        aggregation=Aggregation.PER_PERIOD,
        direction=Direction.UP,
        owner="cd",
        serves=("T1",),
    ),
    ev.IndicatorTargetsSet(indicator="I2", targets={"2025-04": Decimal(4)}),
    ev.IndicatorValueRecorded(indicator="I2", period="2025-04", value=Decimal(2)),
    ev.MarketChangeRecorded(
        summary="Fusion BRC", affects=("account:ACC-BRC",), effective=date(2025, 5, 1)
    ),
    ev.TargetRemoved(target="T4"),
    *DIAGNOSTIC,
    ev.HolidaysSet(country="FR", slots_on_weekends=True),
    ev.HolidaysSet(person="cd", country="DE", subdivision="BY"),
    ev.PlanPublished(revision=2),
    ev.PlanClosed(),
]
"""The example plan, then one event (or more) of every type the fold handles."""


def test_every_event_type_says_what_it_changes() -> None:
    assert set(_CHANGES) == set(_HANDLERS)
    assert set(_CHANGES) | {ev.PlanCreated} == set(EVENT_TYPES.values())


def test_the_example_has_every_event_type() -> None:
    assert fold(EVERY_KIND) is not None
    assert {type(e) for e in EVERY_KIND} == set(EVENT_TYPES.values())


@pytest.mark.parametrize("at", range(1, len(EVERY_KIND)))
def test_advancing_leaves_the_state_as_it_was(at: int) -> None:
    base = fold(EVERY_KIND[:at])
    assert base is not None
    before = copy.deepcopy(base)
    after = advance(base, EVERY_KIND[at:])
    assert base == before
    assert after == fold(EVERY_KIND)
    one = advance(base, EVERY_KIND[at : at + 1])
    assert base == before
    assert one == fold(EVERY_KIND[: at + 1])


def test_a_draft_shares_what_its_events_do_not_change() -> None:
    base = fold(PUBLISHED)
    assert base is not None
    draft = Draft(base)
    state = draft.apply(ev.StepCompleted(step="S01", on=date(2025, 1, 28)))
    assert state is not base
    assert state.steps is not base.steps
    assert state.steps["S01"] is not base.steps["S01"]
    assert state.steps["S02"] is base.steps["S02"]
    assert state.occurrences is base.occurrences
    assert state.people is base.people
    assert base.steps["S01"].status is StepStatus.PLANNED
    assert state.steps["S01"].status is StepStatus.DONE
    assert draft.apply(ev.PlanApproved()) is state  # the same draft goes on in place


def test_a_draft_from_nothing_creates_the_plan() -> None:
    draft = Draft(None)
    assert draft.state is None
    for event in DRAFT:
        draft.apply(event)
    assert draft.state == fold(DRAFT)
    assert advance(None, []) is None
    state = fold(DRAFT)
    assert advance(state, []) is state


def test_a_draft_refuses_what_a_fold_refuses_and_leaves_its_base() -> None:
    base = fold([CREATED])
    assert base is not None
    before = copy.deepcopy(base)
    with pytest.raises(IntegrityError, match="unknown key 'S01'"):
        advance(base, [ev.StepCompleted(step="S01", on=date(2025, 1, 28))])
    with pytest.raises(IntegrityError, match="the plan already exists"):
        advance(base, [CREATED])
    with pytest.raises(IntegrityError, match="does not start with PlanCreated"):
        advance(None, [ev.PlanApproved()])
    assert base == before
    assert base.status is PlanStatus.DRAFT


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories())
def test_advancing_random_histories_leaves_every_earlier_state(
    history: tuple[list[PlanEvent], PlanState],
) -> None:
    recorded, live = history
    states: list[tuple[PlanState, PlanState]] = []
    state = fold(DRAFT)
    assert state is not None
    for event in recorded[len(DRAFT) :]:
        states.append((state, copy.deepcopy(state)))
        advanced = advance(state, [event])
        assert advanced is not None
        state = advanced
    assert state == live
    for handed_out, as_it_was in states:
        assert handed_out == as_it_was
