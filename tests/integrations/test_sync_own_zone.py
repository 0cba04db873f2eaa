"""A rep in another time zone than the plan's, through a real Radicale (docs/time.md).

The plan is in Europe/Paris and ends on 31 December; its rep `ny` lives in New York. At
23:30 on 31 December in New York it is already 05:30 on 1 January in Paris: what the rep
does then is done on their 31 December, inside the plan, and their calendar keeps it.
The rep's phone is the caldav library; what the server holds is read back with a plain GET.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import caldav
import icalendar
import niquests
from click.testing import CliRunner, Result
from freezegun import freeze_time

from integrations.items import occurrence_uid, step_uid
from integrations.sync import calendar_name
from pacflow.cli import main
from tests.integrations.conftest import CalDavAccount

PLAN = "PAC-NY"
LAST_EVENING_IN_NEW_YORK = datetime(2026, 1, 1, 4, 30, tzinfo=UTC)  # 23:30 on 31 Dec in NY


class Team:
    """The CLI on a store of its own, the clock frozen where each call says."""

    def __init__(self, tmp_path: Path) -> None:
        self.env = {
            "PACFLOW_DB": f"sqlite:///{tmp_path / 'ny.db'}",
            "PACFLOW_ACTOR": "hg",
            "XDG_DATA_HOME": str(tmp_path / "xdg"),
        }

    def __call__(self, *args: str, at: datetime, actor: str = "hg") -> Result:
        with freeze_time(at):
            result = CliRunner().invoke(main, list(args), env={**self.env, "PACFLOW_ACTOR": actor})
        assert result.exit_code == 0, result.output
        return result

    def json(self, *args: str, at: datetime, actor: str = "hg") -> Any:
        return json.loads(self(*args, "--json", at=at, actor=actor).stdout)

    def sync(self, at: datetime) -> dict[str, Any]:
        report = self.json("sync", PLAN, at=at)
        (calendar,) = report["calendars"]
        return dict(calendar)


def _setup(team: Team, at: datetime) -> None:
    for command in (
        ["plan", "create", PLAN, "--title", "US desk", "--start", "2025-01-01",
         "--end", "2025-12-31", "--timezone", "Europe/Paris", "--owner", "hg",
         "--country", "none"],
        ["person", "add", PLAN, "hg", "--name", "Hélène", "--kind", "manager"],
        ["person", "add", PLAN, "ny", "--name", "Nora York", "--kind", "rep",
         "--timezone", "America/New_York"],
        ["target", "add", PLAN, "T1", "--kind", "customer", "--title", "Hudson Bank",
         "--responsible", "ny"],
        ["track", "add", PLAN, "TR", "--target", "T1", "--domain", "sales",
         "--approach", "farming", "--title", "Suivi"],
        ["step", "add", PLAN, "S1", "--track", "TR", "--title", "Year-end letter",
         "--responsible", "ny", "--due", "2025-12-31", "--parallel"],
        ["step", "add", PLAN, "S2", "--track", "TR", "--title", "Year-end call",
         "--responsible", "ny", "--due", "2025-12-31", "--parallel"],
        ["step", "add", PLAN, "V1", "--track", "TR", "--title", "Visit",
         "--responsible", "ny", "--session", "2025-12-31T16:00", "--duration", "PT1H",
         "--parallel"],
    ):  # fmt: skip
        team(*command, at=at)


class Phone:
    """The rep's calendar app: reads an item, changes it, PUTs it back with If-Match."""

    def __init__(self, account: CalDavAccount) -> None:
        self.account = account
        self.calendar_url = f"{account.home_url}{calendar_name(PLAN)}/"

    def edit(self, uid: str, change: Callable[[Any], None]) -> None:
        client: Any = caldav.DAVClient(
            url=self.account.home_url,
            username=self.account.username,
            password=self.account.password,
            auth_type="basic",
            features="radicale",
        )
        calendar = client.calendar(url=self.calendar_url)
        url = f"{self.calendar_url}{uid}.ics"
        resource = caldav.CalendarObjectResource(client=client, url=url, parent=calendar).load()
        etag = resource.props["{DAV:}getetag"]
        change(resource.icalendar_component)
        answer = client.put(
            str(resource.url),
            resource.icalendar_instance.to_ical().decode(),
            {"Content-Type": 'text/calendar; charset="utf-8"', "If-Match": etag},
        )
        assert answer.status in (200, 204), answer.status

    def served(self, uid: str) -> Any:
        """The item the server holds, fetched with a plain GET and parsed with icalendar."""
        answer = niquests.get(
            f"{self.calendar_url}{uid}.ics",
            auth=(self.account.username, self.account.password),
            timeout=10,
        )
        assert answer.status_code == 200, answer.status_code
        assert answer.content is not None
        calendar = icalendar.Calendar.from_ical(answer.content)
        (item,) = [part for part in calendar.walk() if part.name in ("VEVENT", "VTODO")]
        return item


