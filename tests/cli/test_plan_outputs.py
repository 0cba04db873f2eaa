"""Every command that changes a plan: the same --json outcome, and --dry-run records nothing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.cli.plan_fixtures import PLAN, build_example, event_count, ok, ok_json, run_all

APPROVE = ["plan", "approve", PLAN]
PUBLISH = ["plan", "publish", PLAN]

# (setup, command, the event types it records)
CHANGES = [
    pytest.param([], APPROVE, ["PlanApproved"], id="plan-approve"),
    pytest.param([APPROVE], PUBLISH, ["PlanPublished"], id="plan-publish"),
    pytest.param(
        [APPROVE, PUBLISH],
        ["plan", "revise", PLAN, "--reason", "BRC merger"],
        ["RevisionOpened"],
        id="plan-revise",
    ),
    pytest.param([], ["plan", "close", PLAN], ["PlanClosed"], id="plan-close"),
    pytest.param(
        [],
        ["person", "add", PLAN, "tl", "--name", "Thomas Leroy", "--kind", "rep"],
        ["PersonAdded"],
        id="person-add",
    ),
    pytest.param(
        [], ["person", "leave", PLAN, "kb", "--on", "2025-09-30"], ["PersonLeft"], id="person-leave"
    ),
    pytest.param(
        [],
        [
            "target",
            "add",
            PLAN,
            "T2",
            "--kind",
            "segment",
            "--title",
            "Banque & Assurance",
            "--responsible",
            "kb",
            "--ref",
            "SEG-BA",
        ],
        ["TargetAdded"],
        id="target-add",
    ),  # fmt: skip
    pytest.param(
        [],
        ["target", "drop", PLAN, "T1", "--on", "2025-01-10"],
        ["TargetDropped", "StepCancelled", "StepCancelled", "StepCancelled"],
        id="target-drop",
    ),
    pytest.param(
        [],
        [
            "objective",
            "set",
            PLAN,
            "T1",
            "--statement",
            "BRC orders to 400 kEUR",
            "--value",
            "400",
            "--unit",
            "kEUR",
            "--due",
            "2025-12-31",
        ],
        ["ObjectiveSet"],
        id="objective-set",
    ),  # fmt: skip
    pytest.param(
        [],
        [
            "track",
            "add",
            PLAN,
            "T1-DEV",
            "--target",
            "T1",
            "--domain",
            "internal",
            "--title",
            "Être référencé chez BRC",
        ],
        ["TrackAdded"],
        id="track-add",
    ),  # fmt: skip
    pytest.param(
        [],
        [
            "step",
            "add",
            PLAN,
            "S11",
            "--track",
            "T1-ELEV",
            "--title",
            "Comité de pilotage",
            "--responsible",
            "cd",
            "--session",
            "2025-03-27T14:00",
            "--duration",
            "PT2H",
        ],
        ["StepAdded", "OccurrencesScheduled"],
        id="step-add",
    ),  # fmt: skip
    pytest.param([], ["step", "edit", PLAN, "S02", "--days", "2"], ["StepEdited"], id="step-edit"),
    pytest.param(
        [],
        ["step", "start", PLAN, "S01", "--on", "2025-01-06"],
        ["StepStarted"],
        id="step-start",
    ),
    pytest.param(
        [], ["step", "done", PLAN, "S01", "--on", "2025-01-28"], ["StepCompleted"], id="step-done"
    ),
    pytest.param(
        [],
        ["step", "block", PLAN, "S01", "--on", "2025-01-10", "--reason", "CIO away"],
        ["StepBlocked"],
        id="step-block",
    ),
    pytest.param(
        [],
        ["step", "cancel", PLAN, "S02", "--on", "2025-01-10", "--reason", "CIO left"],
        ["StepCancelled"],
        id="step-cancel",
    ),
    pytest.param(
        [],
        [
            "step",
            "move",
            PLAN,
            "S08",
            "--rrule",
            "FREQ=MONTHLY;BYDAY=2TU;COUNT=12",
            "--dtstart",
            "2025-01-14T10:00",
            "--duration",
            "PT1H30M",
        ],
        ["StepMoved", "OccurrencesUnscheduled"],
        id="step-move",
    ),  # fmt: skip
    pytest.param(
        [],
        ["step", "assign", PLAN, "S02", "--responsible", "kb"],
        ["StepAssigned"],
        id="step-assign",
    ),
    pytest.param(
        [],
        ["visit", "done", PLAN, "S08@2025-03-11", "--on", "2025-03-11"],
        ["OccurrenceCompleted"],
        id="visit-done",
    ),
    pytest.param(
        [],
        ["visit", "cancel", PLAN, "S08@2025-03-11", "--reason", "strike"],
        ["OccurrenceCancelled"],
        id="visit-cancel",
    ),
    pytest.param(
        [],
        ["visit", "move", PLAN, "S08@2025-03-25", "--to", "2025-03-27T10:00"],
        ["OccurrenceMoved"],
        id="visit-move",
    ),
    pytest.param(
        [],
        [
            "indicator",
            "define",
            PLAN,
            "I8",
            "--name",
            "Rendez-vous de prospection",
            "--kind",
            "activity",
            "--unit",
            "count",
            "--owner",
            "kb",
        ],
        ["IndicatorDefined"],
        id="indicator-define",
    ),  # fmt: skip
    pytest.param(
        [],
        ["indicator", "set-targets", PLAN, "I2", "--from", "2025-07", "--values", "1,1,1"],
        ["IndicatorTargetsSet"],
        id="indicator-set-targets",
    ),
]


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    build_example(runner)
    return runner


@pytest.mark.parametrize(("setup", "command", "types"), CHANGES)
def test_dry_run_shows_the_events_and_records_nothing(
    example: CliRunner, setup: list[list[str]], command: list[str], types: list[str]
) -> None:
    run_all(example, setup)
    before = event_count(example)
    text = ok(example, [*command, "--dry-run"])
    count = len(types)
    assert text.stdout.startswith(f"PAC-2025: would record {count} change")
    outcome = ok_json(example, [*command, "--dry-run"])
    assert outcome["dry_run"] is True
    assert [event["type"] for event in outcome["events"]] == types
    assert [event["position"] for event in outcome["events"]] == [None] * count
    assert event_count(example) == before


@pytest.mark.parametrize(("setup", "command", "types"), CHANGES)
def test_json_outcome_gives_plan_version_events_and_warnings(
    example: CliRunner, setup: list[list[str]], command: list[str], types: list[str]
) -> None:
    run_all(example, setup)
    before = event_count(example)
    outcome = ok_json(example, command)
    assert set(outcome) == {"plan", "dry_run", "version", "events", "warnings"}
    assert (outcome["plan"], outcome["dry_run"]) == (PLAN, False)
    assert outcome["warnings"] == []
    events = outcome["events"]
    assert [event["type"] for event in events] == types
    for event in events:
        assert set(event) == {"type", "summary", "data", "position"}
        assert isinstance(event["summary"], str)
        assert event["summary"]
        assert "\n" not in event["summary"]
        assert isinstance(event["data"], dict)
    positions = [event["position"] for event in events]
    assert positions == list(range(before + 1, before + 1 + len(types)))
    assert outcome["version"] == event_count(example) == before + len(types)


@pytest.mark.parametrize(("setup", "command", "types"), CHANGES)
def test_text_outcome_lists_each_change(
    example: CliRunner, setup: list[list[str]], command: list[str], types: list[str]
) -> None:
    run_all(example, setup)
    result = ok(example, command)
    lines = result.stdout.splitlines()
    count = len(types)
    assert lines[0] == f"PAC-2025: recorded {count} change{'s' if count > 1 else ''}"
    assert len(lines) == 1 + count
    assert all(line.startswith("  ") for line in lines[1:])
    assert result.stderr == ""
