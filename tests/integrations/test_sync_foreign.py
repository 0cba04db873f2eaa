"""`pacflow sync` never trusts the shape of an item it finds in a rep's calendar.

What the plan takes back from a calendar is a completion or a move of what pacflow wrote
there, and nothing more: an item of another type put at the href and UID of one of
pacflow's, dates out of any plan's reach and integers past iCalendar's range are recorded
as changes the plan did not take, the plan's version is written back, and a calendar that
cannot be synced at all fails alone (the others of the plan still sync).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from integrations.items import occurrence_uid, step_uid
from pacflow.demo import DEMO_PLAN
from pacflow.domain import commands as c
from pacflow.domain.values import OccurrenceStatus, StepStatus
from tests.integrations import test_sync
from tests.integrations.conftest import CalDavAccount, RadicaleServer
from tests.integrations.test_sync import (
    Pacflow,
    Rep,
    _calendar,
    _entries,
    _future_visit,
    _open_todo,
    _second_account,
    _uid,
    _writes,
)

# The demo plan on the eve of its June revision (the fixtures of test_sync, shared).
midyear_url = test_sync.midyear_url
midyear_copy = test_sync.midyear_copy


def _put_raw(rep: Rep, uid: str, text: str) -> None:
    """Replace the item at `<uid>.ics` with `text`, as a careless app would (If-Match kept)."""
    client = rep.client()
    resource = rep._resource(client, uid)
    etag = resource.props["{DAV:}getetag"]
    answer = client.put(
        str(resource.url),
        text.replace("\n", "\r\n"),
        {"Content-Type": 'text/calendar; charset="utf-8"', "If-Match": etag},
    )
    assert answer.status in (200, 204), answer.status


def _edit_line(rep: Rep, uid: str, name: str, value: str, *more: str) -> None:
    """Set properties of the item to raw text values (no library would write them):
    `NAME, VALUE[, NAME, VALUE...]`; a VALUE may start with parameters (`;VALUE=DATE:...`)."""
    changes = dict(zip((name, *more[::2]), (value, *more[1::2]), strict=True))
    stored = rep.items()[uid].to_ical().decode().replace("\r\n ", "").replace("\r\n", "\n")
    lines = [
        line for line in stored.split("\n")
        if line and line.split(":")[0].split(";")[0] not in changes
    ]  # fmt: skip
    for key, text in changes.items():
        lines.insert(len(lines) - 1, f"{key}{text if text.startswith(';') else ':' + text}")
    _put_raw(rep, uid, "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//phone//EN\n"
             + "\n".join(lines) + "\nEND:VCALENDAR\n")  # fmt: skip


def _move(pacflow: Pacflow, visit: str) -> None:
    """The plan moves a visit a day later (so the sync has something to write)."""
    start = pacflow.state().occurrences[visit].start
    pacflow.run(
        c.MoveOccurrence(plan=DEMO_PLAN, actor="hg", reason="customer asked", occurrence=visit,
                         to=start + timedelta(days=1))
    )  # fmt: skip


def _todo_at(uid: str) -> str:
    return (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//phone//EN\nBEGIN:VTODO\n"
        f"UID:{uid}\nDTSTAMP:20250701T080000Z\nSUMMARY:done\nSTATUS:COMPLETED\n"
        "COMPLETED:20250701T080000Z\nPERCENT-COMPLETE:100\nEND:VTODO\nEND:VCALENDAR\n"
    )


def test_a_task_put_at_a_visits_uid_does_not_complete_the_recurring_step(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    visit = _future_visit(pacflow, "cd")
    step = pacflow.state().occurrences[visit].step
    planned_before = {
        key for key, o in pacflow.state().occurrences.items()
        if o.step == step and o.status is OccurrenceStatus.PLANNED
    }  # fmt: skip
    uid = _uid(pacflow, visit)

    _put_raw(claire, uid, _todo_at(uid))
    calendar = _calendar(pacflow.sync(), "cd")

    assert calendar["ok"] is True
    assert (calendar["pulled_back"], calendar["conflicts"]) == (0, 1)
    state = pacflow.state()
    assert state.steps[step].status is not StepStatus.DONE
    assert {
        key for key, o in state.occurrences.items()
        if o.step == step and o.status is OccurrenceStatus.PLANNED
    } == planned_before  # fmt: skip
    [note] = _entries(pacflow, "CalendarChangeOverridden")
    assert note["actor"] == "cd"
    assert "VTODO" in note["summary"]
    assert "VEVENT" in note["summary"]
    assert _writes(calendar, "PUT") == {uid}  # the visit is put back
    assert claire.items()[uid].name == "VEVENT"
    assert _calendar(pacflow.sync(), "cd")["writes"] == []


def test_an_event_put_at_a_tasks_uid_is_not_taken(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    step = _open_todo(pacflow, "cd")
    uid = step_uid(DEMO_PLAN, step)
    event = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//phone//EN\nBEGIN:VEVENT\n"
        f"UID:{uid}\nDTSTAMP:20250701T080000Z\nDTSTART:20250703T080000Z\n"
        "DTEND:20250703T090000Z\nSTATUS:CANCELLED\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n"
    )

    _put_raw(claire, uid, event)
    calendar = _calendar(pacflow.sync(), "cd")

    assert (calendar["pulled_back"], calendar["conflicts"]) == (0, 1)
    assert pacflow.state().steps[step].status is StepStatus.PLANNED
    assert claire.items()[uid].name == "VTODO"


@pytest.mark.parametrize(
    ("name", "value", "what"),
    [
        ("COMPLETED", "99991231T235959Z", "COMPLETED"),
        ("COMPLETED", "00010101T000000Z", "COMPLETED"),
        ("DUE", ";VALUE=DATE:99991231", "DUE"),
    ],
)
def test_a_task_with_a_date_out_of_range_is_put_back_and_noted(
    midyear_copy: str,
    tmp_path: Path,
    caldav_account: CalDavAccount,
    name: str,
    value: str,
    what: str,
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    step = _open_todo(pacflow, "cd")
    uid = step_uid(DEMO_PLAN, step)

    _edit_line(claire, uid, "STATUS", "COMPLETED", name, value)
    result = pacflow("sync", DEMO_PLAN, "--json")

    assert result.exit_code == 0, result.output
    calendar = _calendar(json.loads(result.stdout), "cd")
    assert (calendar["pulled_back"], calendar["conflicts"]) == (0, 1)
    assert pacflow.state().steps[step].status is StepStatus.PLANNED
    [note] = _entries(pacflow, "CalendarChangeOverridden")
    assert what in note["summary"]
    assert "1900" in note["summary"]
    assert _writes(calendar, "PUT") == {uid}
    assert str(claire.items()[uid]["STATUS"]) != "COMPLETED"
    assert _calendar(pacflow.sync(), "cd")["writes"] == []


def test_a_visit_moved_to_the_year_9999_is_put_back_and_noted(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    visit = _future_visit(pacflow, "cd")
    uid = _uid(pacflow, visit)
    start = pacflow.state().occurrences[visit].start

    _edit_line(claire, uid, "DTSTART", "99991231T100000Z", "DTEND", "99991231T110000Z")
    calendar = _calendar(pacflow.sync(), "cd")

    assert (calendar["ok"], calendar["pulled_back"], calendar["conflicts"]) == (True, 0, 1)
    assert pacflow.state().occurrences[visit].start == start
    assert claire.items()[uid].decoded("DTSTART").year == start.year
    assert _calendar(pacflow.sync(), "cd")["writes"] == []


def test_a_sequence_past_icalendars_range_does_not_stop_the_sync(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    visit = _future_visit(pacflow, "cd")
    uid = _uid(pacflow, visit)

    _edit_line(claire, uid, "SEQUENCE", "99999999999999999999")
    first = pacflow("sync", DEMO_PLAN, "--json")

    assert first.exit_code == 0, first.output
    assert _calendar(json.loads(first.stdout), "cd")["ok"] is True
    # The plan changes the visit: what it writes carries the highest SEQUENCE iCalendar has.
    _move(pacflow, visit)
    again = _calendar(pacflow.sync(), "cd")
    assert _writes(again, "PUT") == {uid}
    assert int(claire.items()[uid]["SEQUENCE"]) == 2**31 - 1
    listed = json.loads(pacflow("calendar", "list", DEMO_PLAN, "--json").stdout)
    assert [account["state"] for account in listed] == ["ok"]


def test_broken_items_in_one_calendar_leave_the_others_in_sync(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount, radicale: RadicaleServer
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.connect("kb", _second_account(radicale))
    pacflow.sync()
    step = _open_todo(pacflow, "cd")
    _edit_line(claire, step_uid(DEMO_PLAN, step), "COMPLETED", "99991231T235959Z")
    _edit_line(claire, _uid(pacflow, _future_visit(pacflow, "cd")), "SEQUENCE", "9" * 40)
    kb_visit = _future_visit(pacflow, "kb")
    _move(pacflow, kb_visit)

    report = pacflow.sync()

    assert [c["ok"] for c in report["calendars"]] == [True, True]
    assert _writes(_calendar(report, "kb"), "PUT") == {_uid(pacflow, kb_visit)}


def test_a_calendar_that_cannot_be_synced_fails_alone_and_says_so_in_calendar_list(
    midyear_copy: str,
    tmp_path: Path,
    caldav_account: CalDavAccount,
    radicale: RadicaleServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.connect("kb", _second_account(radicale))
    pacflow.sync()
    uid = step_uid(DEMO_PLAN, _open_todo(pacflow, "cd"))
    _edit_line(claire, uid, "DESCRIPTION", "a note of the rep's")
    # A fault no test can provoke any more (the reading of items is range-checked): a bug
    # met while reading one calendar's item.
    import integrations.sync as sync
    from integrations.pullback import parse_remote as real

    def broken(data: bytes, timezone: str) -> Any:
        if uid.encode() in data:
            raise OverflowError("date value out of range")
        return real(data, timezone)

    monkeypatch.setattr(sync, "parse_remote", broken)
    kb_visit = _future_visit(pacflow, "kb")
    _move(pacflow, kb_visit)

    result = pacflow("sync", DEMO_PLAN, "--json")

    assert result.exit_code == 6
    [line] = result.stderr.splitlines()
    assert line.startswith("error: calendar of cd: ")
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    assert _calendar(report, "cd")["ok"] is False
    assert _calendar(report, "kb")["ok"] is True
    assert _writes(_calendar(report, "kb"), "PUT") == {_uid(pacflow, kb_visit)}
    listed = {
        a["person"]: a["state"]
        for a in json.loads(pacflow("calendar", "list", DEMO_PLAN, "--json").stdout)
    }
    assert listed["kb"] == "ok"
    assert listed["cd"].startswith("failed: calendar of cd: ")


def test_completions_of_other_plans_or_reps_steps_are_still_refused(
    midyear_copy: str, tmp_path: Path, caldav_account: CalDavAccount, radicale: RadicaleServer
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.connect("kb", _second_account(radicale))
    pacflow.sync()
    completed_before = _entries(pacflow, "StepCompleted")
    kb_step = _open_todo(pacflow, "kb")
    others = [step_uid(DEMO_PLAN, kb_step), step_uid("OTHER-PLAN", kb_step),
              occurrence_uid("OTHER-PLAN", kb_step, "x-1")]  # fmt: skip
    client = claire.client()
    for number, uid in enumerate(others):
        # a forged completed task under another's UID, added to claire's calendar
        answer = client.put(
            f"{claire.calendar_url}forged-{number}.ics",
            _todo_at(uid).replace("\n", "\r\n"),
            {"Content-Type": 'text/calendar; charset="utf-8"', "If-None-Match": "*"},
        )
        assert answer.status in (201, 204), answer.status
    assert all(c["ok"] for c in pacflow.sync()["calendars"])
    assert pacflow.sync()["totals"]["pulled_back"] == 0
    assert pacflow.state().steps[kb_step].status is StepStatus.PLANNED
    assert _entries(pacflow, "StepCompleted") == completed_before
