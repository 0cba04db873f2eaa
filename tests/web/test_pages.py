"""What people see and do through the server's pages: a rep's page, reporting from it, the
manager's pages of the whole plan (the report and dashboard renderers' own pages), feeds.

The application runs in-process (FastAPI's TestClient) over a real SQLite store holding
the demo as of 10 June 2025; the same checks against a server process are in
test_browser.py and test_calendar_client.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from pacflow.app.plans import plan_history
from pacflow.app.root import App
from pacflow.cli import main
from pacflow.web import create_app
from pacflow.web.security import form_key
from tests.web.conftest import PLAN, Grant

TODAY = date(2025, 6, 10)


@pytest.fixture
def client(web_app: App) -> Iterator[TestClient]:
    with TestClient(create_app(web_app), follow_redirects=False) as client:
        yield client


def _mine(web_app: App, person: str) -> dict[str, date]:
    """The person's live visits (as responsible or participant) still planned, by key."""
    state = web_app.service().load(PLAN)
    assert state is not None
    found = {}
    for occurrence in state.occurrences.values():
        step = state.steps[occurrence.step]
        if step.status in ("done", "cancelled") or occurrence.status != "planned":
            continue
        if person in (step.responsible, *step.participants):
            found[occurrence.key] = occurrence.start.date()
    return found


def _listed(page: str, heading: str) -> set[str]:
    """The visit keys under a heading of the person's page."""
    section = page.split(f"<h2>{heading}", 1)[1].split("<h2>", 1)[0]
    return set(re.findall(r"<small>\(([^)]+@[^)]+)\)</small>", section))


def _post(client: TestClient, token: str, path: str, request: str, **fields: str):  # type: ignore[no-untyped-def]
    data = {"form_key": form_key(token), "request": request, **fields}
    return client.post(f"/p/{token}/{path}", data=data)


def test_a_reps_page_lists_what_is_left_to_report_and_what_is_coming(
    client: TestClient, web_app: App, give: Grant
) -> None:
    token = give("cd", "report")
    page = client.get(f"/p/{token}")
    assert page.status_code == 200
    mine = _mine(web_app, "cd")
    overdue = {key for key, day in mine.items() if day < TODAY}
    coming = {key for key, day in mine.items() if TODAY <= day <= date(2025, 7, 8)}
    assert overdue or coming, "the demo gives Claire visits around June"
    assert _listed(page.text, "To report") == overdue
    assert _listed(page.text, "Coming") == coming
    assert "Claire Dubois" in page.text
    assert f"webcal://testserver/feeds/{token}.ics" in page.text


def test_a_rep_marks_a_visit_held_from_the_page_and_the_audit_trail_names_them(
    client: TestClient, web_app: App, give: Grant
) -> None:
    token = give("cd", "report")
    key, day = min(_mine(web_app, "cd").items(), key=lambda pair: pair[1])
    answer = _post(client, token, f"visits/{key}/held", "r-1", on=day.isoformat())
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/p/{token}?done=held"
    assert "Recorded: the visit was held." in client.get(answer.headers["location"]).text
    entry = plan_history(web_app, PLAN, limit=1).as_json()[-1]
    assert entry["actor"] == "cd"
    assert entry["source"] == "web"
    assert entry["summary"] == f"{key} held on {day.isoformat()}"
    assert key not in _mine(web_app, "cd")


def test_a_retried_form_records_nothing_twice(
    client: TestClient, web_app: App, give: Grant
) -> None:
    token = give("cd", "report")
    key, day = min(_mine(web_app, "cd").items(), key=lambda pair: pair[1])
    version = web_app.store().stream_version(PLAN)
    first = _post(client, token, f"visits/{key}/held", "same", on=day.isoformat())
    again = _post(client, token, f"visits/{key}/held", "same", on=day.isoformat())
    assert first.status_code == again.status_code == 303
    assert web_app.store().stream_version(PLAN) == version + 1


def test_a_refused_report_shows_the_rules_one_line_and_records_nothing(
    client: TestClient, web_app: App, give: Grant, store_url: str
) -> None:
    token = give("cd", "report")
    key = next(iter(_mine(web_app, "cd")))
    version = web_app.store().stream_version(PLAN)
    answer = _post(client, token, f"visits/{key}/held", "r-2", on="2024-12-31")
    assert answer.status_code == 422 or answer.status_code == 409
    cli = CliRunner().invoke(
        main, ["--db", store_url, "visit", "done", PLAN, key, "--on", "2024-12-31"]
    )
    assert cli.exit_code != 0
    message = cli.output.strip().removeprefix("error: ").split(" (see `")[0]
    assert message
    assert message.replace('"', "&quot;").replace("'", "&#x27;") in answer.text
    assert web_app.store().stream_version(PLAN) == version


def test_a_visit_not_held_needs_a_reason_and_is_recorded_with_it(
    client: TestClient, web_app: App, give: Grant
) -> None:
    token = give("cd", "report")
    key = next(iter(_mine(web_app, "cd")))
    answer = _post(client, token, f"visits/{key}/not-held", "r-3", reason="client away")
    assert answer.status_code == 303
    entry = plan_history(web_app, PLAN, limit=1).as_json()[-1]
    assert entry["summary"] == f"{key} cancelled: client away"
    assert entry["reason"] == "client away"


