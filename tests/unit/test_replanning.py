"""Replanning inside a revision: target drop, hand-over, objective revise, targets from a
period, step reschedule from a date, replan shift (given events, when a command, then...)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from pacflow.domain.commands import (
    DropTarget,
    PersonLeaves,
    RescheduleStepFrom,
    ReviseObjective,
    SetIndicatorTargetsFrom,
    ShiftSteps,
)
from pacflow.domain.events import (
    IndicatorTargetsSet,
    ObjectiveSet,
    OccurrenceCancelled,
    OccurrenceCompleted,
    OccurrenceMoved,
    OccurrencesScheduled,
    OccurrencesUnscheduled,
    PersonLeft,
    PlanEvent,
    StepAssigned,
    StepCancelled,
    StepCompleted,
    StepMoved,
    TargetDropped,
)
from pacflow.domain.schedule import (
    Cadence,
    DueDate,
    OccurrenceSlot,
    Recurrence,
    RecurrenceRule,
    Session,
    SessionList,
)
from pacflow.domain.values import Per
from pacflow.errors import InvalidInputError, NotFoundError, PacflowError, RuleViolationError

from .example import DRAFT, PUBLISHED, REASON, REVISING, command, step_added
from .gwt import given

JULY = date(2025, 7, 1)
S08_DURATION = timedelta(hours=1, minutes=30)
OBJECTIVE = ObjectiveSet(
    target="T1",
    objective="main",
    statement="Porter les prises de commandes BRC à 600 kEUR",
    value=Decimal(600),
    unit="kEUR",
    due=date(2025, 12, 31),
    indicator="I1",
    baseline=Decimal(180),
)
I2_TARGETS = IndicatorTargetsSet(
    indicator="I2", targets={f"2025-{month:02}": Decimal(2) for month in range(1, 13)}
)


def _revising(*events: PlanEvent) -> list[PlanEvent]:
    """PAC-2025 with `events` recorded in January, then revision 2 opened."""
    return [*PUBLISHED[:-2], *events, *REVISING[-3:]]


# --- target drop -------------------------------------------------------------------------


def test_dropping_a_target_cancels_the_open_steps_of_its_tracks() -> None:
    history = _revising(StepCompleted(step="S01", on=date(2025, 1, 30)))
    state = (
        given(history)
        .when(command(DropTarget, target="T1", on=JULY, reason=REASON))
        .then(
            TargetDropped(target="T1"),
            *(
                StepCancelled(step=key, on=JULY, reason=REASON)
                for key in ("S02", "S03", "S08", "S09", "S11")
            ),
        )
    )
    assert state is not None
    assert state.steps["S01"].done_on == date(2025, 1, 30)  # done stays done
    assert {state.steps[key].cancel_reason for key in ("S02", "S08", "S11")} == {REASON}


def test_dropping_a_target_with_open_steps_needs_their_cancellation_date() -> None:
    message = (
        given(REVISING)
        .when(command(DropTarget, target="T1", reason=REASON))
        .raises(InvalidInputError, "its open steps (S01, S02, S03, S08, S09, S11)")
    )
    assert "give the date they are cancelled on" in message
    given(REVISING).when(
        command(DropTarget, target="T1", on=date(2026, 1, 5), reason=REASON)
    ).raises(InvalidInputError, "would be cancelled on 2026-01-05, outside the plan period")


def test_a_target_without_steps_is_dropped_alone_and_a_draft_needs_no_reason() -> None:
    given(REVISING).when(command(DropTarget, target="T4", reason=REASON)).then(
        TargetDropped(target="T4")
    )
    given(DRAFT).when(command(DropTarget, target="T1", on=date(2025, 1, 2))).then(
        TargetDropped(target="T1"),
        *(
            StepCancelled(step=key, on=date(2025, 1, 2), reason="target T1 dropped")
            for key in ("S01", "S02", "S03", "S08", "S09", "S11")
        ),
    )


def test_dropping_a_target_of_a_published_plan_needs_a_revision() -> None:
    given(PUBLISHED).when(command(DropTarget, target="T1", on=JULY, reason=REASON)).raises(
        RuleViolationError, "open a revision"
    )


# --- person leave --reassign-to ----------------------------------------------------------


def test_a_leaver_hands_open_steps_over_as_responsible_and_participant() -> None:
    history = _revising(StepCompleted(step="S01", on=date(2025, 1, 30)))
    leaving = command(PersonLeaves, person="hg", on=JULY, reassign_to="kb", reason="départ")
    given(history).when(leaving).then(
        PersonLeft(person="hg", on=JULY),
        StepAssigned(step="S02", responsible="cd", participants=("kb",)),
    )
    # cd is responsible for every T1 step; jm takes them over, without listing jm twice
    over = command(PersonLeaves, person="cd", on=JULY, reassign_to="jm", reason="départ")
    events = given(REVISING).when(over).events()
    assigned = {e.step: e for e in events if isinstance(e, StepAssigned)}
    assert sorted(assigned) == ["S01", "S02", "S03", "S08", "S09", "S11"]
    assert assigned["S01"] == StepAssigned(step="S01", responsible="jm", participants=())
    assert assigned["S02"] == StepAssigned(step="S02", responsible="jm", participants=("hg",))


def test_handing_over_needs_a_revision_and_an_active_successor() -> None:
    to_kb = command(PersonLeaves, person="cd", on=JULY, reassign_to="kb", reason="départ")
    given(PUBLISHED).when(to_kb).raises(RuleViolationError, "open a revision")
    given(PUBLISHED).when(command(PersonLeaves, person="cd", on=JULY, reason="départ")).then(
        PersonLeft(person="cd", on=JULY)
    )  # without a hand-over: a fact, as before
    given(REVISING).when(
        command(PersonLeaves, person="cd", on=JULY, reassign_to="zz", reason="x")
    ).raises(NotFoundError, "successor zz of person cd: unknown person")
    given([*REVISING, PersonLeft(person="kb", on=date(2025, 5, 31))]).when(to_kb).raises(
        RuleViolationError, "successor kb of person cd: Karim Benali left the team"
    )
    given(REVISING).when(
        command(PersonLeaves, person="cd", on=JULY, reassign_to="cd", reason="x")
    ).raises(InvalidInputError, "cannot hand their steps over to themselves")


# --- objective revise --------------------------------------------------------------------


def test_revising_an_objective_changes_only_the_fields_given() -> None:
    state = (
        given(_revising(OBJECTIVE))
        .when(command(ReviseObjective, target="T1", value=Decimal(400), reason=REASON))
        .then(dataclasses.replace(OBJECTIVE, value=Decimal(400)))
    )
    assert state is not None
    revised = state.objectives[("T1", "main")]
    assert (revised.value, revised.due, revised.indicator, revised.baseline) == (
        Decimal(400),
        date(2025, 12, 31),
        "I1",
        Decimal(180),
    )
    both = command(ReviseObjective, target="T1", due=date(2025, 11, 30), unit="k€", reason=REASON)
    given(_revising(OBJECTIVE)).when(both).then(
        dataclasses.replace(OBJECTIVE, due=date(2025, 11, 30), unit="k€")
    )
    same = command(ReviseObjective, target="T1", value=Decimal(600), reason=REASON)
    given(_revising(OBJECTIVE)).when(same).then()


def test_revising_an_objective_refuses_unknown_ones_empty_revisions_and_drafts() -> None:
    history = _revising(OBJECTIVE)
    given(history).when(
        command(ReviseObjective, target="T1", objective="grow", value=Decimal(1), reason="x")
    ).raises(NotFoundError, "objective grow of target T1: no such objective in plan PAC-2025 "
             "(target T1 has main); create it with `objective set`")  # fmt: skip
    given(history).when(command(ReviseObjective, target="T1", reason="x")).raises(
        InvalidInputError, "nothing to revise"
    )
    given(history).when(
        command(ReviseObjective, target="T1", due=date(2026, 3, 1), reason="x")
    ).raises(InvalidInputError, "due date 2026-03-01 of objective main of target T1 is outside")
    given([*DRAFT, OBJECTIVE]).when(command(ReviseObjective, target="T1", value=Decimal(1))).raises(
        RuleViolationError, "plan PAC-2025 is a draft; replanning applies inside a revision"
    )
    given([*PUBLISHED, OBJECTIVE]).when(
        command(ReviseObjective, target="T1", value=Decimal(1), reason="x")
    ).raises(RuleViolationError, "plan PAC-2025 is published; open a revision")
    given(history).when(command(ReviseObjective, target="T1", value=Decimal(1))).raises(
        RuleViolationError, "a reason is required"
    )


# --- indicator targets from a period -----------------------------------------------------


def test_targets_from_a_period_reach_the_end_of_the_plan_and_spare_earlier_ones() -> None:
    state = (
        given(_revising(I2_TARGETS))
        .when(
            command(
                SetIndicatorTargetsFrom, indicator="I2", first="2025-07", value=1, reason=REASON
            )
        )
        .then(
            IndicatorTargetsSet(
                indicator="I2", targets={f"2025-{m:02}": Decimal(1) for m in range(7, 13)}
            )
        )
    )
    assert state is not None
    targets = state.indicators["I2"].targets
    assert [targets[f"2025-{m:02}"] for m in range(1, 13)] == [2] * 6 + [1] * 6


def test_targets_from_a_period_record_only_the_periods_that_change() -> None:
    history = _revising(I2_TARGETS)
    given(history).when(
        command(SetIndicatorTargetsFrom, indicator="I2", first="2025-11", value=2, reason="x")
    ).then()
    given(REVISING).when(
        command(SetIndicatorTargetsFrom, indicator="I2", first="2025-11", value=3, reason="x")
    ).then(
        IndicatorTargetsSet(indicator="I2", targets={"2025-11": Decimal(3), "2025-12": Decimal(3)})
    )


@pytest.mark.parametrize(
    ("first", "fragment"),
    [
        ("2026-01", "first period 2026-01 is outside the plan period"),
        ("2024-12", "first period 2024-12 is outside the plan period"),
        ("2025-13", "first period '2025-13': expected a month such as 2025-03"),
        ("2025-W30", "expected a month"),
    ],
)
def test_targets_from_a_period_outside_the_plan_are_refused(first: str, fragment: str) -> None:
    given(REVISING).when(
        command(SetIndicatorTargetsFrom, indicator="I2", first=first, value=1, reason="x")
    ).raises(InvalidInputError, fragment)


# --- step reschedule from a date ---------------------------------------------------------


def _s08(day: str) -> str:
    return f"S08@2025-{day}"


S08_FACTS = [
    OccurrenceCompleted(occurrence=_s08("07-22"), on=date(2025, 7, 22)),
    OccurrenceMoved(occurrence=_s08("08-12"), start=datetime(2025, 8, 14, 10), all_day=False),
    OccurrenceCancelled(occurrence=_s08("09-09"), reason="customer on holiday"),
]


def test_rescheduling_from_a_date_keeps_the_past_and_what_was_held_cancelled_or_moved() -> None:
    monthly = command(
        RescheduleStepFrom,
        step="S08",
        from_date=JULY,
        rrule="FREQ=MONTHLY;BYDAY=2TU",
        reason=REASON,
    )
    new_schedule = Recurrence(
        rules=(RecurrenceRule(dtstart=datetime(2025, 7, 8, 10), rrule="FREQ=MONTHLY;BYDAY=2TU"),),
        duration=S08_DURATION,
    )
    state = (
        given(_revising(*S08_FACTS))
        .when(monthly)
        .then(
            StepMoved(step="S08", schedule=new_schedule),
            # 07-08, 10-14, 11-11 and 12-09 are second Tuesdays already: they stay as planned
            OccurrencesUnscheduled(
                step="S08",
                occurrences=tuple(_s08(d) for d in ("08-26", "09-23", "10-28", "11-25", "12-23")),
            ),
        )
    )
    assert state is not None
    occurrences = {
        state.occurrences[key].key: state.occurrences[key] for key in state.steps["S08"].occurrences
    }
    assert len(occurrences) == 12 + 7
    assert str(occurrences[_s08("07-22")].status) == "done"
    assert occurrences[_s08("08-12")].start == datetime(2025, 8, 14, 10)
    assert str(occurrences[_s08("09-09")].status) == "cancelled"
    assert _s08("06-24") in occurrences  # before the date: untouched


def test_a_new_time_or_cadence_brings_new_occurrences_from_the_date() -> None:
    afternoon = command(
        RescheduleStepFrom,
        step="S08",
        from_date=date(2025, 11, 1),
        rrule="FREQ=WEEKLY;BYDAY=TH;COUNT=3",
        dtstart=datetime(2025, 11, 6, 14),
        duration=timedelta(hours=1),
        reason=REASON,
    )
    events = given(REVISING).when(afternoon).events()
    assert [type(e).__name__ for e in events] == [
        "StepMoved",
        "OccurrencesUnscheduled",
        "OccurrencesScheduled",
    ]
    assert events[1] == OccurrencesUnscheduled(
        step="S08", occurrences=tuple(_s08(d) for d in ("11-11", "11-25", "12-09", "12-23"))
    )
    assert events[2] == OccurrencesScheduled(
        step="S08",
        occurrences=tuple(
            OccurrenceSlot(key=_s08(d), start=datetime(2025, 11, int(d[-2:]), 14),
                           duration=timedelta(hours=1))
            for d in ("11-06", "11-13", "11-20")
        ),
    )  # fmt: skip
    cadence = command(
        RescheduleStepFrom,
        step="S08",
        from_date=date(2025, 10, 15),
        cadence=Cadence(count=1, per=Per.MONTH),
        reason=REASON,
    )
    moved = given(REVISING).when(cadence).events()[0]
    assert moved == StepMoved(step="S08", schedule=Cadence(count=1, per=Per.MONTH, first="2025-10"))


def test_rescheduling_refuses_tasks_finished_steps_and_rules_without_a_future() -> None:
    def reschedule(step: str = "S08", **fields: Any) -> RescheduleStepFrom:
        defaults: dict[str, Any] = {"from_date": JULY, "rrule": "FREQ=MONTHLY;BYDAY=2TU"}
        return command(RescheduleStepFrom, step=step, reason=REASON, **(defaults | fields))

    given(REVISING).when(reschedule("S09")).raises(
        RuleViolationError, "step S09 is a task with a due date, not a series"
    )
    given([*REVISING, StepCompleted(step="S08", on=date(2025, 6, 30))]).when(reschedule()).raises(
        RuleViolationError, "step S08 is done; it cannot be rescheduled"
    )
    given(REVISING).when(
        reschedule(rrule="FREQ=MONTHLY;BYDAY=2TU;COUNT=2", dtstart=datetime(2025, 1, 14, 10))
    ).raises(InvalidInputError, "the new schedule has no occurrence on or after 2025-07-01")
    given(REVISING).when(reschedule(from_date=date(2026, 1, 1))).raises(
        InvalidInputError, "reschedule date 2026-01-01 of step S08 is outside the plan period"
    )
    given(REVISING).when(reschedule(cadence=Cadence(count=1))).raises(
        InvalidInputError, "give the new recurrence rule or the new cadence"
    )
    given(PUBLISHED).when(reschedule()).raises(RuleViolationError, "open a revision")


# --- replan shift ------------------------------------------------------------------------


def test_shifting_a_track_moves_the_due_dates_of_its_open_steps() -> None:
    history = _revising(StepCompleted(step="S01", on=date(2025, 1, 30)))
    shift = command(ShiftSteps, track="T1-INFO", days=14, reason=REASON)
    given(history).when(shift).then(
        StepMoved(step="S02", schedule=DueDate(due=date(2025, 2, 28))),
        StepMoved(step="S03", schedule=DueDate(due=date(2025, 3, 28))),
    )
    since = command(ShiftSteps, track="T1-INFO", days=-7, from_date=date(2025, 2, 1), reason=REASON)
    given(REVISING).when(since).then(
        StepMoved(step="S02", schedule=DueDate(due=date(2025, 2, 7))),
        StepMoved(step="S03", schedule=DueDate(due=date(2025, 3, 7))),
    )


def test_shifting_a_target_moves_its_visits_and_sessions_still_to_hold() -> None:
    history = _revising(OccurrenceCompleted(occurrence=_s08("12-09"), on=date(2025, 12, 9)))
    shift = command(ShiftSteps, target="T1", days=7, from_date=date(2025, 12, 1), reason="x")
    state = given(history).when(shift).then(
        OccurrenceMoved(occurrence=_s08("12-23"), start=datetime(2025, 12, 30, 10), all_day=False),
        OccurrenceMoved(occurrence="S11@2025-12-11", start=datetime(2025, 12, 18, 14),
                        all_day=False),
    )  # fmt: skip
    assert state is not None
    moved = state.occurrences["S11@2025-12-11"]
    assert (moved.scheduled_start, moved.duration) == (
        datetime(2025, 12, 11, 14),
        timedelta(hours=2),
    )


def test_a_shift_that_leaves_the_plan_or_lands_on_another_visit_is_refused() -> None:
    late = command(ShiftSteps, track="T1-ELEV", days=14, from_date=date(2025, 12, 1), reason="x")
    given(REVISING).when(late).raises(
        InvalidInputError,
        "step S08: occurrence S08@2025-12-23 would move to 2026-01-06T10:00, outside the plan "
        "period 2025-01-01..2025-12-31",
    )
    early = command(ShiftSteps, track="T1-ELEV", days=-14, from_date=date(2025, 12, 5), reason="x")
    given(REVISING).when(early).raises(
        RuleViolationError, "would move to 2025-11-25T10:00, where occurrence S08@2025-11-25"
    )
    due = command(ShiftSteps, track="T1-INFO", days=-31, reason="x")
    given(REVISING).when(due).raises(
        InvalidInputError, "due date 2024-12-31 of step S01 is outside the plan period"
    )


@pytest.mark.parametrize(
    ("fields", "error", "fragment"),
    [
        ({"days": 7}, InvalidInputError, "give a track or a target"),
        ({"days": 7, "track": "T1-INFO", "target": "T1"}, InvalidInputError, "give a track"),
        ({"days": 0, "track": "T1-INFO"}, InvalidInputError, "a shift of 0 days moves nothing"),
        ({"days": 7, "track": "T9"}, NotFoundError, "track T9: unknown track"),
        ({"days": 7, "target": "T9"}, NotFoundError, "target T9: unknown target"),
    ],
)
def test_shift_bad_input(fields: dict[str, Any], error: type[PacflowError], fragment: str) -> None:
    given(REVISING).when(command(ShiftSteps, reason="x", **fields)).raises(error, fragment)


def test_shift_outside_a_revision_is_refused() -> None:
    shift = command(ShiftSteps, track="T1-INFO", days=7, reason="x")
    given(PUBLISHED).when(shift).raises(RuleViolationError, "open a revision")
    given(DRAFT).when(shift).raises(RuleViolationError, "is a draft")


def test_sessions_become_a_recurrence_at_their_time_and_length() -> None:
    monthly = command(
        RescheduleStepFrom,
        step="S11",
        from_date=date(2025, 9, 1),
        rrule="FREQ=MONTHLY;BYDAY=-1TH",
        reason=REASON,
    )
    moved, gone, added = given(REVISING).when(monthly).events()
    assert moved == StepMoved(
        step="S11",
        schedule=Recurrence(
            rules=(
                RecurrenceRule(dtstart=datetime(2025, 9, 25, 14), rrule="FREQ=MONTHLY;BYDAY=-1TH"),
            ),
            duration=timedelta(hours=2),
        ),
    )
    assert gone == OccurrencesUnscheduled(step="S11", occurrences=("S11@2025-12-11",))
    assert isinstance(added, OccurrencesScheduled)
    assert [slot.key for slot in added.occurrences] == [
        "S11@2025-10-30", "S11@2025-11-27", "S11@2025-12-25",
    ]  # fmt: skip


def test_a_shift_onto_a_time_the_clocks_skip_is_refused() -> None:
    night = SessionList(sessions=(Session(start=datetime(2025, 3, 23, 2, 30)),))
    history = _revising(*step_added("S50", "PILOT", 1, schedule=night))
    shift = command(ShiftSteps, track="PILOT", days=7, reason="x")
    given(history).when(shift).raises(
        InvalidInputError,
        "step S50: occurrence S50@2025-03-23 moved to 2025-03-30T02:30 does not exist in "
        "Europe/Paris",
    )
