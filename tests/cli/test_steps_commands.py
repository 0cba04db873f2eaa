"""`pacflow step add|edit|move|assign`: steps, their schedules, and what is refused."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.cli.plan_fixtures import (
    PLAN,
    build_example,
    event_count,
    ok,
    ok_json,
    plan_json,
    refused,
    step_json,
    usage_error,
)


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    build_example(runner)
    return runner


def _s03(*schedule: str) -> list[str]:
    """`step add S03` (the worked example's next T1-INFO step) with a schedule."""
    return [
        "step", "add", PLAN, "S03", "--track", "T1-INFO",
        "--title", "Recenser les projets SI 2025-2026 et leurs budgets",
        "--responsible", "cd", *schedule,
    ]  # fmt: skip


# --- step add ------------------------------------------------------------------------------


def test_step_add_with_a_due_date(example: CliRunner) -> None:
    result = ok(example, [*_s03("--due", "2025-03-14"), "--participant", "jm"])
    assert result.stdout.splitlines() == [
        "PAC-2025: recorded 1 change",
        "  step S03 added to T1-INFO: Recenser les projets SI 2025-2026 et leurs budgets, "
        "responsible cd, due 2025-03-14",
    ]
    step = step_json(example, "S03")
    assert (step["order"], step["status"], step["predecessor"], step["parallel"]) == (
        3,
        "planned",
        None,
        False,
    )
    assert step["schedule"] == {"kind": "due", "due": "2025-03-14"}
    assert step["participants"] == ["jm"]


def test_step_add_json_shape(example: CliRunner) -> None:
    outcome = ok_json(
        example,
        _s03("--due", "2025-03-14", "--start", "2025-02-17", "--budget", "1500", "--days", "4.5"),
    )
    assert set(outcome) == {"plan", "dry_run", "version", "events", "warnings"}
    [event] = outcome["events"]
    assert set(event) == {"type", "summary", "data", "position"}
    assert event["type"] == "StepAdded"
    assert event["data"]["schedule"] == {"kind": "due", "due": "2025-03-14", "start": "2025-02-17"}
    assert (event["data"]["budget"], event["data"]["days"]) == ("1500", "4.5")
    assert event["position"] == outcome["version"]


def test_step_move_with_a_new_due_date_keeps_the_start_date(example: CliRunner) -> None:
    ok(example, _s03("--due", "2025-03-14", "--start", "2025-02-17"))
    ok(example, ["step", "move", PLAN, "S03", "--due", "2025-04-30"])
    assert step_json(example, "S03")["schedule"] == {
        "kind": "due",
        "due": "2025-04-30",
        "start": "2025-02-17",
    }
    ok(example, ["step", "move", PLAN, "S03", "--due", "2025-05-30", "--start", "2025-05-02"])
    assert step_json(example, "S03")["schedule"]["start"] == "2025-05-02"
    early = refused(example, ["step", "move", PLAN, "S03", "--due", "2025-04-15"])
    assert early == "step S03: start date 2025-05-02 is after its due date 2025-04-15"


def test_step_add_dry_run_records_nothing(example: CliRunner) -> None:
    before = event_count(example)
    result = ok(example, [*_s03("--due", "2025-03-14"), "--dry-run"])
    assert result.stdout.startswith("PAC-2025: would record 1 change\n")
    assert event_count(example) == before
    assert refused(example, ["step", "done", PLAN, "S03", "--on", "2025-03-14"]) == (
        "step S03: unknown step in plan PAC-2025"
    )


def test_step_add_with_sessions(example: CliRunner) -> None:
    outcome = ok_json(
        example,
        [
            "step", "add", PLAN, "S11", "--track", "T1-ELEV",
            "--title", "Comité de pilotage trimestriel du contrat BRC", "--responsible", "cd",
            "--session", "2025-03-27T14:00", "--session", "2025-06-26T14:00",
            "--duration", "PT2H", "--parallel",
        ],
    )  # fmt: skip
    added, scheduled = outcome["events"]
    assert added["summary"].endswith("2 sessions from 2025-03-27 14:00")
    assert scheduled["type"] == "OccurrencesScheduled"
    assert [o["key"] for o in scheduled["data"]["occurrences"]] == [
        "S11@2025-03-27",
        "S11@2025-06-26",
    ]
    assert scheduled["data"]["occurrences"][0]["duration"] == "PT2H"


def test_step_add_with_a_cadence_and_exceptions(example: CliRunner) -> None:
    result = ok(
        example,
        [
            "step", "add", PLAN, "S34", "--track", "T1-ELEV",
            "--title", "Rendez-vous amont", "--responsible", "kb",
            "--cadence", "3 per month", "--except", "2025-08=1", "--parallel",
        ],
    )  # fmt: skip
    assert "3 per month (but 2025-08: 1)" in result.stdout
    assert "S34: 34 occurrence(s) scheduled" in result.stdout
    occurrences = step_json(example, "S34")["occurrences"]
    assert len([o for o in occurrences if o["start"].startswith("2025-08")]) == 1
    assert all(o["all_day"] for o in occurrences)


def test_step_add_the_worked_example_visit_series(example: CliRunner) -> None:
    step = step_json(example, "S08")
    assert step["location"] == "BRC, siège"
    assert step["schedule"] == {
        "kind": "recurrence",
        "rules": [
            {"dtstart": "2025-01-14T10:00:00", "rrule": "FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=24"}
        ],
        "duration": "PT1H30M",
    }
    assert len(step["occurrences"]) == 24


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        pytest.param(
            ("--due", "2026-01-15"),
            "due date 2026-01-15 of step S03 is outside the plan period 2025-01-01..2025-12-31",
            id="due-after-the-period",
        ),
        pytest.param(
            ("--due", "2024-12-20"),
            "due date 2024-12-20 of step S03 is outside the plan period 2025-01-01..2025-12-31",
            id="due-before-the-period",
        ),
        pytest.param(
            ("--due", "2025-03-14", "--start", "2025-04-01"),
            "step S03: start date 2025-04-01 is after its due date 2025-03-14",
            id="start-after-due",
        ),
        pytest.param(
            ("--session", "2026-02-03T10:00"),
            "session 2026-02-03T10:00 of step S03 is outside the plan period "
            "2025-01-01..2025-12-31",
            id="session-outside-the-period",
        ),
        pytest.param(
            ("--due", "2025-13-01"),
            "schedule.due '2025-13-01': expected a real date such as 2026-03-31",
            id="bad-date",
        ),
        pytest.param(
            ("--session", "2025-03-11T25:00"),
            "schedule.sessions[0].start '2025-03-11T25:00': expected a local date (2025-03-11) "
            "or date-time (2025-03-11T14:00)",
            id="bad-date-time",
        ),
        pytest.param(
            ("--session", "2025-10-26T02:30"),
            "schedule.sessions[0].start '2025-10-26T02:30': happens twice in Europe/Paris (the "
            "clocks go back that day); say which: 2025-10-26T02:30+02:00 or 2025-10-26T02:30~1",
            id="repeated-hour-without-saying-which",
        ),
        pytest.param(
            ("--session", "2025-03-30T02:30"),
            "schedule.sessions[0].start '2025-03-30T02:30': does not exist in Europe/Paris (the "
            "clocks go from 02:00 to 03:00 that day); the nearest valid times are "
            "2025-03-30T01:59 and 2025-03-30T03:00",
            id="skipped-by-daylight-saving",
        ),
        pytest.param(
            ("--session", "2025-03-11T10:00", "--duration", "90min"),
            "schedule.sessions[0].duration '90min': expected an ISO 8601 duration such as "
            "PT1H30M or P1D, "
            "longer than zero",
            id="bad-duration",
        ),
        pytest.param(
            ("--due", "2025-03-14", "--session", "2025-03-11T10:00"),
            "give one kind of schedule, not --due and --session",
            id="two-kinds-of-schedule",
        ),
        pytest.param(
            ("--rrule", "FREQ=MONTHLY;BYDAY=2TU", "--cadence", "2 per month"),
            "give one kind of schedule, not --rrule and --cadence",
            id="rrule-and-cadence",
        ),
        pytest.param(
            ("--rrule", "FREQ=MONTHLY;BYDAY=2TU"),
            "--rrule needs --dtstart (the first occurrence, local time)",
            id="rrule-without-dtstart",
        ),
        pytest.param(
            (),
            "schedule: give --due DATE, --session DATETIME, --rrule RULE --dtstart DATETIME, "
            "or --cadence 'N per month'",
            id="no-schedule",
        ),
        pytest.param(
            ("--rrule", "FREQ=SOMETIMES", "--dtstart", "2025-03-11T10:00"),
            "step S03: bad RRULE 'FREQ=SOMETIMES': FREQ must be one of DAILY, WEEKLY, MONTHLY, "
            "YEARLY",
            id="bad-rrule-freq",
        ),
        pytest.param(
            ("--rrule", "every second tuesday", "--dtstart", "2025-03-11T10:00"),
            "step S03: bad RRULE 'every second tuesday': 'every second tuesday' is not NAME=VALUE",
            id="rrule-in-words",
        ),
        pytest.param(
            ("--rrule", "FREQ=MONTHLY;BYDAY=2XX", "--dtstart", "2025-03-11T10:00"),
            "step S03: bad RRULE 'FREQ=MONTHLY;BYDAY=2XX': ",
            id="bad-rrule-byday",
        ),
        pytest.param(
            ("--rrule", "FREQ=MONTHLY;BYDAY=2TU", "--dtstart", "2025-03-12T10:00"),
            "step S03: bad RRULE 'FREQ=MONTHLY;BYDAY=2TU': DTSTART 2025-03-12T10:00 is not one "
            "of its occurrences (the first is 2025-04-08T10:00); start the rule on an occurrence",
            id="dtstart-off-the-rule",
        ),
        pytest.param(
            ("--rrule", "FREQ=MONTHLY;BYDAY=2TU;COUNT=24", "--dtstart", "2025-03-11T10:00"),
            "step S03: bad RRULE 'FREQ=MONTHLY;BYDAY=2TU;COUNT=24': it runs past the plan "
            "period 2025-01-01..2025-12-31",
            id="rrule-past-the-period",
        ),
        pytest.param(
            ("--cadence", "2 per fortnight"),
            "schedule.per 'fortnight': expected one of week, month, quarter",
            id="bad-cadence-period",
        ),
        pytest.param(
            ("--cadence", "-2 per month"),
            "--cadence '-2 per month': expected 'N per month', 'N per week' or 'N per quarter'",
            id="negative-cadence",
        ),
        pytest.param(
            ("--cadence", "2 per month", "--except", "2025-08=-1"),
            "schedule.exceptions.2025-08 '-1': must not be negative",
            id="negative-exception",
        ),
        pytest.param(
            ("--cadence", "2 per month", "--except", "2026-08=0"),
            "step S03: exception 2026-08 is outside the periods of the cadence (2025-01..2025-12)",
            id="exception-outside-the-period",
        ),
        pytest.param(
            ("--cadence", "30 per month"),
            "step S03: 30 per month is more than the 23 weekdays of 2025-01",
            id="cadence-too-dense",
        ),
    ],
)
def test_step_add_refuses_a_bad_schedule(
    example: CliRunner, schedule: tuple[str, ...], expected: str
) -> None:
    assert refused(example, _s03(*schedule)).startswith(expected)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param(("--dtstart", "2025-03-03T10:00"), "--dtstart", id="dtstart-without-rrule"),
        pytest.param(("--except", "2025-08=0"), "--except", id="except-without-cadence"),
    ],
)
def test_step_add_refuses_schedule_options_it_would_ignore(
    example: CliRunner, extra: tuple[str, ...], expected: str
) -> None:
    """An option that belongs to another kind of schedule is a mistake, not a no-op."""
    message = refused(example, _s03("--due", "2025-03-14", *extra))
    assert expected in message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            [
                "step",
                "add",
                PLAN,
                "S01",
                "--track",
                "T1-INFO",
                "--title",
                "Encore",
                "--responsible",
                "cd",
                "--due",
                "2025-03-14",
            ],
            "step S01: the key is already used by step S01 in plan PAC-2025",
            id="duplicate",
        ),  # fmt: skip
        pytest.param(
            [
                "step",
                "add",
                PLAN,
                "s08",
                "--track",
                "T1-INFO",
                "--title",
                "Encore",
                "--responsible",
                "cd",
                "--due",
                "2025-03-14",
            ],
            "step s08: the key is already used by step S08 in plan PAC-2025",
            id="duplicate-other-case",
        ),  # fmt: skip
        pytest.param(
            [
                "step",
                "add",
                PLAN,
                "T1",
                "--track",
                "T1-INFO",
                "--title",
                "Encore",
                "--responsible",
                "cd",
                "--due",
                "2025-03-14",
            ],
            "step T1: the key is already used by target T1 in plan PAC-2025",
            id="key-of-a-target",
        ),  # fmt: skip
        pytest.param(
            [
                "step",
                "add",
                PLAN,
                "S03",
                "--track",
                "T9-INFO",
                "--title",
                "x",
                "--responsible",
                "cd",
                "--due",
                "2025-03-14",
            ],
            "track T9-INFO: unknown track in plan PAC-2025",
            id="unknown-track",
        ),  # fmt: skip
        pytest.param(
            [
                "step",
                "add",
                PLAN,
                "S03",
                "--track",
                "T1-INFO",
                "--title",
                "x",
                "--responsible",
                "zz",
                "--due",
                "2025-03-14",
            ],
            "responsible zz of step S03: unknown person in plan PAC-2025",
            id="unknown-responsible",
        ),  # fmt: skip
        pytest.param(
            [*_s03("--due", "2025-03-14"), "--participant", "zz"],
            "participant zz of step S03: unknown person in plan PAC-2025",
            id="unknown-participant",
        ),
        pytest.param(
            [*_s03("--due", "2025-03-14"), "--participant", "jm", "--participant", "jm"],
            "participant jm of step S03: listed twice",
            id="participant-twice",
        ),
        pytest.param(
            [*_s03("--due", "2025-03-14"), "--indicator", "I9"],
            "indicator I9 of step S03: unknown indicator in plan PAC-2025",
            id="unknown-indicator",
        ),
        pytest.param(
            [*_s03("--due", "2025-03-14"), "--after", "S99"],
            "predecessor S99 of step S03: unknown step in plan PAC-2025",
            id="unknown-predecessor",
        ),
        pytest.param(
            [*_s03("--due", "2025-03-14"), "--after", "S01", "--parallel"],
            "step S03: a parallel step has no predecessor; give one or the other",
            id="after-and-parallel",
        ),
        pytest.param(
            [*_s03("--due", "2025-03-14"), "--order", "2"],
            "step S03: order 2 of track T1-INFO is already taken by step S02",
            id="order-taken",
        ),
        pytest.param(
            [*_s03("--due", "2025-03-14"), "--order", "0"],
            "order 0: must be at least 1",
            id="order-zero",
        ),
        pytest.param(
            [*_s03("--due", "2025-03-14"), "--budget", "-1500"],
            "budget '-1500': must not be negative",
            id="negative-budget",
        ),
        pytest.param(
            [*_s03("--due", "2025-03-14"), "--days", "-2"],
            "days '-2': must not be negative",
            id="negative-days",
        ),
        pytest.param(
            [
                "step",
                "add",
                "PAC-1999",
                "S03",
                "--track",
                "T1-INFO",
                "--title",
                "x",
                "--responsible",
                "cd",
                "--due",
                "2025-03-14",
            ],
            "plan PAC-1999: no such plan",
            id="unknown-plan",
        ),  # fmt: skip
    ],
)
def test_step_add_refuses_bad_keys_and_values(
    example: CliRunner, args: list[str], expected: str
) -> None:
    assert refused(example, args) == expected


