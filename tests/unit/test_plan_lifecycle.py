"""Plan lifecycle: draft → approved → published → revising → published … → closed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from pacflow.domain import Command, PlanEvent
from pacflow.domain.commands import (
    AddPerson,
    AddStep,
    AddTarget,
    AddTrack,
    ApprovePlan,
    AssignStep,
    BlockStep,
    CancelOccurrence,
    CancelStep,
    ClosePlan,
    CompleteOccurrence,
    CompleteStep,
    CreatePlan,
    DefineIndicator,
    DropTarget,
    EditStep,
    MoveOccurrence,
    MoveStep,
    PersonLeaves,
    PublishPlan,
    RevisePlan,
    SetIndicatorTargets,
    SetObjective,
    SetTargetLimits,
    StartStep,
)
from pacflow.domain.events import (
    HolidaysSet,
    PlanApproved,
    PlanClosed,
    PlanPublished,
    RevisionOpened,
    TargetLimitsSet,
)
from pacflow.domain.schedule import DueDate
from pacflow.domain.values import PlanStatus
from pacflow.errors import InvalidInputError, NotFoundError, RuleViolationError

from .example import APPROVED, CREATED, DRAFT, PUBLISHED, REASON, REVISING, command
from .gwt import given

CLOSED = [*PUBLISHED, PlanClosed()]

CONTENT_CHANGES: list[Command] = [
    command(SetTargetLimits, max_targets_per_rep=3, max_targets_total=8),
    command(AddPerson, key="mp", name="Marc Petit", kind="back_office"),
    command(AddTarget, key="T5", kind="customer", title="Crédit Rhodanien", responsible="kb"),
    command(DropTarget, target="T4"),
    command(
        SetObjective,
        target="T1",
        statement="Porter les prises de commandes BRC à 400 kEUR",
        value=Decimal(400),
        unit="kEUR",
        due=date(2025, 12, 31),
    ),
    command(AddTrack, key="T4-INFO", target="T4", domain="information", title="Anticiper"),
    command(
        AddStep,
        key="S44",
        track="T1-INFO",
        title="Identifier les nouveaux décideurs SI",
        responsible="cd",
        schedule=DueDate(due=date(2025, 9, 15)),
    ),
    command(EditStep, step="S09", title="Atelier d'idéation chez BRC"),
    command(MoveStep, step="S03", schedule=DueDate(due=date(2025, 3, 31))),
    command(AssignStep, step="S03", responsible="kb"),
    command(
        DefineIndicator, key="I3", name="Nouveaux comptes", kind="result", unit="count", owner="kb"
    ),
    command(SetIndicatorTargets, indicator="I2", targets={"2025-07": Decimal(1)}),
]

FACTS: list[Command] = [
    command(StartStep, step="S01", on=date(2025, 1, 10)),
    command(CompleteStep, step="S01", on=date(2025, 1, 28)),
    command(BlockStep, step="S01", on=date(2025, 1, 20), reason="DSI injoignable"),
    command(CancelStep, step="S09", on=date(2025, 4, 1), reason="Gel des projets"),
    command(CompleteOccurrence, occurrence="S08@2025-01-14", on=date(2025, 1, 14), actor="cd"),
    command(CancelOccurrence, occurrence="S08@2025-08-12", reason="Congés du client"),
    command(
        MoveOccurrence, occurrence="S08@2025-03-11", to=datetime(2025, 3, 13, 14), reason="RDV"
    ),
    command(PersonLeaves, person="nr", on=date(2025, 6, 30), reason="Départ"),
]

LIFECYCLE: list[Command] = [
    command(ApprovePlan),
    command(PublishPlan),
    command(RevisePlan, reason=REASON),
    command(ClosePlan, reason="Fin d'année"),
]


def test_a_plan_is_created_as_a_draft() -> None:
    state = (
        given()
        .when(
            command(
                CreatePlan,
                title="Plan d'action commerciale 2025",
                start=date(2025, 1, 1),
                end=date(2025, 12, 31),
                timezone="Europe/Paris",
                owner="hg",
                scope="Numéria Services",
            )
        )
        .then(CREATED, HolidaysSet(country="FR", from_zone=True))
    )
    assert state is not None
    assert (state.status, state.revision, state.version) == (PlanStatus.DRAFT, 1, 2)
    assert state.country == "FR"  # the one country of Europe/Paris, and the event says so


def test_a_plan_cannot_be_created_twice() -> None:
    create = command(
        CreatePlan,
        title="PAC",
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        timezone="Europe/Paris",
        owner="hg",
    )
    given(CREATED).when(create).raises(RuleViolationError, "plan PAC-2025 already exists")


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    create = command(
        CreatePlan,
        title="PAC",
        start=date(2025, 12, 31),
        end=date(2025, 1, 1),
        timezone="Europe/Paris",
        owner="hg",
    )
    given().when(create).raises(
        InvalidInputError, "plan PAC-2025: period start 2025-12-31 is after its end 2025-01-01"
    )


def test_target_limits_must_be_at_least_one() -> None:
    create = command(
        CreatePlan,
        title="PAC",
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        timezone="Europe/Paris",
        owner="hg",
        max_targets_per_rep=0,
    )
    given().when(create).raises(InvalidInputError, "max_targets_per_rep 0: expected 1 or more")


def test_a_command_on_a_plan_that_does_not_exist() -> None:
    given().when(command(ApprovePlan)).raises(NotFoundError, "plan PAC-2025: no such plan")


def test_a_command_for_another_plan_is_refused() -> None:
    other = ApprovePlan(plan="PAC-2026", actor="hg")
    given(DRAFT).when(other).raises(InvalidInputError, "plan PAC-2026: the state given is")


def test_approve_then_publish_then_revise_then_publish_again() -> None:
    given(DRAFT).when(command(ApprovePlan)).then(PlanApproved())
    given(APPROVED).when(command(PublishPlan)).then(PlanPublished(revision=1))
    state = (
        given(PUBLISHED)
        .when(command(RevisePlan, reason=REASON))
        .then(RevisionOpened(revision=2, reason=REASON))
    )
    assert state is not None
    assert (state.status, state.revision) == (PlanStatus.REVISING, 2)
    state = given(REVISING).when(command(PublishPlan)).then(PlanPublished(revision=2))
    assert state is not None
    assert state.status is PlanStatus.PUBLISHED
    given(REVISING, PlanPublished(revision=2)).when(command(RevisePlan, reason="Fusion")).then(
        RevisionOpened(revision=3, reason="Fusion")
    )


def test_an_approved_plan_can_be_revised_before_its_publication() -> None:
    given(APPROVED).when(command(RevisePlan, reason="Oubli")).then(
        RevisionOpened(revision=2, reason="Oubli")
    )


@pytest.mark.parametrize(
    ("history", "lifecycle", "message"),
    [
        (APPROVED, command(ApprovePlan), "plan PAC-2025 is approved; only a draft can be approved"),
        (REVISING, command(ApprovePlan), "plan PAC-2025 is revising; only a draft"),
        (DRAFT, command(PublishPlan), "plan PAC-2025 is a draft; approve it before publishing"),
        (PUBLISHED, command(PublishPlan), "already published (revision 1); open a revision"),
        (PUBLISHED, command(RevisePlan), "plan PAC-2025: opening a revision needs a reason"),
        (DRAFT, command(RevisePlan, reason="x"), "is a draft; change it freely, no revision"),
        (REVISING, command(RevisePlan, reason="x"), "revision 2 is already open"),
        (REVISING, command(ClosePlan, reason="x"), "publish revision 2 before closing the plan"),
        (PUBLISHED, command(ClosePlan), "plan PAC-2025: a reason is required, plan PAC-2025 is"),
    ],
)
def test_lifecycle_transitions_that_do_not_exist(
    history: list[PlanEvent], lifecycle: Command, message: str
) -> None:
    given(history).when(lifecycle).raises(RuleViolationError, message)


def test_closing_a_plan() -> None:
    given(DRAFT).when(command(ClosePlan)).then(PlanClosed())
    state = given(PUBLISHED).when(command(ClosePlan, reason="Fin d'année")).then(PlanClosed())
    assert state is not None
    assert state.status is PlanStatus.CLOSED


@pytest.mark.parametrize(
    "refused", CONTENT_CHANGES + FACTS + LIFECYCLE, ids=lambda c: type(c).__name__
)
def test_a_closed_plan_refuses_every_command(refused: Command) -> None:
    given(CLOSED).when(refused).raises(
        RuleViolationError, "plan PAC-2025 is closed: it accepts no change"
    )


@pytest.mark.parametrize("change", CONTENT_CHANGES, ids=lambda c: type(c).__name__)
def test_a_draft_is_freely_edited(change: Command) -> None:
    assert given(DRAFT).when(change).events()


@pytest.mark.parametrize("history", [APPROVED, PUBLISHED], ids=["approved", "published"])
@pytest.mark.parametrize("change", CONTENT_CHANGES, ids=lambda c: type(c).__name__)
def test_changes_to_an_approved_or_published_plan_need_an_open_revision(
    history: list[PlanEvent], change: Command
) -> None:
    given(history).when(change.model_copy(update={"reason": "Pourquoi"})).raises(
        RuleViolationError, "open a revision (with a reason) before changing it"
    )


@pytest.mark.parametrize("change", CONTENT_CHANGES, ids=lambda c: type(c).__name__)
def test_every_change_during_a_revision_needs_a_reason(change: Command) -> None:
    assert change.reason is None
    given(REVISING).when(change).raises(
        RuleViolationError, "a reason is required to change plan PAC-2025 (revision 2 is open)"
    )
    assert given(REVISING).when(change.model_copy(update={"reason": REASON})).events()


@pytest.mark.parametrize("fact", FACTS, ids=lambda c: type(c).__name__)
def test_progress_is_recorded_on_a_published_plan_without_a_revision(fact: Command) -> None:
    assert given(PUBLISHED).when(fact).events()


def test_target_limits_can_change_and_an_unchanged_setting_records_nothing() -> None:
    given(DRAFT).when(command(SetTargetLimits, max_targets_per_rep=3, max_targets_total=8)).then(
        TargetLimitsSet(max_targets_per_rep=3, max_targets_total=8)
    )
    given(DRAFT).when(command(SetTargetLimits, max_targets_per_rep=2, max_targets_total=6)).then()
    given(DRAFT).when(command(SetTargetLimits, max_targets_per_rep=2, max_targets_total=0)).raises(
        InvalidInputError, "max_targets_total 0: expected 1 or more"
    )
