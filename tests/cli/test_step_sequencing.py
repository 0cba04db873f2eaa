"""A one-off step listed after a year-long visit series can be done; an edit says what
changed."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.cli.plan_fixtures import PLAN, build_example, ok, ok_json, refused

PROPOSAL = [
    "step", "add", PLAN, "S10", "--track", "T1-ELEV", "--title", "Proposition > 100 kEUR",
    "--responsible", "cd", "--due", "2025-05-30",
]  # fmt: skip


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    build_example(runner, PROPOSAL)
    return runner


def test_a_one_off_step_after_a_visit_series_does_not_wait_for_its_end(
    example: CliRunner,
) -> None:
    result = ok(example, ["step", "done", PLAN, "S10", "--on", "2025-05-20"])
    assert result.stdout == f"{PLAN}: recorded 1 change\n  step S10 done on 2025-05-20\n"


def test_naming_the_series_still_makes_a_step_wait_for_it(example: CliRunner) -> None:
    ok(example, ["step", "edit", PLAN, "S10", "--after", "S08"])
    message = refused(example, ["step", "done", PLAN, "S10", "--on", "2025-05-20"])
    assert message.startswith("step S10 cannot be done before its predecessor S08 is done")


def test_the_step_before_the_series_is_still_waited_for(example: CliRunner) -> None:
    ok(example, ["step", "add", PLAN, "S11", "--track", "T1-INFO", "--title", "Synthèse",
                 "--responsible", "cd", "--due", "2025-03-31"])  # fmt: skip
    message = refused(example, ["step", "done", PLAN, "S11", "--on", "2025-03-20"])
    assert message.startswith("step S11 cannot be done before its predecessor S02 is done")


def test_an_edit_says_what_changed(example: CliRunner) -> None:
    result = ok(example, ["step", "edit", PLAN, "S10", "--parallel", "--means", "2 j avant-vente"])
    assert result.stdout == (
        f"{PLAN}: recorded 1 change\n"
        "  step S10 parallel False → True; means none → “2 j avant-vente”\n"
    )
    data = ok_json(example, ["step", "edit", PLAN, "S10", "--title", "Proposition portail"])
    assert data["events"][0]["summary"] == (
        "step S10 title “Proposition > 100 kEUR” → “Proposition portail”"
    )
    assert ok(example, ["step", "edit", PLAN, "S10", "--parallel"]).stdout == (
        f"{PLAN}: nothing to change\n"
    )
