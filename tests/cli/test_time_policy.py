"""Local times, daylight saving and public holidays, as a user meets them (docs/time.md).

Plans in Europe/Paris (clocks forward 2025-03-30, back 2025-10-26) and America/New_York
(forward 2025-03-09, back 2025-11-02); calendars read back with icalendar, as a calendar
app reads them.
"""

from __future__ import annotations

import json
import shlex
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import holidays
import pytest
from click.testing import CliRunner
from icalendar import Calendar

from tests.cli.plan_fixtures import invoke, ok, ok_json, refused

PARIS = ["--start", "2025-01-01", "--end", "2026-12-31", "--timezone", "Europe/Paris"]


def _plan(runner: CliRunner, key: str = "P", *extra: str) -> None:
    ok(runner, ["plan", "create", key, "--title", "Plan", *PARIS, "--owner", "hg", *extra])
    ok(runner, ["person", "add", key, "hg", "--name", "Hélène", "--kind", "manager"])
    ok(runner, ["target", "add", key, "T1", "--kind", "customer", "--title", "BRC",
                "--responsible", "hg"])  # fmt: skip
    ok(runner, ["track", "add", key, "TR", "--target", "T1", "--domain", "sales",
                "--approach", "farming", "--title", "Suivi"])  # fmt: skip


def _step(runner: CliRunner, key: str, *schedule: str, plan: str = "P") -> Any:
    return ok_json(runner, ["step", "add", plan, key, "--track", "TR", "--title", f"Visite {key}",
                            "--responsible", "hg", *schedule])  # fmt: skip


def _occurrences(runner: CliRunner, plan: str) -> list[dict[str, Any]]:
    """Every occurrence `plan show --json` lists."""
    shown = ok_json(runner, ["plan", "show", plan])
    return [o for track in shown["tracks"] for step in track["steps"] for o in step["occurrences"]]


def _events(runner: CliRunner, plan: str = "P") -> dict[str, Any]:
    """The plan's VEVENTs by occurrence key, read back with icalendar."""
    data = invoke(runner, ["export", "ics", plan]).stdout_bytes
    calendar = Calendar.from_ical(data)
    return {
        str(event["X-PACFLOW-OCCURRENCE"]): event
        for event in calendar.walk("VEVENT")
        if "X-PACFLOW-OCCURRENCE" in event
    }


def _instants(event: Any) -> tuple[datetime, datetime]:
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    return start.astimezone(UTC), end.astimezone(UTC)


# --- the gap and the repeated hour --------------------------------------------------------


def test_a_weekly_rule_into_the_gap_is_shifted_as_rfc_5545_says_and_said(
    runner: CliRunner, db_url: str
) -> None:
    _plan(runner, "P", "--country", "none")
    outcome = _step(runner, "S1", "--rrule", "FREQ=WEEKLY;BYDAY=SU;COUNT=40",
                    "--dtstart", "2025-03-02T02:30", "--duration", "PT30M")  # fmt: skip
    assert outcome["warnings"] == [
        "S1@2025-03-30 is at 03:30: 02:30 does not exist on 2025-03-30 in Europe/Paris "
        "(RFC 5545 shifts it)"
    ]
    events = _events(runner)
    start, end = _instants(events["S1@2025-03-30"])
    assert (start, end - start) == (datetime(2025, 3, 30, 1, 30, tzinfo=UTC), timedelta(minutes=30))
    assert "03:30, not 02:30" in str(events["S1@2025-03-30"]["DESCRIPTION"])
    # The weeks either side keep 02:30 local: 01:30Z in winter, 00:30Z in summer.
    assert _instants(events["S1@2025-03-23"])[0] == datetime(2025, 3, 23, 1, 30, tzinfo=UTC)
    assert _instants(events["S1@2025-04-06"])[0] == datetime(2025, 4, 6, 0, 30, tzinfo=UTC)
    # Fall-back day: 02:30 happens twice; a recurrence takes the first (RFC 5545).
    assert _instants(events["S1@2025-10-26"])[0] == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("session", "duration", "start_utc", "end_text"),
    [
        # 90 minutes from 01:45 CEST on fall-back day end at 02:15 CET, the second 02:15:
        # written in UTC, since a TZID time would name the first.
        ("2025-10-26T01:45", "PT90M", datetime(2025, 10, 25, 23, 45, tzinfo=UTC),
         b"DTEND:20251026T011500Z"),
        # One hour from 01:30 on spring-forward day ends at 03:30, not at 02:30 (no such time).
        ("2025-03-30T01:30", "PT1H", datetime(2025, 3, 30, 0, 30, tzinfo=UTC),
         b"DTEND;TZID=Europe/Paris:20250330T033000"),
        # The second 02:30, typed with ~2 or with its offset.
        ("2025-10-26T02:30~2", "PT1H", datetime(2025, 10, 26, 1, 30, tzinfo=UTC),
         b"DTEND;TZID=Europe/Paris:20251026T033000"),
        ("2025-10-26T02:30+01:00", "PT1H", datetime(2025, 10, 26, 1, 30, tzinfo=UTC),
         b"DTEND;TZID=Europe/Paris:20251026T033000"),
    ],
)  # fmt: skip
def test_ends_are_the_start_plus_the_duration_in_absolute_time(
    runner: CliRunner, db_url: str, session: str, duration: str, start_utc: datetime,
    end_text: bytes,
) -> None:  # fmt: skip
    _plan(runner, "P", "--country", "none")
    _step(runner, "S1", "--session", session, "--duration", duration)
    (event,) = _events(runner).values()
    start, end = _instants(event)
    assert (start, end - start) == (start_utc, timedelta(minutes=90 if "90" in duration else 60))
    assert end_text in invoke(runner, ["export", "ics", "P"]).stdout_bytes