def test_what_a_new_york_rep_does_on_their_31_december_stays_in_the_plan_and_their_calendar(
    tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    team = Team(tmp_path)
    morning = datetime(2025, 12, 31, 12, tzinfo=UTC)
    _setup(team, morning)
    team.env["PACFLOW_TEST_CALDAV_NY"] = caldav_account.password
    team("calendar", "connect", PLAN, "ny", "--url", caldav_account.home_url,
         "--username", caldav_account.username, "--password-env", "PACFLOW_TEST_CALDAV_NY",
         at=morning)  # fmt: skip
    team.sync(morning)
    phone = Phone(caldav_account)
    task, visit = step_uid(PLAN, "S1"), occurrence_uid(PLAN, "V1", "V1@2025-12-31")
    # The visit is at 10:00 in New York (16:00 in Paris), as the rep's calendar shows it.
    assert phone.served(visit).decoded("DTSTART").strftime("%H:%M") == "10:00"

    def ticked(todo: Any) -> None:
        todo["STATUS"] = "COMPLETED"
        todo.add("COMPLETED", LAST_EVENING_IN_NEW_YORK)

    late = LAST_EVENING_IN_NEW_YORK - timedelta(minutes=30)  # 23:00 in NY, 05:00 in Paris

    def moved_late(event: Any) -> None:
        for name, moment in (("DTSTART", late), ("DTEND", late + timedelta(hours=1))):
            event.pop(name)
            event.add(name, moment)

    phone.edit(task, ticked)
    phone.edit(visit, moved_late)
    calendar = team.sync(LAST_EVENING_IN_NEW_YORK + timedelta(minutes=5))

    assert (calendar["pulled_back"], calendar["conflicts"]) == (2, 0)
    shown = team.json("plan", "show", PLAN, at=LAST_EVENING_IN_NEW_YORK)
    steps = {step["key"]: step for track in shown["tracks"] for step in track["steps"]}
    assert (steps["S1"]["status"], steps["S1"]["done_on"]) == ("done", "2025-12-31")
    (occurrence,) = steps["V1"]["occurrences"]
    assert occurrence["start"] == "2026-01-01T05:00:00"  # the plan's zone: 05:00 in Paris
    served_task, served_visit = phone.served(task), phone.served(visit)
    assert str(served_task["STATUS"]) == "COMPLETED"  # not reverted
    start = served_visit.decoded("DTSTART")
    assert start.astimezone(UTC) == late
    assert (start.strftime("%Y-%m-%d %H:%M"), str(start.tzinfo)) == (
        "2025-12-31 23:00",
        "America/New_York",
    )
    assert served_visit.decoded("DTEND") - start == timedelta(hours=1)
    assert team.sync(LAST_EVENING_IN_NEW_YORK + timedelta(minutes=10))["writes"] == []

    # At 23:50 in New York (05:50 on 1 January in Paris) the rep marks the visit held and
    # the other task done, without a date: it is their 31 December.
    before_midnight = LAST_EVENING_IN_NEW_YORK + timedelta(minutes=20)  # 23:50 in New York
    team("visit", "done", PLAN, "V1@2025-12-31", at=before_midnight, actor="ny")
    team("step", "done", PLAN, "S2", at=before_midnight, actor="ny")
    shown = team.json("plan", "show", PLAN, at=before_midnight)
    steps = {step["key"]: step for track in shown["tracks"] for step in track["steps"]}
    assert steps["S2"]["done_on"] == "2025-12-31"
    assert steps["V1"]["occurrences"][0]["done_on"] == "2025-12-31"
    calendar = team.sync(before_midnight + timedelta(minutes=1))
    assert calendar["conflicts"] == 0
    assert str(phone.served(step_uid(PLAN, "S2"))["STATUS"]) == "COMPLETED"
    assert phone.served(visit).decoded("DTSTART").astimezone(UTC) == late
