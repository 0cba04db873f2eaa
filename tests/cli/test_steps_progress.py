"""`pacflow step start|done|block|cancel`: running the plan, predecessor by predecessor."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from tests.cli.plan_fixtures import (
    PLAN,
    WORKED_EXAMPLE_EVENTS,
    build_example,
    event_count,
    ok,
    ok_json,
    refused,
    run_all,
    step_json,
)

S03 = [
    "step", "add", PLAN, "S03", "--track", "T1-INFO", "--title", "Recenser les projets SI",
    "--responsible", "cd", "--due", "2025-03-14",
]  # fmt: skip


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    build_example(runner)
    return runner


def _status(runner: CliRunner, key: str) -> str:
    status: str = step_json(runner, key)["status"]
    return status


def test_step_start_then_done(example: CliRunner) -> None:
    started = ok(example, ["step", "start", PLAN, "S01", "--on", "2025-01-06"])
    assert started.stdout == "PAC-2025: recorded 1 change\n  step S01 started on 2025-01-06\n"
    assert _status(example, "S01") == "in_progress"
    done = ok_json(example, ["step", "done", PLAN, "S01", "--on", "2025-01-28"])
    [event] = done["events"]
    assert (event["type"], event["summary"]) == ("StepCompleted", "step S01 done on 2025-01-28")
    assert event["data"] == {"step": "S01", "on": "2025-01-28"}
    step = step_json(example, "S01")
    assert (step["status"], step["started_on"], step["done_on"]) == (
        "done",
        "2025-01-06",
        "2025-01-28",
    )


def test_step_done_dry_run_records_nothing(example: CliRunner) -> None:
    before = event_count(example)
    result = ok(example, ["step", "done", PLAN, "S01", "--on", "2025-01-28", "--dry-run"])
    assert result.stdout == "PAC-2025: would record 1 change\n  step S01 done on 2025-01-28\n"
    assert event_count(example) == before
    assert _status(example, "S01") == "planned"


def test_a_step_cannot_be_done_before_its_predecessor(example: CliRunner) -> None:
    message = refused(example, ["step", "done", PLAN, "S02", "--on", "2025-02-11"])
    assert message == (
        "step S02 cannot be done before its predecessor S01 is done (S01 is planned); finish "
        "S01 or mark S02 parallel"
    )
    assert refused(example, ["step", "start", PLAN, "S02", "--on", "2025-02-03"]) == (
        "step S02 cannot start before its predecessor S01 is done (S01 is planned); finish "
        "S01 or mark S02 parallel"
    )


def test_a_step_can_be_done_once_its_predecessor_is(example: CliRunner) -> None:
    ok(example, ["step", "done", PLAN, "S01", "--on", "2025-01-28"])
    assert refused(example, ["step", "done", PLAN, "S02", "--on", "2025-01-20"]) == (
        "step S02 cannot be done on 2025-01-20, before its predecessor S01 was done (2025-01-28)"
    )
    ok(example, ["step", "done", PLAN, "S02", "--on", "2025-02-11"])
    assert _status(example, "S02") == "done"


def test_a_parallel_step_does_not_wait(example: CliRunner) -> None:
    ok(example, [*S03, "--parallel"])
    ok(example, ["step", "done", PLAN, "S03", "--on", "2025-03-20"])
    assert _status(example, "S03") == "done"
    assert _status(example, "S01") == "planned"


def test_a_step_made_parallel_by_edit_no_longer_waits(example: CliRunner) -> None:
    ok(example, ["step", "edit", PLAN, "S02", "--parallel"])
    ok(example, ["step", "start", PLAN, "S02", "--on", "2025-02-03"])
    assert _status(example, "S02") == "in_progress"


def test_a_step_after_another_waits_for_that_one(example: CliRunner) -> None:
    ok(example, [*S03, "--after", "S01"])
    ok(example, ["step", "done", PLAN, "S01", "--on", "2025-01-28"])
    ok(example, ["step", "done", PLAN, "S03", "--on", "2025-03-20"])
    assert _status(example, "S02") == "planned"


def test_a_cancelled_predecessor_releases_its_successor(example: CliRunner) -> None:
    ok(example, ["step", "cancel", PLAN, "S01", "--on", "2025-01-10", "--reason", "done by jm"])
    ok(example, ["step", "done", PLAN, "S02", "--on", "2025-02-11"])
    assert _status(example, "S02") == "done"


def test_step_block_needs_a_reason_then_start_resumes(example: CliRunner) -> None:
    assert refused(example, ["step", "block", PLAN, "S01", "--on", "2025-01-10"]) == (
        "step S01: blocking a step needs a reason"
    )
    blocked = ok(
        example,
        ["step", "block", PLAN, "S01", "--on", "2025-01-10", "--reason", "CIO unreachable"],
    )
    assert "step S01 blocked on 2025-01-10: CIO unreachable" in blocked.stdout
    step = step_json(example, "S01")
    assert (step["status"], step["blocked_reason"]) == ("blocked", "CIO unreachable")
    again = ["step", "block", PLAN, "S01", "--on", "2025-01-11", "--reason", "still"]
    assert refused(example, again) == "step S01 is already blocked (CIO unreachable)"
    ok(example, ["step", "start", PLAN, "S01", "--on", "2025-01-13"])
    assert _status(example, "S01") == "in_progress"


def test_step_cancel_needs_a_reason(example: CliRunner) -> None:
    assert refused(example, ["step", "cancel", PLAN, "S02", "--on", "2025-02-01"]) == (
        "step S02: cancelling a step needs a reason"
    )
    outcome = ok_json(
        example,
        ["step", "cancel", PLAN, "S02", "--on", "2025-02-01", "--reason", "CIO left BRC"],
    )
    assert outcome["events"][0]["data"] == {
        "step": "S02",
        "on": "2025-02-01",
        "reason": "CIO left BRC",
    }
    step = step_json(example, "S02")
    assert (step["status"], step["cancel_reason"]) == ("cancelled", "CIO left BRC")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        pytest.param(
            ["step", "done", PLAN, "S01", "--on", "2025-01-30"],
            "step S01 is already done (2025-01-28) (see `pacflow step correct PAC-2025 S01 "
            '--on 2025-01-30 --reason "…"`, to correct its date)',
            id="done-twice",
        ),
        pytest.param(
            ["step", "start", PLAN, "S01", "--on", "2025-01-30"],
            "step S01 is done; it cannot be started",
            id="start-a-done-step",
        ),
        pytest.param(
            ["step", "cancel", PLAN, "S01", "--on", "2025-01-30", "--reason", "oops"],
            "step S01 is done; it cannot be cancelled",
            id="cancel-a-done-step",
        ),
        pytest.param(
            ["step", "block", PLAN, "S01", "--on", "2025-01-30", "--reason", "oops"],
            "step S01 is done; it cannot be blocked",
            id="block-a-done-step",
        ),
        pytest.param(
            ["step", "assign", PLAN, "S01", "--responsible", "kb"],
            "step S01 is done; it cannot be reassigned",
            id="assign-a-done-step",
        ),
    ],
)
def test_a_done_step_is_final(example: CliRunner, command: list[str], expected: str) -> None:
    ok(example, ["step", "done", PLAN, "S01", "--on", "2025-01-28"])
    assert refused(example, command) == expected


def test_a_step_in_progress_cannot_start_again(example: CliRunner) -> None:
    ok(example, ["step", "start", PLAN, "S01", "--on", "2025-01-06"])
    assert refused(example, ["step", "start", PLAN, "S01", "--on", "2025-01-07"]) == (
        "step S01 is already in progress"
    )
    assert refused(example, ["step", "done", PLAN, "S01", "--on", "2025-01-05"]) == (
        "step S01: done on 2025-01-05, before it started (2025-01-06)"
    )


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        pytest.param(
            ["step", "done", PLAN, "S99", "--on", "2025-01-28"],
            "step S99: unknown step in plan PAC-2025",
            id="unknown-step",
        ),
        pytest.param(
            ["step", "done", "PAC-1999", "S01", "--on", "2025-01-28"],
            "plan PAC-1999: no such plan",
            id="unknown-plan",
        ),
        pytest.param(
            ["step", "done", PLAN, "S01", "--on", "2025-13-01"],
            "on '2025-13-01': expected a real date such as 2026-03-31",
            id="month-13",
        ),
        pytest.param(
            ["step", "start", PLAN, "S01", "--on", "le 6 janvier"],
            "on 'le 6 janvier': expected a real date such as 2026-03-31",
            id="date-in-words",
        ),
    ],
)
def test_progress_refuses_bad_keys_and_dates(
    example: CliRunner, command: list[str], expected: str
) -> None:
    assert refused(example, command).startswith(expected)


@pytest.mark.parametrize("day", ["2030-01-01", "2024-06-30"])
def test_a_step_cannot_be_done_outside_the_plan_period(example: CliRunner, day: str) -> None:
    message = refused(example, ["step", "done", PLAN, "S01", "--on", day])
    assert day in message
    assert "outside the plan period 2025-01-01..2025-12-31" in message


def test_an_empty_on_date_is_refused(example: CliRunner) -> None:
    message = refused(example, ["step", "done", PLAN, "S01", "--on", ""])
    assert message.startswith("on ''")


def test_progress_without_on_uses_today_in_the_plan_time_zone(example: CliRunner) -> None:
    with freeze_time("2025-03-12 10:00:00"):
        result = ok(example, ["step", "done", PLAN, "S01"])
    assert "step S01 done on 2025-03-12" in result.stdout
    # 23:30 UTC on 12 March is already 13 March in Paris.
    with freeze_time("2025-03-12 23:30:00"):
        ok(example, ["step", "start", PLAN, "S02"])
    assert step_json(example, "S02")["started_on"] == "2025-03-13"


def test_progress_is_recorded_with_its_actor(example: CliRunner) -> None:
    run_all(
        example,
        [
            ["--actor", "cd", "step", "done", PLAN, "S01", "--on", "2025-01-28"],
            ["--actor", "cd", "step", "done", PLAN, "S02", "--on", "2025-02-11"],
        ],
    )
    log = ok_json(
        example, ["store", "log", "--stream", PLAN, "--after", str(WORKED_EXAMPLE_EVENTS)]
    )
    assert [(e["type"], e["metadata"]["actor"]) for e in log] == [
        ("StepCompleted", "cd"),
        ("StepCompleted", "cd"),
    ]
