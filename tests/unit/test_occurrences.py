"""Visit series: each occurrence is done, cancelled or moved on its own, by its key."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from pacflow.domain import fold
from pacflow.domain.commands import CancelOccurrence, CompleteOccurrence, MoveOccurrence
from pacflow.domain.events import (
    OccurrenceCancelled,
    OccurrenceCompleted,
    OccurrenceMoved,
    OccurrencesScheduled,
    StepCancelled,
    TrackAdded,
)
from pacflow.domain.schedule import OccurrenceSlot, Session, SessionList
from pacflow.domain.values import Approach, Domain, OccurrenceStatus
from pacflow.errors import InvalidInputError, NotFoundError, PacflowError, RuleViolationError

from .example import DRAFT, PUBLISHED, command, step_added
from .gwt import given

HELD = OccurrenceCompleted(occurrence="S08@2025-01-14", on=date(2025, 1, 14))
MOVED = OccurrenceMoved(occurrence="S08@2025-03-11", start=datetime(2025, 3, 13, 14), all_day=False)
CANCELLED = OccurrenceCancelled(occurrence="S08@2025-08-12", reason="Congés du client")


def test_a_visit_is_held() -> None:
    state = (
        given(PUBLISHED)
        .when(
            command(
                CompleteOccurrence, occurrence="S08@2025-01-14", on=date(2025, 1, 14), actor="cd"
            )
        )
        .then(HELD)
    )
    assert state is not None
    occurrence = state.occurrences["S08@2025-01-14"]
    assert (occurrence.status, occurrence.done_on) == (OccurrenceStatus.DONE, date(2025, 1, 14))


def test_the_time_may_be_typed_even_when_the_day_is_enough() -> None:
    given(PUBLISHED).when(
        command(CompleteOccurrence, occurrence="S08@2025-01-14T10:00", on=date(2025, 1, 14))
    ).then(HELD)


def test_a_visit_is_cancelled_for_a_reason() -> None:
    cancel = command(CancelOccurrence, occurrence="S08@2025-08-12", reason="Congés du client")
    state = given(PUBLISHED).when(cancel).then(CANCELLED)
    assert state is not None
    assert state.occurrences["S08@2025-08-12"].cancel_reason == "Congés du client"
    given(PUBLISHED).when(cancel.model_copy(update={"reason": None})).raises(
        RuleViolationError, "occurrence S08@2025-08-12: cancelling an occurrence needs a reason"
    )


def test_a_moved_visit_keeps_its_key_and_is_found_at_its_new_date() -> None:
    state = (
        given(PUBLISHED)
        .when(
            command(
                MoveOccurrence,
                occurrence="S08@2025-03-11",
                to=datetime(2025, 3, 13, 14),
                reason="Le DSI adjoint est en comité mardi",
            )
        )
        .then(MOVED)
    )
    assert state is not None
    occurrence = state.occurrences["S08@2025-03-11"]
    assert occurrence.status is OccurrenceStatus.MOVED
    assert (occurrence.scheduled_start, occurrence.start) == (
        datetime(2025, 3, 11, 10),
        datetime(2025, 3, 13, 14),
    )
    assert occurrence.duration == timedelta(hours=1, minutes=30)
    given(PUBLISHED, MOVED).when(
        command(CompleteOccurrence, occurrence="S08@2025-03-13", on=date(2025, 3, 13))
    ).then(OccurrenceCompleted(occurrence="S08@2025-03-11", on=date(2025, 3, 13)))


def test_a_visit_moved_to_a_day_becomes_all_day_and_may_change_its_duration() -> None:
    given(DRAFT).when(
        command(
            MoveOccurrence,
            occurrence="S08@2025-03-11",
            to=date(2025, 3, 12),
            duration=timedelta(hours=2),
        )
    ).then(
        OccurrenceMoved(
            occurrence="S08@2025-03-11",
            start=datetime(2025, 3, 12),
            all_day=True,
            duration=timedelta(hours=2),
        )
    )


def test_moving_a_visit_where_it_already_is_records_nothing() -> None:
    given(DRAFT).when(
        command(MoveOccurrence, occurrence="S08@2025-03-11", to=datetime(2025, 3, 11, 10))
    ).then()


def two_sessions_a_day() -> list[Any]:
    track = TrackAdded(
        key="T2-NOTO",
        target="T2",
        domain=Domain.SALES,
        approach=Approach.NOTORIETY,
        title="Notoriété",
    )
    sessions = SessionList(
        sessions=(
            Session(start=datetime(2025, 4, 10, 8, 30), duration=timedelta(hours=2)),
            Session(start=datetime(2025, 4, 10, 17, 30), duration=timedelta(hours=2)),
        )
    )
    return [track, *step_added("S20", "T2-NOTO", 1, responsible="nr", schedule=sessions)]


def test_two_visits_on_one_day_are_told_apart_by_their_time() -> None:
    history = [*DRAFT, *two_sessions_a_day()]
    given(history).when(
        command(CompleteOccurrence, occurrence="S20@2025-04-10T17:30", on=date(2025, 4, 10))
    ).then(OccurrenceCompleted(occurrence="S20@2025-04-10T17:30", on=date(2025, 4, 10)))
    given(history).when(
        command(CompleteOccurrence, occurrence="S20@2025-04-10", on=date(2025, 4, 10))
    ).raises(
        InvalidInputError,
        "occurrence S20@2025-04-10: step S20 has several occurrences then "
        "(S20@2025-04-10T08:30, S20@2025-04-10T17:30); give the full key",
    )


@pytest.mark.parametrize(
    ("history", "occurrence_command", "error", "message"),
    [
        (
            [],
            command(CompleteOccurrence, occurrence="S08@2025-01-15", on=date(2025, 1, 15)),
            NotFoundError,
            "occurrence S08@2025-01-15: step S08 has no occurrence then in plan PAC-2025",
        ),
        (
            [],
            command(CompleteOccurrence, occurrence="S08@2025-01-14T11:00", on=date(2025, 1, 14)),
            NotFoundError,
            "occurrence S08@2025-01-14T11:00: step S08 has no occurrence then",
        ),
        (
            [],
            command(CompleteOccurrence, occurrence="S99@2025-01-14", on=date(2025, 1, 14)),
            NotFoundError,
            "step S99: unknown step in plan PAC-2025",
        ),
        (
            [],
            command(CompleteOccurrence, occurrence="S08 14/01", on=date(2025, 1, 14)),
            InvalidInputError,
            "occurrence 'S08 14/01': expected STEP@YYYY-MM-DD",
        ),
        (
            [HELD],
            command(CompleteOccurrence, occurrence="S08@2025-01-14", on=date(2025, 1, 15)),
            RuleViolationError,
            "occurrence S08@2025-01-14 was already held (2025-01-14)",
        ),
        (
            [HELD],
            command(CancelOccurrence, occurrence="S08@2025-01-14", reason="x"),
            RuleViolationError,
            "occurrence S08@2025-01-14 was done (2025-01-14); it cannot be cancelled",
        ),
        (
            [CANCELLED],
            command(CompleteOccurrence, occurrence="S08@2025-08-12", on=date(2025, 8, 12)),
            RuleViolationError,
            "occurrence S08@2025-08-12 was cancelled; it cannot be done",
        ),
        (
            [CANCELLED],
            command(MoveOccurrence, occurrence="S08@2025-08-12", to=date(2025, 8, 14), reason="x"),
            RuleViolationError,
            "occurrence S08@2025-08-12 was cancelled; it cannot be moved",
        ),
        (
            [StepCancelled(step="S08", on=date(2025, 6, 30), reason="Fusion")],
            command(CompleteOccurrence, occurrence="S08@2025-07-08", on=date(2025, 7, 8)),
            RuleViolationError,
            "occurrence S08@2025-07-08: step S08 was cancelled; its occurrences cannot be done",
        ),
        (
            [],
            command(
                MoveOccurrence, occurrence="S08@2025-12-23", to=datetime(2026, 1, 6, 10), reason="x"
            ),
            InvalidInputError,
            "S08@2025-12-23: new date 2026-01-06T10:00 is outside the plan period 2025-01-01..",
        ),
        (
            [],
            command(
                MoveOccurrence,
                occurrence="S08@2025-03-25",
                to=datetime(2025, 3, 30, 2, 30),
                reason="x",
            ),
            InvalidInputError,
            "occurrence S08@2025-03-25: new time 2025-03-30T02:30 does not exist in Europe/Paris",
        ),
        (
            [],
            command(
                MoveOccurrence,
                occurrence="S08@2025-03-25",
                to=datetime(2025, 3, 11, 10),
                reason="x",
            ),
            RuleViolationError,
            "S08@2025-03-25: occurrence S08@2025-03-11 of the same step is already at 2025-03-11",
        ),
        (
            [],
            command(MoveOccurrence, occurrence="S08@2025-03-25", to=datetime(2025, 3, 27, 10)),
            RuleViolationError,
            "occurrence S08@2025-03-25: a reason is required, plan PAC-2025 is published",
        ),
    ],
)
def test_occurrence_commands_that_cannot_apply(
    history: list[Any], occurrence_command: Any, error: type[PacflowError], message: str
) -> None:
    given(PUBLISHED, history).when(occurrence_command).raises(error, message)


def test_visits_in_the_hour_that_happens_twice_keep_which_pass_they_are_in() -> None:
    """Folding shares one object among equal visit times (memory in plans of 100,000
    visits); equality ignores the fold, so 02:30 the second time must not become the first."""
    first = datetime(2025, 10, 26, 2, 30)
    second = first.replace(fold=1)
    slots = tuple(
        OccurrenceSlot(key=f"S08@{key}", start=start, all_day=False, duration=timedelta(hours=1))
        for key, start in (("first", first), ("second", second))
    )
    state = fold(
        [
            *PUBLISHED,
            OccurrencesScheduled(step="S08", occurrences=slots),
            OccurrenceMoved(occurrence="S08@2025-03-11", start=second, all_day=False),
        ]
    )
    assert state is not None
    folds = {key: state.occurrences[key].start.fold for key in ("S08@first", "S08@second")}
    assert folds == {"S08@first": 0, "S08@second": 1}
    assert state.occurrences["S08@2025-03-11"].start.fold == 1
    again = fold([*PUBLISHED, OccurrencesScheduled(step="S08", occurrences=slots[::-1])])
    assert again is not None
    assert [again.occurrences[key].start.fold for key in ("S08@first", "S08@second")] == [0, 1]
