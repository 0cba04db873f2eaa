"""Two server processes on one PostgreSQL store, as behind a load balancer: what a rep
records through one is what the other serves at once (feed, page, API), with no cache
of either process standing in the way.

With CI=true a PostgreSQL that does not answer fails the test (tests/conftest.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from click.testing import CliRunner

from pacflow.app.access import grant
from pacflow.app.root import App
from pacflow.cli import main
from pacflow.web.security import form_key
from tests.web.conftest import DEMO_UNTIL, NOW, PLAN, Served, start_server, stop_server
from tests.web.launch import shifted_clock

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

REP = "cd"
MANAGER = "hg"


@pytest.fixture
def postgres_demo(postgres_store_url: str) -> str:
    """The June demo, recorded into the test's own PostgreSQL schema."""
    result = CliRunner().invoke(
        main, ["--db", postgres_store_url, "demo", "--until", DEMO_UNTIL], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return postgres_store_url


@pytest.fixture
def two_servers(postgres_demo: str, tmp_path: Path) -> Iterator[tuple[Served, Served]]:
    first = start_server(postgres_demo, tmp_path / "first.log")
    try:
        second = start_server(postgres_demo, tmp_path / "second.log")
        try:
            yield first, second
        finally:
            stop_server(second.process)
    finally:
        stop_server(first.process)


def first_planned_visit(served: Served, token: str, *, by: datetime | None = None) -> str:
    """The rep's earliest visit not reported yet (starting on `by`'s day at the latest), as
    the API lists the plan."""
    plan = served.get(f"/api/v1/plans/{PLAN}", headers=bearer(token)).json()
    last_day = by.astimezone(ZoneInfo(plan["timezone"])).date() if by is not None else None
    start, key = min(
        (str(occurrence["start"]), str(occurrence["key"]))
        for track in plan["tracks"]
        for step in track["steps"]
        if step["responsible"] == REP
        for occurrence in step.get("occurrences", [])
        if occurrence["status"] == "planned"
        and (last_day is None or datetime.fromisoformat(occurrence["start"]).date() <= last_day)
    )
    return key


def occurrence_status(served: Served, token: str, key: str) -> str:
    plan = served.get(f"/api/v1/plans/{PLAN}", headers=bearer(token)).json()
    step_key = key.partition("@")[0]
    for track in plan["tracks"]:
        for step in track["steps"]:
            if step["key"] == step_key:
                status: str = next(o["status"] for o in step["occurrences"] if o["key"] == key)
                return status
    raise AssertionError(f"{key} is not in the plan")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_visit_held_through_one_server_is_read_through_the_other(
    postgres_demo: str, two_servers: tuple[Served, Served]
) -> None:
    first, second = two_servers
    app = App(postgres_demo, clock=shifted_clock(NOW))
    try:
        rep = grant(app, PLAN, REP, "report", actor=MANAGER).token
        manager_api = grant(app, PLAN, MANAGER, "api", actor=MANAGER).token
    finally:
        app.close()

    key = first_planned_visit(second, manager_api, by=NOW)
    feed = f"/feeds/{rep}.ics"
    before = second.get(feed)
    assert before.status_code == 200
    page = second.get(f"/p/{rep}")
    assert f"/visits/{key}/held" in page.text  # on the rep's page, to report
    assert occurrence_status(second, manager_api, key) == "planned"

    held = first.get(f"/p/{rep}")  # the rep's page on the first server, as a browser loads it
    assert f"/visits/{key}/held" in held.text
    posted = httpx.post(
        f"{first.url}/p/{rep}/visits/{key}/held",
        data={"form_key": form_key(rep), "request": secrets.token_urlsafe(16), "on": key[-10:]},
        timeout=30,
    )
    assert posted.status_code == 303, posted.text

    after = second.get(feed, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.content != before.content
    assert f"/visits/{key}/held" not in second.get(f"/p/{rep}").text
    assert occurrence_status(second, manager_api, key) == "done"

    history = second.get(f"/api/v1/plans/{PLAN}/history", headers=bearer(manager_api)).json()
    last = history[-1]
    assert (last["type"], last["occurrences"], last["actor"], last["source"]) == (
        "OccurrenceCompleted",
        [key],
        REP,
        "web",
    )

    # And the first server serves the same feed as the second.
    assert first.get(feed).content == after.content


def test_an_api_report_through_one_server_is_read_and_replayed_through_the_other(
    postgres_demo: str, two_servers: tuple[Served, Served]
) -> None:
    first, second = two_servers
    app = App(postgres_demo, clock=shifted_clock(NOW))
    try:
        crm = grant(app, PLAN, REP, "api", actor=MANAGER).token
        manager_api = grant(app, PLAN, MANAGER, "api", actor=MANAGER).token
    finally:
        app.close()
    key = first_planned_visit(first, manager_api)
    before = first.get(f"/api/v1/plans/{PLAN}/history", headers=bearer(manager_api)).json()
    path = f"/api/v1/plans/{PLAN}/visits/{key}/report"
    report = {"held": False, "reason": "The customer postponed (CRM)"}
    headers = {**bearer(crm), "Idempotency-Key": secrets.token_urlsafe(12)}

    written = httpx.post(second.url + path, json=report, headers=headers, timeout=30)
    assert written.status_code == 201, written.text
    assert occurrence_status(first, manager_api, key) == "cancelled"

    # The CRM retries through the other server: the answer is replayed, nothing recorded.
    retried = httpx.post(first.url + path, json=report, headers=headers, timeout=30)
    assert retried.status_code == 201
    assert retried.headers.get("Idempotent-Replayed") == "true"
    assert retried.json() == written.json()
    after = first.get(f"/api/v1/plans/{PLAN}/history", headers=bearer(manager_api)).json()
    assert len(after) == len(before) + 1
    assert (after[-1]["actor"], after[-1]["source"], after[-1]["occurrences"]) == (
        REP,
        "api",
        [key],
    )
