"""One definition of each fact: every view says the same about the same plan on the same day.

The same scenario is read through `plan show --json`, `report --json`, `check --json`,
`dashboard --json` and `step list --json`, and what they say about done and late steps, held
visits and answered findings is compared: on the demo at the dates the README uses, and on
small plans built for the cases the issue names (a step that is one meeting, a series past
its end, grace days, a revision that changes something else).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from tests.cli.plan_fixtures import invoke, ok, ok_json, refused
from tests.cli.test_history_commands import use_demo

DEMO = "PAC-2025"
README_DATES = ("2025-05-01", "2025-06-01", "2025-06-05", "2025-06-20", "2025-07-01", "2025-12-31")
"""The --as-of dates the README's commands use on the demo, and the year's last day."""


# --- what each view says -----------------------------------------------------------------


def _show_steps(view: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for track in view["tracks"]:
        yield from track["steps"]


def shown(runner: CliRunner, plan: str, *args: str) -> dict[str, dict[str, Any]]:
    """`plan show --json`: each step's view, by key."""
    view = ok_json(runner, ["plan", "show", plan, *args])
    return {step["key"]: step for step in _show_steps(view)}


def reported(runner: CliRunner, plan: str, *args: str) -> dict[str, dict[str, Any]]:
    """`report --by target --json`: each step's line, by key."""
    data = ok_json(runner, ["report", plan, "--by", "target", *args])
    blocks = [track for section in data["sections"] for track in section["tracks"]]
    blocks += data["plan_tracks"]
    return {step["key"]: step for block in blocks for step in block["steps"]}


def checked(runner: CliRunner, plan: str, *args: str) -> dict[str, Any]:
    """`check --json` (exit 0 or 1: it ran)."""
    result = invoke(runner, ["check", plan, "--json", *args])
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def subjects(found: dict[str, Any], rule: str) -> set[str]:
    return {f["subject"] for f in found["findings"] if f["rule"] == rule}


def in_state(steps: dict[str, dict[str, Any]], state: str) -> set[str]:
    return {key for key, step in steps.items() if step["state"] == state}


def assert_views_agree(runner: CliRunner, plan: str, *args: str) -> dict[str, dict[str, Any]]:
    """Done, late and held: plan show, report and check say the same; returns plan show's."""
    show = shown(runner, plan, *args)
    report = reported(runner, plan, *args)
    found = checked(runner, plan, *args)
    assert {key: step["state"] for key, step in show.items()} == {
        key: step["state"] for key, step in report.items()
    }
    assert in_state(show, "late") == subjects(found, "step-overdue")
    for key, step in show.items():
        held = {o["key"] for o in step["occurrences"] if o["state"] == "held"}
        assert held == {v["key"] for v in report[key]["visits"] if v["state"] == "held"}, key
        overdue = {o["key"] for o in step["occurrences"] if o["state"] == "overdue"}
        assert overdue == {v["key"] for v in report[key]["visits"] if v["state"] == "overdue"}
        assert step.get("done_on") == report[key]["done_on"] or step["state"] != "done", key
    return show


# --- the demo, at the README's dates -----------------------------------------------------


