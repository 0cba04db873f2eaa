"""Nobody sees what their token does not grant, and nothing a user typed runs in a page.

Every endpoint is tried with no token, a wrong one, a revoked one, another plan's, another
person's and one of too small a scope: each answer is the same 404 as a path that does not
exist (no oracle). Pages carry a CSP, nosniff and no-referrer; hostile strings come back
escaped; the server's log never holds a token.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from pacflow.app.access import grant, revoke
from pacflow.app.root import App
from pacflow.web import create_app
from pacflow.web.security import form_key
from tests.web.conftest import HOSTILE, PLAN, Grant, Served

VISIT = "S08@2025-06-24"


@pytest.fixture
def client(web_app: App) -> Iterator[TestClient]:
    with TestClient(create_app(web_app), follow_redirects=False) as client:
        yield client


def _requests(token: str, plan: str = PLAN) -> list[tuple[str, str, dict[str, object]]]:
    """Every endpoint, with this token where a token goes."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k1"}
    auth: dict[str, object] = {"headers": headers}
    fields = {"form_key": form_key(token), "request": "x", "on": "2025-06-24"}
    form: dict[str, object] = {"data": fields}
    api = f"/api/v1/plans/{plan}"
    return [
        ("GET", f"/feeds/{token}.ics", {}),
        ("GET", f"/feeds/{token}/team.ics", {}),
        ("GET", f"/p/{token}", {}),
        ("GET", f"/p/{token}/plan?by=theme", {}),
        ("GET", f"/p/{token}/dashboard", {}),
        ("GET", f"/p/{token}/check", {}),
        ("GET", f"/p/{token}/history", {}),
        ("GET", f"/p/{token}/diff?from=2025-03-01", {}),
        ("POST", f"/p/{token}/visits/{VISIT}/held", form),
        ("POST", f"/p/{token}/visits/{VISIT}/not-held", {"data": {**fields, "reason": "r"}}),
        ("POST", f"/p/{token}/visits/{VISIT}/moved", form),
        ("POST", f"/p/{token}/steps/E01/done", form),
        ("GET", api, auth),
        ("GET", f"{api}/history", auth),
        ("GET", f"{api}/diff?from=2025-03-01", auth),
        ("GET", f"{api}/dashboard", auth),
        ("GET", f"{api}/check", auth),
        ("GET", f"{api}/indicators/I1", auth),
        (
            "POST",
            f"{api}/indicators/I1/actuals",
            {**auth, "json": {"period": "2025-05", "value": "1"}},
        ),
        ("POST", f"{api}/visits/{VISIT}/report", {**auth, "json": {"held": True}}),
    ]


def _same_404(client: TestClient, method: str, path: str, options: dict[str, object]) -> None:
    answer = client.request(method, path, **options)  # type: ignore[arg-type]
    assert answer.status_code == 404, (method, path, answer.status_code)
    where = "/api/" if path.startswith("/api/") else "/p/"
    reference = client.get(f"{where}nothing-here-at-all")
    assert answer.content == reference.content, (method, path)
    assert "set-cookie" not in answer.headers


def _events(app: App) -> int:
    return app.store().head_position()


def test_no_token_or_a_wrong_one_reaches_nothing(client: TestClient, web_app: App) -> None:
    before = _events(web_app)
    wrong = "0123456789ab-" + "A" * 43
    for token in ("", "x", wrong, "../../etc/passwd", "a" * 5000):
        for method, path, options in _requests(token):
            if token == "" and path.startswith("/api/"):
                options = {k: v for k, v in options.items() if k != "headers"}
            _same_404(client, method, path, options)
    assert _events(web_app) == before


def test_a_revoked_token_reaches_nothing(client: TestClient, web_app: App) -> None:
    handed = [grant(web_app, PLAN, "hg", scope, actor="hg") for scope in ("report", "api")]
    for one in handed:
        revoke(web_app, PLAN, one.grant.grant_id, actor="hg", reason="left")
    before = _events(web_app)
    for one in handed:
        for method, path, options in _requests(one.token):
            _same_404(client, method, path, options)
    assert _events(web_app) == before


def test_another_plans_token_reaches_nothing_of_this_plan(
    client: TestClient, web_app: App, other_plan: str
) -> None:
    tokens = [grant(web_app, other_plan, "boss", s, actor="boss").token for s in ("report", "api")]
    before = _events(web_app)
    for token in tokens:
        for method, path, options in _requests(token, PLAN):
            if "/feeds/" in path or path.startswith("/p/"):
                continue  # those name no plan: they reach the other plan, tried below
            _same_404(client, method, path, options)
    assert _events(web_app) == before
    # Its feed holds only its own plan.
    feed = client.get(f"/feeds/{tokens[0]}/team.ics")
    assert feed.status_code == 200
    assert b"PAC-2025" not in feed.content


def test_a_rep_reaches_neither_the_whole_plan_nor_another_reps_visits(
    client: TestClient, web_app: App, give: Grant
) -> None:
    token = give("kb", "report")  # Karim; S08 is Claire's
    api = give("kb", "api")
    before = _events(web_app)
    for method, path, options in _requests(token):
        if path in (f"/feeds/{token}.ics", f"/p/{token}"):
            continue  # his own
        _same_404(client, method, path, options)
    for method, path, options in _requests(api):
        if path.startswith("/api/"):
            _same_404(client, method, path, options)
    assert _events(web_app) == before


