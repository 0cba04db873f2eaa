"""`pacflow plan create|list|show`, as a user runs them: text, --json, --dry-run, bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.cli.plan_fixtures import (
    CREATE,
    PLAN,
    S08_DATES,
    WORKED_EXAMPLE_EVENTS,
    build_example,
    event_count,
    exit_code_for,
    invoke,
    ok,
    ok_json,
    plan_json,
    refused,
    run_all,
    usage_error,
)

EVENT_KEYS = {"type", "summary", "data", "position"}
OUTCOME_KEYS = {"plan", "dry_run", "version", "events", "warnings"}


def _create(*changes: str, key: str = PLAN) -> list[str]:
    """`plan create KEY` with some options replaced: `_create("--start", "2025-13-01")`."""
    args = list(CREATE)
    args[args.index(PLAN)] = key
    for option, value in zip(changes[::2], changes[1::2], strict=True):
        args[args.index(option) + 1] = value
    return args


PAC_2026 = _create(
    "--title", "PAC 2026", "--start", "2026-01-01", "--end", "2026-12-31", key="PAC-2026"
)


# --- plan create ---------------------------------------------------------------------------


def test_create_records_a_draft_plan_and_says_so(runner: CliRunner, db_url: str) -> None:
    result = ok(runner, CREATE)
    assert result.stdout.splitlines() == [
        "PAC-2025: recorded 1 change",
        "  plan PAC-2025 created: Plan d'action commerciale 2025 "
        "(2025-01-01 → 2025-12-31, Europe/Paris)",
    ]
    assert result.stderr == ""
    assert event_count(runner) == 1
    assert plan_json(runner)["status"] == "draft"


def test_create_json_gives_plan_version_events_and_warnings(runner: CliRunner, db_url: str) -> None:
    outcome = ok_json(runner, [*CREATE, "--scope", "Numéria Services"])
    assert set(outcome) == OUTCOME_KEYS
    assert outcome["plan"] == PLAN
    assert outcome["dry_run"] is False
    assert outcome["version"] == 1
    assert outcome["warnings"] == []
    [event] = outcome["events"]
    assert set(event) == EVENT_KEYS
    assert event["type"] == "PlanCreated"
    assert event["position"] == 1
    assert event["summary"].startswith("plan PAC-2025 created")
    assert event["data"] == {
        "key": PLAN,
        "title": "Plan d'action commerciale 2025",
        "start": "2025-01-01",
        "end": "2025-12-31",
        "timezone": "Europe/Paris",
        "owner": "hg",
        "scope": "Numéria Services",
        "max_targets_per_rep": 2,
        "max_targets_total": 6,
    }


def test_create_dry_run_records_nothing(runner: CliRunner, db_url: str) -> None:
    text = ok(runner, [*CREATE, "--dry-run"])
    outcome = ok_json(runner, [*CREATE, "--dry-run"])
    assert text.stdout.startswith("PAC-2025: would record 1 change\n")
    assert outcome["dry_run"] is True
    assert outcome["events"][0]["type"] == "PlanCreated"
    assert outcome["events"][0]["position"] is None
    assert event_count(runner) == 0
    assert ok_json(runner, ["plan", "list"]) == []


def test_the_actor_and_reason_are_recorded(runner: CliRunner, db_url: str) -> None:
    ok(runner, ["--actor", "cd", *CREATE, "--reason", "kick-off of the 2025 PAC"])
    [event] = json.loads(ok(runner, ["store", "log", "--json"]).stdout)
    assert event["type"] == "PlanCreated"
    assert event["metadata"]["actor"] == "cd"
    assert event["metadata"]["reason"] == "kick-off of the 2025 PAC"


def test_create_refuses_an_existing_plan(runner: CliRunner, db_url: str) -> None:
    ok(runner, CREATE)
    assert refused(runner, CREATE) == "plan PAC-2025 already exists"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(_create("--start", "2025-13-01"), "--start '2025-13-01': ", id="month-13"),
        pytest.param(_create("--end", "31/12/2025"), "--end '31/12/2025': ", id="french-date"),
        pytest.param(
            _create("--timezone", "Europe/Lutece"),
            "--timezone 'Europe/Lutece': expected an IANA time zone name such as Europe/Paris",
            id="unknown-timezone",
        ),
        pytest.param(
            _create("--start", "2025-12-31", "--end", "2025-01-01"),
            "plan PAC-2025: period start 2025-12-31 is after its end 2025-01-01",
            id="end-before-start",
        ),
        pytest.param(
            _create(key="PAC 2025"),
            "plan 'PAC 2025': expected 1-40 letters, digits, '-', '_' or '.', starting with a "
            "letter or a digit",
            id="bad-key",
        ),
        pytest.param(_create("--title", "  "), "--title '  ': must not be empty", id="blank-title"),
    ],
)
def test_create_refuses_bad_input_in_one_line(
    runner: CliRunner, db_url: str, args: list[str], expected: str
) -> None:
    message = refused(runner, args, exit_code_for(expected))
    assert message.startswith(expected)
    assert event_count(runner) == 0


def test_a_bad_date_names_the_field_and_the_problem(runner: CliRunner, db_url: str) -> None:
    message = refused(runner, _create("--start", "2025-13-01"), 2)
    assert message.startswith("--start '2025-13-01': ")
    assert "month" in message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ["plan", "create", PLAN, "--start", "2025-01-01"],
            "Error: Missing option '--title'.",
            id="missing-option",
        ),
        pytest.param([*CREATE, "--colour", "blue"], "Error: No such option", id="unknown"),
        pytest.param(["plan", "create"], "Error: Missing argument 'PLAN'.", id="no-plan"),
        pytest.param(["plan", "shwo", PLAN], "Error: No such command 'shwo'.", id="typo"),
    ],
)
def test_click_usage_errors_exit_2(
    runner: CliRunner, db_url: str, args: list[str], expected: str
) -> None:
    assert usage_error(runner, args).startswith(expected)


# --- plan list -----------------------------------------------------------------------------


def test_list_on_an_empty_store_gives_a_hint(runner: CliRunner, db_url: str) -> None:
    ok(runner, ["init"])
    result = ok(runner, ["plan", "list"])
    assert result.stdout == "no plans yet: try `pacflow demo` or `pacflow plan create --help`\n"
    assert ok_json(runner, ["plan", "list"]) == []


def test_list_shows_each_plan_with_status_revision_and_period(
    runner: CliRunner, db_url: str
) -> None:
    run_all(
        runner,
        [
            CREATE,
            PAC_2026,
            ["plan", "approve", PLAN],
        ],
    )
    lines = ok(runner, ["plan", "list"]).stdout.splitlines()
    assert lines[0].split() == ["plan", "status", "rev", "period", "title"]
    assert lines[2].split() == [
        "PAC-2025", "approved", "1", "2025-01-01", "→", "2025-12-31",
        "Plan", "d'action", "commerciale", "2025",
    ]  # fmt: skip
    assert lines[3].split()[:3] == ["PAC-2026", "draft", "1"]
    assert ok_json(runner, ["plan", "list"]) == [
        {
            "key": PLAN,
            "title": "Plan d'action commerciale 2025",
            "status": "approved",
            "revision": 1,
            "start": "2025-01-01",
            "end": "2025-12-31",
            "owner": "hg",
        },
        {
            "key": "PAC-2026",
            "title": "PAC 2026",
            "status": "draft",
            "revision": 1,
            "start": "2026-01-01",
            "end": "2026-12-31",
            "owner": "hg",
        },
    ]


# --- plan show -----------------------------------------------------------------------------


def test_show_prints_the_plan_target_by_target(runner: CliRunner, db_url: str) -> None:
    build_example(runner, ["person", "leave", PLAN, "kb", "--on", "2025-09-30"])
    lines = ok(runner, ["plan", "show", PLAN]).stdout.splitlines()
    assert lines[0] == "PAC-2025 — Plan d'action commerciale 2025   [draft, revision 1]"
    assert lines[1] == "2025-01-01 → 2025-12-31 · Europe/Paris · owner hg"
    assert "Team: hg (manager), cd (rep), kb (rep, left 2025-09-30), jm (back_office)" in lines
    assert "T1  Banque Régionale du Centre (customer, cd)" in lines
    assert (
        "  objective main: 600 kEUR by 2025-12-31 — Porter les prises de commandes BRC de "
        "180 kEUR (2024) à 600 kEUR en 2025"
    ) in lines
    assert "  T1-INFO  information — Connaître BRC (organisation, projets, concurrents)" in lines
    assert "  T1-ELEV  sales, farming — Développer BRC en client partenaire" in lines
    s01 = next(line for line in lines if line.startswith("    S01"))
    # Judged on today, after 2025: S01 is late, S08's visits were never marked held.
    assert s01.split()[:3] == ["S01", "late", "cd"]
    assert s01.endswith("— due 2025-01-31")
    s08 = next(line for line in lines if line.startswith("    S08"))
    assert "recurring FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=24 from 2025-01-14 10:00" in s08
    assert s08.endswith("(24 overdue)")
    assert "Indicators" in lines
    assert any(line.startswith("  I2   Visites chez BRC (activity, count") for line in lines)


def test_show_json_holds_targets_objectives_tracks_steps_and_occurrences(
    runner: CliRunner, db_url: str
) -> None:
    build_example(runner, ["step", "done", PLAN, "S01", "--on", "2025-01-28"])
    plan = plan_json(runner)
    assert plan["key"] == PLAN
    assert plan["period"] == {"start": "2025-01-01", "end": "2025-12-31"}
    assert plan["timezone"] == "Europe/Paris"
    assert (plan["status"], plan["revision"], plan["version"]) == (
        "draft",
        1,
        WORKED_EXAMPLE_EVENTS + 1,
    )
    assert [p["key"] for p in plan["people"]] == ["hg", "cd", "kb", "jm"]
    [target] = plan["targets"]
    assert (target["key"], target["kind"], target["ref"], target["responsible"]) == (
        "T1",
        "customer",
        "ACC-BRC",
        "cd",
    )
    assert target["objectives"] == [
        {
            "key": "main",
            "statement": "Porter les prises de commandes BRC de 180 kEUR (2024) à 600 kEUR en 2025",
            "indicator": "I1",
            "baseline": "180",
            "value": "600",
            "unit": "kEUR",
            "due": "2025-12-31",
        }
    ]
    tracks = {t["key"]: t for t in plan["tracks"]}
    assert tracks["T1-ELEV"]["domain"] == "sales"
    assert tracks["T1-ELEV"]["approach"] == "farming"
    assert [s["key"] for s in tracks["T1-INFO"]["steps"]] == ["S01", "S02"]
    s01, s02 = tracks["T1-INFO"]["steps"]
    assert (s01["status"], s01["done_on"], s01["participants"]) == ("done", "2025-01-28", ["jm"])
    assert s01["schedule"] == {"kind": "due", "due": "2025-01-31"}
    assert s01["occurrences"] == []
    assert s02["status"] == "planned"
    [s08] = tracks["T1-ELEV"]["steps"]
    assert s08["indicators"] == ["I2"]
    assert s08["schedule"]["rules"] == [
        {"dtstart": "2025-01-14T10:00:00", "rrule": "FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=24"}
    ]
    assert [o["key"] for o in s08["occurrences"]] == [f"S08@{day}" for day in S08_DATES]
    assert {o["status"] for o in s08["occurrences"]} == {"planned"}
    assert s08["occurrences"][0]["start"] == "2025-01-14T10:00:00"
    indicators = {i["key"]: i for i in plan["indicators"]}
    assert indicators["I2"]["targets"] == {f"2025-{m:02}": "2" for m in range(1, 13)}
    assert indicators["I1"]["aggregation"] == "cumulative_ytd"


def test_show_refuses_an_unknown_plan(runner: CliRunner, db_url: str) -> None:
    ok(runner, ["init"])
    message = refused(runner, ["plan", "show", "PAC-1999"])
    assert message == "plan PAC-1999: no such plan (see `pacflow plan list`, or create it)"
    assert refused(runner, ["plan", "show", "PAC-1999", "--json"]).startswith("plan PAC-1999")


def test_an_error_in_json_mode_prints_no_json(runner: CliRunner, db_url: str) -> None:
    ok(runner, CREATE)
    result = invoke(runner, [*CREATE, "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: plan PAC-2025 already exists\n"
