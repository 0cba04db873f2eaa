"""The event registry and the payloads the store keeps."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from pacflow.domain import EVENT_TYPES, PlanEvent, event_type_name, from_payload, plain, to_payload
from pacflow.domain import events as ev
from pacflow.domain.checked import validate
from pacflow.domain.events import (
    IndicatorTargetsSet,
    OccurrenceMoved,
    StepAdded,
    StepCompleted,
)
from pacflow.domain.schedule import Cadence
from pacflow.errors import IntegrityError

from . import example


def all_event_classes() -> set[type[PlanEvent]]:
    found: set[type[PlanEvent]] = set()
    pending = list(PlanEvent.__subclasses__())
    while pending:
        cls = pending.pop()
        # Not the test's own subclasses, nor what `dataclass(slots=True)` replaced.
        if cls.__module__ == "pacflow.domain.events" and getattr(ev, cls.__name__) is cls:
            found.add(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_event_type_is_registered_under_its_own_name() -> None:
    assert set(EVENT_TYPES.values()) == all_event_classes()
    for name, cls in EVENT_TYPES.items():
        assert name == cls.__name__
        assert cls.__doc__, f"{name} has no docstring"


def test_events_are_frozen_and_refuse_unknown_fields() -> None:
    event = StepCompleted(step="S01", on=date(2025, 1, 28))
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.step = "S02"  # type: ignore[misc]
    with pytest.raises(ValueError, match="Unexpected keyword argument"):
        validate(StepCompleted, {"step": "S01", "on": "2025-01-28", "actor": "cd"})
    with pytest.raises(IntegrityError, match="StepCompleted v1 cannot be read: actor: unknown"):
        from_payload("StepCompleted", 1, {"step": "S01", "on": "2025-01-28", "actor": "cd"})


def test_payloads_are_plain_json_with_decimals_as_strings_and_iso_dates() -> None:
    targets = IndicatorTargetsSet(indicator="I1", targets={"2025-01": Decimal("40.5")})
    assert to_payload(targets) == {"indicator": "I1", "targets": {"2025-01": "40.5"}}
    moved = OccurrenceMoved(
        occurrence="S08@2025-03-11",
        start=datetime(2025, 3, 13, 14),
        all_day=False,
        duration=timedelta(hours=1, minutes=30),
    )
    assert to_payload(moved) == {
        "occurrence": "S08@2025-03-11",
        "start": "2025-03-13T14:00:00",
        "all_day": False,
        "duration": "PT1H30M",
    }


def test_every_event_of_the_worked_example_survives_the_round_trip() -> None:
    for event in example.REVISING:
        name = event_type_name(event)
        payload = json.loads(json.dumps(to_payload(event)))
        assert from_payload(name, event.schema_version, payload) == event


def test_a_schedule_keeps_its_kind_through_the_round_trip() -> None:
    added = StepAdded(
        key="S22",
        track="T2-CHASSE",
        title="Rendez-vous de prospection B&I",
        order=1,
        responsible="kb",
        schedule=Cadence(count=8, exceptions={"2025-08": 4}),
        budget=Decimal("12.5"),
    )
    payload = to_payload(added)
    assert payload["schedule"]["kind"] == "cadence"
    assert payload["budget"] == "12.5"
    assert from_payload("StepAdded", 1, payload) == added


def test_unknown_types_versions_and_payloads_are_integrity_errors() -> None:
    with pytest.raises(IntegrityError, match="event type 'StepDeleted' is unknown"):
        from_payload("StepDeleted", 1, {})
    with pytest.raises(
        IntegrityError, match="StepCompleted has schema version 2; .* reads version 1"
    ):
        from_payload("StepCompleted", 2, {"step": "S01", "on": "2025-01-28"})
    with pytest.raises(IntegrityError, match="StepCompleted v1 cannot be read: on:"):
        from_payload("StepCompleted", 1, {"step": "S01", "on": "yesterday"})
    with pytest.raises(IntegrityError, match="StepCompleted v1 cannot be read: step: missing"):
        from_payload("StepCompleted", 1, {"on": "2025-01-28"})
    with pytest.raises(IntegrityError, match="cannot be read: step: expected str, found int"):
        from_payload("StepCompleted", 1, {"step": 1, "on": "2025-01-28"})


def test_event_type_name_refuses_what_is_not_a_registered_event() -> None:
    class Unregistered(PlanEvent):
        """Only for this test."""

    with pytest.raises(TypeError, match="Unregistered is not a registered plan event"):
        event_type_name(Unregistered())


@pytest.mark.parametrize("reads", [1, plain.HOT + 1], ids=["first read", "type read often"])
def test_a_payload_that_does_not_fit_deep_inside_is_named_to_the_field(reads: int) -> None:
    """A type read often gets a loader written for it, which hands any payload that does
    not fit to the one reading field by field: either way the error names where it does
    not fit, however deep."""
    slot: dict[str, Any] = {"key": "S08@2025-03-11", "start": "2025-03-11T09:00:00"}
    slot |= {"all_day": False, "duration": None}
    payload = {"step": "S08", "occurrences": [slot, {**slot, "key": "S08@2025-03-18"}]}
    for _ in range(reads):
        read = from_payload("OccurrencesScheduled", 1, payload)
        assert isinstance(read, ev.OccurrencesScheduled)
        assert [o.key for o in read.occurrences] == ["S08@2025-03-11", "S08@2025-03-18"]
        assert read.occurrences[0].start == datetime(2025, 3, 11, 9)
        assert to_payload(read) == payload
    for _ in range(reads):
        done = from_payload("StepCompleted", 1, {"step": "S01", "on": "2025-01-28"})
        assert done == StepCompleted(step="S01", on=date(2025, 1, 28))
    wrong = {"step": "S08", "occurrences": [slot, {**slot, "all_day": "no"}]}
    with pytest.raises(IntegrityError, match="occurrences.all_day: expected bool, found str"):
        from_payload("OccurrencesScheduled", 1, wrong)
    extra = {"step": "S08", "occurrences": [{**slot, "room": "B12"}]}
    with pytest.raises(IntegrityError, match="occurrences.room: unknown field"):
        from_payload("OccurrencesScheduled", 1, extra)
    with pytest.raises(IntegrityError, match="step: expected str, found NoneType"):
        from_payload("StepCompleted", 1, {"step": None, "on": "2025-01-28"})
    with pytest.raises(IntegrityError, match="occurrences: expected a list, found str"):
        from_payload("OccurrencesScheduled", 1, {"step": "S08", "occurrences": "S08@2025-03-11"})