def test_step_add_refuses_a_responsible_who_left(example: CliRunner) -> None:
    ok(example, ["person", "leave", PLAN, "jm", "--on", "2025-06-30"])
    message = refused(example, [*_s03("--due", "2025-03-14"), "--participant", "jm"])
    assert message == (
        "participant jm of step S03: Julien Moreau left the team on 2025-06-30; expected "
        "someone still in the team"
    )


def test_step_add_with_a_non_integer_order_is_a_usage_error(example: CliRunner) -> None:
    error = usage_error(example, [*_s03("--due", "2025-03-14"), "--order", "third"])
    assert error.startswith("Error: Invalid value for '--order'")


def test_a_huge_duration_is_refused_in_one_line(example: CliRunner) -> None:
    message = refused(
        example, _s03("--session", "2025-03-11T10:00", "--duration", "P999999999999D")
    )
    assert "duration 'P999999999999D': expected an ISO 8601 duration" in message


# --- step edit -----------------------------------------------------------------------------


def test_step_edit_changes_only_what_is_given(example: CliRunner) -> None:
    result = ok(example, ["step", "edit", PLAN, "S02", "--means", "RDV sur site (3 h)"])
    assert result.stdout.splitlines()[1] == (
        "  step S02 means “RDV sur site (2 h)” → “RDV sur site (3 h)”"
    )
    step = step_json(example, "S02")
    assert step["means"] == "RDV sur site (3 h)"
    assert step["participants"] == ["hg"]
    assert step["schedule"] == {"kind": "due", "due": "2025-02-14"}


