"""pacflow plan show --as-of: the demo plan exactly as it was recorded at a moment."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from pacflow.cli import main
from tests.cli.plan_fixtures import assert_one_line_error, exit_code_for, ok
from tests.cli.test_history_commands import use_demo


@pytest.fixture(autouse=True)
def demo(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    use_demo(db_url, tmp_path_factory)


def as_of(runner: CliRunner, moment: str) -> Any:
    return json.loads(ok(runner, ["plan", "show", "PAC-2025", "--as-of", moment, "--json"]).stdout)


def steps(plan: Any) -> dict[str, Any]:
    return {step["key"]: step for track in plan["tracks"] for step in track["steps"]}


def objective(plan: Any, target: str = "T1") -> Any:
    (found,) = [t for t in plan["targets"] if t["key"] == target]
    return found["objectives"][0]


def test_before_and_after_the_mid_year_re_actualisation(runner: CliRunner) -> None:
    june, july = as_of(runner, "2025-06-01"), as_of(runner, "2025-07-01")
    assert (june["revision"], july["revision"]) == (2, 3)
    assert june["as_of"] == "2025-06-01T21:59:59.999999Z"  # the end of 1 June in Paris
    assert (objective(june)["value"], objective(july)["value"]) == ("600", "400")
    before, after = steps(june), steps(july)
    for step, old, new in (
        ("S10", "2025-06-30", "2025-10-15"),
        ("S24", "2025-06-30", "2025-09-30"),
    ):
        assert (before[step]["schedule"]["due"], after[step]["schedule"]["due"]) == (old, new)
    assert len(before["S08"]["schedule"]["rules"]) == 1
    assert len(after["S08"]["schedule"]["rules"]) == 3
    june_visits = {o["key"]: o["status"] for o in before["S08"]["occurrences"]}
    july_visits = {o["key"]: o["status"] for o in after["S08"]["occurrences"]}
    assert set(june_visits) - set(july_visits) == {
        "S08@2025-07-22",
        "S08@2025-08-26",
        "S08@2025-09-23",
    }
    assert june_visits["S08@2025-03-25"] == "cancelled"
    assert (june_visits["S08@2025-06-10"], july_visits["S08@2025-06-10"]) == ("planned", "done")
    assert "S44" not in before
    assert after["S44"]["responsible"] == "cd"
    # Today's plan knows more: the as-of views do not.
    assert july_visits["S08@2025-08-12"] == "planned"


def test_as_recorded_to_the_minute_in_the_plans_time_zone(runner: CliRunner) -> None:
    # Revision 3 opened at 17:55 Paris; the objective changed at 18:00.
    opened = as_of(runner, "2025-06-30T17:59")
    assert (opened["status"], opened["revision"]) == ("revising", 3)
    assert objective(opened)["value"] == "600"
    assert objective(as_of(runner, "2025-06-30T18:00"))["value"] == "400"
    assert objective(as_of(runner, "2025-06-30T15:59:59Z"))["value"] == "600"
    # The webinar of 13 February was entered as held on 10 March at 10:16, not before.
    webinar = "S21@2025-02-13"
    for moment, status in (("2025-03-10T10:14", "planned"), ("2025-03-10T10:16", "done")):
        (found,) = [
            o for o in steps(as_of(runner, moment))["S21"]["occurrences"] if o["key"] == webinar
        ]
        assert found["status"] == status


def test_as_of_as_text(runner: CliRunner) -> None:
    lines = ok(runner, ["plan", "show", "PAC-2025", "--as-of", "2025-06-01"]).stdout.splitlines()
    assert lines[0] == (
        "As recorded at 2025-06-01 23:59:59 Europe/Paris: revision 2 (published), 298 events"
    )
    assert lines[1] == "PAC-2025 — Plan d'action commerciale 2025   [published, revision 2]"
    text = "\n".join(lines)
    assert "objective main: 600 kEUR by 2025-12-31" in text
    assert (
        "Remettre une proposition projet > 100 kEUR (portail conseillers) — due 2025-06-30" in text
    )
    assert "COUNT=24 from 2025-01-14 10:00 (1 cancelled, 9 held, 14 planned)" in text
    assert "S44" not in text


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        ("2024-01-01", "plan PAC-2025 did not exist yet on 2024-01-01 (created 2024-12-16 10:00)"),
        (
            "2024-12-16T09:59",
            "plan PAC-2025 did not exist yet on 2024-12-16T09:59 (created 2024-12-16 10:00)",
        ),
        ("2025-06-31", "--as-of '2025-06-31': expected a date (2025-06-01), a local date-time"),
        ("June", "--as-of 'June': expected a date"),
        ("2025-06-30T25:00", "--as-of '2025-06-30T25:00': expected a date"),
    ],
)
def test_bad_moments_are_one_line(runner: CliRunner, moment: str, message: str) -> None:
    result = runner.invoke(main, ["plan", "show", "PAC-2025", "--as-of", moment])
    assert assert_one_line_error(result, exit_code_for(message)).startswith(message)


def test_an_unknown_plan(runner: CliRunner) -> None:
    result = runner.invoke(main, ["plan", "show", "PAC-2026", "--as-of", "2025-06-01", "--json"])
    assert assert_one_line_error(result).startswith("plan PAC-2026: no such plan")
