"""The plan lifecycle from the CLI: draft → approved → published ⇄ revising → closed.

A draft is edited freely; an approved or published plan changes only inside a revision
(`plan revise --reason`), and every change then needs a reason; `plan publish` closes the
revision with its number; a closed plan refuses everything.
"""

from __future__ import annotations

import json

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
    run_all,
)

APPROVE = ["plan", "approve", PLAN]
PUBLISH = ["plan", "publish", PLAN]
REVISE = ["plan", "revise", PLAN, "--reason", "BRC merger: freeze until September"]
CLOSE = ["plan", "close", PLAN, "--reason", "year over"]

NEW_TARGET = [
    "target", "add", PLAN, "T2", "--kind", "segment", "--title", "Banque & Assurance (conquête)",
    "--responsible", "kb", "--ref", "SEG-BA",
]  # fmt: skip


def _status(runner: CliRunner) -> tuple[str, int]:
    plan = plan_json(runner)
    return plan["status"], plan["revision"]


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    build_example(runner)
    return runner


def test_a_draft_is_edited_freely_without_reason(example: CliRunner) -> None:
    result = ok(example, NEW_TARGET)
    assert "target T2 added" in result.stdout
    assert _status(example) == ("draft", 1)


def test_approve_moves_a_draft_to_approved(example: CliRunner) -> None:
    result = ok(example, APPROVE)
    assert result.stdout == "PAC-2025: recorded 1 change\n  plan approved\n"
    assert _status(example) == ("approved", 1)


def test_approve_json_and_dry_run(example: CliRunner) -> None:
    before = event_count(example)
    dry = ok_json(example, [*APPROVE, "--dry-run"])
    assert dry["dry_run"] is True
    assert [e["type"] for e in dry["events"]] == ["PlanApproved"]
    assert event_count(example) == before
    assert _status(example) == ("draft", 1)
    done = ok_json(example, APPROVE)
    assert done["version"] == before + 1
    assert done["events"][0]["position"] == before + 1
    assert done["events"][0]["summary"] == "plan approved"


@pytest.mark.parametrize(
    ("setup", "command", "expected"),
    [
        pytest.param(
            [],
            PUBLISH,
            "plan PAC-2025 is a draft; approve it before publishing it",
            id="publish-a-draft",
        ),
        pytest.param(
            [],
            REVISE,
            "plan PAC-2025 is a draft; change it freely, no revision",
            id="revise-a-draft",
        ),
        pytest.param(
            [APPROVE],
            APPROVE,
            "plan PAC-2025 is approved; only a draft can be approved",
            id="approve-twice",
        ),
        pytest.param(
            [APPROVE, PUBLISH],
            PUBLISH,
            "plan PAC-2025 is already published (revision 1); open a revision to change it",
            id="publish-twice",
        ),
        pytest.param(
            [APPROVE, PUBLISH, REVISE],
            REVISE,
            "plan PAC-2025: revision 2 is already open",
            id="revise-twice",
        ),
        pytest.param(
            [APPROVE, PUBLISH, REVISE],
            CLOSE,
            "plan PAC-2025: publish revision 2 before closing the plan",
            id="close-during-a-revision",
        ),
    ],
)
def test_lifecycle_steps_out_of_order_are_refused(
    example: CliRunner, setup: list[list[str]], command: list[str], expected: str
) -> None:
    run_all(example, setup)
    assert refused(example, command) == expected


@pytest.mark.parametrize("status_commands", [[APPROVE], [APPROVE, PUBLISH]])
def test_an_approved_or_published_plan_refuses_changes_outside_a_revision(
    example: CliRunner, status_commands: list[list[str]]
) -> None:
    run_all(example, status_commands)
    status, _ = _status(example)
    expected = (
        f"target T2: plan PAC-2025 is {status}; open a revision (with a reason) before "
        "changing it"
    )
    assert refused(example, NEW_TARGET) == expected
    assert refused(example, [*NEW_TARGET, "--reason", "new segment"]) == expected
    step = [
        "step", "add", PLAN, "S03", "--track", "T1-INFO", "--title", "Recenser les projets SI",
        "--responsible", "cd", "--due", "2025-03-14", "--reason", "more information",
    ]  # fmt: skip
    assert refused(example, step).startswith("step S03: plan PAC-2025 is")


def test_publish_then_revise_then_publish_numbers_the_revisions(example: CliRunner) -> None:
    run_all(example, [APPROVE])
    assert "plan published (revision 1)" in ok(example, PUBLISH).stdout
    assert _status(example) == ("published", 1)
    opened = ok(example, REVISE)
    assert "revision 2 opened: BRC merger: freeze until September" in opened.stdout
    assert _status(example) == ("revising", 2)
    published = ok_json(example, [*PUBLISH, "--reason", "mid-year re-actualisation"])
    assert published["events"][0]["type"] == "PlanPublished"
    assert published["events"][0]["data"] == {"revision": 2}
    assert published["events"][0]["summary"] == "plan published (revision 2)"
    assert _status(example) == ("published", 2)
    header = ok(example, ["plan", "show", PLAN]).stdout.splitlines()[0]
    assert header.endswith("[published, revision 2]")
    listed = ok(example, ["plan", "list"]).stdout.splitlines()[2].split()
    assert listed[:3] == ["PAC-2025", "published", "2"]