def test_a_timed_visit_without_a_duration_gets_an_end(runner: CliRunner, db_url: str) -> None:
    _plan(runner, "P", "--country", "none")
    _step(runner, "S1", "--session", "2025-06-03T10:00")
    (event,) = _events(runner).values()
    start, end = _instants(event)
    assert end - start == timedelta(hours=1)


@pytest.mark.parametrize(
    ("zone", "gap", "repeated"),
    [
        ("Europe/Paris", "2025-03-30T02:30", "2025-10-26T02:30"),
        ("America/New_York", "2025-03-09T02:30", "2025-11-02T01:30"),
    ],
)
def test_every_command_treats_the_same_local_time_the_same_way(
    runner: CliRunner, db_url: str, zone: str, gap: str, repeated: str
) -> None:
    ok(runner, ["plan", "create", "P", "--title", "P", "--start", "2025-01-01",
                "--end", "2025-12-31", "--timezone", zone, "--owner", "hg",
                "--country", "none"])  # fmt: skip
    ok(runner, ["person", "add", "P", "hg", "--name", "H", "--kind", "manager"])
    ok(runner, ["track", "add", "P", "TR", "--domain", "steering", "--title", "Pilotage"])
    base = ["step", "add", "P", "S1", "--track", "TR", "--title", "T", "--responsible", "hg"]
    day = gap[:10]
    for command in (
        [*base, "--session", gap],
        [*base, "--rrule", "FREQ=WEEKLY", "--dtstart", gap],
        ["check", "P", "--as-of", gap],
    ):
        message = refused(runner, command)
        assert "does not exist in " + zone in message
        assert f"the nearest valid times are {day}T01:59 and {day}T03:00" in message
    for command in ([*base, "--session", repeated], ["check", "P", "--as-of", repeated]):
        assert "happens twice in " + zone in refused(runner, command)
    ok(runner, [*base, "--session", repeated + "~2"])
    # Read, then found to be before the plan existed (it was created today, by the clock).
    assert "did not exist yet" in refused(runner, ["check", "P", "--as-of", repeated + "~1"])


def test_a_visit_can_be_entered_in_the_reps_zone(runner: CliRunner, db_url: str) -> None:
    _plan(runner, "P", "--country", "none")
    ok(runner, ["person", "add", "P", "ny", "--name", "Nora", "--kind", "rep",
                "--timezone", "America/New_York"])  # fmt: skip
    ok_json(runner, ["step", "add", "P", "S1", "--track", "TR", "--title", "NY",
                     "--responsible", "ny", "--session", "2025-03-11T15:00"])  # fmt: skip
    ok(runner, ["visit", "move", "P", "S1@2025-03-11", "--to", "2025-03-12T09:00", "--in", "ny"])
    (event,) = _events(runner).values()
    start = event.decoded("DTSTART")
    assert (str(start.tzinfo), start.hour) == ("America/New_York", 9)  # shown in her zone
    assert start.astimezone(UTC) == datetime(2025, 3, 12, 13, 0, tzinfo=UTC)  # EDT already


