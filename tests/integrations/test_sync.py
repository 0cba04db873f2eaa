"""`pacflow sync` against a real Radicale, lenient and strict (no write without precondition).

The rep's side is played by the caldav library ("the rep's phone"): it reads the calendar
and writes its changes with If-Match, as a phone's CalDAV client does.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import caldav
import icalendar
import pytest
from click.testing import CliRunner, Result

from events import EventStore
from integrations.dav import DavClient
from integrations.ics import render_resources
from integrations.items import ItemKind, calendar_items, occurrence_uid, step_uid
from integrations.revisions import calendar_history
from integrations.sync import calendar_name
from pacflow.cli import main
from pacflow.demo import DEMO_PLAN, SettableClock, build_demo, replay_demo
from pacflow.domain import PlanState
from pacflow.domain import commands as c
from pacflow.domain.values import OccurrenceStatus, StepStatus
from pacflow.service import PlanService
from pacflow.storage import open_store
from tests.integrations.conftest import CalDavAccount, RadicaleServer

BEFORE_REVISION = "2025-06-30T17:55"
AFTER_REVISION = "2025-06-30T18:11"


# --- fixtures and helpers ----------------------------------------------------------------


@pytest.fixture(scope="session")
def midyear_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo plan as recorded up to the eve of its June revision (read it, do not write)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('midyear') / 'midyear.db'}"

    def opener(clock: SettableClock) -> EventStore:
        return open_store(url, clock=clock)

    build_demo(opener, until=BEFORE_REVISION)
    return url


def _copy(url: str, folder: Path) -> str:
    copy = folder / "store.db"
    source = sqlite3.connect(url.removeprefix("sqlite:///"))
    target = sqlite3.connect(copy)
    with closing(source), closing(target):
        source.backup(target)
    return f"sqlite:///{copy}"


@pytest.fixture
def midyear_copy(midyear_url: str, tmp_path: Path) -> str:
    return _copy(midyear_url, tmp_path)


@dataclass
class Rep:
    """A plan person with a calendar account on the test server."""

    person: str
    account: CalDavAccount
    variable: str

    @property
    def calendar_url(self) -> str:
        return f"{self.account.home_url}{calendar_name(DEMO_PLAN)}/"

    def client(self) -> Any:
        return caldav.DAVClient(
            url=self.account.home_url,
            username=self.account.username,
            password=self.account.password,
            auth_type="basic",
            features="radicale",
        )

    def items(self) -> dict[str, Any]:
        """Every component in the rep's plan calendar, by UID, read with caldav."""
        calendar = self.client().calendar(url=self.calendar_url)
        found: dict[str, Any] = {}
        for resource in calendar.objects_by_sync_token():
            try:
                resource.load()
            except caldav.lib.error.NotFoundError:
                continue  # a listing without token also names what was deleted
            component = resource.icalendar_component
            uid = str(component["UID"])
            assert uid not in found, f"{uid} is in the calendar twice"
            found[uid] = component
        return found

    def edit(self, uid: str, change: Callable[[Any], None]) -> None:
        """Change one item as a phone would: read it, edit it, PUT it with If-Match."""
        client = self.client()
        resource = self._resource(client, uid)
        etag = resource.props["{DAV:}getetag"]
        change(resource.icalendar_component)
        answer = client.put(
            str(resource.url),
            resource.icalendar_instance.to_ical().decode(),
            {"Content-Type": 'text/calendar; charset="utf-8"', "If-Match": etag},
        )
        assert answer.status in (200, 204), answer.status

    def delete(self, uid: str) -> None:
        client = self.client()
        answer = client.delete(str(self._resource(client, uid).url))
        assert answer.status in (200, 204)

    def _resource(self, client: Any, uid: str) -> Any:
        """The item pacflow created (at `<UID>.ics`), loaded with its ETag."""
        calendar = client.calendar(url=self.calendar_url)
        url = f"{self.calendar_url}{uid}.ics"
        return caldav.CalendarObjectResource(client=client, url=url, parent=calendar).load()


