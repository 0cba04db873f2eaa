"""What a rep must report, found and recorded: visit/step/person/target/indicator lists,
visits held outside the schedule, and a step checked against the indicator it is linked to."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from tests.cli.plan_fixtures import (
    PLAN,
    S08_DATES,
    build_example,
    invoke,
    ok,
    ok_json,
    refused,
)

PROSPECTION = [
    "step", "add", PLAN, "S30", "--track", "T1-ELEV", "--title", "Prospection BRC",
    "--responsible", "kb", "--cadence", "3 per month", "--indicator", "I2", "--parallel",
]  # fmt: skip


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    with freeze_time("2025-01-05 09:00:00"):
        build_example(runner, PROSPECTION)
    return runner


def listed(runner: CliRunner, *args: str) -> Any:
    return ok_json(runner, [*args])


def test_a_rep_lists_the_visits_to_report(example: CliRunner) -> None:
    with freeze_time("2025-01-29 08:00:00"):
        ok(example, ["visit", "done", PLAN, "S08@2025-01-14", "--on", "2025-01-14"])
        rows = listed(example, "visit", "list", PLAN, "--person", "cd", "--status", "to-report")
        text = ok(example, ["visit", "list", PLAN, "--person", "cd", "--status", "to-report"])
    assert [r["key"] for r in rows] == ["S08@2025-01-28"]
    assert rows[0] | {"participants": []} == {
        "key": "S08@2025-01-28",
        "step": "S08",
        "title": "Visite de suivi chez BRC",
        "track": "T1-ELEV",
        "responsible": "cd",
        "participants": [],
        "start": "2025-01-28T10:00",
        "all_day": False,
        "status": "planned",
        "done_on": None,
        "location": "BRC, siège",
    }
    assert text.stdout.splitlines()[2].split()[:4] == [
        "S08@2025-01-28",
        "2025-01-28",
        "10:00",
        "planned",
    ]


def test_visits_by_step_date_range_and_status(example: CliRunner) -> None:
    march = listed(example, "visit", "list", PLAN, "--step", "S08", "--from", "2025-03-01",
                   "--to", "2025-03-31")  # fmt: skip
    assert [r["key"] for r in march] == [f"S08@{d}" for d in S08_DATES if d.startswith("2025-03")]
    assert listed(example, "visit", "list", PLAN, "--step", "S08", "--status", "done") == []
    assert len(listed(example, "visit", "list", PLAN, "--person", "kb", "--step", "S30")) == 36
    assert listed(example, "visit", "list", PLAN, "--person", "jm", "--step", "S08") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["visit", "list", PLAN, "--person", "zz"], "person zz: unknown person in plan PAC-2025"),
        (["visit", "list", PLAN, "--step", "S99"], "step S99: unknown step in plan PAC-2025"),
        (["visit", "list", PLAN, "--from", "mai"], "--from 'mai': expected a date such as"),
        (["visit", "list", PLAN, "--status", "held"], "--status 'held': expected one of"),
        (["step", "list", PLAN, "--status", "late-ish"], "--status 'late-ish': expected one of"),
        (["step", "list", PLAN, "--target", "T9"], "target T9: unknown target in plan PAC-2025"),
    ],
)
def test_a_filter_naming_nothing_is_an_error_not_an_empty_list(
    example: CliRunner, args: list[str], message: str
) -> None:
    assert message in refused(example, args)


def test_steps_people_targets_and_indicators_are_listed(example: CliRunner) -> None:
    with freeze_time("2025-02-20 08:00:00"):
        steps = listed(example, "step", "list", PLAN, "--person", "cd")
        late = listed(example, "step", "list", PLAN, "--status", "late")
    assert [s["key"] for s in steps] == ["S01", "S02", "S08"]
    assert steps[2]["occurrences"] == 24
    assert [s["key"] for s in late] == ["S01", "S02"]
    assert [s["key"] for s in listed(example, "step", "list", PLAN, "--track", "T1-INFO")] == [
        "S01",
        "S02",
    ]
    people = listed(example, "person", "list", PLAN, "--kind", "rep")
    assert [(p["key"], p["open_steps"]) for p in people] == [("cd", 3), ("kb", 1)]
    targets = listed(example, "target", "list", PLAN)
    assert targets[0]["objective"] == {"value": "600", "unit": "kEUR", "due": "2025-12-31"}
    assert targets[0]["tracks"] == ["T1-INFO", "T1-ELEV"]
    indicators = {i["key"]: i for i in listed(example, "indicator", "list", PLAN)}
    assert indicators["I2"]["fed_by"] == "typed"
    assert indicators["I2"]["steps"] == ["S08", "S30"]
    table = ok(example, ["person", "list", PLAN]).stdout.splitlines()
    assert table[0].split() == ["key", "kind", "name", "sector", "open", "steps", "left"]
    assert len(table) == 2 + 4


def test_a_visit_held_outside_the_schedule_is_recorded_and_counted(example: CliRunner) -> None:
    ok(example, ["indicator", "define", PLAN, "I9", "--name", "Visites BRC tenues", "--kind",
                 "activity", "--unit", "count", "--owner", "cd", "--derive", "visits-done",
                 "--step", "S08"])  # fmt: skip
    result = ok(example, ["visit", "record", PLAN, "S08", "--on", "2025-05-20T14:00"])
    assert result.stdout.splitlines()[-1] == "  S08@2025-05-20 held on 2025-05-20"
    may = listed(example, "visit", "list", PLAN, "--step", "S08", "--from", "2025-05-01",
                 "--to", "2025-05-31")  # fmt: skip
    assert [(v["key"], v["status"]) for v in may] == [
        ("S08@2025-05-13", "planned"),
        ("S08@2025-05-20", "done"),
        ("S08@2025-05-27", "planned"),
    ]
    history = ok_json(example, ["indicator", "history", PLAN, "I9"])
    assert {p["period"]: p["actual"] for p in history["periods"]}["2025-05"] == "1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["S08", "--on", "2025-05-13"],
            "step S08 has S08@2025-05-13 planned on 2025-05-13: mark that one done (see "
            "`pacflow visit done PAC-2025 S08@2025-05-13`)",
        ),
        (
            ["S01", "--on", "2025-05-13"],
            "step S01 is a task with a due date, not visits or sessions; mark it done instead",
        ),
        (["S08", "--on", "2026-01-05"], "is outside the plan period"),
        (["S08", "--on", "demain"], "at 'demain'"),
    ],
)
def test_an_extra_visit_that_is_not_one_is_refused(
    example: CliRunner, args: list[str], message: str
) -> None:
    assert message in refused(example, ["visit", "record", PLAN, *args])


def test_check_says_a_linked_indicator_is_typed_in_not_counted(example: CliRunner) -> None:
    with freeze_time("2025-02-02 09:00:00"):
        ok(example, ["indicator", "record", PLAN, "I2", "--period", "2025-01", "--value", "3"])
    with freeze_time("2025-02-03 09:00:00"):
        found = json.loads(invoke(example, ["check", PLAN, "--json"]).stdout)["findings"]
    below = [f for f in found if f["rule"] == "visits-below-cadence"]
    assert [f["subject"] for f in below] == ["S30"]
    assert below[0]["message"] == (
        "step S30 (Prospection BRC, kb): fewer visits held than its cadence (3 per month) in "
        "2025-01 0/3 (I2 says 3); I2 is typed in, not counted from these visits: mark the "
        "visits held, or derive I2 from them (indicator define --derive visits-done --step S30)"
    )
    assert below[0]["command"] == "pacflow visit list PAC-2025 --step S30 --status to-report"


def test_a_rep_pins_a_cadence_visit_to_a_real_day_without_a_reason(example: CliRunner) -> None:
    ok(example, ["plan", "approve", PLAN])
    ok(example, ["plan", "publish", PLAN])
    first = listed(example, "visit", "list", PLAN, "--step", "S30")[0]
    assert (first["key"], first["all_day"]) == ("S30@2025-01-06", True)
    ok(example, ["visit", "move", PLAN, "S30@2025-01-06", "--to", "2025-01-09T14:30",
                 "--duration", "PT1H"])  # fmt: skip
    pinned = listed(example, "visit", "list", PLAN, "--step", "S30")
    moved = next(v for v in pinned if v["key"] == "S30@2025-01-06")
    assert (moved["start"], moved["all_day"]) == ("2025-01-09T14:30", False)
    message = refused(example, ["visit", "move", PLAN, "S30@2025-01-06", "--to", "2025-02-03"])
    assert "reason" in message
