"""Daylight saving through a real Radicale (docs/time.md), read back independently.

The rep's phone is the caldav library; what the server holds is then fetched with a plain
HTTP GET and parsed with icalendar, as any calendar reader would.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import niquests

from integrations.items import occurrence_uid
from pacflow.demo import DEMO_PLAN
from tests.integrations.conftest import CalDavAccount
from tests.integrations.test_sync import (
    Pacflow,
    Rep,
    _calendar,
    _future_visits,
    midyear_copy,  # noqa: F401  (fixtures used by name)
    midyear_url,  # noqa: F401
)


def _served(rep: Rep, uid: str) -> Any:
    """The task or event the server holds for `uid`, fetched with a plain GET and parsed."""
    answer = niquests.get(
        f"{rep.calendar_url}{uid}.ics",
        auth=(rep.account.username, rep.account.password),
        timeout=10,
    )
    assert answer.status_code == 200, answer.status_code
    assert answer.content is not None
    calendar = icalendar.Calendar.from_ical(answer.content)
    (item,) = [part for part in calendar.walk() if part.name in ("VEVENT", "VTODO")]
    return item


def test_a_visit_moved_in_the_calendar_into_the_repeated_hour_keeps_its_instant(
    midyear_copy: str,  # noqa: F811
    tmp_path: Path,
    caldav_account: CalDavAccount,
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    (visit,) = _future_visits(pacflow, "cd", 1)
    state = pacflow.state()
    uid = occurrence_uid(DEMO_PLAN, state.occurrences[visit].step, visit)
    length = state.occurrences[visit].duration or timedelta(hours=1)
    second = datetime(2025, 10, 26, 1, 30, tzinfo=UTC)  # 02:30 CET, the second 02:30 in Paris

    def into_the_repeated_hour(event: Any) -> None:
        for name, moment in (("DTSTART", second), ("DTEND", second + length)):
            event.pop(name)
            event.add(name, moment)

    claire.edit(uid, into_the_repeated_hour)
    assert _calendar(pacflow.sync(), "cd")["pulled_back"] == 1

    moved = pacflow.state().occurrences[visit]
    assert (moved.start, moved.start.fold) == (datetime(2025, 10, 26, 2, 30), 1)
    event = _served(claire, uid)
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.astimezone(UTC) == second  # not 00:30Z, the first 02:30
    assert end - start == length
    assert _calendar(pacflow.sync(), "cd")["writes"] == []  # nothing left to reconcile


def test_every_served_event_ends_after_it_starts_across_both_transitions(
    midyear_copy: str,  # noqa: F811
    tmp_path: Path,
    caldav_account: CalDavAccount,
) -> None:
    pacflow = Pacflow(midyear_copy, tmp_path)
    claire = pacflow.connect("cd", caldav_account)
    pacflow.sync()
    for uid in claire.items():
        event = _served(claire, uid)
        if event.name != "VEVENT" or not isinstance(event.decoded("DTSTART"), datetime):
            continue
        assert event.decoded("DTEND") > event.decoded("DTSTART"), uid
