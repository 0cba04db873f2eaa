"""Market changes: facts about the plan's world, recorded without a revision."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from pacflow.domain import build_command
from pacflow.domain.commands import RecordCalendarOverride, RecordMarketChange
from pacflow.domain.events import CalendarChangeOverridden, MarketChangeRecorded, PlanClosed
from pacflow.domain.values import Impact
from pacflow.errors import InvalidInputError, NotFoundError, RuleViolationError
from projections.dashboard import Status, sparkline, status_of

from .example import DRAFT, PUBLISHED, REVISING, command
from .gwt import given

MERGER = MarketChangeRecorded(
    summary="Rapprochement annoncé de BRC",
    affects=("target:T1", "account:ACC-BRC"),
    effective=date(2025, 6, 16),
    impact=Impact.HIGH,
)


def record(*affects: str, **fields: Any) -> RecordMarketChange:
    return command(
        RecordMarketChange,
        summary="Rapprochement annoncé de BRC",
        affects=affects or ("target:T1", "account:ACC-BRC"),
        effective="2025-06-16",
        impact=fields.pop("impact", "high"),
        **fields,
    )


@pytest.mark.parametrize("history", [DRAFT, PUBLISHED, REVISING])
def test_a_market_change_is_a_fact_recorded_without_a_revision(history: list[Any]) -> None:
    before = given(history).when(record()).state
    after = given(history).when(record()).then(MERGER)
    assert after is not None
    assert before is not None
    assert (after.revision, after.status) == (before.revision, before.status)


def test_references_are_kept_once_in_the_order_given() -> None:
    event = given(PUBLISHED).when(record("target:T1", "segment:SEG-BA", "target:T1")).events()
    assert event[0].affects == ("target:T1", "segment:SEG-BA")  # type: ignore[attr-defined]


def test_an_unknown_target_is_refused() -> None:
    given(PUBLISHED).when(record("target:T9")).raises(
        NotFoundError, "affects target T9: unknown target in plan PAC-2025"
    )


def test_a_closed_plan_refuses_it() -> None:
    given(PUBLISHED, PlanClosed()).when(record()).raises(RuleViolationError, "is closed")


@pytest.mark.parametrize("ref", ["T1", "target:", "region:IDF", "target:T 1"])
def test_a_malformed_reference_is_refused(ref: str) -> None:
    data = {"plan": "PAC-2025", "actor": "hg", "summary": "x", "effective": "2025-06-16"}
    with pytest.raises(InvalidInputError, match="expected KIND:KEY"):
        build_command(RecordMarketChange, {**data, "affects": [ref]})


def test_status_rule_and_sparkline() -> None:
    assert [status_of(Decimal(v)) for v in ("100", "99.9", "90", "89.9")] == [
        Status.ON_TRACK,
        Status.AT_RISK,
        Status.AT_RISK,
        Status.OFF_TRACK,
    ]
    assert status_of(None) is Status.NO_DATA
    assert sparkline([Decimal(50), None, Decimal(100), Decimal(75)]) == "▁ █▅"
    assert sparkline([Decimal(1), Decimal(1)]) == "▄▄"
    assert sparkline([None, None]) == "  "


# --- calendar changes the plan did not take ----------------------------------------------


def override(step: str = "S08", occurrence: str | None = "S08@2025-03-11") -> Any:
    return command(
        RecordCalendarOverride,
        step=step,
        occurrence=occurrence,
        change="moved to 2025-03-12 10:00 in the calendar of cd",
        rule="the plan moved this visit too since the last sync; the plan's time is kept",
    )


@pytest.mark.parametrize("history", [PUBLISHED, [*PUBLISHED, PlanClosed()]])
def test_an_overridden_calendar_change_is_recorded_and_changes_nothing_else(
    history: list[Any],
) -> None:
    before = given(history).when(override()).state
    after = (
        given(history)
        .when(override())
        .then(
            CalendarChangeOverridden(
                step="S08",
                occurrence="S08@2025-03-11",
                change="moved to 2025-03-12 10:00 in the calendar of cd",
                rule="the plan moved this visit too since the last sync; the plan's time is kept",
            )
        )
    )
    assert before is not None
    assert after is not None
    assert after.occurrences == before.occurrences
    assert after.steps == before.steps


def test_an_override_names_a_known_step_and_occurrence() -> None:
    given(PUBLISHED).when(override(step="S99", occurrence=None)).raises(
        NotFoundError, "step S99: not in plan PAC-2025"
    )
    given(PUBLISHED).when(override(occurrence="S08@2031-01-01")).raises(
        NotFoundError, "occurrence S08@2031-01-01: not in plan PAC-2025"
    )
