"""`pacflow visit done|cancel|move`: one occurrence of the S08 visit series at a time."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from tests.cli.plan_fixtures import (
    PLAN,
    build_example,
    event_count,
    exit_code_for,
    occurrence_json,
    ok,
    ok_json,
    refused,
    run_all,
    step_json,
    usage_error,
)


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    build_example(runner)
    return runner


def test_visit_done_marks_one_occurrence_held(example: CliRunner) -> None:
    result = ok(example, ["visit", "done", PLAN, "S08@2025-03-11", "--on", "2025-03-11"])
    assert result.stdout == ("PAC-2025: recorded 1 change\n  S08@2025-03-11 held on 2025-03-11\n")
    assert occurrence_json(example, "S08@2025-03-11") == {
        "key": "S08@2025-03-11",
        "start": "2025-03-11T10:00:00",
        "all_day": False,
        "status": "done",
        "done_on": "2025-03-11",
        "cancel_reason": None,
        "state": "held",
    }
    assert occurrence_json(example, "S08@2025-03-25")["status"] == "planned"
    assert step_json(example, "S08")["status"] == "planned"


def test_visit_done_json_and_dry_run(example: CliRunner) -> None:
    before = event_count(example)
    args = ["visit", "done", PLAN, "S08@2025-03-11", "--on", "2025-03-11"]
    dry = ok_json(example, [*args, "--dry-run"])
    assert dry["dry_run"] is True
    assert event_count(example) == before
    assert occurrence_json(example, "S08@2025-03-11")["status"] == "planned"
    outcome = ok_json(example, args)
    [event] = outcome["events"]
    assert event["type"] == "OccurrenceCompleted"
    assert event["data"] == {"occurrence": "S08@2025-03-11", "on": "2025-03-11"}
    assert event["position"] == before + 1


def test_visit_done_accepts_the_key_with_its_time(example: CliRunner) -> None:
    ok(example, ["visit", "done", PLAN, "S08@2025-01-14T10:00", "--on", "2025-01-14"])
    assert occurrence_json(example, "S08@2025-01-14")["status"] == "done"


def test_visit_cancel_needs_a_reason(example: CliRunner) -> None:
    assert refused(example, ["visit", "cancel", PLAN, "S08@2025-08-12"]) == (
        "occurrence S08@2025-08-12: cancelling an occurrence needs a reason"
    )
    result = ok(
        example, ["visit", "cancel", PLAN, "S08@2025-08-12", "--reason", "customer on holiday"]
    )
    assert "S08@2025-08-12 cancelled: customer on holiday" in result.stdout
    occurrence = occurrence_json(example, "S08@2025-08-12")
    assert (occurrence["status"], occurrence["cancel_reason"]) == (
        "cancelled",
        "customer on holiday",
    )


def test_visit_move_keeps_its_key(example: CliRunner) -> None:
    result = ok(
        example,
        ["visit", "move", PLAN, "S08@2025-03-25", "--to", "2025-03-27T10:00", "--duration", "PT2H"],
    )
    assert "S08@2025-03-25 moved to 2025-03-27 10:00" in result.stdout
    occurrence = occurrence_json(example, "S08@2025-03-25")
    assert (occurrence["status"], occurrence["start"]) == ("moved", "2025-03-27T10:00:00")
    # The moved visit can be named by the day its calendar now shows.
    ok(example, ["visit", "done", PLAN, "S08@2025-03-27", "--on", "2025-03-27"])
    assert occurrence_json(example, "S08@2025-03-25")["status"] == "done"


def test_visit_move_dry_run_and_json(example: CliRunner) -> None:
    before = event_count(example)
    outcome = ok_json(
        example, ["visit", "move", PLAN, "S08@2025-03-25", "--to", "2025-03-27", "--dry-run"]
    )
    [event] = outcome["events"]
    assert event["type"] == "OccurrenceMoved"
    assert event["data"]["start"] == "2025-03-27T00:00:00"
    assert event["data"]["all_day"] is True
    assert event_count(example) == before


def test_plan_show_counts_occurrences_by_status(example: CliRunner) -> None:
    run_all(
        example,
        [
            ["visit", "done", PLAN, "S08@2025-01-14", "--on", "2025-01-14"],
            ["visit", "done", PLAN, "S08@2025-03-11", "--on", "2025-03-11"],
            ["visit", "cancel", PLAN, "S08@2025-08-12", "--reason", "holidays"],
            ["visit", "move", PLAN, "S08@2025-03-25", "--to", "2025-03-27T10:00"],
        ],
    )
    statuses = {o["key"]: o["status"] for o in step_json(example, "S08")["occurrences"]}
    assert len(statuses) == 24
    assert statuses["S08@2025-01-14"] == statuses["S08@2025-03-11"] == "done"
    assert statuses["S08@2025-08-12"] == "cancelled"
    assert statuses["S08@2025-03-25"] == "moved"
    assert list(statuses.values()).count("planned") == 20
    s08 = next(
        line
        for line in ok(example, ["plan", "show", PLAN]).stdout.splitlines()
        if line.startswith("    S08")
    )
    # As the facts say them on today (after 2025: every visit not held is overdue); the
    # statuses above keep what was recorded (moved).
    assert s08.endswith("(1 cancelled, 2 held, 21 overdue)")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        pytest.param(
            ["visit", "done", PLAN, "S08@yesterday", "--on", "2025-03-11"],
            "occurrence 'S08@yesterday': expected STEP@YYYY-MM-DD or STEP@YYYY-MM-DDTHH:MM, such "
            "as S08@2025-03-11",
            id="bad-key",
        ),
        pytest.param(
            ["visit", "done", PLAN, "S08", "--on", "2025-03-11"],
            "occurrence 'S08': expected STEP@YYYY-MM-DD or STEP@YYYY-MM-DDTHH:MM, such as "
            "S08@2025-03-11",
            id="step-without-date",
        ),
        pytest.param(
            ["visit", "done", PLAN, "S08@2025-02-30", "--on", "2025-03-11"],
            "occurrence 'S08@2025-02-30': expected STEP@YYYY-MM-DD",
            id="impossible-date",
        ),
        pytest.param(
            ["visit", "done", PLAN, "S08@2025-03-12", "--on", "2025-03-12"],
            "occurrence S08@2025-03-12: step S08 has no occurrence then in plan PAC-2025",
            id="no-visit-that-day",
        ),
        pytest.param(
            ["visit", "done", PLAN, "S08@2025-03-11T14:00", "--on", "2025-03-11"],
            "occurrence S08@2025-03-11T14:00: step S08 has no occurrence then in plan PAC-2025",
            id="no-visit-at-that-time",
        ),
        pytest.param(
            ["visit", "done", PLAN, "S99@2025-03-11", "--on", "2025-03-11"],
            "step S99: unknown step in plan PAC-2025",
            id="unknown-step",
        ),
        pytest.param(
            ["visit", "done", "PAC-1999", "S08@2025-03-11", "--on", "2025-03-11"],
            "plan PAC-1999: no such plan",
            id="unknown-plan",
        ),
        pytest.param(
            ["visit", "done", PLAN, "S08@2025-03-11", "--on", "2025-03-32"],
            "--on '2025-03-32': expected a real date such as 2026-03-31",
            id="bad-on-date",
        ),
        pytest.param(
            ["visit", "move", PLAN, "S08@2025-03-25", "--to", "jeudi 10h"],
            "--to 'jeudi 10h': expected a local date (2025-03-11) or date-time (2025-03-11T14:00)",
            id="bad-date-time",
        ),
        pytest.param(
            ["visit", "move", PLAN, "S08@2025-12-23", "--to", "2026-01-06T10:00"],
            "occurrence S08@2025-12-23: new date 2026-01-06T10:00 is outside the plan period "
            "2025-01-01..2025-12-31",
            id="moved-outside-the-period",
        ),
        pytest.param(
            ["visit", "move", PLAN, "S08@2025-03-25", "--to", "2025-03-30T02:30"],
            "to '2025-03-30T02:30': does not exist in Europe/Paris (the clocks go from 02:00 "
            "to 03:00 that day); the nearest valid times are 2025-03-30T01:59 and "
            "2025-03-30T03:00",
            id="skipped-by-daylight-saving",
        ),
        pytest.param(
            ["visit", "move", PLAN, "S08@2025-03-25", "--to", "2025-03-11T10:00"],
            "occurrence S08@2025-03-25: occurrence S08@2025-03-11 of the same step is already "
            "at 2025-03-11T10:00",
            id="onto-another-visit",
        ),
        pytest.param(
            [
                "visit",
                "move",
                PLAN,
                "S08@2025-03-25",
                "--to",
                "2025-03-27T10:00",
                "--duration",
                "2h",
            ],
            "--duration '2h': expected an ISO 8601 duration such as PT1H30M or P1D, longer than "
            "zero",
            id="bad-duration",
        ),  # fmt: skip
        pytest.param(
            [
                "visit",
                "move",
                PLAN,
                "S08@2025-03-25",
                "--to",
                "2025-03-27T10:00",
                "--duration",
                "P99999999999W",
            ],
            "--duration 'P99999999999W': expected an ISO 8601 duration",
            id="huge-duration",
        ),  # fmt: skip
    ],
)
def test_visit_commands_refuse_bad_input(
    example: CliRunner, command: list[str], expected: str
) -> None:
    assert refused(example, command, exit_code_for(expected)).startswith(expected)


def test_visit_move_needs_to(example: CliRunner) -> None:
    assert usage_error(example, ["visit", "move", PLAN, "S08@2025-03-25"]) == (
        "Error: Missing option '--to'."
    )


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        pytest.param(
            ["visit", "done", PLAN, "S08@2025-03-11", "--on", "2025-03-11"],
            ["visit", "done", PLAN, "S08@2025-03-11", "--on", "2025-03-12"],
            "occurrence S08@2025-03-11 was already held (2025-03-11) (see `pacflow visit correct "
            'PAC-2025 S08@2025-03-11 --on 2025-03-12 --reason "…"`)',
            id="done-twice",
        ),
        pytest.param(
            ["visit", "done", PLAN, "S08@2025-03-11", "--on", "2025-03-11"],
            ["visit", "move", PLAN, "S08@2025-03-11", "--to", "2025-03-13T10:00"],
            "occurrence S08@2025-03-11 was done (2025-03-11); it cannot be moved (see `pacflow "
            'visit reopen PAC-2025 S08@2025-03-11 --reason "…"`, if it was not held)',
            id="move-a-held-visit",
        ),
        pytest.param(
            ["visit", "cancel", PLAN, "S08@2025-03-11", "--reason", "strike"],
            ["visit", "done", PLAN, "S08@2025-03-11", "--on", "2025-03-11"],
            "occurrence S08@2025-03-11 was cancelled; it cannot be done",
            id="done-after-cancel",
        ),
        pytest.param(
            ["step", "cancel", PLAN, "S08", "--on", "2025-03-01", "--reason", "account lost"],
            ["visit", "done", PLAN, "S08@2025-03-11", "--on", "2025-03-11"],
            "occurrence S08@2025-03-11: step S08 was cancelled; its occurrences cannot be done",
            id="visit-of-a-cancelled-step",
        ),
    ],
)
def test_a_visit_held_or_cancelled_is_final(
    example: CliRunner, first: list[str], then: list[str], expected: str
) -> None:
    ok(example, first)
    assert refused(example, then) == expected


def test_visit_done_without_on_was_held_on_its_own_day(example: CliRunner) -> None:
    # Marked a week later (the README's example): held on the day its key names, not today.
    with freeze_time("2025-03-19 10:00:00"):
        result = ok(example, ["visit", "done", PLAN, "S08@2025-03-11"])
    assert "S08@2025-03-11 held on 2025-03-11" in result.stdout
    assert occurrence_json(example, "S08@2025-03-11")["done_on"] == "2025-03-11"


def test_a_visit_cannot_be_held_in_the_future_of_the_plans_zone(example: CliRunner) -> None:
    # 22:30 UTC on 25 March is 23:30 in Paris: the 26th is still tomorrow there.
    with freeze_time("2025-03-25 22:30:00"):
        message = refused(example, ["visit", "done", PLAN, "S08@2025-03-25", "--on", "2025-03-26"])
        assert message == (
            "occurrence S08@2025-03-25: held date 2025-03-26 is in the future (today is "
            "2025-03-25); record it once it has happened"
        )
        later = refused(example, ["visit", "done", PLAN, "S08@2025-04-08"])
        assert "held date 2025-04-08 is in the future" in later
    assert occurrence_json(example, "S08@2025-03-25")["done_on"] is None
    # 23:30 UTC on 25 March is 00:30 on 26 March in Paris (UTC+1 until the 30th).
    with freeze_time("2025-03-25 23:30:00"):
        ok(example, ["visit", "done", PLAN, "S08@2025-03-25", "--on", "2025-03-26"])
    assert occurrence_json(example, "S08@2025-03-25")["done_on"] == "2025-03-26"


def test_visit_done_outside_the_plan_period_is_refused(example: CliRunner) -> None:
    message = refused(example, ["visit", "done", PLAN, "S08@2025-12-23", "--on", "2026-11-26"])
    assert "outside the plan period 2025-01-01..2025-12-31" in message
