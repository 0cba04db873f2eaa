"""Times entered in a rep's own zone, and shown in it (docs/time.md).

The plan is in Europe/Paris; `ny` lives in America/New_York. New York's clocks change on
other days than Paris's (forward 2025-03-09, back 2025-11-02; Paris: 2025-03-30 and
2025-10-26), so between those dates the two zones are five hours apart, not six.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from freezegun import freeze_time
from icalendar import Calendar

from tests.cli.plan_fixtures import invoke, ok, ok_json, refused

PLAN = "P"


@pytest.fixture
def plan(runner: CliRunner, db_url: str) -> str:
    """A Paris plan for 2025 with a manager and a New York rep."""
    for command in (
        ["plan", "create", PLAN, "--title", "Plan", "--start", "2025-01-01", "--end",
         "2025-12-31", "--timezone", "Europe/Paris", "--owner", "hg", "--country", "none"],
        ["person", "add", PLAN, "hg", "--name", "Hélène", "--kind", "manager"],
        ["person", "add", PLAN, "ny", "--name", "Nora York", "--kind", "rep",
         "--timezone", "America/New_York"],
        ["target", "add", PLAN, "T1", "--kind", "customer", "--title", "Hudson Bank",
         "--responsible", "ny"],
        ["track", "add", PLAN, "TR", "--target", "T1", "--domain", "sales",
         "--approach", "farming", "--title", "Suivi"],
    ):  # fmt: skip
        ok(runner, command)
    return PLAN


def _step(runner: CliRunner, key: str, *schedule: str, responsible: str = "ny") -> Any:
    return ok_json(runner, ["step", "add", PLAN, key, "--track", "TR", "--title", f"Visit {key}",
                            "--responsible", responsible, "--parallel", *schedule])  # fmt: skip


def _starts(runner: CliRunner, step: str) -> list[str]:
    shown = ok_json(runner, ["plan", "show", PLAN])
    (found,) = [s for track in shown["tracks"] for s in track["steps"] if s["key"] == step]
    return [occurrence["start"] for occurrence in found["occurrences"]]


def _instant(runner: CliRunner, occurrence: str) -> datetime:
    """The start of the occurrence's calendar event, as an instant."""
    data = invoke(runner, ["export", "ics", PLAN]).stdout_bytes
    for event in Calendar.from_ical(data).walk("VEVENT"):
        if str(event.get("X-PACFLOW-OCCURRENCE")) == occurrence:
            start: datetime = event.decoded("DTSTART")
            return start.astimezone(UTC)
    raise AssertionError(f"no event for {occurrence}")


def test_sessions_typed_in_the_reps_zone_are_converted_to_the_plans(
    runner: CliRunner, plan: str
) -> None:
    # 10:00 in New York on 12 March is 14:00Z: 15:00 in Paris (not yet on summer time).
    _step(runner, "S1", "--session", "2025-03-12T10:00", "--session", "2025-06-12T10:00",
          "--duration", "PT1H", "--in", "ny")  # fmt: skip
    assert _starts(runner, "S1") == ["2025-03-12T15:00:00", "2025-06-12T16:00:00"]
    assert _instant(runner, "S1@2025-03-12") == datetime(2025, 3, 12, 14, tzinfo=UTC)
    # A zone name works as a person does.
    _step(runner, "S2", "--session", "2025-06-12T10:00", "--in", "America/New_York")
    assert _starts(runner, "S2") == ["2025-06-12T16:00:00"]


