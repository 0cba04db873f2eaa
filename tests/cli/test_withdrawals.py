"""Withdrawing mistakes from a draft: a target typed by mistake leaves with its objectives,
tracks and steps, as events the log keeps; its keys are free again; after approval it is
refused in one line that says to drop it instead."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from tests.cli.plan_fixtures import PLAN, build_example, ok, ok_json, refused

T9 = [
    ["target", "add", PLAN, "T9", "--kind", "customer", "--title", "Banque Typo",
     "--responsible", "kb"],
    ["objective", "set", PLAN, "T9", "--statement", "x", "--value", "10", "--unit", "kEUR",
     "--due", "2025-12-31"],
    ["track", "add", PLAN, "T9-INFO", "--target", "T9", "--domain", "information",
     "--title", "Typo track"],
    ["step", "add", PLAN, "S90", "--track", "T9-INFO", "--title", "Typo meeting",
     "--responsible", "kb", "--session", "2025-02-04T10:00"],
    ["step", "add", PLAN, "S91", "--track", "T9-INFO", "--title", "Typo task",
     "--responsible", "kb", "--due", "2025-03-31"],
]  # fmt: skip


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    with freeze_time("2024-12-16 09:00:00"):
        build_example(runner, *T9)
    return runner


def _targets(runner: CliRunner) -> list[str]:
    return [t["key"] for t in ok_json(runner, ["plan", "show", PLAN])["targets"]]


def _tracks(runner: CliRunner) -> dict[str, Any]:
    return {t["key"]: t for t in ok_json(runner, ["plan", "show", PLAN])["tracks"]}


def test_a_typo_target_leaves_the_draft_with_everything_under_it(example: CliRunner) -> None:
    with freeze_time("2025-01-03 09:00:00"):
        dry = ok_json(example, ["target", "remove", PLAN, "T9", "--dry-run"])
        assert dry["dry_run"] is True
        assert "T9" in _targets(example)
        result = ok(example, ["target", "remove", PLAN, "T9"])
        assert result.stdout.splitlines() == [
            f"{PLAN}: recorded 4 changes",
            "  S90: 1 occurrence(s) removed (S90@2025-02-04)",
            "  step S90 removed from the draft",
            "  step S91 removed from the draft",
            "  target T9 removed from the draft with tracks T9-INFO",
        ]
        assert "T9" not in _targets(example)
        assert "T9-INFO" not in _tracks(example)
        assert "T9" not in [t["key"] for t in ok_json(example, ["target", "list", PLAN])]
        assert "Typo" not in ok(example, ["export", "ics", PLAN, "--person", "kb"]).stdout
        assert "Typo" not in ok(example, ["report", PLAN, "--by", "target"]).stdout
        # The log keeps both; plan history finds the removal by the target's key.
        history = ok(example, ["plan", "history", PLAN, "--target", "T9"]).stdout
        assert "target T9 added" in history
        assert "target T9 removed from the draft with tracks T9-INFO" in history
        # The keys are free again: the same target and track, under another responsible.
        ok(example, [*T9[0][:-1], "cd"])
        ok(example, T9[2])
        assert _tracks(example)["T9-INFO"]["steps"] == []
        assert ok_json(example, ["target", "list", PLAN])[-1]["responsible"] == "cd"


def test_a_target_something_else_refers_to_is_not_removed(example: CliRunner) -> None:
    with freeze_time("2025-01-03 09:00:00"):
        ok(example, ["indicator", "define", PLAN, "I9", "--name", "Typo", "--kind", "activity",
                     "--unit", "count", "--owner", "kb", "--serves", "T9"])  # fmt: skip
        assert refused(example, ["target", "remove", PLAN, "T9"]) == (
            "target T9: indicator I9 serves it; change that first"
        )
        ok(example, ["indicator", "define", PLAN, "I9", "--name", "Typo", "--kind", "activity",
                     "--unit", "count", "--owner", "kb"])  # fmt: skip
        ok(example, ["step", "add", PLAN, "S92", "--track", "T1-INFO", "--title", "After",
                     "--responsible", "cd", "--due", "2025-04-30", "--after", "S91"])  # fmt: skip
        assert refused(example, ["target", "remove", PLAN, "T9"]) == (
            "target T9: step S92 waits for its step S91; change that first"
        )
        assert refused(example, ["target", "remove", PLAN, "T0"]).startswith("target T0")
    assert "T9" in _targets(example)


def test_after_approval_a_target_is_dropped_not_removed(example: CliRunner) -> None:
    with freeze_time("2025-01-03 09:00:00"):
        ok(example, ["plan", "approve", PLAN])
        message = refused(example, ["target", "remove", PLAN, "T9", "--reason", "typo"])
    assert message == (
        "target T9: plan PAC-2025 is approved; only a draft's targets can be removed (drop it, "
        'with a reason) (see `pacflow target drop PAC-2025 T9 --reason "…"`)'
    )
