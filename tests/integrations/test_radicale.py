"""One rep's calendar on a real Radicale: created with conditional PUTs, read back by caldav.

Run against both server modes: `strict` refuses any overwrite without If-Match, so the
first export must (and does) create every item with `If-None-Match: *`.
"""

from __future__ import annotations

from typing import Any

import caldav
import icalendar
import pytest

from events import EventStore
from integrations.ics import render_resources
from integrations.revisions import calendar_history
from pacflow.service import PlanService
from tests.integrations.conftest import CalDavAccount

ICS = {"Content-Type": 'text/calendar; charset="utf-8"'}


def _client(account: CalDavAccount, password: str | None = None) -> Any:
    """A caldav client for the account (typed Any: parts of caldav are unannotated)."""
    return caldav.DAVClient(
        url=account.home_url,
        username=account.username,
        password=password or account.password,
        auth_type="basic",
        features="radicale",
    )


def _claire(store: EventStore) -> dict[str, bytes]:
    history = calendar_history(
        (recorded.recorded_at, event) for recorded, event in PlanService(store).history("PAC-2025")
    )
    assert history is not None
    return render_resources(history, person="cd")


def _put(client: Any, url: str, data: bytes, **headers: str) -> int:
    response = client.put(url, data.decode("utf-8"), {**ICS, **headers})
    status: int = response.status
    return status


def test_a_reps_items_go_in_with_if_none_match_and_come_back_whole(
    caldav_account: CalDavAccount, demo_store: EventStore
) -> None:
    resources = _claire(demo_store)
    client = _client(caldav_account)
    calendar = client.principal().make_calendar(
        name="Pacflow plan", cal_id="pacflow", supported_calendar_component_set=["VEVENT", "VTODO"]
    )
    for uid, data in resources.items():
        assert _put(
            client, str(calendar.url.join(f"{uid}.ics")), data, **{"If-None-Match": "*"}
        ) in (
            201,
            204,
        )

    stored: dict[str, Any] = {}
    for found in [*calendar.events(), *calendar.todos(include_completed=True)]:
        component = found.icalendar_component
        stored[str(component["UID"])] = component
    assert set(stored) == set(resources)
    for uid, data in resources.items():
        [ours] = [
            part
            for part in icalendar.Calendar.from_ical(data).walk()
            if part.name in ("VTODO", "VEVENT")
        ]
        theirs = stored[uid]
        assert theirs.name == ours.name
        for name in ("SEQUENCE", "STATUS", "SUMMARY", "X-PACFLOW-STEP"):
            assert str(theirs[name]) == str(ours[name]), (uid, name)
        start = "DUE" if ours.name == "VTODO" else "DTSTART"
        assert theirs[start].dt == ours[start].dt
    cancelled = stored["PAC-2025.S08.2025-08-12.pacflow"]
    assert (cancelled["STATUS"], cancelled["SEQUENCE"]) == ("CANCELLED", 1)


def test_the_server_enforces_the_preconditions_we_rely_on(
    caldav_account: CalDavAccount, demo_store: EventStore
) -> None:
    uid, data = next(iter(_claire(demo_store).items()))
    client = _client(caldav_account)
    calendar = client.principal().make_calendar(name="Pacflow plan", cal_id="pacflow")
    url = str(calendar.url.join(f"{uid}.ics"))
    assert _put(client, url, data, **{"If-None-Match": "*"}) == 201
    assert _put(client, url, data, **{"If-None-Match": "*"}) == 412  # already there
    assert _put(client, url, data, **{"If-Match": '"stale"'}) == 412
    blind = _put(client, url, data)
    assert blind == (412 if caldav_account.server.strict else 204)


def test_a_wrong_password_is_refused(caldav_account: CalDavAccount) -> None:
    with pytest.raises(caldav.lib.error.AuthorizationError):
        _client(caldav_account, password="not-the-password").principal()