def test_the_gap_and_the_repeated_hour_are_judged_in_the_zone_typed_in(
    runner: CliRunner, plan: str
) -> None:
    add = ["step", "add", PLAN, "S1", "--track", "TR", "--title", "Visit", "--responsible", "ny"]
    # 02:30 on 9 March does not exist in New York (it does in Paris).
    message = refused(runner, [*add, "--session", "2025-03-09T02:30", "--in", "ny"])
    assert "does not exist in America/New_York" in message
    assert "2025-03-09T01:59 and 2025-03-09T03:00" in message
    # 01:30 on 2 November happens twice in New York (once in Paris).
    message = refused(runner, [*add, "--session", "2025-11-02T01:30", "--in", "ny"])
    assert "happens twice in America/New_York" in message
    assert "2025-11-02T01:30~2 for the second (EST)" in message
    # 02:30 on 30 March exists in New York: typed there, it is 08:30 in Paris.
    _step(runner, "S1", "--session", "2025-03-30T02:30", "--session", "2025-11-02T01:30~2",
          "--in", "ny")  # fmt: skip
    assert _starts(runner, "S1") == ["2025-03-30T08:30:00", "2025-11-02T07:30:00"]
    assert _instant(runner, "S1@2025-11-02") == datetime(2025, 11, 2, 6, 30, tzinfo=UTC)


def test_step_move_reschedule_and_visit_record_take_the_reps_zone(
    runner: CliRunner, plan: str
) -> None:
    _step(runner, "S1", "--rrule", "FREQ=MONTHLY;BYMONTHDAY=3;COUNT=3",
          "--dtstart", "2025-06-03T16:00")  # fmt: skip
    ok(runner, ["step", "move", PLAN, "S1", "--rrule", "FREQ=MONTHLY;BYMONTHDAY=3;COUNT=3",
                "--dtstart", "2025-06-03T09:00", "--in", "ny"])  # fmt: skip
    assert _starts(runner, "S1") == [f"2025-0{month}-03T15:00:00" for month in (6, 7, 8)]
    for command in (["approve"], ["publish"], ["revise", "--reason", "US hours"]):
        ok(runner, ["plan", command[0], PLAN, *command[1:]])
    ok(runner, ["step", "reschedule", PLAN, "S1", "--from", "2025-07-01",
                "--rrule", "FREQ=MONTHLY;BYMONTHDAY=4;COUNT=2", "--dtstart", "2025-07-04T08:00",
                "--in", "ny", "--reason", "US hours"])  # fmt: skip
    assert _starts(runner, "S1") == [
        "2025-06-03T15:00:00",
        "2025-07-04T14:00:00",
        "2025-08-04T14:00:00",
    ]
    with freeze_time("2025-09-01 12:00:00"):
        ok(runner, ["visit", "record", PLAN, "S1", "--on", "2025-08-20T11:00", "--in", "ny",
                    "--reason", "extra visit"])  # fmt: skip
    assert "2025-08-20T17:00:00" in _starts(runner, "S1")
    message = refused(runner, ["step", "move", PLAN, "S1", "--rrule", "FREQ=DAILY;COUNT=2",
                               "--dtstart", "2025-09-03T09:00", "--in", "nobody",
                               "--reason", "x"])  # fmt: skip
    assert "neither an IANA time zone" in message


def test_the_plans_last_evening_in_new_york_is_still_inside_the_plan(
    runner: CliRunner, plan: str
) -> None:
    _step(runner, "S1", "--session", "2025-12-30T10:00", "--in", "ny")
    # 23:30 on 31 December in New York is 05:30 on 1 January in Paris: still the rep's year.
    ok(runner, ["visit", "move", PLAN, "S1@2025-12-30", "--to", "2025-12-31T23:30",
                "--in", "ny"])  # fmt: skip
    assert _starts(runner, "S1") == ["2026-01-01T05:30:00"]
    with freeze_time("2026-01-01 04:45:00"):  # 23:45 in New York
        ok(runner, ["--actor", "ny", "visit", "done", PLAN, "S1@2025-12-30"])
    shown = ok_json(runner, ["plan", "show", PLAN])
    (occurrence,) = [o for t in shown["tracks"] for s in t["steps"] for o in s["occurrences"]]
    assert occurrence["done_on"] == "2025-12-31"
    # A rep in Paris has no such evening: 05:30 on 1 January is outside the plan.
    _step(runner, "S2", "--session", "2025-12-30T10:00", responsible="hg")
    message = refused(runner, ["visit", "move", PLAN, "S2@2025-12-30",
                               "--to", "2026-01-01T05:30"])  # fmt: skip
    assert "outside the plan period" in message


