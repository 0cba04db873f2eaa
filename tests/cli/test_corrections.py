"""A mistaken mark put right in one command, in the open: `step correct`, `step reopen`,
`visit correct`, `visit reopen`. The audit trail shows both events, the plan as of before
the correction still shows the mistake, and derived indicators follow."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from tests.cli.plan_fixtures import (
    PLAN,
    build_example,
    occurrence_json,
    ok,
    ok_json,
    refused,
    step_json,
)

DERIVE_I3 = [
    "indicator", "define", PLAN, "I3", "--name", "Visites BRC (comptées)", "--kind", "activity",
    "--unit", "count", "--owner", "cd", "--serves", "T1", "--derive", "visits-done",
    "--step", "S08",
]  # fmt: skip


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    with freeze_time("2024-12-16 09:00:00"):
        build_example(runner, DERIVE_I3)
    return runner


def test_a_wrong_done_date_is_corrected_in_one_command(example: CliRunner) -> None:
    with freeze_time("2025-03-03 09:00:00"):
        ok(example, ["step", "done", PLAN, "S01", "--on", "2025-03-03"])  # meant 28 January
        blocked = refused(example, ["step", "done", PLAN, "S02", "--on", "2025-02-10"])
    assert "before its predecessor S01 was done (2025-03-03)" in blocked
    with freeze_time("2025-03-04 09:00:00"):
        again = refused(example, ["step", "done", PLAN, "S01", "--on", "2025-01-28"])
        assert again.startswith("step S01 is already done (2025-03-03) (see `pacflow step correct")
        result = ok(
            example,
            ["step", "correct", PLAN, "S01", "--on", "2025-01-28", "--reason", "wrong date typed"],
        )
        assert "step S01 done date corrected 2025-03-03 → 2025-01-28" in result.stdout
        ok(example, ["step", "done", PLAN, "S02", "--on", "2025-02-10"])
    assert step_json(example, "S01")["done_on"] == "2025-01-28"
    # The audit trail shows the mistake and its correction, with who and why.
    with freeze_time("2025-03-05 09:00:00"):
        entries = ok_json(example, ["plan", "history", PLAN, "--step", "S01"])
        before = ok_json(example, ["plan", "show", PLAN, "--as-of", "2025-03-03T12:00"])
        diff = ok_json(example, ["plan", "diff", PLAN, "--from", "2025-03-03T12:00"])
    corrected = entries[-1]
    assert (corrected["type"], corrected["reason"], corrected["actor"]) == (
        "StepDoneDateCorrected",
        "wrong date typed",
        "hg",
    )
    assert [e["type"] for e in entries[-2:]] == ["StepCompleted", "StepDoneDateCorrected"]
    s01_then = next(s for t in before["tracks"] for s in t["steps"] if s["key"] == "S01")
    assert s01_then["done_on"] == "2025-03-03"
    changes = [c for c in diff["changes"] if c["key"] == "S01"]
    assert changes[0]["kind"] == "done date corrected"
    assert changes[0]["fields"] == {"done_on": {"old": "2025-03-03", "new": "2025-01-28"}}


def test_a_step_done_by_mistake_is_reopened(example: CliRunner) -> None:
    with freeze_time("2025-02-03 09:00:00"):
        ok(example, ["step", "start", PLAN, "S01", "--on", "2025-01-20"])
        ok(example, ["step", "done", PLAN, "S01", "--on", "2025-02-03"])
        ok(example, ["step", "done", PLAN, "S02", "--on", "2025-02-03"])
        first = refused(example, ["step", "reopen", PLAN, "S01", "--reason", "not finished"])
        assert "step S02, which waits for it, is done; reopen or correct S02 first" in first
        no_reason = refused(example, ["step", "reopen", PLAN, "S02"])
        assert no_reason == "step S02: reopening a step needs a reason"
        ok(example, ["step", "reopen", PLAN, "S02", "--reason", "the wrong step was ticked"])
        ok(example, ["step", "reopen", PLAN, "S01", "--reason", "not finished"])
    s01 = step_json(example, "S01")
    assert (s01["status"], s01["done_on"]) == ("in_progress", None)
    assert step_json(example, "S02")["status"] == "planned"


def derived_counts(runner: CliRunner, *args: str) -> list[Any]:
    command = ["indicator", "history", PLAN, "I3", "--to", "2025-03", "--json", *args]
    return [p["actual"] for p in json.loads(ok(runner, command).stdout)["periods"]]


def test_a_held_date_corrected_moves_the_derived_count(example: CliRunner) -> None:
    with freeze_time("2025-02-12 09:00:00"):
        # The January visit marked held in February by mistake.
        ok(example, ["visit", "done", PLAN, "S08@2025-01-14", "--on", "2025-02-11"])
        ok(example, ["visit", "done", PLAN, "S08@2025-01-28"])
    with freeze_time("2025-03-04 09:00:00"):
        assert derived_counts(example) == ["1", "1", None]
        ok(
            example,
            [
                "visit", "correct", PLAN, "S08@2025-01-14", "--on", "2025-01-14",
                "--reason", "held on its day",
            ],
        )  # fmt: skip
        assert occurrence_json(example, "S08@2025-01-14")["done_on"] == "2025-01-14"
        assert derived_counts(example) == ["2", "0", None]
        # As known before the correction, the count stays what it was.
        assert derived_counts(example, "--as-of", "2025-03-01") == ["1", "1", None]
        ok(example, ["visit", "reopen", PLAN, "S08@2025-01-28", "--reason", "it was postponed"])
        assert occurrence_json(example, "S08@2025-01-28")["status"] == "planned"
        assert derived_counts(example) == ["1", "0", None]
        history = ok(example, ["plan", "history", PLAN, "--step", "S08"]).stdout
    assert "S08@2025-01-14 held date corrected 2025-02-11 → 2025-01-14" in history
    assert "S08@2025-01-28 no longer held (was held on 2025-01-28)" in history


def test_a_held_visit_points_at_its_corrections(example: CliRunner) -> None:
    with freeze_time("2025-02-12 09:00:00"):
        ok(example, ["visit", "done", PLAN, "S08@2025-01-14"])
        moved = refused(example, ["visit", "move", PLAN, "S08@2025-01-14", "--to", "2025-01-15"])
        not_held = refused(
            example,
            ["visit", "correct", PLAN, "S08@2025-01-28", "--on", "2025-01-29", "--reason", "x"],
        )
    assert "(see `pacflow visit reopen PAC-2025 S08@2025-01-14" in moved
    assert not_held == "occurrence S08@2025-01-28 is planned, not held; there is nothing to correct"


def test_the_read_models_agree_with_the_fold_after_corrections(example: CliRunner) -> None:
    with freeze_time("2025-02-12 09:00:00"):
        ok(example, ["visit", "done", PLAN, "S08@2025-01-14", "--on", "2025-02-11"])
        ok(
            example,
            ["visit", "correct", PLAN, "S08@2025-01-14", "--on", "2025-01-15", "--reason", "x"],
        )
        ok(example, ["visit", "reopen", PLAN, "S08@2025-01-14", "--reason", "x"])
        ok(example, ["visit", "done", PLAN, "S08@2025-01-14"])
        assert derived_counts(example)[:2] == ["1", None]
        ok(example, ["projections", "rebuild"])
        assert derived_counts(example)[:2] == ["1", None]


def test_progress_and_values_in_the_future_are_refused(example: CliRunner) -> None:
    with freeze_time("2025-03-10 09:00:00"):
        done = refused(example, ["step", "done", PLAN, "S01", "--on", "2025-03-12"])
        value = refused(
            example, ["indicator", "record", PLAN, "I1", "--period", "2025-04", "--value", "3"]
        )
        ok(example, ["indicator", "record", PLAN, "I1", "--period", "2025-03", "--value", "3"])
    assert done == (
        "step S01: done date 2025-03-12 is in the future (today is 2025-03-10); record it once "
        "it has happened"
    )
    assert value == (
        "indicator I1: period 2025-04 has not begun (today is 2025-03-10); record its value "
        "once it has"
    )
    assert step_json(example, "S01")["status"] == "planned"


def test_a_typo_step_is_removed_from_a_draft_and_its_key_freed(example: CliRunner) -> None:
    typo = [
        "step", "add", PLAN, "S8", "--track", "T1-ELEV", "--title", "Visite BRC",
        "--responsible", "cd", "--session", "2025-02-04T10:00", "--parallel",
    ]  # fmt: skip
    with freeze_time("2025-01-03 09:00:00"):
        ok(example, typo)
        counted = refused(example, ["step", "remove", PLAN, "S08"])
        assert counted == "step S08: indicator I3 is counted from it; change that first"
        result = ok(example, ["step", "remove", PLAN, "S8"])
        assert "step S8 removed from the draft" in result.stdout
        assert "S8" not in {s["key"] for t in ok_json(example, ["plan", "show", PLAN])["tracks"]
                            for s in t["steps"]}  # fmt: skip
        ok(example, [*typo[:5], "T1-INFO", *typo[6:]])  # the key is free again, elsewhere
        tracks = ok_json(example, ["plan", "show", PLAN])["tracks"]
        [info] = [t for t in tracks if t["key"] == "T1-INFO"]
        assert "S8" in [s["key"] for s in info["steps"]]
        history = ok(example, ["plan", "history", PLAN, "--step", "S8"]).stdout
        assert "removed from the draft" in history
        ok(example, ["plan", "approve", PLAN])
        approved = refused(example, ["step", "remove", PLAN, "S8"])
    assert approved.startswith(
        "step S8: plan PAC-2025 is approved; only a draft's steps can be removed (cancel it"
    )


def test_a_removed_task_leaves_the_reps_calendar(example: CliRunner) -> None:
    typo = [
        "step", "add", PLAN, "S9", "--track", "T1-INFO", "--title", "Typo task",
        "--responsible", "cd", "--due", "2025-03-31", "--parallel",
    ]  # fmt: skip
    with freeze_time("2025-01-03 09:00:00"):
        ok(example, typo)
        assert "Typo task" in ok(example, ["export", "ics", PLAN, "--person", "cd"]).stdout
        ok(example, ["step", "remove", PLAN, "S9"])
        assert "Typo task" not in ok(example, ["export", "ics", PLAN, "--person", "cd"]).stdout