def test_revise_needs_a_reason(example: CliRunner) -> None:
    run_all(example, [APPROVE, PUBLISH])
    assert (
        refused(example, ["plan", "revise", PLAN])
        == "plan PAC-2025: opening a revision needs a reason"
    )
    assert _status(example) == ("published", 1)


def test_inside_a_revision_every_change_needs_a_reason(example: CliRunner) -> None:
    run_all(example, [APPROVE, PUBLISH, REVISE])
    assert refused(example, NEW_TARGET) == (
        "target T2: a reason is required to change plan PAC-2025 (revision 2 is open)"
    )
    objective = [
        "objective", "set", PLAN, "T1", "--statement", "BRC orders to 400 kEUR",
        "--value", "400", "--unit", "kEUR", "--due", "2025-12-31",
    ]  # fmt: skip
    assert refused(example, objective).startswith("objective main of target T1: a reason")
    ok(example, [*NEW_TARGET, "--reason", "open the B&I prospects"])
    ok(example, [*objective, "--reason", "BRC merger"])
    log = json.loads(ok(example, ["store", "log", "--json"]).stdout)
    assert [(e["type"], e["metadata"].get("reason")) for e in log[-2:]] == [
        ("TargetAdded", "open the B&I prospects"),
        ("ObjectiveSet", "BRC merger"),
    ]
    assert {e["metadata"]["actor"] for e in log} == {"hg"}


def test_a_non_draft_plan_records_facts_with_a_reason_only(example: CliRunner) -> None:
    run_all(example, [APPROVE, PUBLISH])
    leave = ["person", "leave", PLAN, "kb", "--on", "2025-09-30"]
    assert refused(example, leave) == "person kb: a reason is required, plan PAC-2025 is published"
    move = ["visit", "move", PLAN, "S08@2025-03-25", "--to", "2025-03-27T10:00"]
    assert refused(example, move).startswith("occurrence S08@2025-03-25: a reason is required")
    ok(example, [*leave, "--reason", "left the company"])
    ok(example, [*move, "--reason", "CIO away"])


def test_close_needs_a_reason_once_published(example: CliRunner) -> None:
    run_all(example, [APPROVE, PUBLISH])
    assert (
        refused(example, ["plan", "close", PLAN])
        == "plan PAC-2025: a reason is required, plan PAC-2025 is published"
    )
    result = ok(example, CLOSE)
    assert "plan closed" in result.stdout
    assert _status(example) == ("closed", 1)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(APPROVE, id="approve"),
        pytest.param(PUBLISH, id="publish"),
        pytest.param(REVISE, id="revise"),
        pytest.param(CLOSE, id="close"),
        pytest.param([*NEW_TARGET, "--reason", "late idea"], id="target-add"),
        pytest.param(["target", "drop", PLAN, "T1", "--reason", "x"], id="target-drop"),
        pytest.param(
            [
                "person",
                "add",
                PLAN,
                "tl",
                "--name",
                "Thomas Leroy",
                "--kind",
                "rep",
                "--reason",
                "x",
            ],
            id="person-add",
        ),  # fmt: skip
        pytest.param(
            ["person", "leave", PLAN, "kb", "--on", "2025-12-31", "--reason", "x"],
            id="person-leave",
        ),
        pytest.param(
            ["step", "done", PLAN, "S01", "--on", "2025-01-28", "--reason", "x"], id="step-done"
        ),
        pytest.param(
            ["step", "assign", PLAN, "S01", "--responsible", "kb", "--reason", "x"],
            id="step-assign",
        ),
        pytest.param(
            ["visit", "done", PLAN, "S08@2025-03-11", "--on", "2025-03-11"], id="visit-done"
        ),
        pytest.param(
            [
                "indicator",
                "set-targets",
                PLAN,
                "I2",
                "--period-target",
                "2025-07=1",
                "--reason",
                "x",
            ],
            id="indicator-targets",
        ),
    ],
)
def test_a_closed_plan_refuses_everything(example: CliRunner, command: list[str]) -> None:
    run_all(example, [APPROVE, PUBLISH, CLOSE])
    assert refused(example, command) == "plan PAC-2025 is closed: it accepts no change"


def test_a_closed_plan_can_still_be_shown_and_listed(example: CliRunner) -> None:
    run_all(example, [APPROVE, PUBLISH, CLOSE])
    assert plan_json(example)["status"] == "closed"
    assert ok_json(example, ["plan", "list"])[0]["status"] == "closed"


@pytest.mark.parametrize(
    "command",
    [APPROVE, PUBLISH, ["plan", "revise", PLAN, "--reason", "x"], ["plan", "close", PLAN]],
    ids=["approve", "publish", "revise", "close"],
)
def test_lifecycle_commands_refuse_an_unknown_plan(
    runner: CliRunner, db_url: str, command: list[str]
) -> None:
    unknown = [part if part != PLAN else "PAC-1999" for part in command]
    assert refused(runner, unknown) == "plan PAC-1999: no such plan"