class Pacflow:
    """The CLI on one store, with the reps' passwords in their variables."""

    def __init__(self, url: str, tmp_path: Path) -> None:
        self.url = url
        self.env = {
            "PACFLOW_DB": url,
            "PACFLOW_ACTOR": "hg",
            "XDG_DATA_HOME": str(tmp_path / "xdg"),
        }

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=self.env)

    def connect(self, person: str, account: CalDavAccount) -> Rep:
        variable = f"PACFLOW_TEST_CALDAV_{person.upper()}"
        self.env[variable] = account.password
        result = self(
            "calendar", "connect", DEMO_PLAN, person, "--url", account.home_url,
            "--username", account.username, "--password-env", variable,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        return Rep(person, account, variable)

    def sync(self, *args: str, expect: int = 0) -> dict[str, Any]:
        result = self("sync", DEMO_PLAN, "--json", *args)
        assert result.exit_code == expect, result.output
        report: dict[str, Any] = json.loads(result.stdout)
        return report

    def resources(self, person: str) -> dict[str, bytes]:
        with EventStore.from_url(self.url) as store:
            history = calendar_history(
                (r.recorded_at, e) for r, e in PlanService(store).history(DEMO_PLAN)
            )
        assert history is not None
        return render_resources(history, person=person)

    def run(self, *commands: c.Command) -> None:
        with EventStore.from_url(self.url) as store:
            service = PlanService(store)
            for command in commands:
                service.execute(command)

    def state(self) -> PlanState:
        with EventStore.from_url(self.url) as store:
            return PlanService(store).require(DEMO_PLAN)

    def history(self) -> list[dict[str, Any]]:
        result = self("plan", "history", DEMO_PLAN, "--json")
        assert result.exit_code == 0, result.output
        entries: list[dict[str, Any]] = json.loads(result.stdout)
        return entries


def _second_account(radicale: RadicaleServer) -> CalDavAccount:
    name = f"rep-{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(12)
    radicale.add_user(name, password)
    return CalDavAccount(radicale, name, password)


def _calendar(report: dict[str, Any], person: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [e for e in report["calendars"] if e["person"] == person]
    assert len(found) == 1
    return found[0]


def _writes(calendar: dict[str, Any], method: str) -> set[str]:
    return {write["uid"] for write in calendar["writes"] if write["method"] == method}


def _open_todo(pacflow: Pacflow, person: str) -> str:
    """A step of `person`'s that is a task, open, and may be done now."""
    state = pacflow.state()
    for item in calendar_items(state, person=person):
        step = state.steps[item.step]
        waited = state.steps.get(step.predecessor or "") if not step.parallel else None
        free = waited is None or waited.status is StepStatus.DONE
        if item.kind is ItemKind.TODO and item.plan_status == "planned" and free:
            return item.step
    raise AssertionError(f"{person} has no open task")


def _future_visit(pacflow: Pacflow, person: str) -> str:
    """A planned occurrence of `person`'s in the second half of the year."""
    state = pacflow.state()
    for key, occurrence in state.occurrences.items():
        step = state.steps[occurrence.step]
        if (
            step.responsible == person
            and occurrence.status is OccurrenceStatus.PLANNED
            and occurrence.start.date() > date(2025, 9, 1)
        ):
            return key
    raise AssertionError(f"{person} has no planned visit after September")


def _uid(pacflow: Pacflow, occurrence: str) -> str:
    state = pacflow.state()
    return occurrence_uid(DEMO_PLAN, state.occurrences[occurrence].step, occurrence)


def _entries(pacflow: Pacflow, kind: str) -> list[dict[str, Any]]:
    return [entry for entry in pacflow.history() if entry["type"] == kind]


# --- first sync, no-change sync ----------------------------------------------------------


def test_first_sync_fills_each_reps_calendar_with_exactly_their_items(
    demo_copy_url: str, tmp_path: Path, caldav_account: CalDavAccount, radicale: RadicaleServer
) -> None:
    pacflow = Pacflow(demo_copy_url, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    karim = pacflow.connect("kb", _second_account(radicale))

    report = pacflow.sync()

    assert report["dry_run"] is False
    for rep in (claire, karim):
        expected = pacflow.resources(rep.person)
        calendar = _calendar(report, rep.person)
        assert calendar["ok"] is True
        assert calendar["error"] is None
        assert calendar["created"] == len(expected)
        assert _writes(calendar, "PUT") == set(expected)
        assert {w["precondition"] for w in calendar["writes"]} == {"If-None-Match: *"}
        # one PROPFIND, one MKCALENDAR, the PUTs, one REPORT for the new sync token
        assert calendar["requests"] == len(expected) + 3
        stored = rep.items()
        assert set(stored) == set(expected)
        for uid, data in expected.items():
            [ours] = [
                part
                for part in icalendar.Calendar.from_ical(data).walk()
                if part.name in ("VTODO", "VEVENT")
            ]
            for name in ("SEQUENCE", "STATUS", "SUMMARY", "DTSTAMP"):
                assert stored[uid][name].to_ical() == ours[name].to_ical(), (uid, name)
    assert report["totals"]["created"] == sum(len(pacflow.resources(p)) for p in ("cd", "kb"))
    listed = pacflow("calendar", "list", DEMO_PLAN, "--json")
    assert [account["state"] for account in json.loads(listed.stdout)] == ["ok", "ok"]
    assert all(account["last_sync_at"] for account in json.loads(listed.stdout))
    # In the table, the last sync is shown in the plan's time zone (cd and kb have none).
    table = pacflow("calendar", "list", DEMO_PLAN).stdout.splitlines()
    for account, row in zip(json.loads(listed.stdout), table[2:], strict=True):
        moment = datetime.fromisoformat(account["last_sync_at"])
        local = moment.astimezone(ZoneInfo("Europe/Paris"))
        assert f"{local:%Y-%m-%d %H:%M} (Europe/Paris)" in row


def test_a_second_sync_without_change_sends_no_write(
    demo_copy_url: str, tmp_path: Path, caldav_account: CalDavAccount, radicale: RadicaleServer
) -> None:
    pacflow = Pacflow(demo_copy_url, tmp_path)
    pacflow.connect("cd", caldav_account)
    pacflow.sync()
    log_size = radicale.log_file.stat().st_size

    again = _calendar(pacflow.sync(), "cd")

    assert (again["writes"], again["created"], again["updated"]) == ([], 0, 0)
    assert again["requests"] == 1  # one sync-collection REPORT
    served = radicale.log_file.read_bytes()[log_size:].decode(errors="replace")
    mine = [line for line in served.splitlines() if f"/{caldav_account.username}/" in line]
    assert [line for line in mine if "PUT request" in line or "DELETE request" in line] == []
    assert len([line for line in mine if "REPORT request" in line]) == 1


def test_dry_run_shows_the_writes_and_changes_nothing(
    demo_copy_url: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(demo_copy_url, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    database = Path(demo_copy_url.removeprefix("sqlite:///"))
    events_before = len(pacflow.history())

    report = pacflow.sync("--dry-run")

    calendar = _calendar(report, "cd")
    assert report["dry_run"] is True
    assert _writes(calendar, "PUT") == set(pacflow.resources("cd"))
    assert calendar["created"] == len(pacflow.resources("cd"))
    assert claire.client().principal().calendars() == []  # no calendar was created
    assert len(pacflow.history()) == events_before
    with closing(sqlite3.connect(database)) as db:
        assert db.execute("select last_sync_at from calendar_accounts").fetchall() == [(None,)]
    text = pacflow("sync", DEMO_PLAN, "--dry-run").stdout.splitlines()
    created, requests = len(pacflow.resources("cd")), calendar["requests"]
    assert text[0] == f"cd: would sync ({created} created; {requests} requests)"
    assert text[1:] == [
        f"  PUT {write['href']} [If-None-Match: *] {write['uid']}" for write in calendar["writes"]
    ]
    real = _calendar(pacflow.sync(), "cd")
    assert real["writes"] == calendar["writes"]


# --- the plan changes --------------------------------------------------------------------


def test_after_the_mid_year_revision_only_changed_items_are_written(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount, radicale: RadicaleServer
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.connect("kb", _second_account(radicale))
    pacflow.sync()
    before = pacflow.resources("cd")
    karims_before = pacflow.resources("kb")
    sequences = {uid: int(item["SEQUENCE"]) for uid, item in claire.items().items()}

    def opener(clock: SettableClock) -> EventStore:
        return open_store(midyear_copy, clock=clock)

    replay_demo(opener, BEFORE_REVISION, "2025-06-30T18:07")  # the revision, unpublished
    visit = _future_visit(pacflow, "cd")
    pacflow.run(c.CancelOccurrence(plan=DEMO_PLAN, actor="hg", reason="BRC freeze",
                                   occurrence=visit))  # fmt: skip
    replay_demo(opener, "2025-06-30T18:07", AFTER_REVISION)
    after = pacflow.resources("cd")
    changed = {uid for uid in after if uid in before and after[uid] != before[uid]}
    new, gone = set(after) - set(before), set(before) - set(after)
    assert changed  # S10 moved, T1's objective reworded, one visit cancelled
    assert new  # S44 added
    assert gone  # S08's fourth Tuesdays of July to September withdrawn

    report = pacflow.sync()

    calendar = _calendar(report, "cd")
    assert _writes(calendar, "PUT") == changed | new
    assert _writes(calendar, "DELETE") == gone
    assert calendar["requests"] == len(calendar["writes"]) + 2  # REPORT, writes, REPORT
    # Karim's items (target T2) did not change in the revision: not one is written again.
    karims_after = pacflow.resources("kb")
    karims_changes = {u for u, data in karims_after.items() if karims_before.get(u) != data}
    assert len(karims_after) > len(karims_changes)
    assert _writes(_calendar(report, "kb"), "PUT") == karims_changes
    assert (calendar["created"], calendar["removed"]) == (len(new), len(gone))
    assert calendar["cancelled"] == 1
    stored = claire.items()
    assert set(stored) == set(after)
    assert str(stored[_uid(pacflow, visit)]["STATUS"]) == "CANCELLED"
    s10 = step_uid(DEMO_PLAN, "S10")
    assert stored[s10].decoded("DUE") == date(2025, 10, 15)
    assert int(stored[s10]["SEQUENCE"]) > sequences[s10]
    assert int(stored[_uid(pacflow, visit)]["SEQUENCE"]) > sequences[_uid(pacflow, visit)]
    assert _calendar(pacflow.sync(), "cd")["writes"] == []


def test_a_reassigned_step_leaves_one_calendar_and_appears_in_the_other(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount, radicale: RadicaleServer
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    karim = pacflow.connect("kb", _second_account(radicale))
    pacflow.sync()
    step = _open_todo(pacflow, "cd")
    uid = step_uid(DEMO_PLAN, step)
    assert uid in claire.items()
    pacflow.run(
        c.RevisePlan(plan=DEMO_PLAN, actor="hg", reason="Claire on leave"),
        c.AssignStep(plan=DEMO_PLAN, actor="hg", reason="Claire on leave", step=step,
                     responsible="kb"),
        c.PublishPlan(plan=DEMO_PLAN, actor="hg", reason="v1.1"),
    )  # fmt: skip

    report = pacflow.sync()

    assert _writes(_calendar(report, "cd"), "DELETE") == {uid}
    assert _writes(_calendar(report, "kb"), "PUT") == {uid}
    assert [w["precondition"] for w in _calendar(report, "kb")["writes"]] == ["If-None-Match: *"]
    assert _calendar(report, "cd")["writes"][0]["precondition"].startswith("If-Match: ")
    assert uid not in claire.items()
    assert str(karim.items()[uid]["SUMMARY"]) == pacflow.state().steps[step].title


def test_visits_already_held_stay_in_the_calendar_of_who_held_them(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount, radicale: RadicaleServer
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    karim = pacflow.connect("kb", _second_account(radicale))
    pacflow.sync()
    state = pacflow.state()
    visits = [state.occurrences[key] for key in state.steps["S08"].occurrences]
    held = {_uid(pacflow, o.key) for o in visits if o.status is OccurrenceStatus.DONE}
    to_hold = {_uid(pacflow, o.key) for o in visits if o.status is not OccurrenceStatus.DONE}
    assert held
    assert to_hold
    assert held | to_hold <= set(claire.items())
    pacflow.run(
        c.RevisePlan(plan=DEMO_PLAN, actor="hg", reason="Claire hands BRC over"),
        c.AssignStep(plan=DEMO_PLAN, actor="hg", reason="Claire hands BRC over", step="S08",
                     responsible="kb"),
        c.PublishPlan(plan=DEMO_PLAN, actor="hg", reason="v1.1"),
    )  # fmt: skip

    report = pacflow.sync()

    # Only the visits still to hold move: Claire keeps the ones she held, untouched.
    assert _writes(_calendar(report, "cd"), "DELETE") == to_hold
    assert not held & {w["uid"] for w in _calendar(report, "cd")["writes"]}
    assert _writes(_calendar(report, "kb"), "PUT") == to_hold
    in_claires = claire.items()
    assert held <= set(in_claires)
    assert not to_hold & set(in_claires)
    assert all("done" in str(in_claires[uid]["CATEGORIES"].to_ical()) for uid in held)
    in_karims = karim.items()
    assert to_hold <= set(in_karims)
    assert not held & set(in_karims)
    # The feeds agree with the calendars.
    assert held <= set(pacflow.resources("cd"))
    assert not held & set(pacflow.resources("kb"))


# --- the rep changes ---------------------------------------------------------------------


def test_a_task_completed_on_the_phone_comes_back_as_a_done_step(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    step = _open_todo(pacflow, "cd")
    uid = step_uid(DEMO_PLAN, step)

    def complete(todo: Any) -> None:
        todo["STATUS"] = "COMPLETED"
        todo.add("COMPLETED", datetime(2025, 6, 20, 14, 30, tzinfo=UTC))

    claire.edit(uid, complete)
    calendar = _calendar(pacflow.sync(), "cd")

    assert calendar["pulled_back"] == 1
    done = pacflow.state().steps[step]
    assert (done.status, done.done_on) == (StepStatus.DONE, date(2025, 6, 20))
    [entry] = [e for e in _entries(pacflow, "StepCompleted") if step in e["summary"]]
    assert (entry["actor"], entry["source"]) == ("cd", "calendar")
    assert _writes(calendar, "PUT") == {uid}  # the plan's version, now done, goes back
    assert str(claire.items()[uid]["PERCENT-COMPLETE"]) == "100"
    assert _calendar(pacflow.sync(), "cd")["writes"] == []


def test_a_reopen_goes_both_ways(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    step = _open_todo(pacflow, "cd")
    uid = step_uid(DEMO_PLAN, step)

    def complete(todo: Any) -> None:
        todo["STATUS"] = "COMPLETED"
        todo.add("COMPLETED", datetime(2025, 6, 20, 14, 30, tzinfo=UTC))

    def untick(todo: Any) -> None:
        todo["STATUS"] = "NEEDS-ACTION"
        for name in ("COMPLETED", "PERCENT-COMPLETE"):
            todo.pop(name, None)

    claire.edit(uid, complete)
    pacflow.sync()
    # Un-ticked on the phone: the plan withdraws the completion, with the rep as actor.
    claire.edit(uid, untick)
    calendar = _calendar(pacflow.sync(), "cd")
    assert (calendar["pulled_back"], calendar["conflicts"]) == (1, 0)
    reopened = pacflow.state().steps[step]
    assert (reopened.status, reopened.done_on) == (StepStatus.PLANNED, None)
    [entry] = _entries(pacflow, "StepReopened")
    assert (entry["actor"], entry["source"]) == ("cd", "calendar")
    assert _entries(pacflow, "CalendarChangeOverridden") == []
    # Done again on the phone, then reopened in the plan: the calendar un-ticks it.
    claire.edit(uid, complete)
    pacflow.sync()
    pacflow.run(
        c.ReopenStep(plan=DEMO_PLAN, actor="hg", reason="not finished after all", step=step)
    )
    calendar = _calendar(pacflow.sync(), "cd")
    assert _writes(calendar, "PUT") == {uid}
    todo = claire.items()[uid]
    assert str(todo["STATUS"]) != "COMPLETED"
    assert "COMPLETED" not in todo
    assert _calendar(pacflow.sync(), "cd")["writes"] == []


def test_what_pacflow_writes_never_goes_below_the_calendars_sequence(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    [visit] = _future_visits(pacflow, "cd", 1)
    uid = occurrence_uid(DEMO_PLAN, pacflow.state().occurrences[visit].step, visit)
    ours = int(claire.items()[uid]["SEQUENCE"])

    def renumber(event: Any) -> None:  # a calendar app that numbers its own edits
        event.pop("SEQUENCE")
        event.add("SEQUENCE", ours + 5)

    claire.edit(uid, renumber)
    assert _calendar(pacflow.sync(), "cd")["pulled_back"] == 0  # nothing the plan takes
    pacflow.run(c.CancelOccurrence(plan=DEMO_PLAN, actor="hg", reason="BRC freeze",
                                   occurrence=visit))  # fmt: skip

    calendar = _calendar(pacflow.sync(), "cd")

    assert _writes(calendar, "PUT") == {uid}
    stored = claire.items()[uid]
    assert (str(stored["STATUS"]), int(stored["SEQUENCE"])) == ("CANCELLED", ours + 5)
    assert _calendar(pacflow.sync(), "cd")["writes"] == []


def test_reminders_the_rep_set_stay_when_the_plan_changes_the_item(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    [visit] = _future_visits(pacflow, "cd", 1)
    uid = occurrence_uid(DEMO_PLAN, pacflow.state().occurrences[visit].step, visit)

    def remind(event: Any) -> None:  # "15 minutes before", set on the phone
        alarm = icalendar.Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", "Visite BRC")
        alarm.add("TRIGGER", timedelta(minutes=-15))
        event.add_component(alarm)

    claire.edit(uid, remind)
    assert _calendar(pacflow.sync(), "cd")["writes"] == []  # a reminder is the rep's own
    pacflow.run(c.CancelOccurrence(plan=DEMO_PLAN, actor="hg", reason="BRC freeze",
                                   occurrence=visit))  # fmt: skip

    assert _writes(_calendar(pacflow.sync(), "cd"), "PUT") == {uid}

    stored = claire.items()[uid]
    assert str(stored["STATUS"]) == "CANCELLED"
    [alarm] = [part for part in stored.subcomponents if part.name == "VALARM"]
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-15)
    assert _calendar(pacflow.sync(), "cd")["writes"] == []


def test_a_visit_moved_or_deleted_by_the_rep_comes_back(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    moved, deleted = _future_visits(pacflow, "cd", 2)

    def one_day_later(event: Any) -> None:
        _shift(event, timedelta(days=1))

    old_start = pacflow.state().occurrences[moved].start
    claire.edit(_uid(pacflow, moved), one_day_later)
    claire.delete(_uid(pacflow, deleted))
    calendar = _calendar(pacflow.sync(), "cd")

    assert calendar["pulled_back"] == 2
    state = pacflow.state()
    assert state.occurrences[moved].start == old_start + timedelta(days=1)
    assert state.occurrences[deleted].status is OccurrenceStatus.CANCELLED
    [move] = [e for e in _entries(pacflow, "OccurrenceMoved") if moved in e["summary"]]
    [cancel] = [e for e in _entries(pacflow, "OccurrenceCancelled") if deleted in e["summary"]]
    for entry in (move, cancel):
        assert (entry["actor"], entry["source"]) == ("cd", "calendar")
    assert _uid(pacflow, deleted) not in claire.items()  # the rep's deletion stands
    assert _calendar(pacflow.sync(), "cd")["writes"] == []


def _shift(event: Any, delta: timedelta) -> None:
    """Move an event as a calendar app does: new DTSTART and DTEND, same time zone."""
    for name in ("DTSTART", "DTEND"):
        moment = event.decoded(name)
        event.pop(name)
        event.add(name, moment + delta)


def _future_visits(pacflow: Pacflow, person: str, count: int) -> list[str]:
    state = pacflow.state()
    found = [
        key
        for key, occurrence in state.occurrences.items()
        if state.steps[occurrence.step].responsible == person
        and occurrence.status is OccurrenceStatus.PLANNED
        and occurrence.start.date() > date(2025, 9, 1)
    ]
    assert len(found) >= count
    return found[:count]


def test_when_both_sides_move_a_visit_the_plan_wins_and_history_keeps_the_reps_move(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    visit = _future_visit(pacflow, "cd")
    uid = _uid(pacflow, visit)
    planned = pacflow.state().occurrences[visit].start

    def two_hours_later(event: Any) -> None:
        _shift(event, timedelta(hours=2))

    claire.edit(uid, two_hours_later)
    pacflow.run(
        c.MoveOccurrence(plan=DEMO_PLAN, actor="hg", reason="customer asked", occurrence=visit,
                         to=planned + timedelta(days=2))
    )  # fmt: skip

    calendar = _calendar(pacflow.sync(), "cd")

    assert (calendar["conflicts"], calendar["pulled_back"]) == (1, 0)
    assert pacflow.state().occurrences[visit].start == planned + timedelta(days=2)
    stored = claire.items()[uid].decoded("DTSTART")
    assert stored.replace(tzinfo=None) == planned + timedelta(days=2)
    [entry] = _entries(pacflow, "CalendarChangeOverridden")
    assert (entry["actor"], entry["source"]) == ("cd", "calendar")
    assert visit in entry["summary"]
    assert "moved to" in entry["summary"]
    assert "plan" in (entry["reason"] or "")
    assert _calendar(pacflow.sync(), "cd")["writes"] == []


def test_a_sync_that_lost_its_memory_adopts_what_is_there_without_duplicates(
    demo_copy_url: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(demo_copy_url, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    database = Path(demo_copy_url.removeprefix("sqlite:///"))
    with closing(sqlite3.connect(database)) as db, db:
        # as if the sync had been killed after its PUTs, before recording any of them
        db.execute("delete from calendar_sync_items")
        db.execute("delete from calendar_sync_calendars")

    calendar = _calendar(pacflow.sync(), "cd")

    assert calendar["ok"] is True
    assert (calendar["created"], calendar["writes"]) == (0, [])
    assert set(claire.items()) == set(pacflow.resources("cd"))
    assert _calendar(pacflow.sync(), "cd")["requests"] == 1


# --- errors and secrets ------------------------------------------------------------------


def test_errors_are_one_line_and_other_calendars_still_sync(
    demo_copy_url: str, tmp_path: Path, caldav_account: CalDavAccount, radicale: RadicaleServer
) -> None:
    pacflow = Pacflow(demo_copy_url, tmp_path)
    assert pacflow("sync", DEMO_PLAN).stderr.startswith("error: plan PAC-2025: no calendar")
    pacflow.connect("cd", caldav_account)
    dead = pacflow.connect("kb", _second_account(radicale))
    pacflow.env[dead.variable] = "not-the-password"

    result = pacflow("sync", DEMO_PLAN, "--json", "--retries", "0", "--timeout", "1")

    assert result.exit_code == 6
    [line] = result.stderr.splitlines()
    assert line.startswith("error: calendar of kb: ")
    assert "login" in line
    assert "`pacflow calendar connect PAC-2025 kb --url URL …`" in line
    report = json.loads(result.stdout)
    assert _calendar(report, "cd")["ok"] is True
    assert _calendar(report, "cd")["created"] > 0
    assert _calendar(report, "kb")["ok"] is False
    assert line.removeprefix("error: ").startswith(_calendar(report, "kb")["error"] + " (see ")
    assert _calendar(report, "kb")["suggestion"] == {  # the advice as data, for scripts
        "command": ["calendar", "connect", "PAC-2025", "kb"],
        "note": "to fix the login or URL",
    }
    for args, message in [
        (["NOPE"], "error: plan NOPE: no such plan"),
        ([DEMO_PLAN, "--person", "zz"], "error: person zz: not in plan PAC-2025"),
        ([DEMO_PLAN, "--person", "tl"], "error: person tl: no calendar connected"),
    ]:
        wrong = pacflow("sync", *args)
        assert wrong.exit_code == 1
        assert wrong.stderr.startswith(message)
        assert len(wrong.stderr.splitlines()) == 1


def test_a_dead_server_fails_fast_with_one_line(demo_copy_url: str, tmp_path: Path) -> None:
    pacflow = Pacflow(demo_copy_url, tmp_path)
    account = CalDavAccount(
        RadicaleServer("http://127.0.0.1:9/", False, tmp_path / "u", tmp_path / "l"),
        "nobody",
        "dead-server-password",
    )
    pacflow.connect("cd", account)

    result = pacflow("sync", DEMO_PLAN, "--retries", "0", "--timeout", "1")

    assert result.exit_code == 6
    assert result.stderr.splitlines() == [
        "error: calendar of cd: 127.0.0.1:9: cannot connect (server down or unreachable) "
        "(1 attempt, PROPFIND) (see `pacflow sync PAC-2025`, once the server answers: "
        "nothing is duplicated)"
    ]
    assert "dead-server-password" not in result.output


def test_passwords_are_never_in_the_database_the_log_or_the_output(
    demo_copy_url: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(demo_copy_url, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    secret = caldav_account.password.encode()
    outputs = [pacflow("sync", DEMO_PLAN, "--json").output]
    claire.edit(next(iter(claire.items())), lambda item: item.add("COMMENT", "seen"))
    outputs.append(pacflow("sync", DEMO_PLAN).output)
    pacflow.env[claire.variable] = "wrong-" + caldav_account.password
    outputs.append(pacflow("sync", DEMO_PLAN, "--json").output)
    outputs.append(pacflow("calendar", "list", DEMO_PLAN, "--json").output)

    assert all(caldav_account.password not in output for output in outputs)
    database = Path(demo_copy_url.removeprefix("sqlite:///"))
    for path in database.parent.glob(f"{database.name}*"):
        assert secret not in path.read_bytes(), path
    with EventStore.from_url(demo_copy_url) as store:
        for recorded in store.read_all():
            assert caldav_account.password not in json.dumps([recorded.data, recorded.metadata])


def test_a_write_refused_with_412_rereads_the_item_and_merges(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    visit = _future_visit(pacflow, "cd")
    uid = _uid(pacflow, visit)
    planned = pacflow.state().occurrences[visit].start
    claire.edit(uid, lambda event: _shift(event, timedelta(hours=1)))
    pacflow.run(
        c.MoveOccurrence(plan=DEMO_PLAN, actor="hg", reason="customer asked", occurrence=visit,
                         to=planned + timedelta(days=1))
    )  # fmt: skip
    # The sync token now hides the rep's change: only the PUT's 412 can reveal it.
    listing = DavClient(caldav_account.username, caldav_account.password).changes(
        claire.calendar_url, None
    )
    assert listing is not None
    database = Path(midyear_copy.removeprefix("sqlite:///"))
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("update calendar_sync_calendars set sync_token = ?", (listing.token,))

    calendar = _calendar(pacflow.sync(), "cd")

    assert calendar["conflicts"] == 1
    assert _writes(calendar, "PUT") == {uid}
    assert claire.items()[uid].decoded("DTSTART").replace(tzinfo=None) == planned + timedelta(
        days=1
    )
    [entry] = _entries(pacflow, "CalendarChangeOverridden")
    assert entry["actor"] == "cd"


def test_a_task_deleted_or_done_out_of_period_is_put_back_and_noted(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    todos = {
        item.uid: item.status
        for item in calendar_items(pacflow.state(), person="cd")
        if item.kind is ItemKind.TODO
    }
    ticked = step_uid(DEMO_PLAN, _open_todo(pacflow, "cd"))
    deleted = next(uid for uid, status in todos.items() if status == "COMPLETED")
    claire.delete(deleted)

    def done_next_year(todo: Any) -> None:
        todo["STATUS"] = "COMPLETED"
        todo.add("COMPLETED", datetime(2026, 2, 2, 9, tzinfo=UTC))

    claire.edit(ticked, done_next_year)

    calendar = _calendar(pacflow.sync(), "cd")

    assert (calendar["conflicts"], calendar["pulled_back"]) == (2, 0)
    assert _writes(calendar, "PUT") == {deleted, ticked}
    stored = claire.items()
    assert str(stored[deleted]["STATUS"]) == todos[deleted]
    assert str(stored[ticked]["STATUS"]) == todos[ticked]
    assert "COMPLETED" not in stored[ticked]
    assert "COMPLETED" in stored[deleted]
    notes = {e["summary"] for e in _entries(pacflow, "CalendarChangeOverridden")}
    assert len(notes) == 2
    assert any("deleted in the calendar of cd" in note for note in notes)
    assert any("completed on 2026-02-02" in note and "period" in note for note in notes)
    assert _calendar(pacflow.sync(), "cd")["writes"] == []


def test_a_missing_password_variable_fails_that_calendar_in_one_line(
    demo_copy_url: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(demo_copy_url, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    del pacflow.env[claire.variable]

    result = pacflow("sync", DEMO_PLAN)

    assert result.exit_code == 6
    assert result.stderr.splitlines() == [
        f"error: calendar of cd: environment variable {claire.variable} is not set or empty "
        "(see `pacflow calendar connect PAC-2025 cd --help`, or fix it)"
    ]
    listed = json.loads(pacflow("calendar", "list", DEMO_PLAN, "--json").stdout)
    assert listed[0]["state"].startswith("failed: calendar of cd: environment variable")
