"""Steps: adding, editing, rescheduling, assigning, and their lifecycle with predecessors."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from pacflow.domain import expand
from pacflow.domain.commands import (
    AddStep,
    AssignStep,
    BlockStep,
    CancelStep,
    CompleteStep,
    EditStep,
    MoveStep,
    StartStep,
)
from pacflow.domain.events import (
    OccurrenceCompleted,
    OccurrencesScheduled,
    OccurrencesUnscheduled,
    PersonLeft,
    StepAdded,
    StepAssigned,
    StepBlocked,
    StepCancelled,
    StepCompleted,
    StepEdited,
    StepMoved,
    StepStarted,
    TargetDropped,
    TrackAdded,
)
from pacflow.domain.schedule import (
    DueDate,
    Recurrence,
    RecurrenceRule,
    Session,
    SessionList,
)
from pacflow.domain.values import Domain, StepStatus
from pacflow.errors import InvalidInputError, NotFoundError, PacflowError, RuleViolationError

from .example import DRAFT, PERIOD, REASON, REVISING, S11_SCHEDULE, command, step_added
from .gwt import given

S04_DUE = DueDate(due=date(2025, 3, 31))
S01_STARTED = StepStarted(step="S01", on=date(2025, 1, 10))
S01_DONE = StepCompleted(step="S01", on=date(2025, 1, 28))


def add_s04(**fields: Any) -> AddStep:
    values: dict[str, Any] = {
        "key": "S04",
        "track": "T1-INFO",
        "title": "Analyser les concurrents référencés chez BRC",
        "responsible": "cd",
        "participants": ("jm",),
        "schedule": S04_DUE,
        **fields,
    }
    return command(AddStep, **values)


# --- adding ------------------------------------------------------------------------------


def test_a_step_is_added_last_in_its_track_by_default() -> None:
    state = (
        given(DRAFT)
        .when(add_s04(means="Base AO, retours des consultants", budget=Decimal("1.5")))
        .then(
            StepAdded(
                key="S04",
                track="T1-INFO",
                title="Analyser les concurrents référencés chez BRC",
                order=4,
                responsible="cd",
                participants=("jm",),
                schedule=S04_DUE,
                means="Base AO, retours des consultants",
                budget=Decimal("1.5"),
            )
        )
    )
    assert state is not None
    assert state.tracks["T1-INFO"].steps == ["S01", "S02", "S03", "S04"]
    assert state.steps["S04"].status is StepStatus.PLANNED


def test_a_governance_step_with_a_session_gets_its_occurrence() -> None:
    presentation = SessionList(
        sessions=(Session(start=datetime(2025, 1, 9, 9), duration=timedelta(hours=3)),)
    )
    add = command(
        AddStep,
        key="G01",
        track="PILOT",
        title="Présenter le PAC à l'équipe commerciale et au back-office",
        responsible="hg",
        participants=("cd", "kb", "tl", "sm", "jm", "pg", "nr"),
        schedule=presentation,
    )
    events = given(DRAFT).when(add).events()
    assert [type(event) for event in events] == [StepAdded, OccurrencesScheduled]
    state = given(DRAFT).when(add).then(*events)
    assert state is not None
    assert list(state.occurrences)[-1] == "G01@2025-01-09"
    assert state.occurrences["G01@2025-01-09"].timezone == "Europe/Paris"


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"key": "S03"}, RuleViolationError, "step S03: the key is already used by step S03"),
        ({"track": "T9"}, NotFoundError, "track T9: unknown track in plan PAC-2025"),
        ({"responsible": "zz"}, NotFoundError, "responsible zz of step S04: unknown person"),
        (
            {"responsible": "nr"},
            RuleViolationError,
            "responsible nr of step S04: Nadia Roussel left",
        ),
        ({"participants": ("nr",)}, RuleViolationError, "participant nr of step S04: Nadia"),
        (
            {"participants": ("jm", "jm")},
            InvalidInputError,
            "participant jm of step S04: listed twice",
        ),
        ({"indicators": ("I9",)}, NotFoundError, "indicator I9 of step S04: unknown indicator"),
        ({"indicators": ("I2", "I2")}, InvalidInputError, "indicator I2 of step S04: listed twice"),
        (
            {"order": 2},
            RuleViolationError,
            "step S04: order 2 of track T1-INFO is already taken by step S02",
        ),
        ({"predecessor": "S99"}, NotFoundError, "predecessor S99 of step S04: unknown step"),
        (
            {"predecessor": "S01", "parallel": True},
            InvalidInputError,
            "a parallel step has no predecessor",
        ),
        (
            {"schedule": DueDate(due=date(2026, 2, 1))},
            InvalidInputError,
            "due date 2026-02-01 of step S04 is outside the plan period 2025-01-01..2025-12-31",
        ),
        (
            {
                "schedule": Recurrence(
                    rules=(
                        RecurrenceRule(
                            dtstart=datetime(2025, 2, 3, 9), rrule="FREQ=WEEKLY;BYDAY=XX"
                        ),
                    )
                )
            },
            InvalidInputError,
            "step S04: bad RRULE 'FREQ=WEEKLY;BYDAY=XX'",
        ),
    ],
)
def test_bad_steps(fields: dict[str, Any], error: type[PacflowError], message: str) -> None:
    given(DRAFT, PersonLeft(person="nr", on=date(2025, 1, 5))).when(add_s04(**fields)).raises(
        error, message
    )


def test_no_step_goes_into_a_track_of_a_dropped_target() -> None:
    given(DRAFT, TargetDropped(target="T1")).when(add_s04()).raises(
        RuleViolationError, "target T1 of track T1-INFO: this target was dropped"
    )


def test_inserting_a_step_cannot_make_steps_wait_for_each_other() -> None:
    track = TrackAdded(key="X", target="T2", domain=Domain.INFORMATION, title="Piste")
    history = [*DRAFT, track, *step_added("A", "X", 1), *step_added("B", "X", 3)]
    add = command(
        AddStep, key="C", track="X", title="C", responsible="kb", order=2, predecessor="B",
        schedule=S04_DUE,
    )  # fmt: skip
    given(history).when(add).raises(
        RuleViolationError, "steps would wait for each other in a circle (C -> B -> C)"
    )


# --- editing -----------------------------------------------------------------------------


def edited(step: str, **changes: Any) -> StepEdited:
    """StepEdited for a step of the example as it is, with `changes`."""
    base: dict[str, Any] = {
        "title": f"Étape {step}",
        "order": {"S01": 1, "S02": 2, "S03": 3, "S08": 1, "S09": 2, "S11": 3}[step],
        "predecessor": None,
        "parallel": step in ("S09", "S11"),
        "means": "RDV sur site" if step == "S08" else None,
        "budget": None,
        "days": None,
        "indicators": ("I2",) if step == "S08" else (),
        "location": None,
    }
    return StepEdited(step=step, **{**base, **changes})


def test_editing_a_step_records_all_its_editable_fields() -> None:
    given(DRAFT).when(
        command(EditStep, step="S08", title="Visite de suivi chez BRC", location="BRC, siège")
    ).then(edited("S08", title="Visite de suivi chez BRC", location="BRC, siège"))


def test_an_edit_that_changes_nothing_records_nothing() -> None:
    given(DRAFT).when(command(EditStep, step="S08", title="Étape S08", means="RDV sur site")).then()


def test_giving_none_clears_a_field_but_not_the_title() -> None:
    given(DRAFT).when(command(EditStep, step="S08", means=None)).then(edited("S08", means=None))
    given(DRAFT).when(command(EditStep, step="S08", title=None)).raises(
        InvalidInputError, "step S08: the title cannot be removed"
    )


def test_naming_a_predecessor_ends_parallelism_and_the_other_way_round() -> None:
    given(DRAFT).when(command(EditStep, step="S09", predecessor="S08")).then(
        edited("S09", predecessor="S08", parallel=False)
    )
    given(DRAFT, edited("S03", predecessor="S01")).when(
        command(EditStep, step="S03", parallel=True)
    ).then(edited("S03", parallel=True))


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"predecessor": "S03", "step": "S01"}, RuleViolationError, "(S01 -> S03 -> S02 -> S01)"),
        (
            {"predecessor": "S02"},
            InvalidInputError,
            "step S02: a step cannot be its own predecessor",
        ),
        ({"order": 1}, RuleViolationError, "order 1 of track T1-INFO is already taken by step S01"),
        ({"predecessor": "S01", "parallel": True}, InvalidInputError, "a parallel step has no"),
        ({"indicators": ("I7",)}, NotFoundError, "indicator I7 of step S02: unknown indicator"),
        ({"step": "S99"}, NotFoundError, "step S99: unknown step in plan PAC-2025"),
    ],
)
def test_bad_edits(changes: dict[str, Any], error: type[PacflowError], message: str) -> None:
    given(DRAFT).when(command(EditStep, **{"step": "S02", **changes})).raises(error, message)


def test_moving_a_step_to_another_order_changes_who_waits_for_whom() -> None:
    state = given(DRAFT).when(command(EditStep, step="S01", order=5)).then(edited("S01", order=5))
    assert state is not None
    # S01 is now last: S02 starts first and S01 waits for S03.
    given(DRAFT, edited("S01", order=5)).when(
        command(StartStep, step="S02", on=date(2025, 1, 6))
    ).then(StepStarted(step="S02", on=date(2025, 1, 6)))
    given(DRAFT, edited("S01", order=5)).when(
        command(StartStep, step="S01", on=date(2025, 1, 6))
    ).raises(RuleViolationError, "step S01 cannot start before its predecessor S03 is done")


# --- rescheduling ------------------------------------------------------------------------


def test_a_new_due_date() -> None:
    later = DueDate(due=date(2025, 3, 31))
    given(DRAFT).when(command(MoveStep, step="S03", schedule=later)).then(
        StepMoved(step="S03", schedule=later)
    )
    given(DRAFT).when(command(MoveStep, step="S03", schedule=DueDate(due=date(2025, 3, 14)))).then()


def test_a_task_becomes_a_series_of_sessions() -> None:
    sessions = SessionList(
        sessions=(Session(start=date(2025, 2, 3)), Session(start=date(2025, 3, 3)))
    )
    given(DRAFT).when(command(MoveStep, step="S03", schedule=sessions)).then(
        StepMoved(step="S03", schedule=sessions),
        OccurrencesScheduled(step="S03", occurrences=expand("S03", sessions, PERIOD)),
    )


def test_longer_sessions_replace_the_planned_occurrences_under_the_same_keys() -> None:
    longer = SessionList(
        sessions=tuple(
            dataclasses.replace(session, duration=timedelta(hours=3))
            for session in S11_SCHEDULE.sessions
        )
    )
    keys = ("S11@2025-03-27", "S11@2025-06-26", "S11@2025-09-25", "S11@2025-12-11")
    given(DRAFT).when(command(MoveStep, step="S11", schedule=longer)).then(
        StepMoved(step="S11", schedule=longer),
        OccurrencesUnscheduled(step="S11", occurrences=keys),
        OccurrencesScheduled(step="S11", occurrences=expand("S11", longer, PERIOD)),
    )


S08_REVISED = Recurrence(
    rules=(
        RecurrenceRule(
            dtstart=datetime(2025, 1, 14, 10), rrule="FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=12"
        ),
        RecurrenceRule(dtstart=datetime(2025, 7, 8, 10), rrule="FREQ=MONTHLY;BYDAY=2TU;COUNT=3"),
        RecurrenceRule(
            dtstart=datetime(2025, 10, 14, 10), rrule="FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=6"
        ),
    ),
    duration=timedelta(hours=1, minutes=30),
)


def test_the_mid_year_revision_drops_the_summer_visits_of_s08() -> None:
    given(REVISING).when(command(MoveStep, step="S08", schedule=S08_REVISED, reason=REASON)).then(
        StepMoved(step="S08", schedule=S08_REVISED),
        OccurrencesUnscheduled(
            step="S08", occurrences=("S08@2025-07-22", "S08@2025-08-26", "S08@2025-09-23")
        ),
    )


def test_a_visit_already_held_stays_whatever_the_new_schedule() -> None:
    held = OccurrenceCompleted(occurrence="S08@2025-07-22", on=date(2025, 7, 22))
    state = (
        given(REVISING, held)
        .when(command(MoveStep, step="S08", schedule=S08_REVISED, reason=REASON))
        .then(
            StepMoved(step="S08", schedule=S08_REVISED),
            OccurrencesUnscheduled(step="S08", occurrences=("S08@2025-08-26", "S08@2025-09-23")),
        )
    )
    assert state is not None
    assert "S08@2025-07-22" in state.steps["S08"].occurrences
    assert len(state.steps["S08"].occurrences) == 22


def test_a_done_step_is_not_rescheduled() -> None:
    given(DRAFT, S01_DONE).when(command(MoveStep, step="S01", schedule=S04_DUE)).raises(
        RuleViolationError, "step S01 is done; it cannot be rescheduled"
    )


def test_a_new_schedule_outside_the_plan_is_refused() -> None:
    given(DRAFT).when(
        command(MoveStep, step="S03", schedule=DueDate(due=date(2026, 1, 15)))
    ).raises(InvalidInputError, "due date 2026-01-15 of step S03 is outside the plan period")


# --- assigning ---------------------------------------------------------------------------


def test_a_step_changes_hands() -> None:
    given(DRAFT).when(command(AssignStep, step="S01", responsible="jm", participants=("cd",))).then(
        StepAssigned(step="S01", responsible="jm", participants=("cd",))
    )
    given(DRAFT).when(command(AssignStep, step="S01", responsible="kb")).then(
        StepAssigned(step="S01", responsible="kb", participants=("jm",))
    )
    given(DRAFT).when(command(AssignStep, step="S01", responsible="cd")).then()


def test_a_step_goes_only_to_people_still_in_the_team() -> None:
    given(DRAFT, PersonLeft(person="nr", on=date(2025, 6, 30))).when(
        command(AssignStep, step="S01", responsible="nr")
    ).raises(RuleViolationError, "responsible nr of step S01: Nadia Roussel left the team")
    given(DRAFT).when(
        command(AssignStep, step="S01", responsible="cd", participants=("zz",))
    ).raises(NotFoundError, "participant zz of step S01: unknown person")
    given(DRAFT, S01_DONE).when(command(AssignStep, step="S01", responsible="kb")).raises(
        RuleViolationError, "step S01 is done; it cannot be reassigned"
    )


# --- lifecycle ---------------------------------------------------------------------------


def test_a_step_starts_then_is_done() -> None:
    given(DRAFT).when(command(StartStep, step="S01", on=date(2025, 1, 10))).then(S01_STARTED)
    state = (
        given(DRAFT, S01_STARTED)
        .when(command(CompleteStep, step="S01", on=date(2025, 1, 28), actor="cd"))
        .then(S01_DONE)
    )
    assert state is not None
    step = state.steps["S01"]
    assert (step.status, step.started_on, step.done_on) == (
        StepStatus.DONE,
        date(2025, 1, 10),
        date(2025, 1, 28),
    )


def test_a_step_can_be_done_without_being_started_first() -> None:
    given(DRAFT).when(command(CompleteStep, step="S01", on=date(2025, 1, 28))).then(S01_DONE)


def test_a_step_waits_for_its_predecessor() -> None:
    given(DRAFT).when(command(StartStep, step="S02", on=date(2025, 2, 1))).raises(
        RuleViolationError,
        "step S02 cannot start before its predecessor S01 is done (S01 is planned); "
        "finish S01 or mark S02 parallel",
    )
    given(DRAFT, S01_STARTED).when(command(CompleteStep, step="S02", on=date(2025, 2, 11))).raises(
        RuleViolationError, "step S02 cannot be done before its predecessor S01 is done"
    )
    given(DRAFT, S01_DONE).when(command(CompleteStep, step="S02", on=date(2025, 1, 20))).raises(
        RuleViolationError,
        "step S02 cannot be done on 2025-01-20, before its predecessor S01 was done (2025-01-28)",
    )
    given(DRAFT, S01_DONE).when(command(StartStep, step="S02", on=date(2025, 2, 3))).then(
        StepStarted(step="S02", on=date(2025, 2, 3))
    )


def test_a_cancelled_predecessor_no_longer_holds_its_successor_back() -> None:
    cancelled = StepCancelled(step="S01", on=date(2025, 1, 15), reason="Organigramme déjà connu")
    given(DRAFT, cancelled).when(command(StartStep, step="S02", on=date(2025, 1, 16))).then(
        StepStarted(step="S02", on=date(2025, 1, 16))
    )


def test_a_parallel_step_does_not_wait() -> None:
    given(DRAFT).when(command(StartStep, step="S09", on=date(2025, 5, 20))).then(
        StepStarted(step="S09", on=date(2025, 5, 20))
    )


@pytest.mark.parametrize(
    ("history", "step_command", "error", "message"),
    [
        (
            [S01_STARTED],
            command(StartStep, step="S01", on=date(2025, 1, 11)),
            RuleViolationError,
            "step S01 is already in progress",
        ),
        (
            [S01_DONE],
            command(StartStep, step="S01", on=date(2025, 2, 1)),
            RuleViolationError,
            "step S01 is done; it cannot be started",
        ),
        (
            [S01_DONE],
            command(CompleteStep, step="S01", on=date(2025, 2, 1)),
            RuleViolationError,
            "step S01 is already done (2025-01-28)",
        ),
        (
            [S01_STARTED],
            command(CompleteStep, step="S01", on=date(2025, 1, 9)),
            InvalidInputError,
            "step S01: done on 2025-01-09, before it started (2025-01-10)",
        ),
        (
            [],
            command(StartStep, step="S99", on=date(2025, 1, 9)),
            NotFoundError,
            "step S99: unknown step in plan PAC-2025",
        ),
        (
            [],
            command(BlockStep, step="S01", on=date(2025, 1, 9)),
            RuleViolationError,
            "step S01: blocking a step needs a reason",
        ),
        (
            [],
            command(CancelStep, step="S01", on=date(2025, 1, 9)),
            RuleViolationError,
            "step S01: cancelling a step needs a reason",
        ),
        (
            [S01_DONE],
            command(CancelStep, step="S01", on=date(2025, 2, 1), reason="x"),
            RuleViolationError,
            "step S01 is done; it cannot be cancelled",
        ),
        (
            [S01_DONE],
            command(BlockStep, step="S01", on=date(2025, 2, 1), reason="x"),
            RuleViolationError,
            "step S01 is done; it cannot be blocked",
        ),
        (
            [StepBlocked(step="S01", on=date(2025, 1, 12), reason="DSI injoignable")],
            command(BlockStep, step="S01", on=date(2025, 1, 13), reason="x"),
            RuleViolationError,
            "step S01 is already blocked (DSI injoignable)",
        ),
        (
            [StepCancelled(step="S01", on=date(2025, 1, 12), reason="Inutile")],
            command(StartStep, step="S01", on=date(2025, 1, 13)),
            RuleViolationError,
            "step S01 is cancelled; it cannot be started",
        ),
    ],
)
def test_step_transitions_that_do_not_exist(
    history: list[Any], step_command: Any, error: type[PacflowError], message: str
) -> None:
    given(DRAFT, history).when(step_command).raises(error, message)


def test_a_blocked_step_says_why_and_resumes() -> None:
    blocked = StepBlocked(step="S01", on=date(2025, 1, 15), reason="DSI injoignable")
    state = (
        given(DRAFT, S01_STARTED)
        .when(command(BlockStep, step="S01", on=date(2025, 1, 15), reason="DSI injoignable"))
        .then(blocked)
    )
    assert state is not None
    assert (state.steps["S01"].status, state.steps["S01"].blocked_reason) == (
        StepStatus.BLOCKED,
        "DSI injoignable",
    )
    resumed = StepStarted(step="S01", on=date(2025, 1, 20))
    state = (
        given(DRAFT, S01_STARTED, blocked)
        .when(command(StartStep, step="S01", on=date(2025, 1, 20)))
        .then(resumed)
    )
    assert state is not None
    step = state.steps["S01"]
    assert (step.status, step.started_on, step.blocked_reason) == (
        StepStatus.IN_PROGRESS,
        date(2025, 1, 10),
        None,
    )
    given(DRAFT, blocked).when(command(CompleteStep, step="S01", on=date(2025, 1, 28))).then(
        S01_DONE
    )


def test_a_cancelled_step_keeps_its_reason() -> None:
    state = (
        given(DRAFT)
        .when(command(CancelStep, step="S09", on=date(2025, 4, 1), reason="Gel des projets SI"))
        .then(StepCancelled(step="S09", on=date(2025, 4, 1), reason="Gel des projets SI"))
    )
    assert state is not None
    assert state.steps["S09"].cancel_reason == "Gel des projets SI"
