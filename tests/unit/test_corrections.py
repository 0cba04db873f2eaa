"""Corrections: a step done or a visit held by mistake (or on the wrong date) is put right by
a new event carrying what it replaces; sequencing still holds afterwards."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pacflow.domain.commands import (
    CompleteOccurrence,
    CompleteStep,
    CorrectOccurrenceDone,
    CorrectStepDone,
    ReopenOccurrence,
    ReopenStep,
)
from pacflow.domain.corrections import refuse_future_progress
from pacflow.domain.events import (
    OccurrenceCompleted,
    OccurrenceDoneDateCorrected,
    OccurrenceMoved,
    OccurrenceReopened,
    StepCompleted,
    StepDoneDateCorrected,
    StepReopened,
    StepStarted,
)
from pacflow.domain.values import OccurrenceStatus, StepStatus
from pacflow.errors import InvalidInputError, RuleViolationError

from .example import PUBLISHED, command
from .gwt import given

WHY = "saisie erronée"
S01_STARTED = StepStarted(step="S01", on=date(2025, 1, 10))
S01_DONE_LATE = StepCompleted(step="S01", on=date(2025, 12, 2))
HELD = OccurrenceCompleted(occurrence="S08@2025-01-14", on=date(2025, 3, 2))


def test_a_wrong_done_date_is_corrected_and_the_old_one_kept_in_the_event() -> None:
    state = (
        given(*PUBLISHED, S01_DONE_LATE)
        .when(command(CorrectStepDone, step="S01", on=date(2025, 1, 28), reason=WHY))
        .then(
            StepDoneDateCorrected(
                step="S01", on=date(2025, 1, 28), previous=date(2025, 12, 2), reason=WHY
            )
        )
    )
    assert state is not None
    assert state.steps["S01"].done_on == date(2025, 1, 28)
    # The successor may now be done before December.
    given(
        *PUBLISHED,
        S01_DONE_LATE,
        StepDoneDateCorrected(
            step="S01", on=date(2025, 1, 28), previous=date(2025, 12, 2), reason=WHY
        ),
    ).when(command(CompleteStep, step="S02", on=date(2025, 2, 10))).then(
        StepCompleted(step="S02", on=date(2025, 2, 10))
    )


def test_marking_done_again_on_another_date_points_at_the_correction() -> None:
    error = (
        given(*PUBLISHED, S01_DONE_LATE)
        .when(command(CompleteStep, step="S01", on=date(2025, 1, 28)))
        .refused(RuleViolationError, "step S01 is already done (2025-12-02)")
    )
    assert error.suggestion is not None
    assert error.suggestion.command == ("step", "correct", "PAC-2025", "S01")


def test_a_reopened_step_is_in_progress_again_if_it_had_started() -> None:
    state = (
        given(*PUBLISHED, S01_STARTED, S01_DONE_LATE)
        .when(command(ReopenStep, step="S01", reason=WHY))
        .then(StepReopened(step="S01", previous=date(2025, 12, 2), reason=WHY))
    )
    assert state is not None
    assert (state.steps["S01"].status, state.steps["S01"].done_on) == (
        StepStatus.IN_PROGRESS,
        None,
    )
    state = (
        given(*PUBLISHED, S01_DONE_LATE)
        .when(command(ReopenStep, step="S01", reason=WHY))
        .then(StepReopened(step="S01", previous=date(2025, 12, 2), reason=WHY))
    )
    assert state is not None
    assert state.steps["S01"].status is StepStatus.PLANNED


def test_corrections_need_a_reason_and_something_to_correct() -> None:
    given(*PUBLISHED, S01_DONE_LATE).when(command(ReopenStep, step="S01")).raises(
        RuleViolationError, "reopening a step needs a reason"
    )
    given(*PUBLISHED).when(command(ReopenStep, step="S01", reason=WHY)).raises(
        RuleViolationError, "step S01 is planned, not done"
    )
    given(*PUBLISHED).when(
        command(
            CorrectOccurrenceDone, occurrence="S08@2025-01-14", on=date(2025, 1, 14), reason=WHY
        )
    ).raises(RuleViolationError, "occurrence S08@2025-01-14 is planned, not held")


def test_sequencing_holds_after_a_correction() -> None:
    s02_done = StepCompleted(step="S02", on=date(2025, 2, 10))
    history = [*PUBLISHED, StepCompleted(step="S01", on=date(2025, 1, 28)), s02_done]
    given(*history).when(command(ReopenStep, step="S01", reason=WHY)).raises(
        RuleViolationError, "step S02, which waits for it, is done; reopen or correct S02 first"
    )
    given(*history).when(
        command(CorrectStepDone, step="S01", on=date(2025, 2, 12), reason=WHY)
    ).raises(RuleViolationError, "step S02, which waits for it, is done since 2025-02-10")
    given(*history).when(
        command(CorrectStepDone, step="S02", on=date(2025, 1, 20), reason=WHY)
    ).raises(RuleViolationError, "before its predecessor S01 was done (2025-01-28)")


def test_a_visit_held_by_mistake_is_un_held_where_it_stands() -> None:
    moved = OccurrenceMoved(
        occurrence="S08@2025-01-14", start=datetime(2025, 1, 16, 10), all_day=False
    )
    state = (
        given(*PUBLISHED, moved, HELD)
        .when(command(ReopenOccurrence, occurrence="S08@2025-01-16", reason=WHY))
        .then(
            OccurrenceReopened(occurrence="S08@2025-01-14", previous=date(2025, 3, 2), reason=WHY)
        )
    )
    assert state is not None
    occurrence = state.occurrences["S08@2025-01-14"]
    assert (occurrence.status, occurrence.done_on) == (OccurrenceStatus.MOVED, None)


def test_a_held_date_is_corrected() -> None:
    state = (
        given(*PUBLISHED, HELD)
        .when(
            command(
                CorrectOccurrenceDone, occurrence="S08@2025-01-14", on=date(2025, 1, 14), reason=WHY
            )
        )
        .then(
            OccurrenceDoneDateCorrected(
                occurrence="S08@2025-01-14",
                on=date(2025, 1, 14),
                previous=date(2025, 3, 2),
                reason=WHY,
            )
        )
    )
    assert state is not None
    assert state.occurrences["S08@2025-01-14"].done_on == date(2025, 1, 14)
    given(*PUBLISHED, HELD).when(
        command(CorrectOccurrenceDone, occurrence="S08@2025-01-14", on=date(2025, 3, 2), reason=WHY)
    ).then()


def test_a_visit_held_without_a_date_was_held_on_its_own_day() -> None:
    given(*PUBLISHED).when(command(CompleteOccurrence, occurrence="S08@2025-01-14")).then(
        OccurrenceCompleted(occurrence="S08@2025-01-14", on=date(2025, 1, 14))
    )
    error = (
        given(*PUBLISHED, HELD)
        .when(command(CompleteOccurrence, occurrence="S08@2025-01-14"))
        .refused(RuleViolationError, "occurrence S08@2025-01-14 was already held (2025-03-02)")
    )
    assert error.suggestion is not None
    assert error.suggestion.command[:2] == ("visit", "correct")


@pytest.mark.parametrize(
    "event",
    [
        StepCompleted(step="S01", on=date(2025, 3, 3)),
        StepStarted(step="S01", on=date(2025, 3, 3)),
        OccurrenceCompleted(occurrence="S08@2025-03-11", on=date(2025, 3, 11)),
        StepDoneDateCorrected(
            step="S01", on=date(2025, 3, 3), previous=date(2025, 1, 3), reason=WHY
        ),
    ],
)
def test_progress_is_not_recorded_in_the_future(event: object) -> None:
    with pytest.raises(InvalidInputError, match="is in the future \\(today is 2025-03-02\\)"):
        refuse_future_progress([event], date(2025, 3, 2))  # type: ignore[list-item]
    refuse_future_progress([event], date(2025, 3, 11))  # type: ignore[list-item]
