"""What the outputs say about times and holidays (docs/time.md): the second of two
repeated times stays the second in every JSON and table, reports name a visit's holiday,
plan files carry where cadence slots may land, and handing a cadence to someone with other
public holidays lays its slots out again around theirs.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import holidays
import yaml
from click.testing import CliRunner

from tests.cli.plan_fixtures import invoke, ok, ok_json, refused


def _plan(runner: CliRunner, key: str, *extra: str) -> None:
    for command in (
        ["plan", "create", key, "--title", "Plan", "--start", "2025-01-01", "--end",
         "2025-12-31", "--timezone", "Europe/Paris", "--owner", "hg", *extra],
        ["person", "add", key, "hg", "--name", "Hélène", "--kind", "manager"],
        ["target", "add", key, "T1", "--kind", "customer", "--title", "BRC",
         "--responsible", "hg"],
        ["track", "add", key, "TR", "--target", "T1", "--domain", "sales",
         "--approach", "farming", "--title", "Suivi"],
    ):  # fmt: skip
        ok(runner, command)


def _step(runner: CliRunner, plan: str, key: str, *schedule: str) -> Any:
    return ok_json(runner, ["step", "add", plan, key, "--track", "TR", "--title", f"Visit {key}",
                            "--responsible", "hg", "--parallel", *schedule])  # fmt: skip


def _occurrences(shown: Any, step: str) -> dict[str, Any]:
    return {
        o["key"]: o
        for track in shown["tracks"]
        for s in track["steps"]
        if s["key"] == step
        for o in s["occurrences"]
    }


def test_the_second_of_two_repeated_times_stays_the_second_in_every_output(
    runner: CliRunner, db_url: str
) -> None:
    _plan(runner, "P", "--country", "none")
    _step(runner, "P", "S1", "--session", "2025-10-20T10:00", "--session", "2025-10-21T10:00")
    ok(runner, ["visit", "move", "P", "S1@2025-10-20", "--to", "2025-10-26T02:30~2"])
    ok(runner, ["visit", "move", "P", "S1@2025-10-21", "--to", "2025-10-26T02:30+02:00"])
    # The read model (plan show), the plan replayed (--as-of) and the visit list agree.
    for shown in (
        ok_json(runner, ["plan", "show", "P"]),
        ok_json(runner, ["plan", "show", "P", "--as-of", "2100-01-01"]),
    ):
        starts = {key: o["start"] for key, o in _occurrences(shown, "S1").items()}
        assert starts == {
            "S1@2025-10-20": "2025-10-26T02:30:00~2",  # 02:30 CET, 01:30Z
            "S1@2025-10-21": "2025-10-26T02:30:00",  # 02:30 CEST, 00:30Z
        }
    listed = {v["key"]: v["start"] for v in ok_json(runner, ["visit", "list", "P"])}
    assert listed == {"S1@2025-10-20": "2025-10-26T02:30~2", "S1@2025-10-21": "2025-10-26T02:30"}
    table = ok(runner, ["visit", "list", "P"]).stdout
    assert "2025-10-26 02:30~2" in table
    # What the JSON says can be typed back as it is, and names the same moment.
    ok(runner, ["visit", "move", "P", "S1@2025-10-21", "--to", starts["S1@2025-10-20"][:16] + "~1"])
    message = refused(runner, ["visit", "move", "P", "S1@2025-10-21",
                               "--to", starts["S1@2025-10-20"]])  # fmt: skip
    assert "S1@2025-10-20 of the same step is already at" in message


def test_the_reports_json_names_the_holiday_of_a_visit_on_one(
    runner: CliRunner, db_url: str
) -> None:
    _plan(runner, "P", "--country", "FR")
    _step(runner, "P", "S1", "--rrule", "FREQ=MONTHLY;BYDAY=2TU;COUNT=12",
          "--dtstart", "2025-01-14T10:00", "--duration", "PT1H")  # fmt: skip
    report = json.loads(invoke(runner, ["report", "P", "--by", "theme", "--json"]).stdout)
    visits = {
        visit["key"]: visit
        for section in report["sections"]
        for track in section["tracks"]
        for step in track["steps"]
        for visit in step["visits"]
    }
    assert visits["S1@2025-11-11"]["holiday"] == "Armistice Day"
    assert [key for key, visit in visits.items() if visit["holiday"]] == ["S1@2025-11-11"]


def test_a_plan_file_says_where_cadence_slots_may_land_and_export_keeps_it(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    _plan(runner, "P", "--country", "FR")
    refused(runner, ["step", "add", "P", "S1", "--track", "TR", "--title", "Daily",
                     "--responsible", "hg", "--cadence", "6 per week"])  # fmt: skip
    ok(runner, ["plan", "holidays", "P", "--slots-on-weekends"])
    _step(runner, "P", "S1", "--cadence", "6 per week")
    exported = tmp_path / "p.yaml"
    ok(runner, ["export", "yaml", "P", "-o", str(exported)])
    header = yaml.safe_load(exported.read_text(encoding="utf-8"))["plan"]
    assert header["slots_on_weekends"] is True
    assert "slots_on_holidays" not in header  # not allowed, so not said
    # The same file under another key makes a plan with the same slots.
    other = tmp_path / "q.yaml"
    other.write_text(exported.read_text(encoding="utf-8").replace("key: P\n", "key: Q\n", 1))
    ok(runner, ["apply", str(other)])
    shown = ok_json(runner, ["plan", "show", "Q"])
    days = [o["start"][:10] for o in _occurrences(shown, "S1").values()]
    weekdays = {date.fromisoformat(day).weekday() for day in days}
    assert weekdays == set(range(7))  # six a week: weekends too, as the file allows
    assert ok_json(runner, ["apply", str(other)])["events"] == []
    # A file that allows holidays too says so, and the plan follows.
    header_text = "  slots_on_weekends: true\n"
    assert header_text in other.read_text(encoding="utf-8")
    other.write_text(
        other.read_text(encoding="utf-8").replace(
            header_text, header_text + "  slots_on_holidays: true\n"
        )
    )
    outcome = ok_json(runner, ["apply", str(other)])
    assert outcome["events"][0]["type"] == "HolidaysSet"
    ok(runner, ["export", "yaml", "Q", "-o", str(exported)])
    assert yaml.safe_load(exported.read_text(encoding="utf-8"))["plan"]["slots_on_holidays"]


def test_handing_a_cadence_to_someone_with_other_holidays_lays_its_slots_out_again(
    runner: CliRunner, db_url: str
) -> None:
    _plan(runner, "P", "--country", "FR")
    ok(runner, ["person", "add", "P", "ms", "--name", "Marc", "--kind", "rep"])
    ok(runner, ["plan", "holidays", "P", "--person", "ms", "--country", "FR",
                "--subdivision", "57"])  # fmt: skip
    _step(runner, "P", "S1", "--cadence", "3 per week")
    moselle_only = {
        day
        for day in holidays.country_holidays("FR", subdiv="57", years=2025)
        if day not in holidays.country_holidays("FR", years=2025)
    }
    assert moselle_only == {date(2025, 4, 18), date(2025, 12, 26)}  # Good Friday, St Stephen

    def days() -> set[date]:
        shown = ok_json(runner, ["plan", "show", "P"])
        return {date.fromisoformat(o["start"][:10]) for o in _occurrences(shown, "S1").values()}

    before = days()
    assert moselle_only <= before  # working days in the rest of France
    ok(runner, ["step", "assign", "P", "S1", "--responsible", "ms"])
    after = days()
    assert not moselle_only & after
    assert len(after) == len(before)  # each week keeps its three visits, on other days
    moved_to = after - before  # another day of the same week
    assert sorted(day.isocalendar()[:2] for day in moved_to) == [(2025, 16), (2025, 52)]