def test_step_edit_json_dry_run_and_no_op(example: CliRunner) -> None:
    before = event_count(example)
    outcome = ok_json(example, ["step", "edit", PLAN, "S02", "--parallel", "--dry-run"])
    assert outcome["events"][0]["type"] == "StepEdited"
    assert outcome["events"][0]["data"]["parallel"] is True
    assert event_count(example) == before
    same = ok(example, ["step", "edit", PLAN, "S02", "--title", step_json(example, "S02")["title"]])
    assert same.stdout == "PAC-2025: nothing to change\n"
    assert event_count(example) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ["step", "edit", PLAN, "S99", "--title", "x"],
            "step S99: unknown step in plan PAC-2025",
            id="unknown-step",
        ),
        pytest.param(
            ["step", "edit", PLAN, "S01", "--after", "S02"],
            "step S01: steps would wait for each other in a circle (S01 -> S02 -> S01); mark "
            "one of them parallel",
            id="circle",
        ),
        pytest.param(
            ["step", "edit", PLAN, "S01", "--after", "S01"],
            "step S01: a step cannot be its own predecessor",
            id="own-predecessor",
        ),
        pytest.param(
            ["step", "edit", PLAN, "S02", "--indicator", "I9"],
            "indicator I9 of step S02: unknown indicator in plan PAC-2025",
            id="unknown-indicator",
        ),
        pytest.param(
            ["step", "edit", PLAN, "S02", "--budget", "-1"],
            "budget '-1': must not be negative",
            id="negative-budget",
        ),
    ],
)
def test_step_edit_refuses_bad_input(example: CliRunner, args: list[str], expected: str) -> None:
    assert refused(example, args) == expected


