"""Commands: shapes and values are checked when they are built, with one-line messages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pacflow.domain import Command, build_command
from pacflow.domain import commands as commands_module
from pacflow.domain.commands import AddPerson, AddStep, CreatePlan, SetIndicatorTargets
from pacflow.domain.schedule import DueDate
from pacflow.errors import InvalidInputError

from .gwt import literal

BASE = {"plan": "PAC-2025", "actor": "hg"}
STEP = {**BASE, "key": "S01", "track": "T1-INFO", "title": "Organigramme", "responsible": "cd"}


def command_classes() -> list[type[Command]]:
    return [
        value
        for value in vars(commands_module).values()
        if isinstance(value, type) and issubclass(value, Command) and value is not Command
    ]


def test_every_command_says_who_and_why_and_has_a_docstring() -> None:
    assert len(command_classes()) >= 24
    for cls in command_classes():
        assert {"plan", "actor", "reason"} <= set(cls.model_fields), cls.__name__
        assert cls.__doc__, cls.__name__


def test_a_command_is_built_from_plain_data() -> None:
    built = build_command(AddStep, {**STEP, "schedule": {"kind": "due", "due": "2025-01-31"}})
    assert built.schedule == DueDate(due=date(2025, 1, 31))
    assert built.reason is None


def test_a_blank_reason_is_no_reason() -> None:
    assert (
        build_command(
            AddPerson, {**BASE, "key": "x", "name": "X", "kind": "rep", "reason": "  "}
        ).reason
        is None
    )


@pytest.mark.parametrize(
    ("command_type", "data", "message"),
    [
        (
            AddPerson,
            {**BASE, "key": "zz", "name": "Z", "kind": "boss"},
            "kind 'boss': expected one of rep, manager, back_office",
        ),
        (
            AddPerson,
            {**BASE, "key": "z z", "name": "Z", "kind": "rep"},
            "key 'z z': expected 1-40 letters, digits",
        ),
        (AddPerson, {**BASE, "key": "zz", "kind": "rep"}, "name: this field is required"),
        (
            AddPerson,
            {**BASE, "key": "zz", "name": " ", "kind": "rep"},
            "name ' ': must not be empty",
        ),
        (
            AddPerson,
            {**BASE, "key": "zz", "name": "Z", "kind": "rep", "age": 3},
            "age 3: unknown field",
        ),
        (
            AddPerson,
            {"plan": "PAC-2025", "key": "zz", "name": "Z", "kind": "rep"},
            "actor: this field",
        ),
        (
            CreatePlan,
            {
                **BASE,
                "title": "PAC",
                "start": "2025-01-01",
                "end": "2025-12-31",
                "owner": "hg",
                "timezone": "Europe/Pariss",
            },
            "timezone 'Europe/Pariss': expected an IANA time zone name such as Europe/Paris",
        ),
        (
            CreatePlan,
            {
                **BASE,
                "title": "PAC",
                "start": "2025-02-30",
                "end": "2025-12-31",
                "owner": "hg",
                "timezone": "Europe/Paris",
            },
            "start '2025-02-30': expected a real date such as 2026-03-31",
        ),
        (
            CreatePlan,
            {
                **BASE,
                "title": "PAC",
                "start": "2025-01-01",
                "end": "2025-12-31",
                "owner": "hg",
                "timezone": "Europe/Paris",
                "max_targets_total": -1,
            },
            "max_targets_total -1: must not be negative",
        ),
        (
            AddStep,
            {**STEP, "schedule": {"kind": "due", "due": "2025-13-01"}},
            "schedule.due '2025-13-01': expected a real date such as 2026-03-31",
        ),
        (
            AddStep,
            {**STEP, "schedule": {"kind": "weekly"}},
            "schedule.kind 'weekly': expected one of due, sessions, recurrence, cadence",
        ),
        (
            AddStep,
            {
                **STEP,
                "schedule": {
                    "kind": "recurrence",
                    "duration": "1h",
                    "rules": [{"dtstart": "2025-01-14T10:00", "rrule": "FREQ=DAILY"}],
                },
            },
            "schedule.duration '1h': expected an ISO 8601 duration such as PT1H30M",
        ),
        (
            AddStep,
            {
                **STEP,
                "schedule": {
                    "kind": "recurrence",
                    "rules": [{"dtstart": "2025-01-14T10:00+01:00", "rrule": "FREQ=DAILY"}],
                },
            },
            "schedule.rules[0].dtstart '2025-01-14T10:00+01:00': expected a local date",
        ),
        (
            AddStep,
            {**STEP, "schedule": {"kind": "cadence", "count": -2}},
            "schedule.count -2: must not be negative",
        ),
        (
            AddStep,
            {**STEP, "budget": "-3", "schedule": {"kind": "due", "due": "2025-02-01"}},
            "budget '-3': must not be negative",
        ),
        (
            AddStep,
            {**STEP, "days": "NaN", "schedule": {"kind": "due", "due": "2025-02-01"}},
            "days 'NaN': expected a number such as 28.5 or 28,5",
        ),
        (
            SetIndicatorTargets,
            {**BASE, "indicator": "I2", "targets": {"2025-01": -2}},
            "targets.2025-01 -2: must not be negative",
        ),
    ],
)
def test_bad_values_are_one_line_errors_naming_the_field(
    command_type: type[Command], data: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=literal(message)) as caught:
        build_command(command_type, data)
    assert "\n" not in str(caught.value)
