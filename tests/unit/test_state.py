"""evolve and fold: the state a stream of events leads to."""

from __future__ import annotations

from datetime import date

import pytest

from pacflow.domain import evolve, fold
from pacflow.domain.events import PlanApproved, StepCompleted
from pacflow.domain.values import PlanStatus, StepStatus
from pacflow.errors import IntegrityError

from .example import CREATED, DRAFT, PUBLISHED


def test_no_event_no_plan() -> None:
    assert fold([]) is None


def test_fold_counts_the_events_as_the_plans_version() -> None:
    state = fold(PUBLISHED)
    assert state is not None
    assert state.version == len(PUBLISHED)
    assert state.status is PlanStatus.PUBLISHED
    assert state.revision == 1
    assert list(state.people) == ["hg", "cd", "kb", "tl", "sm", "jm", "pg", "nr"]
    assert len(state.steps["S08"].occurrences) == 24


def test_fold_continues_from_a_snapshot_in_place() -> None:
    snapshot = fold(DRAFT)
    assert snapshot is not None
    continued = fold(PUBLISHED[len(DRAFT) :], snapshot)
    assert continued is snapshot
    assert continued == fold(PUBLISHED)


def test_evolve_one_event_at_a_time_gives_the_folded_state() -> None:
    state = None
    for event in PUBLISHED:
        state = evolve(state, event)
    assert state == fold(PUBLISHED)


def test_evolve_changes_the_state_it_is_given() -> None:
    state = fold(DRAFT)
    assert state is not None
    after = evolve(state, StepCompleted(step="S01", on=date(2025, 1, 28)))
    assert after is state
    assert state.steps["S01"].status is StepStatus.DONE


def test_a_stream_must_start_with_plan_created() -> None:
    with pytest.raises(IntegrityError, match="does not start with PlanCreated"):
        evolve(None, PlanApproved())
    with pytest.raises(IntegrityError, match="does not start with PlanCreated"):
        fold([PlanApproved()])


def test_a_plan_is_created_once_per_stream() -> None:
    with pytest.raises(IntegrityError, match="PlanCreated at version 2 .* the plan already exists"):
        fold([CREATED, CREATED])
    state = fold([CREATED])
    with pytest.raises(IntegrityError, match="the plan already exists"):
        evolve(state, CREATED)


def test_an_event_about_an_unknown_key_is_an_integrity_error() -> None:
    with pytest.raises(IntegrityError, match="StepCompleted at version 2 of plan PAC-2025 .*'S01'"):
        fold([CREATED, StepCompleted(step="S01", on=date(2025, 1, 28))])
    state = fold([CREATED])
    with pytest.raises(IntegrityError, match="unknown key 'S01'"):
        evolve(state, StepCompleted(step="S01", on=date(2025, 1, 28)))
