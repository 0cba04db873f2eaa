"""Dropping a draft plan (issue 11): an event the log keeps; the plan leaves `plan list`,
`plan show` says when, by whom and why, the key starts a new plan in the same stream, and
`plan history` and `--as-of` still answer for the first one. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from tests.cli.plan_fixtures import (
    CREATE,
    PLAN,
    TARGET_T1,
    TEAM,
    build_example,
    ok,
    ok_json,
    refused,
)


@pytest.fixture
def example(runner: CliRunner, sql_store_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("PACFLOW_DB", sql_store_url)
    monkeypatch.setenv("PACFLOW_ACTOR", "hg")
    with freeze_time("2024-12-16 09:00:00"):
        build_example(runner)
    return runner


def _drop(runner: CliRunner) -> None:
    with freeze_time("2025-01-03 09:00:00"):
        result = ok(runner, ["plan", "drop", PLAN, "--reason", "wrong company"])
        assert result.stdout.splitlines() == [
            f"{PLAN}: recorded 1 change",
            "  plan dropped (a draft; its key is free again): wrong company",
        ]


def test_a_dropped_draft_leaves_every_view_and_its_key_is_free(example: CliRunner) -> None:
    with freeze_time("2025-01-03 08:00:00"):
        assert "Visite de suivi" in ok(example, ["export", "ics", PLAN, "--person", "cd"]).stdout
        refused(example, ["plan", "drop", PLAN])  # a reason is required
    _drop(example)
    with freeze_time("2025-01-04 09:00:00"):
        assert ok_json(example, ["plan", "list"]) == []
        shown = ok(example, ["plan", "show", PLAN]).stdout
        assert shown.splitlines()[0] == (
            f"{PLAN} — dropped on 2025-01-03 10:00 Europe/Paris by hg: wrong company"
        )
        as_json = ok_json(example, ["plan", "show", PLAN])
        assert (as_json["status"], as_json["dropped_by"], as_json["reason"]) == (
            "dropped",
            "hg",
            "wrong company",
        )
        assert refused(example, ["step", "list", PLAN]).startswith(f"plan {PLAN} was dropped")
        assert "plan create" in refused(example, ["plan", "approve", PLAN])
        # The calendar view holds nothing of it any more (the rep is not in it either).
        assert "not in plan" in refused(example, ["export", "ics", PLAN, "--person", "cd"])
        # The key starts a new plan, from scratch, in another time zone.
        ok(example, [a if a != "Europe/Paris" else "America/New_York" for a in CREATE])
        listed = ok_json(example, ["plan", "list"])
        assert [(p["key"], p["status"]) for p in listed] == [(PLAN, "draft")]
        fresh = ok_json(example, ["plan", "show", PLAN])
        assert (fresh["timezone"], fresh["targets"], fresh["people"]) == (
            "America/New_York",
            [],
            [],
        )
        # Moments are read and shown in the new life's zone, the old life's history too.
        changes = ok_json(example, ["plan", "history", PLAN])
        assert [c["local_time"][-6:] for c in changes[-3:]] == ["-05:00"] * 3
        assert changes[-1]["local_time"].startswith("2025-01-04T04:00")
        # Created again at 04:00 in New York: --since 05:00 is read there, and leaves it out.
        later = ok_json(example, ["plan", "history", PLAN, "--since", "2025-01-04T05:00"])
        assert changes[-1]["position"] not in [c["position"] for c in later]


@pytest.fixture
def small(runner: CliRunner, sql_store_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A draft recorded at known moments (the example may come from a copied store)."""
    monkeypatch.setenv("PACFLOW_DB", sql_store_url)
    monkeypatch.setenv("PACFLOW_ACTOR", "hg")
    with freeze_time("2024-12-16 09:00:00"):
        ok(runner, CREATE)
        ok(runner, TEAM[1])
        ok(runner, TARGET_T1[0])
    return runner


def test_history_and_as_of_answer_for_both_lives(small: CliRunner) -> None:
    example = small
    _drop(example)
    with freeze_time("2025-01-05 09:00:00"):
        ok(example, CREATE)
        ok(example, ["person", "add", PLAN, "zz", "--name", "Zoé Zed", "--kind", "rep"])
    with freeze_time("2025-01-06 09:00:00"):
        lines = ok(example, ["plan", "history", PLAN]).stdout
        assert lines.count(f"plan {PLAN} created") == 2
        first, dropped, second = (
            lines.index(f"plan {PLAN} created"),
            lines.index("plan dropped"),
            lines.rindex(f"plan {PLAN} created"),
        )
        assert first < dropped < second
        before = ok_json(example, ["plan", "show", PLAN, "--as-of", "2025-01-02"])
        assert before["status"] == "draft"
        assert before["targets"] != []
        between = ok_json(example, ["plan", "show", PLAN, "--as-of", "2025-01-04"])
        assert between["status"] == "dropped"
        assert between["reason"] == "wrong company"
        now = ok_json(example, ["plan", "show", PLAN])
        assert now["targets"] == []
        assert [p["key"] for p in now["people"]] == ["zz"]


def test_after_approval_a_plan_is_closed_not_dropped(example: CliRunner) -> None:
    with freeze_time("2025-01-03 09:00:00"):
        ok(example, ["plan", "approve", PLAN])
        message = refused(example, ["plan", "drop", PLAN, "--reason", "no"])
        assert message.startswith(f"plan {PLAN} is approved; only a draft can be dropped")
        assert "pacflow plan close" in message