@pytest.mark.parametrize("scope", ["feed", "read"])
def test_a_scope_too_small_cannot_write_or_read_more(
    client: TestClient, web_app: App, give: Grant, scope: str
) -> None:
    token = give("hg", scope)
    before = _events(web_app)
    for method, path, options in _requests(token):
        if method == "GET" and ("/feeds/" in path or (scope == "read" and path.startswith("/p/"))):
            continue
        _same_404(client, method, path, options)
    assert _events(web_app) == before


def test_an_api_token_opens_no_page(client: TestClient, give: Grant) -> None:
    token = give("hg", "api")
    for method, path, options in _requests(token):
        if not path.startswith("/api/"):
            _same_404(client, method, path, options)


def test_a_form_posted_without_its_key_or_from_another_site_is_refused(
    client: TestClient, web_app: App, give: Grant
) -> None:
    token = give("cd", "report")
    before = _events(web_app)
    path = f"/p/{token}/visits/{VISIT}/held"
    no_key = client.post(path, data={"request": "a", "on": "2025-06-24"})
    wrong_key = client.post(path, data={"form_key": "0" * 32, "request": "b"})
    good = {"form_key": form_key(token), "request": "c", "on": "2025-06-24"}
    cross = client.post(path, data=good, headers={"Sec-Fetch-Site": "cross-site"})
    origin = client.post(path, data=good, headers={"Origin": "https://evil.example"})
    for answer in (no_key, wrong_key, cross, origin):
        assert answer.status_code == 403
        assert "This form has expired" in answer.text
    assert _events(web_app) == before


def test_pages_carry_the_security_headers(client: TestClient, give: Grant) -> None:
    token = give("hg", "read")
    for path in (f"/p/{token}", f"/p/{token}/plan?by=rep", f"/feeds/{token}.ics", "/nope"):
        answer = client.get(path)
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")
        assert "script-src" not in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in client.get(f"/p/{token}").headers["cache-control"]


def test_every_user_string_is_escaped(client: TestClient, web_app: App, other_plan: str) -> None:
    rep = grant(web_app, other_plan, "ev", "report", actor="boss").token
    boss = grant(web_app, other_plan, "boss", "read", actor="boss").token
    pages = [client.get(f"/p/{rep}")]
    pages += [
        client.get(f"/p/{boss}/{path}")
        for path in (
            "plan?by=theme",
            "plan?by=rep",
            "plan?by=target",
            "plan?by=sector",
            "dashboard",
            "check",
            "history",
            "diff?from=2025-01-01",
        )
    ]
    pages.append(client.get(f"/p/{boss}/plan", params={"by": HOSTILE}))
    pages.append(client.get(f"/p/{boss}/history", params={"since": HOSTILE}))
    for page in pages:
        assert "<script" not in page.text.lower(), page.url
    assert "Visit &lt;script&gt;" in pages[0].text
    assert "&lt;script&gt;" in pages[2].text


def test_a_crafted_as_of_is_a_one_line_answer(client: TestClient, give: Grant) -> None:
    token = give("hg", "api")
    for value in (
        "0001-01-01",
        "9999-12-31",
        "2025-13-45",
        "' OR 1=1 --",
        "\x00",
        "2025-06-01" * 50,
    ):
        answer = client.get(
            f"/api/v1/plans/{PLAN}",
            params={"as_of": value},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert 400 <= answer.status_code < 500, value
        assert answer.json()["error"]["message"]


def test_the_server_log_never_holds_a_token(served: Served, give: Grant) -> None:
    tokens = [give("cd", "report"), give("hg", "read"), give("hg", "api")]
    served.get(f"/p/{tokens[0]}")
    served.get(f"/feeds/{tokens[0]}.ics")
    served.get(f"/p/{tokens[1]}/plan", params={"by": "rep"})
    served.get(f"/p/{tokens[1]}/history", params={"since": tokens[1]})
    served.get(f"/api/v1/plans/{PLAN}", headers={"Authorization": f"Bearer {tokens[2]}"})
    served.get("/p/" + tokens[0][:-3] + "xyz")  # a wrong token is secret-like too
    log = served.log.read_text()
    assert log.count('"GET /p/<token>') >= 2
    for token in tokens:
        assert token not in log
        assert token.split("-", 1)[1] not in log


def test_control_characters_never_reach_the_store(client: TestClient, give: Grant) -> None:
    manager = give("hg", "read")
    api = give("hg", "api")
    answers = [
        client.get(f"/p/{manager}/history", params={"step": "S08\x00"}),
        client.get(f"/p/{manager}/history", params={"target": "T1\x1b[2J"}),
        client.get(f"/api/v1/plans/{PLAN}%00/history", headers={"Authorization": f"Bearer {api}"}),
        client.get(
            f"/api/v1/plans/{PLAN}/indicators/I1%00", headers={"Authorization": f"Bearer {api}"}
        ),
    ]
    for answer in answers:
        assert answer.status_code == 400
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")
