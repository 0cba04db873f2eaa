"""The diagnostic in the decider: findings, decisions citing them, targets citing decisions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from pacflow.domain import build_command
from pacflow.domain import events as ev
from pacflow.domain.checked import validate
from pacflow.domain.commands import AddTarget, JustifyTarget, RecordDecision, RecordFinding
from pacflow.domain.findings import (
    AbcMatrix,
    AccountFigure,
    AmontAval,
    Figures,
    Zone,
    zone_of,
)
from pacflow.domain.values import TargetKind
from pacflow.errors import InvalidInputError, NotFoundError, RuleViolationError

from .diagnostic_examples import CRM_DEALS, DECISION, DIAGNOSTIC, FINDING, JUSTIFIED
from .example import DRAFT, PUBLISHED, REASON, REVISING, command
from .gwt import given


def test_a_finding_is_recorded_even_on_a_published_plan() -> None:
    given(PUBLISHED).when(
        command(RecordFinding, key="F3", title=FINDING.title, period="2024", figures=CRM_DEALS)
    ).then(FINDING)


def test_a_finding_key_is_unique_across_the_plan() -> None:
    given(DRAFT).when(command(RecordFinding, key="t1", title="x", figures=CRM_DEALS)).raises(
        RuleViolationError, "finding t1: the key is already used by target T1"
    )


def test_a_decision_cites_known_findings() -> None:
    given(DRAFT, FINDING).when(
        command(RecordDecision, key="D3", statement="Promote CRM solutions", findings=["F3"])
    ).then(DECISION)
    given(DRAFT, FINDING).when(
        command(RecordDecision, key="D3", statement="x", findings=["F3", "F9"])
    ).raises(NotFoundError, "finding F9 of decision D3: unknown finding in plan PAC-2025")


def test_a_decision_changes_the_plan_so_it_needs_a_revision_once_published() -> None:
    given(PUBLISHED, FINDING).when(
        command(RecordDecision, key="D3", statement="x", findings=["F3"])
    ).raises(RuleViolationError, "open a revision")
    given(REVISING, FINDING).when(
        command(RecordDecision, key="D3", statement="x", findings=["F3"], reason=REASON)
    ).then(ev.DecisionRecorded(key="D3", statement="x", findings=("F3",)))


def test_a_target_implements_known_decisions_once() -> None:
    given(DRAFT, FINDING, DECISION).when(
        command(JustifyTarget, target="T1", decisions=["D3", "D3"])
    ).then(JUSTIFIED)
    given(DRAFT, DIAGNOSTIC).when(command(JustifyTarget, target="T1", decisions=["D3"])).then()
    given(DRAFT, DIAGNOSTIC).when(command(JustifyTarget, target="T1", decisions=["D4"])).raises(
        NotFoundError, "decision D4 of target T1: unknown decision"
    )


def test_a_target_added_with_its_decisions() -> None:
    state = (
        given(DRAFT, FINDING, DECISION)
        .when(
            command(
                AddTarget,
                key="T5",
                kind=TargetKind.CUSTOMER,
                title="Assur'Est",
                responsible="kb",
                decisions=["D3"],
            )
        )
        .then(
            ev.TargetAdded(key="T5", kind=TargetKind.CUSTOMER, title="Assur'Est", responsible="kb"),
            ev.TargetJustified(target="T5", decisions=("D3",)),
        )
    )
    assert state is not None
    assert state.targets["T5"].decisions == ("D3",)


def test_figures_are_checked_when_the_command_is_built() -> None:
    with pytest.raises(InvalidInputError, match="no deal"):
        build_command(
            RecordFinding,
            {
                "plan": "PAC-2025",
                "actor": "hg",
                "key": "F3",
                "title": "x",
                "figures": {"tool": "amont_aval", "quadrants": {}},
            },
        )
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        validate(AccountFigure, {"key": "ACC-X", "revenue": "-1", "potential": "0"})


def test_cross_abc_classes_and_zones_of_the_worked_example() -> None:
    def account(key: str, revenue: int, potential: int) -> AccountFigure:
        return AccountFigure(key=key, revenue=Decimal(revenue), potential=Decimal(potential))

    matrix = AbcMatrix(
        accounts=(
            account("ACC-MV", 1100, 450),
            account("ACC-PA", 650, 900),
            account("ACC-ATL", 480, 300),
            account("ACC-BRC", 180, 1500),
            account("ACC-MAA", 120, 600),
            account("ACC-CRH", 0, 1200),
            account("ACC-SMALL", 50, 100),
        ),
        revenue_a=Decimal(600),
        revenue_b=Decimal(150),
        potential_a=Decimal(1000),
        potential_b=Decimal(500),
    )
    found = {
        a.key: (matrix.revenue_class(a), matrix.potential_class(a), matrix.zone(a))
        for a in matrix.accounts
    }
    assert found == {
        "ACC-MV": ("A", "C'", Zone.CORE),
        "ACC-PA": ("A", "B'", Zone.CORE),
        "ACC-ATL": ("B", "C'", Zone.CORE),
        "ACC-BRC": ("B", "A'", Zone.DEVELOPMENT),
        "ACC-MAA": ("C", "B'", Zone.DEVELOPMENT),
        "ACC-CRH": ("P", "A'", Zone.DEVELOPMENT),
        "ACC-SMALL": ("C", "C'", Zone.ECONOMY),
    }
    assert Figures(matrix).tool == "abc"


def test_a_prospect_of_little_potential_is_managed_economically() -> None:
    assert zone_of("P", "B'") is Zone.DEVELOPMENT
    assert zone_of("P", "C'") is Zone.ECONOMY


def test_amont_aval_figures_of_the_worked_example() -> None:
    deals = CRM_DEALS.root
    assert isinstance(deals, AmontAval)
    assert deals.deals == 40
    assert deals.conversion_pct() == Decimal("15.0")
    assert deals.upstream_pct() == Decimal("22.5")
