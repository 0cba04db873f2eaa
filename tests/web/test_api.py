"""The JSON API: every read has the shape `--json` prints, writes from other systems are
recorded once per Idempotency-Key, refused by the same rules, and the OpenAPI document
checked into docs/ is the one the server serves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from freezegun import freeze_time

from pacflow.app.plans import plan_history
from pacflow.app.root import App
from pacflow.cli import main
from pacflow.web import create_app
from tests.web.conftest import NOW, PLAN, Grant

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


@pytest.fixture
def client(web_app: App) -> Iterator[TestClient]:
    with TestClient(create_app(web_app), follow_redirects=False) as client:
        yield client


@pytest.fixture
def api(client: TestClient, give: Grant) -> TestClient:
    client.headers["Authorization"] = f"Bearer {give('hg', 'api')}"
    return client


def _cli_json(store_url: str, *args: str) -> object:
    with freeze_time(NOW):
        result = CliRunner().invoke(main, ["--db", store_url, *args, "--json"])
    # `check` exits 1 when a finding reaches --fail-on, its JSON said so ("failed").
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("path", "params", "command"),
    [
        ("", {"as_of": "2025-06-01"}, ["plan", "show", PLAN, "--as-of", "2025-06-01"]),
        ("/history", {"step": "S08"}, ["plan", "history", PLAN, "--step", "S08"]),
        (
            "/diff",
            {"from": "2025-03-01", "to": "2025-06-01"},
            ["plan", "diff", PLAN, "--from", "2025-03-01", "--to", "2025-06-01"],
        ),
        (
            "/dashboard",
            {"period": "2025-05", "as_of": "2025-06-01"},
            ["dashboard", PLAN, "--period", "2025-05", "--as-of", "2025-06-01"],
        ),
        ("/check", {"as_of": "2025-06-01"}, ["check", PLAN, "--as-of", "2025-06-01"]),
        (
            "/indicators/I1",
            {"as_of": "2025-06-01"},
            ["indicator", "history", PLAN, "I1", "--as-of", "2025-06-01"],
        ),
    ],
)
def test_every_read_has_the_shape_of_json_output(
    api: TestClient, store_url: str, path: str, params: dict[str, str], command: list[str]
) -> None:
    answer = api.get(f"/api/v1/plans/{PLAN}{path}", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.json() == _cli_json(store_url, *command)


def test_a_bad_read_is_an_error_as_data(api: TestClient) -> None:
    answer = api.get(f"/api/v1/plans/{PLAN}/indicators/NOPE")
    assert answer.status_code == 404
    error = answer.json()["error"]
    assert error["code"] == "not-found"
    assert "NOPE" in error["message"]
    early = api.get(f"/api/v1/plans/{PLAN}", params={"as_of": "2020-01-01"})
    assert early.status_code == 404
    assert early.json()["error"]["code"] == "plan-not-yet"


def test_an_actual_pushed_twice_with_one_key_is_recorded_once(
    api: TestClient, web_app: App
) -> None:
    before = web_app.store().stream_version(PLAN)
    body = {"period": "2025-06", "value": "7", "note": "from the CRM"}
    first = api.post(
        f"/api/v1/plans/{PLAN}/indicators/I1/actuals", json=body, headers={"Idempotency-Key": "a"}
    )
    assert first.status_code == 201, first.text
    again = api.post(
        f"/api/v1/plans/{PLAN}/indicators/I1/actuals", json=body, headers={"Idempotency-Key": "a"}
    )
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert web_app.store().stream_version(PLAN) == before + 1
    entry = plan_history(web_app, PLAN, limit=1).as_json()[-1]
    assert (entry["actor"], entry["source"]) == ("hg", "api")
    board = api.get(f"/api/v1/plans/{PLAN}/dashboard", params={"period": "2025-06"}).json()
    rows = [row for kind in ("result", "activity", "quality") for row in board.get(kind, [])]
    assert any(row["indicator"] == "I1" and row["actual"] == "7" for row in rows), rows


def test_a_write_needs_a_key_and_a_good_value(api: TestClient, web_app: App) -> None:
    before = web_app.store().stream_version(PLAN)
    url = f"/api/v1/plans/{PLAN}/indicators/I1/actuals"
    missing = api.post(url, json={"period": "2025-06", "value": "7"})
    assert missing.status_code == 422
    assert "Idempotency-Key" in missing.json()["error"]["message"]
    bad = api.post(
        url, json={"period": "2025-06", "value": "lots"}, headers={"Idempotency-Key": "b"}
    )
    assert bad.status_code == 422
    assert "value" in bad.json()["error"]["message"]
    assert web_app.store().stream_version(PLAN) == before


def test_a_crm_reports_a_visit_held_on_its_own_day(api: TestClient, web_app: App) -> None:
    state = web_app.service().load(PLAN)
    assert state is not None
    past = [
        o.key
        for o in state.occurrences.values()
        if o.status == "planned"
        and o.start.date().isoformat() < "2025-06-10"
        and state.steps[o.step].status not in ("done", "cancelled")
    ]
    assert past, "the demo leaves visits to report in June"
    key = min(past)
    answer = api.post(
        f"/api/v1/plans/{PLAN}/visits/{key}/report",
        json={"held": True},
        headers={"Idempotency-Key": f"visit-{key}"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["events"][0]["summary"] == f"{key} held on {key.split('@')[1]}"


def test_the_openapi_document_in_docs_is_the_one_served(client: TestClient) -> None:
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    document = served.json()
    assert "/api/v1/plans/{plan}/dashboard" in document["paths"]
    assert not any(path.startswith(("/p/", "/feeds/")) for path in document["paths"])
    assert (
        json.loads(OPENAPI.read_text()) == document
    ), "docs/openapi.json is stale: python -m pacflow.web.openapi > docs/openapi.json"
