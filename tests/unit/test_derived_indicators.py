"""Derived indicators: declared on the definition, refused typed values, checked scopes."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from typing import Any

import pytest

from pacflow.domain import build_command, event_type_name, fold, from_payload, to_payload
from pacflow.domain.checked import validate
from pacflow.domain.commands import CorrectIndicatorValue, DefineIndicator, RecordIndicatorValue
from pacflow.domain.derivation import Derivation, DerivedFrom
from pacflow.domain.events import IndicatorDefined, IndicatorValueRecorded
from pacflow.errors import InvalidInputError, NotFoundError, PacflowError, RuleViolationError
from projections.state_json import dump_state, load_state

from .example import DRAFT, PLAN, PUBLISHED, REASON, command
from .gwt import given

VISITS_S08 = Derivation(kind=DerivedFrom.VISITS_DONE, steps=("S08",))


def _typed_i2() -> IndicatorDefined:
    found = DRAFT[[getattr(e, "key", None) for e in DRAFT].index("I2")]
    assert isinstance(found, IndicatorDefined)
    return found


I2_TYPED = _typed_i2()
I2_DERIVED = validate(IndicatorDefined, {**to_payload(I2_TYPED), "derived": VISITS_S08})


def define(derived: dict[str, Any] | None, **fields: Any) -> DefineIndicator:
    data: dict[str, Any] = {
        "plan": PLAN,
        "actor": "hg",
        "key": "I2",
        "name": "Visites chez BRC",
        "kind": "activity",
        "unit": "count",
        "owner": "cd",
        "serves": ["T1"],
        "derived": derived,
        **fields,
    }
    return build_command(DefineIndicator, data)


def test_an_event_stored_before_derivations_existed_reads_as_typed() -> None:
    stored = {
        "key": "I2",
        "name": "Visites chez BRC",
        "kind": "activity",
        "unit": "count",
        "aggregation": "per_period",
        "direction": "up",
        "owner": "cd",
        "per": "month",
        "serves": ["T1"],
    }
    event = from_payload("IndicatorDefined", 1, stored)
    assert isinstance(event, IndicatorDefined)
    assert event.derived is None
    assert to_payload(event) == stored  # a typed indicator's payload is as it always was


def test_a_derivation_travels_in_the_event_and_the_snapshot() -> None:
    payload = to_payload(I2_DERIVED)
    assert payload["derived"] == {"kind": "visits_done", "steps": ["S08"], "track": None,
                                  "target": None}  # fmt: skip
    assert from_payload(event_type_name(I2_DERIVED), 1, payload) == I2_DERIVED
    state = given(DRAFT).when(define({"kind": "visits_done", "steps": ["S08"]})).then(I2_DERIVED)
    assert state is not None
    assert state.indicators["I2"].derived == VISITS_S08
    assert load_state(dump_state(state)).indicators["I2"].derived == VISITS_S08


def test_a_derivation_is_written_without_its_defaults_and_read_back() -> None:
    # What the indicator read model keeps and a plan file exports: the fields given.
    by_track = Derivation(kind=DerivedFrom.SESSIONS_HELD, track="T1-ELEV")
    assert by_track.as_data() == {"kind": "sessions_held", "track": "T1-ELEV"}
    assert VISITS_S08.as_data() == {"kind": "visits_done", "steps": ["S08"]}
    for derivation in (by_track, VISITS_S08):
        assert Derivation.from_data(derivation.as_data()) == derivation
    assert Derivation.from_data(to_payload(I2_DERIVED)["derived"]) == VISITS_S08


def test_a_snapshot_written_before_derivations_existed_still_loads() -> None:
    folded = fold(DRAFT)
    assert folded is not None
    written_before = dump_state(folded).replace(',"derived":null', "")
    assert '"derived"' not in written_before
    assert load_state(written_before).indicators == folded.indicators


@pytest.mark.parametrize(
    ("derived", "message"),
    [
        ({"kind": "visits_done"}, "give exactly one of steps, track or target (found none)"),
        (
            {"kind": "visits_done", "steps": ["S08"], "track": "T1-ELEV"},
            "found steps and track",
        ),
        ({"kind": "visits", "steps": ["S08"]}, "derived.kind 'visits': expected one of"),
        (
            {"kind": "visits_done", "steps": ["S08", "S 9"]},
            "derived: steps[1] 'S 9': expected 1-40 letters",
        ),
        ({"kind": "visits_done", "track": "T1/ELEV"}, "derived: track 'T1/ELEV': expected"),
        ({"kind": "visits_done", "steps": ["S08"], "where": "x"}, "derived.where"),
    ],
)
def test_a_derivation_needs_a_known_kind_and_one_scope(
    derived: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        define(derived)


@pytest.mark.parametrize(
    ("derived", "error", "message"),
    [
        ({"kind": "visits_done", "steps": ["S99"]}, NotFoundError, "step S99"),
        ({"kind": "visits_done", "track": "T9"}, NotFoundError, "T9"),
        ({"kind": "visits_done", "target": "T9"}, NotFoundError, "T9"),
        (
            {"kind": "steps_on_time", "steps": ["S08"]},
            InvalidInputError,
            "step S08 has no due date (it is scheduled as recurrence)",
        ),
        (
            {"kind": "visits_done", "steps": ["S01"]},
            InvalidInputError,
            "step S01 is a task with a due date, it has no occurrences; derive steps_on_time",
        ),
    ],
)
def test_a_scope_must_exist_and_fit_what_is_counted(
    derived: dict[str, Any], error: type[PacflowError], message: str
) -> None:
    given(DRAFT).when(define(derived)).raises(error, message)


def test_rates_cannot_be_derived() -> None:
    given(DRAFT).when(
        define({"kind": "sessions_held", "steps": ["S11"]}, aggregation="rate_per_period")
    ).raises(InvalidInputError, "its aggregation must be per_period or cumulative_ytd")


def test_sessions_and_on_time_steps_of_a_track_or_target_can_be_derived() -> None:
    given(DRAFT).when(define({"kind": "sessions_held", "track": "T1-ELEV"})).then(
        dataclasses.replace(
            I2_TYPED, derived=Derivation(kind=DerivedFrom.SESSIONS_HELD, track="T1-ELEV")
        )
    )
    given(DRAFT).when(define({"kind": "steps_on_time", "target": "T1"})).then(
        dataclasses.replace(
            I2_TYPED, derived=Derivation(kind=DerivedFrom.STEPS_ON_TIME, target="T1")
        )
    )


def test_the_same_derivation_again_changes_nothing() -> None:
    given(DRAFT, I2_DERIVED).when(define({"kind": "visits_done", "steps": ["S08"]})).then()


def test_a_derived_indicator_cannot_silently_become_typed() -> None:
    given(DRAFT, I2_DERIVED).when(define(None)).raises(
        RuleViolationError, "indicator I2 is derived from visits done of step S08; it cannot"
    )


def test_typed_values_cannot_turn_into_derived_ones() -> None:
    typed = IndicatorValueRecorded(indicator="I2", period="2025-01", value=Decimal(2))
    given(DRAFT, typed).when(define({"kind": "visits_done", "steps": ["S08"]})).raises(
        RuleViolationError, "indicator I2 has values typed in (from 2025-01)"
    )


@pytest.mark.parametrize(
    ("command_type", "fields", "doing"),
    [
        (RecordIndicatorValue, {}, "recorded"),
        (CorrectIndicatorValue, {"reason": REASON}, "corrected"),
    ],
)
def test_values_of_a_derived_indicator_cannot_be_typed(
    command_type: type[RecordIndicatorValue | CorrectIndicatorValue],
    fields: dict[str, Any],
    doing: str,
) -> None:
    typed = command(command_type, actor="cd", indicator="I2", period="2025-03", value="2", **fields)
    given(PUBLISHED, I2_DERIVED).when(typed).raises(
        RuleViolationError,
        f"indicator I2 is derived from visits done of step S08: its values are counted from "
        f"those events and cannot be {doing} by hand",
    )


def test_the_derivation_describes_its_scope() -> None:
    assert VISITS_S08.describe() == "visits done of step S08"
    both = Derivation(kind=DerivedFrom.STEPS_ON_TIME, steps=("S01", "S02"))
    assert both.describe() == "steps done on time of steps S01, S02"
    assert Derivation(kind=DerivedFrom.SESSIONS_HELD, target="T1").describe() == (
        "sessions held in target T1"
    )