@pytest.fixture
def demo(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    use_demo(db_url, tmp_path_factory)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("day", README_DATES)
def test_the_demo_views_agree_at_the_readme_dates(runner: CliRunner, day: str) -> None:
    show = assert_views_agree(runner, DEMO, "--as-of", day)
    report = ok_json(runner, ["report", DEMO, "--by", "theme", "--as-of", day])
    assert report["progress"]["late"] == len(in_state(show, "late"))
    assert report["progress"]["done"] == len(in_state(show, "done"))


@pytest.mark.usefixtures("demo")
def test_s22_at_year_end_is_late_in_report_and_check_alike(runner: CliRunner) -> None:
    # The case: report counted S22 late while check listed it only below cadence.
    found = checked(runner, DEMO, "--as-of", "2025-12-31")
    assert "S22" in subjects(found, "step-overdue")
    s22 = next(
        f for f in found["findings"] if f["rule"] == "step-overdue" and f["subject"] == "S22"
    )
    assert "its last visit was on 2025-12-30 and 8 visits not held" in s22["message"]
    assert s22["command"] == f"pacflow visit list {DEMO} --step S22 --status to-report"
    assert reported(runner, DEMO, "--as-of", "2025-12-31")["S22"]["state"] == "late"
    # While the series runs, missed visits are overdue, not a late step.
    assert reported(runner, DEMO, "--as-of", "2025-06-20")["S22"]["state"] != "late"
    assert "S22" not in subjects(checked(runner, DEMO, "--as-of", "2025-06-20"), "step-overdue")


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("day", ["2025-06-05", "2025-12-31"])
def test_the_dashboard_counts_the_visits_plan_show_says_were_held(
    runner: CliRunner, day: str
) -> None:
    # I2 counts S08's visits held, in the month each was held.
    occurrences = shown(runner, DEMO, "--as-of", day)["S08"]["occurrences"]
    months = sorted({o["done_on"][:7] for o in occurrences if o["state"] == "held"})
    assert months
    for month in months:
        board = ok_json(runner, ["dashboard", DEMO, "--as-of", day, "--period", month])
        i2 = next(row for row in board["activity"] if row["indicator"] == "I2")
        held = [o for o in occurrences if o["state"] == "held" and o["done_on"][:7] == month]
        assert int(i2["actual"]) == len(held), month


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("day", ["2025-03-11", "2025-06-20"])
def test_what_check_calls_off_track_the_dashboard_calls_off_track(
    runner: CliRunner, day: str
) -> None:
    off = subjects(checked(runner, DEMO, "--as-of", day), "indicator-off-track")
    assert off  # I1 and I8 in March (revision 2 answered neither), I1 in June
    board = ok_json(runner, ["dashboard", DEMO, "--as-of", day])
    status = {row["indicator"]: row["status"] for row in [*board["activity"], *board["result"]]}
    assert {key: status[key] for key in off} == dict.fromkeys(off, "off track")


@pytest.mark.usefixtures("demo")
def test_the_march_revision_answered_nothing_it_did_not_change(runner: CliRunner) -> None:
    # Revision 2 only handed S15 to another person: I1 and I8, off track before it, stay so.
    before = subjects(checked(runner, DEMO, "--as-of", "2025-03-10T10:00"), "indicator-off-track")
    after = checked(runner, DEMO, "--as-of", "2025-03-10T10:20")
    assert before == subjects(after, "indicator-off-track") == {"I1", "I8"}
    assert after["answered"] == []
    revisions = ok_json(runner, ["plan", "revisions", DEMO])
    assert revisions[1]["answered"] == []


# --- small plans -------------------------------------------------------------------------

PLAN = "PAC-F"


def _build(runner: CliRunner, *extra: list[str], grace: int | None = None) -> None:
    with freeze_time("2025-01-02 09:00:00"):
        for command in (
            ["plan", "create", PLAN, "--title", "Facts", "--start", "2025-01-01", "--end",
             "2025-12-31", "--timezone", "Europe/Paris", "--owner", "hg"],
            ["person", "add", PLAN, "hg", "--name", "Hélène", "--kind", "manager"],
            ["person", "add", PLAN, "cd", "--name", "Claire", "--kind", "rep"],
            ["target", "add", PLAN, "T1", "--kind", "customer", "--title", "BRC",
             "--responsible", "cd"],
            ["track", "add", PLAN, "K", "--target", "T1", "--domain", "sales",
             "--approach", "farming", "--title", "Kick-off"],
            # K1: one meeting; K2 waits for it; V: a short series of visits.
            ["step", "add", PLAN, "K1", "--track", "K", "--title", "Kick-off meeting",
             "--responsible", "cd", "--session", "2025-02-10T10:00"],
            ["step", "add", PLAN, "K2", "--track", "K", "--title", "Proposal",
             "--responsible", "cd", "--due", "2025-03-31"],
            ["step", "add", PLAN, "V", "--track", "K", "--title", "Visits",
             "--responsible", "cd", "--rrule", "FREQ=MONTHLY;BYDAY=2TU;COUNT=3",
             "--dtstart", "2025-02-11T10:00", "--parallel"],
            *(
                [["plan", "set-check", PLAN, "--overdue-grace-days", str(grace)]]
                if grace is not None
                else []
            ),
            *extra,
        ):  # fmt: skip
            ok(runner, command)


def _now(runner: CliRunner, moment: str, *command: str) -> Any:
    with freeze_time(moment):
        return ok(runner, list(command))


@pytest.mark.usefixtures("db_url")
def test_a_step_that_is_one_meeting_is_done_when_it_is_held(runner: CliRunner) -> None:
    _build(runner)
    _now(runner, "2025-02-10 15:00:00", "visit", "done", PLAN, "K1@2025-02-10")
    with freeze_time("2025-02-20 09:00:00"):
        show = assert_views_agree(runner, PLAN)
        assert (show["K1"]["state"], show["K1"]["done_on"]) == ("done", "2025-02-10")
        assert show["K1"]["status"] == "planned"  # as recorded: no second "done" was typed
        listed = {r["key"]: r for r in ok_json(runner, ["step", "list", PLAN])}
        assert (listed["K1"]["status"], listed["K1"]["late"]) == ("done", False)
        text = ok(runner, ["plan", "show", PLAN]).stdout
        assert "K1    done        cd   Kick-off meeting — on 2025-02-10 10:00 (1 held)" in text
        markdown = ok(runner, ["report", PLAN, "--by", "theme"]).stdout
        k1 = next(line for line in markdown.splitlines() if line.startswith("| K1 "))
        assert "done 2025-02-10" in k1
        assert "late" not in k1
        # Its successor may start: the decider's sequencing uses the same fact.
        ok(runner, ["step", "start", PLAN, "K2", "--on", "2025-02-20"])
        refused(runner, ["step", "start", PLAN, "K2", "--on", "2025-02-09"])  # before held
    # Un-holding the meeting would leave K2 under way after an open predecessor: refused.
    with freeze_time("2025-02-21 09:00:00"):
        message = refused(
            runner, ["visit", "reopen", PLAN, "K1@2025-02-10", "--reason", "not held"]
        )
    assert message.startswith("occurrence K1@2025-02-10 cannot be un-held: its step K1")
    assert "step K2, which waits for it, is in_progress" in message


@pytest.mark.usefixtures("db_url")
def test_a_meeting_not_held_makes_its_step_late_in_every_view(runner: CliRunner) -> None:
    _build(runner)
    with freeze_time("2025-02-12 09:00:00"):
        show = assert_views_agree(runner, PLAN)
        assert show["K1"]["state"] == "late"
        assert [o["state"] for o in show["K1"]["occurrences"]] == ["overdue"]
        # V's first visit is overdue, but the series runs until April: not late.
        assert show["V"]["state"] == "planned"
        listed = {r["key"]: r for r in ok_json(runner, ["step", "list", PLAN, "--status", "late"])}
        assert set(listed) == {"K1"}


@pytest.mark.usefixtures("db_url")
def test_a_series_past_its_last_visit_with_visits_not_held_is_late(runner: CliRunner) -> None:
    _build(runner)
    for day in ("2025-02-11", "2025-03-11"):
        _now(runner, f"{day} 15:00:00", "visit", "done", PLAN, f"V@{day}")
    with freeze_time("2025-04-09 09:00:00"):  # the day after its last visit, not held
        show = assert_views_agree(runner, PLAN)
        assert show["V"]["state"] == "late"
    _now(runner, "2025-04-09 10:00:00", "visit", "done", PLAN, "V@2025-04-08")
    with freeze_time("2025-04-09 11:00:00"):  # all three held: done on the last one
        show = assert_views_agree(runner, PLAN)
        assert (show["V"]["state"], show["V"]["done_on"]) == ("done", "2025-04-08")


@pytest.mark.usefixtures("db_url")
def test_grace_days_delay_late_in_every_view(runner: CliRunner) -> None:
    _build(runner, grace=5)
    _now(runner, "2025-02-10 15:00:00", "visit", "done", PLAN, "K1@2025-02-10")
    with freeze_time("2025-04-04 09:00:00"):  # K2 due 31 March: 4 days ago, within grace
        show = assert_views_agree(runner, PLAN)
        assert show["K2"]["state"] == "planned"
    with freeze_time("2025-04-06 09:00:00"):  # 6 days: late, in report as in check
        show = assert_views_agree(runner, PLAN)
        assert show["K2"]["state"] == "late"


@pytest.mark.usefixtures("db_url")
def test_views_agree_as_of_a_moment_before_a_correction(runner: CliRunner) -> None:
    _build(runner)
    _now(runner, "2025-02-10 15:00:00", "visit", "done", PLAN, "K1@2025-02-10")
    _now(runner, "2025-02-12 09:00:00", "visit", "reopen", PLAN, "K1@2025-02-10", "--reason",
         "postponed")  # fmt: skip
    with freeze_time("2025-02-20 09:00:00"):
        before = assert_views_agree(runner, PLAN, "--as-of", "2025-02-11")
        now = assert_views_agree(runner, PLAN)
    assert (before["K1"]["state"], now["K1"]["state"]) == ("done", "late")
