"""Dropping a draft plan: an event, refused after approval; the key then starts a new plan
in the same stream, from scratch."""

from __future__ import annotations

from datetime import date

import pytest

from pacflow.domain import fold
from pacflow.domain.commands import ApprovePlan, CreatePlan, DropPlan, RemoveStep
from pacflow.domain.events import HolidaysSet, PlanClosed, PlanCreated, PlanDropped
from pacflow.domain.values import PlanStatus
from pacflow.errors import NotFoundError, RuleViolationError

from .example import APPROVED, CREATED, DRAFT, PUBLISHED, REASON, command
from .gwt import given

DROPPED = [*DRAFT, PlanDropped(reason=REASON)]

AGAIN = command(
    CreatePlan,
    title="PAC 2025, bis",
    start=date(2025, 2, 1),
    end=date(2025, 12, 31),
    timezone="America/New_York",
    owner="hg",
)


def test_a_draft_is_dropped_for_a_reason() -> None:
    state = given(DRAFT).when(command(DropPlan, reason=REASON)).then(PlanDropped(reason=REASON))
    assert state is not None
    assert state.status is PlanStatus.DROPPED
    assert (state.targets, state.steps, state.people) == ({}, {}, {})
    assert state.version == len(DRAFT) + 1


def test_dropping_needs_a_reason() -> None:
    given(DRAFT).when(command(DropPlan)).raises(RuleViolationError, "dropping it needs a reason")


@pytest.mark.parametrize(
    ("history", "status"),
    [(APPROVED, "approved"), (PUBLISHED, "published"), ([*PUBLISHED, PlanClosed()], "closed")],
)
def test_only_a_draft_is_dropped(history: list[PlanCreated], status: str) -> None:
    given(history).when(command(DropPlan, reason=REASON)).raises(
        RuleViolationError, f"plan PAC-2025 is {status}; only a draft can be dropped"
    )


def test_a_dropped_plan_takes_no_command_but_its_creation() -> None:
    given(DROPPED).when(command(ApprovePlan)).raises(NotFoundError, "PAC-2025 was dropped")
    given(DROPPED).when(command(RemoveStep, step="S01")).raises(NotFoundError, "was dropped")
    given(DROPPED).when(command(DropPlan, reason=REASON)).raises(NotFoundError, "was dropped")


def test_the_key_of_a_dropped_plan_starts_a_new_plan() -> None:
    state = (
        given(DROPPED)
        .when(AGAIN)
        .then(
            PlanCreated(
                key="PAC-2025",
                title="PAC 2025, bis",
                start=date(2025, 2, 1),
                end=date(2025, 12, 31),
                timezone="America/New_York",
                owner="hg",
            ),
            HolidaysSet(country="US", from_zone=True),
        )
    )
    assert state is not None
    assert (state.status, state.title, state.timezone) == (
        PlanStatus.DRAFT,
        "PAC 2025, bis",
        "America/New_York",
    )
    assert state.steps == {}
    assert state.targets == {}
    assert state.life_start == len(DROPPED) + 1
    assert state.version == len(DROPPED) + 2


def test_a_fold_of_both_lives_is_the_last_one() -> None:
    first = fold(DRAFT)
    both = fold([*DROPPED, *DRAFT])
    assert first is not None
    assert both is not None
    assert (both.steps, both.targets, both.people) == (first.steps, first.targets, first.people)
    assert both.version == 2 * len(DRAFT) + 1
    assert both.life_start == len(DROPPED) + 1
    assert fold([CREATED]) is not None
