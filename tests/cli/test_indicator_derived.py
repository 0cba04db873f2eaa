"""`indicator define --derive`: values counted from visits held, shown like typed ones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from tests.cli.plan_fixtures import PLAN, build_example, exit_code_for, ok, refused

DERIVE_I3 = [
    "indicator", "define", PLAN, "I3", "--name", "Visites BRC (comptées)", "--kind", "activity",
    "--unit", "count", "--owner", "cd", "--serves", "T1", "--derive", "visits-done",
    "--step", "S08",
]  # fmt: skip
TARGETS_I3 = ["indicator", "set-targets", PLAN, "I3", "--from", "2025-01", "--values", "2,2,2"]


@pytest.fixture
def derived(runner: CliRunner, db_url: str) -> CliRunner:
    with freeze_time("2024-12-16 09:00:00"):
        build_example(runner, DERIVE_I3, TARGETS_I3)
    for held, recorded in (
        ("2025-01-14", "2025-01-14 17:30:00"),
        ("2025-01-28", "2025-02-03 08:00:00"),  # entered a week late
        ("2025-02-11", "2025-02-11 17:00:00"),
    ):
        with freeze_time(recorded):
            ok(runner, ["visit", "done", PLAN, f"S08@{held}", "--on", held])
    return runner


def history(runner: CliRunner, *args: str) -> Any:
    command = ["indicator", "history", PLAN, "I3", "--to", "2025-03", *args, "--json"]
    return json.loads(ok(runner, command).stdout)


@freeze_time("2025-03-03 09:00:00")
def test_visits_held_are_counted_as_they_are_recorded(derived: CliRunner) -> None:
    data = history(derived)
    assert data["derived"] == {
        "kind": "visits_done",
        "steps": ["S08"],
        "description": "visits done of step S08",
    }
    january, february, march = data["periods"]
    assert (january["actual"], january["cumulative"], january["attainment_pct"]) == (
        "2",
        "2",
        "100.0",
    )
    assert january["derived"] is True
    assert january["recorded"]["local_time"] == "2025-02-03T09:00:00+01:00"  # the last visit
    assert (february["actual"], february["derived"]) == ("1", True)
    assert march["actual"] is None  # running, nothing held yet
    assert "derived" not in march
    before_the_late_entry = history(derived, "--as-of", "2025-02-02")["periods"]
    assert [p["actual"] for p in before_the_late_entry] == ["1", None, None]


@freeze_time("2025-03-03 09:00:00")
def test_the_table_marks_counted_values(derived: CliRunner) -> None:
    lines = ok(derived, ["indicator", "history", PLAN, "I3", "--to", "2025-03"]).stdout
    assert lines.splitlines()[3:] == [
        "period   target  actual  gap  cumulative  attainment  corrected",
        "-------  ------  ------  ---  ----------  ----------  ---------",
        "2025-01  2       2†      0    2           100.0%",
        "2025-02  2       1†      -1   3           50.0%",
        "2025-03  2       -       -    -           -",
        "",
        "† counted from events, not typed in: visits done of step S08",
    ]
    board = ok(derived, ["dashboard", PLAN, "--period", "2025-02"]).stdout.splitlines()
    i3 = next(line for line in board if line.startswith("I3 "))
    assert i3.split()[5:8] == ["2", "1†", "-1"]
    assert board[-1].endswith("; † counted from events")


@pytest.mark.parametrize("command", ["record", "correct"])
def test_values_of_a_derived_indicator_cannot_be_typed(derived: CliRunner, command: str) -> None:
    args = ["indicator", command, PLAN, "I3", "--period", "2025-01", "--value", "3"]
    if command == "correct":
        args += ["--reason", "oubli"]
    assert refused(derived, args) == (
        f"indicator I3 is derived from visits done of step S08: its values are counted from "
        f"those events and cannot be {command}ed by hand"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--step", "S08"], "--step goes with --derive (e.g. --derive visits-done --step S08)"),
        (["--derive", "visits-done"], "--derive visits-done: say where to count with --step"),
        (
            ["--derive", "visits-done", "--step", "S08", "--track", "T1-ELEV"],
            "--derive: give one of --step or --track, not both",
        ),
        (["--derive", "visits", "--step", "S08"], "--derive 'visits': expected one of"),
        (
            ["--derive", "visits-done", "--step", "S01"],
            "indicator I4: step S01 is a task with a due date, it has no occurrences",
        ),
        (["--derive", "steps-on-time", "--track", "T9"], "T9"),
    ],
)
def test_bad_derivations_are_refused(
    runner: CliRunner, db_url: str, options: list[str], message: str
) -> None:
    build_example(runner)
    define = ["indicator", "define", PLAN, "I4", "--name", "x", "--kind", "activity",
              "--unit", "count", "--owner", "cd"]  # fmt: skip
    assert message in refused(runner, [*define, *options], exit_code_for(message))


def test_help_shows_a_derived_example(runner: CliRunner) -> None:
    text = ok(runner, ["indicator", "define", "--help"]).stdout
    assert "--derive visits-done --step S08" in text