def test_a_leap_day(runner: CliRunner, db_url: str) -> None:
    ok(runner, ["plan", "create", "L", "--title", "L", "--start", "2028-01-01", "--end",
                "2028-12-31", "--timezone", "Europe/Paris", "--owner", "hg"])  # fmt: skip
    ok(runner, ["person", "add", "L", "hg", "--name", "H", "--kind", "manager"])
    ok(runner, ["track", "add", "L", "TR", "--domain", "steering", "--title", "Pilotage"])
    base = ["step", "add", "L", "S1", "--track", "TR", "--title", "T", "--responsible", "hg"]
    ok(runner, [*base, "--rrule", "FREQ=MONTHLY;BYMONTHDAY=29;COUNT=3",
                "--dtstart", "2028-01-29T10:00"])  # fmt: skip
    events = _events(runner, "L")
    assert sorted(events) == ["S1@2028-01-29", "S1@2028-02-29", "S1@2028-03-29"]
    assert _instants(events["S1@2028-02-29"])[0] == datetime(2028, 2, 29, 9, 0, tzinfo=UTC)


def test_demo_until_takes_offsets_like_as_of(runner: CliRunner, tmp_path: Any) -> None:
    counts = []
    for name, until in (("local", "2025-03-10T17:00"), ("offset", "2025-03-10T16:00Z")):
        url = f"sqlite:///{tmp_path / name}.db"
        counts.append(ok_json(runner, ["--db", url, "demo", "--until", until, "--json"])["events"])
    assert counts[0] == counts[1] > 0


# --- public holidays ---------------------------------------------------------------------


def test_a_plan_takes_the_holidays_of_its_zones_one_country_and_says_so(
    runner: CliRunner, db_url: str
) -> None:
    result = ok(runner, ["plan", "create", "P", "--title", "P", *PARIS, "--owner", "hg"])
    assert "  public holidays: FR (from the plan's time zone; pacflow plan holidays to change " \
        "it)" in result.stdout.splitlines()  # fmt: skip
    message = refused(runner, ["plan", "create", "Q", "--title", "Q", *PARIS, "--owner", "hg",
                               "--country", "XX"])  # fmt: skip
    assert message.startswith("country 'XX': expected an ISO 3166 country code")


@pytest.mark.parametrize("year", [2025, 2026])
def test_cadence_slots_never_land_on_a_french_holiday(
    runner: CliRunner, db_url: str, year: int
) -> None:
    _plan(runner)
    _step(runner, "S1", "--cadence", "4 per week")
    days = [date.fromisoformat(o["start"][:10]) for o in _occurrences(runner, "P")]
    french = holidays.country_holidays("FR", years=year)
    easter_dependent = [
        day for day, name in french.items() if "Monday" in name or "Ascension" in name
    ]
    assert len(easter_dependent) == 3  # Easter Monday, Ascension, Whit Monday
    assert not set(days) & set(french)
    assert all(day.weekday() < 5 for day in days)
    per_week = Counter(day.isocalendar()[:2] for day in days if day.year == year)
    for day in easter_dependent:  # the week keeps its four visits, on its other days
        assert per_week[day.isocalendar()[:2]] == 4


def test_a_fixed_rule_on_a_holiday_is_flagged_noted_and_moved(
    runner: CliRunner, db_url: str
) -> None:
    _plan(runner)
    outcome = _step(runner, "S1", "--rrule", "FREQ=MONTHLY;BYDAY=2TU;COUNT=12",
                    "--dtstart", "2025-01-14T10:00", "--duration", "PT1H")  # fmt: skip
    assert "S1@2025-11-11 falls on a public holiday in FR: Armistice Day" in outcome["warnings"][0]
    found = json.loads(invoke(runner, ["check", "P", "--json"]).stdout)
    (finding,) = [f for f in found["findings"] if f["rule"] == "visit-on-holiday"]
    assert finding["message"] == (
        "visit S1@2025-11-11 (Visite S1, hg) falls on 2025-11-11, a public holiday in FR: "
        "Armistice Day"
    )
    assert finding["command"] == (
        'pacflow visit move P S1@2025-11-11 --to 2025-11-12T10:00 --reason "Armistice Day"'
    )
    event = _events(runner)["S1@2025-11-11"]
    assert "Public holiday in FR: Armistice Day" in str(event["DESCRIPTION"])
    report = ok(runner, ["report", "P", "--by", "theme", "--format", "md"]).stdout
    assert "S1@2025-11-11 on a public holiday (Armistice Day)" in report
    ok(runner, shlex.split(finding["command"])[1:])  # the command the finding gives, as is
    found = json.loads(invoke(runner, ["check", "P", "--json"]).stdout)
    assert [f for f in found["findings"] if f["rule"] == "visit-on-holiday"] == []


def test_the_demo_holds_no_visit_on_a_public_holiday(runner: CliRunner, db_url: str) -> None:
    ok(runner, ["demo", "--json"])
    french = holidays.country_holidays("FR", years=[2025, 2026])
    held = [o for o in _occurrences(runner, "PAC-2025") if o["status"] == "done"]
    assert len(held) > 100
    assert [o["key"] for o in held if date.fromisoformat(o["start"][:10]) in french] == []
