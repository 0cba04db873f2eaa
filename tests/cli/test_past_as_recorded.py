"""History is immutable in every view: reassigning a step or a person leaving changes the
future only; reports by rep credit past visits to whoever held them then."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from tests.cli.plan_fixtures import PLAN, build_example, ok, step_json

KICKOFF = [
    "step", "add", PLAN, "S00", "--track", "T1-INFO", "--title", "Kick-off", "--responsible",
    "hg", "--participant", "cd", "--participant", "kb", "--session", "2025-01-09T09:00",
    "--parallel",
]  # fmt: skip


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    with freeze_time("2024-12-16 09:00:00"):
        build_example(runner, KICKOFF)
    return runner


def by_rep(runner: CliRunner) -> dict[str, Any]:
    report = json.loads(ok(runner, ["report", PLAN, "--by", "rep", "--format", "json"]).stdout)
    return {section["person"]["key"]: section for section in report["sections"]}


def s08(section: dict[str, Any]) -> dict[str, Any]:
    found: list[dict[str, Any]] = [a for a in section["assignments"] if a["step"]["key"] == "S08"]
    assert len(found) == 1
    return found[0]


def test_a_reassigned_step_leaves_past_visits_to_who_held_them(example: CliRunner) -> None:
    with freeze_time("2025-03-01 09:00:00"):
        for day in ("2025-01-14", "2025-01-28", "2025-02-11", "2025-02-25"):
            ok(example, ["visit", "done", PLAN, f"S08@{day}"])
        ok(example, ["step", "assign", PLAN, "S08", "--to", "kb"])
        sections = by_rep(example)
    claire, karim = s08(sections["cd"]), s08(sections["kb"])
    assert claire["role"] == "responsible before"
    assert [v["state"] for v in claire["step"]["visits"]] == ["held"] * 4
    assert {v["held_by"] for v in claire["step"]["visits"]} == {"cd"}
    assert karim["role"] == "responsible"
    assert len(karim["step"]["visits"]) == 20
    assert "held" not in {v["state"] for v in karim["step"]["visits"]}
    assert sections["kb"]["progress"]["held"] == 0
    assert sections["cd"]["progress"]["held"] == 4


def test_leaving_does_not_rewrite_who_took_part_in_a_meeting_held(example: CliRunner) -> None:
    with freeze_time("2025-01-10 09:00:00"):
        ok(example, ["visit", "done", PLAN, "S00@2025-01-09"])
    with freeze_time("2025-03-01 09:00:00"):
        ok(example, ["person", "leave", PLAN, "kb", "--on", "2025-02-28", "--reassign-to", "jm"])
        kickoff = step_json(example, "S00")
        sections = by_rep(example)
    assert kickoff["participants"] == ["cd", "kb"]
    [attended] = [a for a in sections["kb"]["assignments"] if a["step"]["key"] == "S00"]
    assert attended["role"] == "participant"
    assert attended["step"]["visits"][0]["held_with"] == ["cd", "kb"]