# --- step move -----------------------------------------------------------------------------


def test_step_move_a_due_date(example: CliRunner) -> None:
    result = ok(example, ["step", "move", PLAN, "S02", "--due", "2025-02-28"])
    assert "step S02 rescheduled: due 2025-02-28" in result.stdout
    assert step_json(example, "S02")["schedule"]["due"] == "2025-02-28"


def test_step_move_keeps_visits_already_held(example: CliRunner) -> None:
    ok(example, ["visit", "done", PLAN, "S08@2025-01-28", "--on", "2025-01-28"])
    outcome = ok_json(
        example,
        [
            "step", "move", PLAN, "S08", "--rrule", "FREQ=MONTHLY;BYDAY=2TU;COUNT=12",
            "--dtstart", "2025-01-14T10:00", "--duration", "PT1H30M",
        ],
    )  # fmt: skip
    moved, unscheduled = outcome["events"]
    assert moved["type"] == "StepMoved"
    assert unscheduled["type"] == "OccurrencesUnscheduled"
    assert "S08@2025-01-28" not in unscheduled["data"]["occurrences"]
    assert len(unscheduled["data"]["occurrences"]) == 11
    keys = [o["key"] for o in step_json(example, "S08")["occurrences"]]
    assert len(keys) == 13
    assert "S08@2025-01-28" in keys