def test_a_visit_moved_from_the_page_keeps_its_key(
    client: TestClient, web_app: App, give: Grant
) -> None:
    token = give("cd", "report")
    key = next(key for key, day in _mine(web_app, "cd").items() if day >= TODAY)
    answer = _post(
        client, token, f"visits/{key}/moved", "r-4", to="2025-06-20T14:30", reason="client asked"
    )
    assert answer.status_code == 303, re.findall(r"notice error[^<]*<", answer.text)
    state = web_app.service().load(PLAN)
    assert state is not None
    assert state.occurrences[key].start.isoformat().startswith("2025-06-20T14:30")


def test_a_read_only_link_shows_no_form_and_cannot_post(
    client: TestClient, web_app: App, give: Grant
) -> None:
    token = give("cd", "read")
    page = client.get(f"/p/{token}")
    assert page.status_code == 200
    assert "<form" not in page.text
    key = next(iter(_mine(web_app, "cd")))
    version = web_app.store().stream_version(PLAN)
    assert _post(client, token, f"visits/{key}/held", "r-5").status_code == 404
    assert web_app.store().stream_version(PLAN) == version


@pytest.mark.parametrize("by", ["theme", "rep", "sector", "target"])
def test_a_manager_sees_the_plan_as_the_report_renders_it(
    client: TestClient, give: Grant, store_url: str, by: str
) -> None:
    token = give("hg", "read")
    page = client.get(f"/p/{token}/plan", params={"by": by, "as_of": "2025-06-01"})
    assert page.status_code == 200
    cli = CliRunner().invoke(
        main,
        [
            "--db",
            store_url,
            "report",
            PLAN,
            "--by",
            by,
            "--as-of",
            "2025-06-01",
            "--format",
            "html",
        ],
    )
    assert cli.exit_code == 0, cli.output
    # The same document, with the server's navigation added after <body>.
    nav = re.search(r'<nav class="pf">.*?</nav>', page.text)
    assert nav is not None
    assert page.text.replace(nav.group(0), "", 1).strip() == cli.output.strip()


def test_a_manager_sees_the_dashboard_check_history_and_diff(
    client: TestClient, give: Grant
) -> None:
    token = give("hg", "read")
    dashboard = client.get(f"/p/{token}/dashboard", params={"period": "2025-05"})
    assert dashboard.status_code == 200
    assert "2025-05" in dashboard.text
    check = client.get(f"/p/{token}/check", params={"as_of": "2025-06-01"})
    assert check.status_code == 200
    assert "finding" in check.text
    history = client.get(f"/p/{token}/history", params={"step": "S08", "limit": 5})
    assert history.status_code == 200
    lines = history.text.split('<pre class="lines">', 1)[1].split("</pre>", 1)[0].splitlines()
    assert len(lines) == 5
    assert all("S08" in line for line in lines)
    by_tl = client.get(f"/p/{token}/history", params={"actor": "tl", "limit": 3}).text
    assert by_tl.count(" tl — ") == 3
    diff = client.get(f"/p/{token}/diff", params={"from": "2025-03-01", "to": "2025-06-01"})
    assert diff.status_code == 200
    assert "changes from" in diff.text


def test_a_bad_date_on_a_page_is_one_line_not_a_crash(client: TestClient, give: Grant) -> None:
    token = give("hg", "read")
    for value in ("0001-01-01", "yesterday", "9999-12-31T25:00"):
        page = client.get(f"/p/{token}/plan", params={"by": "theme", "as_of": value})
        assert 400 <= page.status_code < 500, value
        assert 'class="notice error"' in page.text


def test_a_reps_link_reaches_their_page_only(client: TestClient, give: Grant) -> None:
    token = give("cd", "report")
    for path in ("plan?by=theme", "dashboard", "check", "history", "diff?from=2025-03-01"):
        assert client.get(f"/p/{token}/{path}").status_code == 404, path
    assert client.get(f"/feeds/{token}/team.ics").status_code == 404


def test_a_feed_is_the_export_byte_for_byte_and_answers_304_until_the_plan_changes(
    client: TestClient, web_app: App, give: Grant, store_url: str
) -> None:
    token = give("cd", "feed")
    feed = client.get(f"/feeds/{token}.ics")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    cli = CliRunner().invoke(main, ["--db", store_url, "export", "ics", PLAN, "--person", "cd"])
    assert cli.exit_code == 0
    assert feed.content == cli.stdout_bytes
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in feed.content
    etag = feed.headers["etag"]
    same = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""
    since = client.get(
        f"/feeds/{token}.ics", headers={"If-Modified-Since": feed.headers["last-modified"]}
    )
    assert since.status_code == 304
    key = next(key for key, day in _mine(web_app, "cd").items() if day >= TODAY)
    reporting = give("cd", "report")
    _post(client, reporting, f"visits/{key}/moved", "r-6", to="2025-06-27T11:00", reason="x")
    changed = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert b"20250627T110000" in changed.content


def test_a_manager_has_the_team_feed(client: TestClient, give: Grant, store_url: str) -> None:
    token = give("hg", "feed")
    feed = client.get(f"/feeds/{token}/team.ics")
    assert feed.status_code == 200
    cli = CliRunner().invoke(main, ["--db", store_url, "export", "ics", PLAN])
    assert feed.content == cli.stdout_bytes