def test_a_reps_section_of_the_report_shows_their_own_times(runner: CliRunner, plan: str) -> None:
    _step(
        runner,
        "S1",
        "--session",
        "2025-06-12T10:00",
        "--session",
        "2025-06-19T10:00",
        "--duration",
        "PT1H",
    )  # fmt: skip  (Paris times)
    report = ok_json(runner, ["report", PLAN, "--by", "rep"])
    (section,) = [s for s in report["sections"] if s["person"]["key"] == "ny"]
    (assignment,) = section["assignments"]
    visit, _ = assignment["step"]["visits"]
    assert (visit["day"], visit["time"]) == ("2025-06-12", "04:00 America/New_York")
    # The schedule is the plan's: its time says whose it is.
    assert assignment["step"]["schedule"] == "2 sessions from 2025-06-12 10:00 (Europe/Paris)"
    page = ok(runner, ["report", PLAN, "--by", "rep", "--format", "html"]).stdout
    assert "04:00 America/New_York" in page


_PLAN_FILE = """\
plan: {key: PF, title: US desk, start: 2025-01-01, end: 2025-12-31, timezone: Europe/Paris,
       owner: hg, country: none}
people:
  - {key: hg, name: Hélène, kind: manager}
  - {key: ny, name: Nora York, kind: rep, timezone: America/New_York}
targets:
  - key: T1
    kind: customer
    title: Hudson Bank
    responsible: ny
    tracks:
      - key: TR
        domain: sales
        approach: farming
        title: Suivi
        steps:
          - key: S1
            title: Calls
            responsible: ny
            in: ny
            sessions:
              - {start: 2025-03-12T10:00:00, duration: PT1H}
              - {start: 2025-11-02T01:30:00~2}
              - {start: 2025-06-12T10:00:00, in: Europe/London}
              - {start: 2025-07-14}
          - key: S2
            title: Weekly
            responsible: ny
            parallel: true
            in: America/New_York
            recurrence:
              rules: [{dtstart: 2025-06-02T09:00:00, rrule: "FREQ=WEEKLY;COUNT=2"}]
"""


def test_a_plan_file_gives_times_in_a_reps_zone(
    runner: CliRunner, db_url: str, tmp_path: Any
) -> None:
    path = tmp_path / "pf.yaml"
    path.write_text(_PLAN_FILE, encoding="utf-8")
    ok(runner, ["apply", str(path)])
    shown = ok_json(runner, ["plan", "show", "PF"])
    starts = {
        step["key"]: [o["start"] for o in step["occurrences"]]
        for track in shown["tracks"]
        for step in track["steps"]
    }
    assert starts["S1"] == [
        "2025-03-12T15:00:00",  # 10:00 in New York, five hours behind that week
        "2025-06-12T11:00:00",  # 10:00 in London (its own `in:`)
        "2025-07-14T00:00:00",  # a date stays a date: all day
        "2025-11-02T07:30:00",  # the second 01:30 in New York (EST): 06:30Z
    ]
    assert starts["S2"] == ["2025-06-02T15:00:00", "2025-06-09T15:00:00"]
    # Applied again, the file says what the plan holds: nothing to record.
    assert ok_json(runner, ["apply", str(path)])["events"] == []
    # The gap, judged in the zone typed in, is refused at its line; nothing is recorded.
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        _PLAN_FILE.replace("PF,", "PG,").replace("2025-03-12T10:00:00", "2025-03-09T02:30:00"),
        encoding="utf-8",
    )
    message = refused(runner, ["apply", str(bad)])
    assert message.startswith(f"{bad}:22: ")
    assert "does not exist in America/New_York" in message
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(_PLAN_FILE.replace("PF,", "PH,").replace("in: ny", "in: nobody"))
    message = refused(runner, ["apply", str(unknown)])
    assert message.startswith(f"{unknown}:20: ")
    assert "'nobody': neither an IANA time zone" in message