def test_step_move_dry_run_records_nothing(example: CliRunner) -> None:
    before = event_count(example)
    result = ok(example, ["step", "move", PLAN, "S02", "--due", "2025-02-28", "--dry-run"])
    assert "would record 1 change" in result.stdout
    assert event_count(example) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ["step", "move", PLAN, "S02", "--due", "2026-02-28"],
            "due date 2026-02-28 of step S02 is outside the plan period 2025-01-01..2025-12-31",
            id="outside-the-period",
        ),
        pytest.param(
            ["step", "move", PLAN, "S02"],
            "schedule: give --due DATE, --session DATETIME, --rrule RULE --dtstart DATETIME, "
            "or --cadence 'N per month'",
            id="no-schedule",
        ),
        pytest.param(
            ["step", "move", PLAN, "S99", "--due", "2025-02-28"],
            "step S99: unknown step in plan PAC-2025",
            id="unknown-step",
        ),
    ],
)
def test_step_move_refuses_bad_input(example: CliRunner, args: list[str], expected: str) -> None:
    assert refused(example, args) == expected


def test_a_done_step_cannot_be_moved(example: CliRunner) -> None:
    ok(example, ["step", "done", PLAN, "S01", "--on", "2025-01-28"])
    message = refused(example, ["step", "move", PLAN, "S01", "--due", "2025-02-28"])
    assert message == "step S01 is done; it cannot be rescheduled"


