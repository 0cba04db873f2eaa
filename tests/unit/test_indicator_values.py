"""Indicators' actual values: recorded once per period, corrected with a reason."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from pacflow.domain import build_command, evolve
from pacflow.domain.commands import CorrectIndicatorValue, RecordIndicatorValue
from pacflow.domain.events import (
    IndicatorDefined,
    IndicatorValueCorrected,
    IndicatorValueRecorded,
    PlanClosed,
)
from pacflow.domain.values import Aggregation, Direction, IndicatorKind, Per
from pacflow.errors import InvalidInputError, NotFoundError, PacflowError, RuleViolationError

from .example import APPROVED, CREATED, DRAFT, PLAN, PUBLISHED, REVISING, command
from .gwt import given

I7 = IndicatorDefined(
    key="I7",
    name="CA Industrie 2025 (cumul)",
    kind=IndicatorKind.RESULT,
    unit="kEUR",
    aggregation=Aggregation.CUMULATIVE_YTD,
    direction=Direction.UP,
    owner="sm",
    serves=("T4",),
)
MARCH = IndicatorValueRecorded(indicator="I7", period="2025-03", value=Decimal(730))
C04 = "Avoir émis pour Métallurgie Vallée sur la facturation de mars"


def record(period: str = "2025-03", value: str = "730", **fields: Any) -> RecordIndicatorValue:
    return command(
        RecordIndicatorValue, actor="sm", indicator="I7", period=period, value=value, **fields
    )


def correct(
    period: str = "2025-03", value: str = "725", reason: str | None = C04
) -> CorrectIndicatorValue:
    return command(
        CorrectIndicatorValue,
        actor="lf",
        indicator="I7",
        period=period,
        value=value,
        reason=reason,
    )


@pytest.mark.parametrize("history", [DRAFT, APPROVED, PUBLISHED, REVISING])
def test_an_actual_is_a_progress_fact_recorded_in_any_open_plan(history: list[Any]) -> None:
    state = (
        given(history, I7)
        .when(record(note="facturation"))
        .then(dataclasses.replace(MARCH, note="facturation"))
    )
    assert state is not None
    assert state.indicators["I7"].actuals == {"2025-03": Decimal(730)}


def test_a_period_already_recorded_takes_a_correction() -> None:
    error = (
        given(PUBLISHED, I7, MARCH)
        .when(record(value="725"))
        .refused(RuleViolationError, "indicator I7: 2025-03 already has the value 730")
    )
    assert error.code == "value-already-recorded"
    assert error.suggestion is not None
    assert error.suggestion.command == (
        "indicator",
        "correct",
        "PAC-2025",
        "I7",
        "--period",
        "2025-03",
    )
    assert "pacflow" not in error.message  # the front end words the suggestion


def test_recording_the_same_value_again_records_nothing() -> None:
    given(PUBLISHED, I7, MARCH).when(record(value="730.0")).then()


@pytest.mark.parametrize(
    ("typed", "value"),
    [("28,5", "28.5"), ("1 234,5", "1234.5"), ("1\u202f234.50", "1234.50"), ("-0,5", "-0.5")],
)
def test_values_are_read_as_people_type_them(typed: str, value: str) -> None:
    given(DRAFT, I7).when(record(value=typed)).then(
        IndicatorValueRecorded(indicator="I7", period="2025-03", value=Decimal(value))
    )


def test_a_correction_keeps_the_previous_value_and_its_reason() -> None:
    state = (
        given(PUBLISHED, I7, MARCH)
        .when(correct())
        .then(
            IndicatorValueCorrected(
                indicator="I7",
                period="2025-03",
                value=Decimal(725),
                previous=Decimal(730),
                reason=C04,
            )
        )
    )
    assert state is not None
    assert state.indicators["I7"].actuals["2025-03"] == Decimal(725)


def test_correcting_to_the_same_value_records_nothing() -> None:
    given(PUBLISHED, I7, MARCH).when(correct(value="730")).then()


def test_redefining_an_indicator_keeps_its_values() -> None:
    renamed = dataclasses.replace(I7, name="CA Industrie")
    state = (
        given(DRAFT, I7, MARCH)
        .when(record("2025-04", "955"))
        .then(IndicatorValueRecorded(indicator="I7", period="2025-04", value=Decimal(955)))
    )
    assert state is not None
    evolve(state, renamed)
    assert state.indicators["I7"].actuals == {"2025-03": Decimal(730), "2025-04": Decimal(955)}


def test_negative_values_are_allowed_for_margins_and_net_figures() -> None:
    given(DRAFT, I7).when(record(value="-12.5")).then(
        IndicatorValueRecorded(indicator="I7", period="2025-03", value=Decimal("-12.5"))
    )


@pytest.mark.parametrize(
    ("scenario", "error", "message"),
    [
        (
            lambda: given(PUBLISHED, I7).when(correct()),
            RuleViolationError,
            "indicator I7: no value was recorded for 2025-03, so there is nothing to correct",
        ),
        (
            lambda: given(PUBLISHED, I7, MARCH).when(correct(reason=None)),
            RuleViolationError,
            "indicator I7 2025-03: a correction needs a reason",
        ),
        (
            lambda: given(PUBLISHED, I7).when(record(period="2026-01")),
            InvalidInputError,
            "indicator I7: period 2026-01 is outside the plan period 2025-01-01..2025-12-31",
        ),
        (
            lambda: given(PUBLISHED, I7).when(record(period="2025-13")),
            InvalidInputError,
            "indicator I7: period '2025-13': expected a month such as 2025-03",
        ),
        (
            lambda: given(PUBLISHED, I7).when(record(period="2025-W10")),
            InvalidInputError,
            "indicator I7: period '2025-W10': expected a month such as 2025-03",
        ),
        (
            lambda: given(PUBLISHED).when(record()),
            NotFoundError,
            "indicator I7: unknown indicator in plan PAC-2025",
        ),
        (
            lambda: given(PUBLISHED, I7, PlanClosed()).when(record()),
            RuleViolationError,
            "plan PAC-2025 is closed: it accepts no change",
        ),
        (
            lambda: given(PUBLISHED, I7, MARCH, PlanClosed()).when(correct()),
            RuleViolationError,
            "plan PAC-2025 is closed: it accepts no change",
        ),
    ],
)
def test_refused_values(scenario: Any, error: type[PacflowError], message: str) -> None:
    scenario().raises(error, message)


def test_a_weekly_indicator_takes_weeks_and_a_quarterly_one_quarters() -> None:
    weekly = dataclasses.replace(I7, per=Per.WEEK)
    given(DRAFT, weekly).when(record(period="2025-W10")).then(
        IndicatorValueRecorded(indicator="I7", period="2025-W10", value=Decimal(730))
    )
    quarterly = dataclasses.replace(I7, per=Per.QUARTER)
    given(DRAFT, quarterly).when(record(period="2025-Q1")).then(
        IndicatorValueRecorded(indicator="I7", period="2025-Q1", value=Decimal(730))
    )


def test_february_of_a_leap_year_is_a_period_like_any_other() -> None:
    leap = dataclasses.replace(CREATED, start=date(2024, 1, 1), end=date(2024, 12, 31))
    given(leap, I7).when(record(period="2024-02", value="310")).then(
        IndicatorValueRecorded(indicator="I7", period="2024-02", value=Decimal(310))
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "value 'abc': expected a number such as 28.5 or 28,5"),
        ("NaN", "value 'NaN'"),
        ("", "value '': expected a number such as 28.5 or 28,5"),
        ("1,000,000", "value '1,000,000': expected a number"),
        ("12 34", "value '12 34': expected a number"),
        ("1.2.3", "value '1.2.3': expected a number"),
    ],
)
def test_a_value_must_be_a_finite_number(value: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        build_command(
            RecordIndicatorValue,
            {"plan": PLAN, "actor": "sm", "indicator": "I7", "period": "2025-03", "value": value},
        )
