"""Replanning a published plan inside a revision, from the command line: target drop,
objective revise, indicator set-targets --from --value, step reschedule, replan shift,
person leave --reassign-to; what `plan show`, `plan history` and `plan diff` then say, and
the one-line refusals that record nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from tests.cli.plan_fixtures import (
    PLAN,
    S08_DATES,
    build_example,
    event_count,
    exit_code_for,
    ok,
    ok_json,
    plan_json,
    refused,
    step_json,
)

WHY = "BRC merger: SI projects frozen until September"
APPROVE = ["plan", "approve", PLAN]
PUBLISH = ["plan", "publish", PLAN]
REVISE = ["plan", "revise", PLAN, "--reason", WHY]


@pytest.fixture
def published(runner: CliRunner, db_url: str) -> Iterator[CliRunner]:
    """The worked example written on 2 January 2025, published on the 6th."""
    with freeze_time("2025-01-02 09:00:00"):
        build_example(runner, APPROVE, PUBLISH)
    with freeze_time("2025-06-30 16:00:00"):  # 18:00 in Paris
        yield runner


@pytest.fixture
def revising(published: CliRunner) -> CliRunner:
    """The same, with revision 2 opened on 30 June for the BRC merger."""
    ok(published, REVISE)
    return published


def _occurrences(runner: CliRunner, step: str) -> dict[str, Any]:
    return {o["key"]: o for o in step_json(runner, step)["occurrences"]}


def _history(runner: CliRunner, *args: str) -> list[str]:
    return ok(runner, ["plan", "history", PLAN, *args]).stdout.splitlines()


def _diff(runner: CliRunner) -> list[str]:
    args = ["plan", "diff", PLAN, "--from-revision", "1", "--to-revision", "2"]
    return ok(runner, args).stdout.splitlines()


# --- target drop -------------------------------------------------------------------------


def test_target_drop_cancels_the_open_steps_and_says_so(revising: CliRunner) -> None:
    ok(revising, ["step", "done", PLAN, "S01", "--on", "2025-01-30"])
    drop = ["target", "drop", PLAN, "T1", "--on", "2025-07-01", "--reason", WHY]
    before = event_count(revising)
    preview = ok(revising, [*drop, "--dry-run"]).stdout.splitlines()
    assert event_count(revising) == before
    assert preview == [
        "PAC-2025: would record 3 changes",
        "  target T1 dropped",
        f"  step S02 cancelled on 2025-07-01: {WHY}",
        f"  step S08 cancelled on 2025-07-01: {WHY}",
    ]
    assert ok(revising, drop).stdout.splitlines() == [
        "PAC-2025: recorded 3 changes",
        *preview[1:],
    ]
    assert [step_json(revising, key)["status"] for key in ("S01", "S02", "S08")] == [
        "done",
        "cancelled",
        "cancelled",
    ]
    assert step_json(revising, "S08")["cancel_reason"] == WHY
    assert plan_json(revising)["targets"][0]["dropped"] is True
    cancelled = [line for line in _history(revising, "--step", "S02") if "cancelled" in line]
    assert cancelled == [f"2025-06-30 18:00 hg — S02 cancelled on 2025-07-01: {WHY} [rev 2, cli]"]
    ok(revising, ["plan", "publish", PLAN, "--reason", "v2"])
    diff = _diff(revising)
    assert f"  S02 cancelled: on 2025-07-01: {WHY}" in diff
    assert f"  S08 cancelled: on 2025-07-01: {WHY}" in diff


def test_target_drop_without_a_date_in_the_plan_period_is_refused(revising: CliRunner) -> None:
    with freeze_time("2026-02-01 09:00:00"):
        message = refused(revising, ["target", "drop", PLAN, "T1", "--reason", WHY])
    assert message == (
        "target T1: its open steps (S01, S02, S08) would be cancelled on 2026-02-01, outside "
        "the plan period 2025-01-01..2025-12-31; give a date inside it (--on DATE)"
    )


# --- objective revise --------------------------------------------------------------------


def test_objective_revise_changes_only_the_value(revising: CliRunner) -> None:
    outcome = ok_json(revising, ["objective", "revise", PLAN, "T1", "--value", "400",
                                 "--reason", WHY])  # fmt: skip
    assert [event["type"] for event in outcome["events"]] == ["ObjectiveSet"]
    [objective] = plan_json(revising)["targets"][0]["objectives"]
    assert (objective["value"], objective["unit"], objective["due"], objective["baseline"]) == (
        "400",
        "kEUR",
        "2025-12-31",
        "180",
    )
    ok(revising, ["plan", "publish", PLAN, "--reason", "v2"])
    assert "  T1 objective main changed: value 600 kEUR → 400 kEUR" in _diff(revising)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["T1", "--objective", "growth", "--value", "1"],
            "objective growth of target T1: no such objective in plan PAC-2025 (target T1 has "
            "main); create it with `objective set`",
        ),
        (["T1"], "objective main of target T1: nothing to revise; give a new value, due date, "
         "statement or unit"),
        (["T9", "--value", "1"], "target T9: unknown target in plan PAC-2025"),
        (["T1", "--due", "2026-01-31"], "due date 2026-01-31 of objective main of target T1 is "
         "outside the plan period 2025-01-01..2025-12-31"),
        (["T1", "--value", "-5"], "--value '-5'"),
    ],
)  # fmt: skip
def test_objective_revise_bad_input(revising: CliRunner, args: list[str], expected: str) -> None:
    message = refused(
        revising, ["objective", "revise", PLAN, *args, "--reason", WHY], exit_code_for(expected)
    )
    assert message.startswith(expected)


# --- indicator set-targets --from --value ------------------------------------------------


def _targets(runner: CliRunner, *args: str) -> list[str | None]:
    command = ["indicator", "history", PLAN, "I2", "--json", *args]
    periods = json.loads(ok(runner, command).stdout)["periods"]
    return [period["target"] for period in periods]


def test_targets_from_a_period_keep_the_past_and_the_old_ones_stay_known(
    revising: CliRunner,
) -> None:
    set_from = ["indicator", "set-targets", PLAN, "I2", "--from", "2025-07", "--value", "1"]
    result = ok(revising, [*set_from, "--reason", WHY])
    assert result.stdout.splitlines() == [
        "PAC-2025: recorded 1 change",
        "  indicator I2 targets set for 6 period(s) from 2025-07 to 2025-12",
    ]
    assert _targets(revising) == ["2"] * 6 + ["1"] * 6
    assert _targets(revising, "--as-of", "2025-06-30T17:59") == ["2"] * 12
    assert _targets(revising, "--as-of", "2025-06-30T18:00") == ["2"] * 6 + ["1"] * 6
    assert ok(revising, [*set_from, "--reason", WHY]).stdout == "PAC-2025: nothing to change\n"
    cut = ["indicator", "set-targets", PLAN, "I2", "--from", "2025-11", "--value", "3"]
    ok(revising, [*cut, "--reason", WHY])
    assert _targets(revising) == ["2"] * 6 + ["1"] * 4 + ["3"] * 2


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--from", "2026-01", "--value", "1"], "indicator I2: first period 2026-01 is outside "
         "the plan period 2025-01-01..2025-12-31"),
        (["--from", "2024-12", "--value", "1"], "indicator I2: first period 2024-12 is outside"),
        (["--from", "July", "--value", "1"], "indicator I2: first period 'July': expected a "
         "month such as 2025-03"),
        (["--value", "1"], "--value needs --from PERIOD"),
        (["--from", "2025-07", "--value", "1", "--values", "1,2"], "--value goes alone"),
        (["--from", "2025-07", "--value", "lots"], "--value 'lots'"),
    ],
)  # fmt: skip
def test_targets_from_bad_input(revising: CliRunner, args: list[str], expected: str) -> None:
    command = ["indicator", "set-targets", PLAN, "I2", *args, "--reason", WHY]
    message = refused(revising, command, exit_code_for(expected))
    assert message.startswith(expected)


# --- step reschedule ---------------------------------------------------------------------


def test_step_reschedule_replaces_the_visits_still_planned_from_the_date(
    revising: CliRunner,
) -> None:
    with freeze_time("2025-07-22 17:00:00"):  # a visit is marked held once it took place
        ok(revising, ["visit", "done", PLAN, "S08@2025-07-22", "--on", "2025-07-22"])
    ok(revising, ["visit", "move", PLAN, "S08@2025-08-26", "--to", "2025-08-28T10:00",
                  "--reason", "CIO away"])  # fmt: skip
    command = ["step", "reschedule", PLAN, "S08", "--from", "2025-07-01",
               "--rrule", "FREQ=MONTHLY;BYDAY=2TU", "--reason", WHY]  # fmt: skip
    assert ok(revising, command).stdout.splitlines() == [
        "PAC-2025: recorded 2 changes",
        "  step S08 rescheduled: recurring FREQ=MONTHLY;BYDAY=2TU from 2025-07-08 10:00",
        "  S08: 4 occurrence(s) removed (S08@2025-09-23, S08@2025-10-28, S08@2025-11-25…)",
    ]
    occurrences = _occurrences(revising, "S08")
    gone = ("2025-09-23", "2025-10-28", "2025-11-25", "2025-12-23")
    assert sorted(occurrences) == [f"S08@{day}" for day in S08_DATES if day not in gone]
    assert occurrences["S08@2025-07-22"]["status"] == "done"
    assert occurrences["S08@2025-08-26"]["status"] == "moved"
    assert occurrences["S08@2025-03-25"]["status"] == "planned"  # before --from: untouched
    ok(revising, ["plan", "publish", PLAN, "--reason", "v2"])
    assert (
        "  S08 occurrences removed: S08@2025-09-23, S08@2025-10-28, S08@2025-11-25, "
        "S08@2025-12-23" in _diff(revising)
    )


def test_step_reschedule_to_a_cadence(revising: CliRunner) -> None:
    command = ["step", "reschedule", PLAN, "S08", "--from", "2025-10-01",
               "--cadence", "1 per month", "--reason", WHY, "--json"]  # fmt: skip
    outcome = ok_json(revising, command[:-1])
    assert [event["type"] for event in outcome["events"]] == [
        "StepMoved",
        "OccurrencesUnscheduled",
        "OccurrencesScheduled",
    ]
    assert outcome["events"][0]["data"]["schedule"] == {
        "kind": "cadence", "count": 1, "per": "month", "exceptions": {}, "first": "2025-10",
        "last": None,
    }  # fmt: skip
    later = [key for key in _occurrences(revising, "S08") if key >= "S08@2025-10"]
    assert len(later) == 3


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["S01", "--from", "2025-07-01", "--cadence", "1 per month"],
         "step S01 is a task with a due date, not a series"),
        (["S08", "--from", "2026-01-01", "--rrule", "FREQ=MONTHLY;BYDAY=2TU"],
         "reschedule date 2026-01-01 of step S08 is outside the plan period"),
        (["S08", "--from", "2025-07-01"], "step S08: give the new recurrence rule or the new "
         "cadence"),
        (["S08", "--from", "2025-07-01", "--rrule", "FREQ=SOMETIMES"], "step S08: bad RRULE"),
        (["S99", "--from", "2025-07-01", "--cadence", "1 per month"],
         "step S99: unknown step in plan PAC-2025"),
    ],
)  # fmt: skip
def test_step_reschedule_bad_input(revising: CliRunner, args: list[str], expected: str) -> None:
    message = refused(revising, ["step", "reschedule", PLAN, *args, "--reason", WHY])
    assert message.startswith(expected)


# --- replan shift ------------------------------------------------------------------------


def test_replan_shift_moves_due_dates_and_visits_still_to_hold(revising: CliRunner) -> None:
    ok(revising, ["step", "done", PLAN, "S01", "--on", "2025-01-30"])
    ok(revising, ["visit", "done", PLAN, "S08@2025-06-24", "--on", "2025-06-24"])
    shift = ["replan", "shift", PLAN, "--target", "T1", "--offset", "1w", "--from", "2025-02-01",
             "--reason", WHY]  # fmt: skip
    result = ok(revising, shift).stdout.splitlines()
    assert result[:3] == [
        "PAC-2025: recorded 22 changes",
        "  step S02 rescheduled: due 2025-02-21",
        "  S08@2025-02-11 moved to 2025-02-18 10:00",
    ]
    assert result[-1] == "  S08@2025-12-23 moved to 2025-12-30 10:00"
    assert step_json(revising, "S01")["schedule"]["due"] == "2025-01-31"  # done: untouched
    occurrences = _occurrences(revising, "S08")
    assert occurrences["S08@2025-06-24"]["start"] == "2025-06-24T10:00:00"  # held: untouched
    assert occurrences["S08@2025-01-28"]["start"] == "2025-01-28T10:00:00"  # before --from
    assert occurrences["S08@2025-12-23"]["start"] == "2025-12-30T10:00:00"
    assert occurrences["S08@2025-12-23"]["status"] == "moved"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--track", "T1-ELEV", "--offset", "2w"], "step S08: occurrence S08@2025-12-23 would move "
         "to 2026-01-06T10:00, outside the plan period 2025-01-01..2025-12-31"),
        (["--track", "T1-INFO", "--offset", "-31d"], "due date 2024-12-31 of step S01 is outside "
         "the plan period"),
        (["--track", "T1-INFO", "--offset", "a month"], "--offset 'a month': expected a number of "
         "days or weeks such as 30d, 2w or -7d"),
        (["--track", "T1-INFO", "--offset", "0d"],
         "track T1-INFO: a shift of 0 days moves nothing"),
        (["--track", "T9", "--offset", "2w"], "track T9: unknown track in plan PAC-2025"),
        (["--target", "T9", "--offset", "2w"], "target T9: unknown target in plan PAC-2025"),
        (["--offset", "2w"], "give --track TRACK or --target TARGET (one of them)"),
    ],
)  # fmt: skip
def test_replan_shift_bad_input(revising: CliRunner, args: list[str], expected: str) -> None:
    message = refused(
        revising, ["replan", "shift", PLAN, *args, "--reason", WHY], exit_code_for(expected)
    )
    assert message.startswith(expected)


# --- person leave --reassign-to ----------------------------------------------------------


def test_person_leave_hands_the_open_steps_over(revising: CliRunner) -> None:
    leave = ["person", "leave", PLAN, "cd", "--on", "2025-09-30", "--reassign-to", "kb",
             "--reason", "Claire leaves Numéria"]  # fmt: skip
    assert ok(revising, leave).stdout.splitlines() == [
        "PAC-2025: recorded 4 changes",
        "  cd left the team on 2025-09-30",
        "  step S01 assigned to kb (participants jm)",
        "  step S02 assigned to kb (participants hg)",
        "  step S08 assigned to kb (participants nobody)",
    ]
    assert [step_json(revising, key)["responsible"] for key in ("S01", "S02", "S08")] == ["kb"] * 3
    assert [p["left_on"] for p in plan_json(revising)["people"] if p["key"] == "cd"] == [
        "2025-09-30"
    ]
    history = _history(revising, "--step", "S08")
    assert history[-1] == (
        "2025-06-30 18:00 hg — S08 responsible cd → kb — reason: Claire leaves Numéria [rev 2, cli]"
    )


def test_person_leave_reassign_to_someone_who_left_is_refused(revising: CliRunner) -> None:
    ok(revising, ["person", "leave", PLAN, "kb", "--on", "2025-06-01", "--reason", "left"])
    message = refused(revising, ["person", "leave", PLAN, "cd", "--on", "2025-09-30",
                                 "--reassign-to", "kb", "--reason", "x"])  # fmt: skip
    assert message == (
        "successor kb of person cd: Karim Benali left the team on 2025-06-01; expected someone "
        "still in the team"
    )


# --- outside a revision ------------------------------------------------------------------

REPLANNING = [
    ["target", "drop", PLAN, "T1", "--on", "2025-07-01"],
    ["objective", "revise", PLAN, "T1", "--value", "400"],
    ["indicator", "set-targets", PLAN, "I2", "--from", "2025-07", "--value", "1"],
    [
        "step",
        "reschedule",
        PLAN,
        "S08",
        "--from",
        "2025-07-01",
        "--rrule",
        "FREQ=MONTHLY;BYDAY=2TU",
    ],
    ["replan", "shift", PLAN, "--track", "T1-ELEV", "--offset", "1w"],
    ["person", "leave", PLAN, "cd", "--on", "2025-09-30", "--reassign-to", "kb"],
]


@pytest.mark.parametrize("args", REPLANNING, ids=lambda args: " ".join(args[:2]))
def test_replanning_a_published_plan_needs_an_open_revision(
    published: CliRunner, args: list[str]
) -> None:
    message = refused(published, [*args, "--reason", WHY])
    assert message.endswith(
        "plan PAC-2025 is published; open a revision (with a reason) before changing it"
    )


@pytest.mark.parametrize("args", REPLANNING, ids=lambda args: " ".join(args[:2]))
def test_replanning_inside_a_revision_needs_a_reason(revising: CliRunner, args: list[str]) -> None:
    assert "a reason is required to change plan PAC-2025 (revision 2 is open)" in refused(
        revising, args
    )


def test_export_warns_about_a_reschedule_history_the_file_cannot_hold(
    revising: CliRunner,
) -> None:
    command = ["step", "reschedule", PLAN, "S08", "--from", "2025-07-01",
               "--rrule", "FREQ=MONTHLY;BYDAY=2TU", "--reason", WHY]  # fmt: skip
    clean = ok(revising, ["export", "yaml", PLAN])
    assert clean.stderr == ""
    ok(revising, command)
    exported = ok(revising, ["export", "yaml", PLAN])
    assert exported.stderr.splitlines() == [
        "warning: step S08: 12 occurrence(s) from an earlier schedule; the file holds its "
        "current schedule only (6 occurrence(s) once applied, 18 in the plan)"
    ]
    assert "FREQ=MONTHLY;BYDAY=2TU" in exported.stdout


def test_export_warns_about_a_moved_visit_a_step_moved_to_a_due_date_keeps(
    revising: CliRunner,
) -> None:
    """A step made a due date keeps its visit moved by hand; the file (a due date) has none."""
    ok(revising, ["visit", "move", PLAN, "S08@2025-03-25", "--to", "2025-03-27T10:00",
                  "--reason", WHY])  # fmt: skip
    ok(revising, ["step", "move", PLAN, "S08", "--due", "2025-10-15", "--reason", WHY])
    exported = ok(revising, ["export", "yaml", PLAN])
    assert exported.stderr.splitlines() == [
        "warning: step S08: 1 occurrence(s) from an earlier schedule; the file holds its "
        "current schedule only (0 occurrence(s) once applied, 1 in the plan)"
    ]