# --- step assign ---------------------------------------------------------------------------


def test_step_assign_gives_a_new_responsible_and_participants(example: CliRunner) -> None:
    result = ok(
        example, ["step", "assign", PLAN, "S02", "--responsible", "kb", "--participant", "cd"]
    )
    assert "step S02 assigned to kb (participants cd)" in result.stdout
    step = step_json(example, "S02")
    assert (step["responsible"], step["participants"]) == ("kb", ["cd"])
    outcome = ok_json(example, ["step", "assign", PLAN, "S02", "--responsible", "cd", "--dry-run"])
    assert outcome["events"][0]["data"] == {
        "step": "S02",
        "responsible": "cd",
        "participants": ["cd"],
    }
    assert step_json(example, "S02")["responsible"] == "kb"


def test_step_assign_to_someone_who_left_is_refused(example: CliRunner) -> None:
    ok(example, ["person", "leave", PLAN, "kb", "--on", "2025-06-30"])
    message = refused(example, ["step", "assign", PLAN, "S02", "--responsible", "kb"])
    assert message == (
        "responsible kb of step S02: Karim Benali left the team on 2025-06-30; expected "
        "someone still in the team"
    )
    assert step_json(example, "S02")["responsible"] == "cd"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ["step", "assign", PLAN, "S02", "--responsible", "zz"],
            "responsible zz of step S02: unknown person in plan PAC-2025",
            id="unknown-person",
        ),
        pytest.param(
            ["step", "assign", PLAN, "S02", "--responsible", "kb", "--participant", "zz"],
            "participant zz of step S02: unknown person in plan PAC-2025",
            id="unknown-participant",
        ),
        pytest.param(
            ["step", "assign", PLAN, "S99", "--responsible", "kb"],
            "step S99: unknown step in plan PAC-2025",
            id="unknown-step",
        ),
    ],
)
def test_step_assign_refuses_unknown_keys(
    example: CliRunner, args: list[str], expected: str
) -> None:
    assert refused(example, args) == expected


def test_step_assign_needs_to(example: CliRunner) -> None:
    assert (
        usage_error(example, ["step", "assign", PLAN, "S02"])
        == "Error: Missing option '--responsible'."
    )


def test_plan_show_reflects_step_changes(example: CliRunner) -> None:
    ok(example, ["step", "assign", PLAN, "S02", "--responsible", "kb"])
    tracks = {t["key"]: t for t in plan_json(example)["tracks"]}
    assert [s["responsible"] for s in tracks["T1-INFO"]["steps"]] == ["cd", "kb"]
