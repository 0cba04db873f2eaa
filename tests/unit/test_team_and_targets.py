"""People, targets (cibles), objectives, tracks (pistes d'action) and indicators."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from pacflow.domain.commands import (
    AddPerson,
    AddTarget,
    AddTrack,
    DefineIndicator,
    DropTarget,
    PersonLeaves,
    SetIndicatorTargets,
    SetObjective,
)
from pacflow.domain.events import (
    IndicatorDefined,
    IndicatorTargetsSet,
    ObjectiveSet,
    PersonAdded,
    PersonLeft,
    TargetAdded,
    TargetDropped,
    TrackAdded,
)
from pacflow.domain.values import (
    Aggregation,
    Approach,
    Direction,
    Domain,
    IndicatorKind,
    Per,
    PersonKind,
    TargetKind,
)
from pacflow.errors import InvalidInputError, NotFoundError, PacflowError, RuleViolationError

from .example import DRAFT, PUBLISHED, REASON, REVISING, command
from .gwt import given

NR_LEFT = PersonLeft(person="nr", on=date(2025, 6, 30))
T4_DROPPED = TargetDropped(target="T4")


# --- people ------------------------------------------------------------------------------


def test_a_person_joins_the_team() -> None:
    state = (
        given(DRAFT)
        .when(
            command(
                AddPerson,
                key="mp",
                name="Marc Petit",
                kind="back_office",
                role="Directeur de production",
                email="marc.petit@numeria.example",
                timezone="Europe/Paris",
            )
        )
        .then(
            PersonAdded(
                key="mp",
                name="Marc Petit",
                kind=PersonKind.BACK_OFFICE,
                role="Directeur de production",
                email="marc.petit@numeria.example",
                timezone="Europe/Paris",
            )
        )
    )
    assert state is not None
    assert state.people["mp"].active


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("hg", "person hg: the key is already used by person hg in plan PAC-2025"),
        ("T1", "person T1: the key is already used by target T1 in plan PAC-2025"),
        ("t1-info", "person t1-info: the key is already used by track T1-INFO"),
        ("S08", "person S08: the key is already used by step S08"),
        ("i2", "person i2: the key is already used by indicator I2"),
    ],
)
def test_keys_are_unique_within_a_plan_whatever_they_name(key: str, message: str) -> None:
    given(DRAFT).when(command(AddPerson, key=key, name="X", kind="rep")).raises(
        RuleViolationError, message
    )


def test_an_email_must_look_like_one() -> None:
    given(DRAFT).when(
        command(AddPerson, key="mp", name="Marc Petit", kind="rep", email="marc petit")
    ).raises(InvalidInputError, "person mp: email 'marc petit': expected an address")


def test_a_person_leaves_the_team() -> None:
    given(DRAFT).when(command(PersonLeaves, person="nr", on=date(2025, 6, 30))).then(NR_LEFT)
    given(PUBLISHED).when(
        command(PersonLeaves, person="nr", on=date(2025, 6, 30), reason="Départ de l'entreprise")
    ).then(NR_LEFT)


def test_leaving_a_published_plan_needs_a_reason() -> None:
    given(PUBLISHED).when(command(PersonLeaves, person="nr", on=date(2025, 6, 30))).raises(
        RuleViolationError, "person nr: a reason is required, plan PAC-2025 is published"
    )


def test_leaving_twice_or_as_a_stranger() -> None:
    given(DRAFT, NR_LEFT).when(command(PersonLeaves, person="nr", on=date(2025, 7, 1))).raises(
        RuleViolationError, "person nr already left the team on 2025-06-30"
    )
    given(DRAFT).when(command(PersonLeaves, person="zz", on=date(2025, 7, 1))).raises(
        NotFoundError, "person zz: unknown person in plan PAC-2025"
    )


# --- targets -----------------------------------------------------------------------------


def test_a_target_is_chosen() -> None:
    given(DRAFT).when(
        command(
            AddTarget,
            key="T5",
            kind="customer",
            title="Crédit Rhodanien",
            responsible="kb",
            ref="ACC-CRH",
            rationale="Prospect à fort potentiel (A')",
        )
    ).then(
        TargetAdded(
            key="T5",
            kind=TargetKind.CUSTOMER,
            title="Crédit Rhodanien",
            responsible="kb",
            ref="ACC-CRH",
            rationale="Prospect à fort potentiel (A')",
        )
    )


def test_only_an_offer_segment_target_names_segments() -> None:
    given(DRAFT).when(
        command(
            AddTarget,
            key="T5",
            kind="customer",
            title="Crédit Rhodanien",
            responsible="kb",
            segments=("SEG-BA",),
        )
    ).raises(InvalidInputError, "target T5: segments apply to offer_segment targets only")


def test_a_target_needs_a_responsible_still_in_the_team() -> None:
    add = command(AddTarget, key="T5", kind="customer", title="Crédit Rhodanien", responsible="nr")
    given(DRAFT, NR_LEFT).when(add).raises(
        RuleViolationError,
        "responsible nr of target T5: Nadia Roussel left the team on 2025-06-30; expected "
        "someone still in the team",
    )
    given(DRAFT).when(add.model_copy(update={"responsible": "zz"})).raises(
        NotFoundError, "responsible zz of target T5: unknown person in plan PAC-2025"
    )


def test_a_target_is_dropped_once() -> None:
    given(DRAFT).when(command(DropTarget, target="T4")).then(T4_DROPPED)
    given(DRAFT, T4_DROPPED).when(command(DropTarget, target="T4")).raises(
        RuleViolationError, "target T4 was already dropped"
    )
    given(DRAFT).when(command(DropTarget, target="T9")).raises(
        NotFoundError, "target T9: unknown target in plan PAC-2025"
    )


# --- objectives --------------------------------------------------------------------------

T1_OBJECTIVE: dict[str, Any] = {
    "target": "T1",
    "statement": "Porter les prises de commandes BRC de 180 kEUR à 600 kEUR en 2025",
    "value": Decimal(600),
    "unit": "kEUR",
    "due": date(2025, 12, 31),
    "indicator": "I1",
    "baseline": Decimal(180),
}


def test_a_target_gets_its_main_objective_and_setting_it_again_records_nothing() -> None:
    set_it = command(SetObjective, **T1_OBJECTIVE)
    event = ObjectiveSet(objective="main", **T1_OBJECTIVE)
    state = given(DRAFT).when(set_it).then(event)
    assert state is not None
    assert state.objectives[("T1", "main")].value == Decimal(600)
    given(DRAFT, event).when(set_it).then()


def test_the_mid_year_revision_lowers_the_objective_of_t1() -> None:
    lowered = {**T1_OBJECTIVE, "value": Decimal(400)}
    given(REVISING, ObjectiveSet(objective="main", **T1_OBJECTIVE)).when(
        command(SetObjective, reason=REASON, **lowered)
    ).then(ObjectiveSet(objective="main", **lowered))


def test_a_secondary_objective() -> None:
    given(DRAFT).when(
        command(
            SetObjective,
            target="T2",
            objective="new-accounts-orders",
            statement="450 kEUR de commandes sur les nouveaux comptes",
            value=Decimal(450),
            unit="kEUR",
            due=date(2025, 12, 31),
            indicator="I1",
        )
    ).then(
        ObjectiveSet(
            target="T2",
            objective="new-accounts-orders",
            statement="450 kEUR de commandes sur les nouveaux comptes",
            value=Decimal(450),
            unit="kEUR",
            due=date(2025, 12, 31),
            indicator="I1",
        )
    )


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        (
            {"due": date(2026, 1, 31)},
            InvalidInputError,
            "due date 2026-01-31 of objective main of target T1 is outside the plan period "
            "2025-01-01..2025-12-31",
        ),
        (
            {"indicator": "I9"},
            NotFoundError,
            "indicator I9 of objective main of target T1: unknown indicator in plan PAC-2025",
        ),
        ({"target": "T9"}, NotFoundError, "target T9: unknown target in plan PAC-2025"),
        ({"target": "T4"}, RuleViolationError, "target T4: this target was dropped"),
    ],
)
def test_bad_objectives(changes: dict[str, Any], error: type[PacflowError], message: str) -> None:
    given(DRAFT, T4_DROPPED).when(command(SetObjective, **{**T1_OBJECTIVE, **changes})).raises(
        error,
        message,
    )


# --- tracks ------------------------------------------------------------------------------


def test_tracks_in_each_domain() -> None:
    given(DRAFT).when(
        command(AddTrack, key="T2-INFO", target="T2", domain="information", title="Marché B&I")
    ).then(TrackAdded(key="T2-INFO", target="T2", domain=Domain.INFORMATION, title="Marché B&I"))
    given(DRAFT).when(
        command(AddTrack, key="T2-DEV", target="T2", domain="internal", title="Devenir légitime")
    ).then(TrackAdded(key="T2-DEV", target="T2", domain=Domain.INTERNAL, title="Devenir légitime"))
    given(DRAFT).when(
        command(
            AddTrack,
            key="T2-CHASSE",
            target="T2",
            domain="sales",
            approach="hunting",
            title="Conquérir 3 comptes",
        )
    ).then(
        TrackAdded(
            key="T2-CHASSE",
            target="T2",
            domain=Domain.SALES,
            approach=Approach.HUNTING,
            title="Conquérir 3 comptes",
        )
    )
    given(DRAFT).when(command(AddTrack, key="GOV", domain="steering", title="Gouvernance")).then(
        TrackAdded(key="GOV", target=None, domain=Domain.STEERING, title="Gouvernance")
    )


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        (
            {"target": "T2", "domain": "sales"},
            InvalidInputError,
            "track X: a sales track needs an approach: one of notoriety, hunting, farming",
        ),
        (
            {"target": "T2", "domain": "internal", "approach": "farming"},
            InvalidInputError,
            "track X: only sales tracks have an approach (this one is internal)",
        ),
        (
            {"target": "T2", "domain": "steering"},
            InvalidInputError,
            "track X: a steering track belongs to the plan, not to target T2",
        ),
        ({"domain": "information"}, InvalidInputError, "track X: an information track needs a"),
        (
            {"target": "T9", "domain": "information"},
            NotFoundError,
            "target T9 of track X: unknown target in plan PAC-2025",
        ),
        (
            {"target": "T4", "domain": "information"},
            RuleViolationError,
            "target T4 of track X: this target was dropped",
        ),
    ],
)
def test_bad_tracks(fields: dict[str, Any], error: type[PacflowError], message: str) -> None:
    given(DRAFT, T4_DROPPED).when(command(AddTrack, key="X", title="Piste", **fields)).raises(
        error,
        message,
    )


# --- indicators --------------------------------------------------------------------------

I3 = IndicatorDefined(
    key="I3",
    name="Nouveaux comptes Banque & Assurance (cumul)",
    kind=IndicatorKind.RESULT,
    unit="count",
    aggregation=Aggregation.CUMULATIVE_YTD,
    direction=Direction.UP,
    owner="kb",
    serves=("T2",),
)


def test_an_indicator_is_defined_and_defining_it_again_the_same_records_nothing() -> None:
    define = command(
        DefineIndicator,
        key="I3",
        name="Nouveaux comptes Banque & Assurance (cumul)",
        kind="result",
        unit="count",
        aggregation="cumulative_ytd",
        owner="kb",
        serves=("T2",),
    )
    given(DRAFT).when(define).then(I3)
    given(DRAFT, I3).when(define).then()
    renamed = define.model_copy(update={"name": "Nouveaux comptes B&I"})
    state = (
        given(DRAFT, I3).when(renamed).then(dataclasses.replace(I3, name="Nouveaux comptes B&I"))
    )
    assert state is not None
    assert state.indicators["I3"].name == "Nouveaux comptes B&I"


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"key": "S08"}, RuleViolationError, "indicator S08: the key is already used by step S08"),
        ({"owner": "nr"}, RuleViolationError, "owner nr of indicator I3: Nadia Roussel left"),
        ({"owner": "zz"}, NotFoundError, "owner zz of indicator I3: unknown person"),
        ({"serves": ("T9",)}, NotFoundError, "target T9 of indicator I3: unknown target"),
    ],
)
def test_bad_indicators(fields: dict[str, Any], error: type[PacflowError], message: str) -> None:
    define = command(
        DefineIndicator,
        **{
            "key": "I3",
            "name": "Nouveaux comptes",
            "kind": "result",
            "unit": "count",
            "owner": "kb",
            **fields,
        },
    )
    given(DRAFT, NR_LEFT).when(define).raises(error, message)


def test_an_indicator_with_targets_keeps_its_period() -> None:
    weekly = command(
        DefineIndicator,
        key="I2",
        name="Visites",
        kind="activity",
        unit="count",
        owner="cd",
        per="week",
    )
    targets = IndicatorTargetsSet(indicator="I2", targets={"2025-01": Decimal(2)})
    given(DRAFT, targets).when(weekly).raises(
        RuleViolationError, "indicator I2: it has monthly targets; it cannot become weekly"
    )


def test_monthly_targets_are_set_and_only_changes_are_recorded() -> None:
    twelve = {f"2025-{month:02d}": Decimal(2) for month in range(1, 13)}
    first = IndicatorTargetsSet(indicator="I2", targets=twelve)
    state = (
        given(DRAFT).when(command(SetIndicatorTargets, indicator="I2", targets=twelve)).then(first)
    )
    assert state is not None
    assert state.indicators["I2"].targets["2025-12"] == Decimal(2)
    lowered = {**twelve, "2025-07": Decimal(1), "2025-08": Decimal(1)}
    state = (
        given(REVISING, first)
        .when(command(SetIndicatorTargets, indicator="I2", targets=lowered, reason=REASON))
        .then(
            IndicatorTargetsSet(
                indicator="I2", targets={"2025-07": Decimal(1), "2025-08": Decimal(1)}
            )
        )
    )
    assert state is not None
    assert state.indicators["I2"].targets["2025-07"] == Decimal(1)
    assert state.indicators["I2"].targets["2025-06"] == Decimal(2)
    given(DRAFT, first).when(command(SetIndicatorTargets, indicator="I2", targets=twelve)).then()


def test_weekly_targets() -> None:
    weekly = dataclasses.replace(I3, per=Per.WEEK)
    given(DRAFT, weekly).when(
        command(SetIndicatorTargets, indicator="I3", targets={"2025-W02": Decimal(1)})
    ).then(IndicatorTargetsSet(indicator="I3", targets={"2025-W02": Decimal(1)}))


@pytest.mark.parametrize(
    ("indicator", "period", "error", "message"),
    [
        (
            "I2",
            "2025-13",
            InvalidInputError,
            "indicator I2: target period '2025-13': expected a month",
        ),
        (
            "I2",
            "2025-W02",
            InvalidInputError,
            "indicator I2: target period '2025-W02': expected a month",
        ),
        (
            "I2",
            "2026-01",
            InvalidInputError,
            "indicator I2: target period 2026-01 is outside the plan",
        ),
        ("I9", "2025-01", NotFoundError, "indicator I9: unknown indicator in plan PAC-2025"),
    ],
)
def test_bad_indicator_targets(
    indicator: str, period: str, error: type[PacflowError], message: str
) -> None:
    given(DRAFT).when(
        command(SetIndicatorTargets, indicator=indicator, targets={period: Decimal(1)})
    ).raises(error, message)
