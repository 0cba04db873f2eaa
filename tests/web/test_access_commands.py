"""`pacflow access grant|list|revoke` and `pacflow serve` as a user runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from pacflow.cli import main
from tests.integrations.conftest import _free_port
from tests.web.conftest import PLAN

ROOT = Path(__file__).resolve().parents[2]


def _run(store_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", store_url, "--actor", "hg", *args])
    return result.exit_code, result.output


def test_a_grant_prints_its_links_once_and_the_log_keeps_no_secret(store_url: str) -> None:
    code, output = _run(
        store_url,
        "access",
        "grant",
        PLAN,
        "cd",
        "--scope",
        "report",
        "--url",
        "https://pac.example.com/",
        "--reason",
        "new phone",
    )
    assert code == 0, output
    token = re.search(r"https://pac\.example\.com/p/(\S+)", output)
    assert token is not None
    secret = token.group(1).split("-", 1)[1]
    assert f"https://pac.example.com/feeds/{token.group(1)}.ics" in output
    assert f"webcal://pac.example.com/feeds/{token.group(1)}.ics" in output
    code, listing = _run(store_url, "access", "list", PLAN)
    assert code == 0
    assert re.search(r"\bcd\s+report\b.*\bactive$", listing, re.M), listing
    assert secret not in listing
    code, log = _run(store_url, "store", "log", "--json")
    assert code == 0
    assert secret not in log
    code, history = _run(store_url, "plan", "history", PLAN, "--limit", "1", "--json")
    [entry] = json.loads(history)
    assert entry["summary"].startswith("cd given report access (grant ")
    assert (entry["actor"], entry["reason"]) == ("hg", "new phone")


def test_bad_grants_are_one_line_and_write_nothing(store_url: str) -> None:
    code, before = _run(store_url, "store", "log", "--json")
    for args, words in [
        (["NOPE", "cd", "--scope", "read"], "NOPE"),
        ([PLAN, "nobody", "--scope", "read"], "nobody"),
        ([PLAN, "cd", "--scope", "admin"], "--scope"),
    ]:
        code, output = _run(store_url, "access", "grant", *args)
        assert code == 1, output
        assert output.startswith("error: ")
        assert words in output
        assert output.count("\n") == 1
    assert _run(store_url, "store", "log", "--json")[1] == before
    code, listing = _run(store_url, "access", "list", PLAN, "--json")
    assert json.loads(listing) == []


def test_a_revoked_grant_is_listed_as_revoked_and_stops_working(
    store_url: str, web_app: object
) -> None:
    from fastapi.testclient import TestClient

    from pacflow.app.root import App
    from pacflow.web import create_app

    assert isinstance(web_app, App)
    code, output = _run(store_url, "access", "grant", PLAN, "hg", "--scope", "read", "--json")
    handed = json.loads(output)
    with TestClient(create_app(web_app)) as client:
        assert client.get(f"/p/{handed['token']}").status_code == 200
        code, output = _run(store_url, "access", "revoke", PLAN, handed["grant"], "--reason", "x")
        assert code == 0, output
        assert client.get(f"/p/{handed['token']}").status_code == 404
    code, listing = _run(store_url, "access", "list", PLAN, "--json")
    [grant] = json.loads(listing)
    assert grant["revoked_at"] is not None
    code, output = _run(store_url, "access", "revoke", PLAN, "000000000000")
    assert code == 1
    assert "access list" in output


def test_serve_refuses_a_host_that_is_not_an_address(store_url: str) -> None:
    code, output = _run(store_url, "serve", "--host", "my laptop")
    assert code == 1
    assert output.startswith("error: --host 'my laptop': expected an IP address")


@pytest.mark.parametrize("workers", [1, 2])
def test_pacflow_serve_answers_on_loopback(store_url: str, tmp_path: Path, workers: int) -> None:
    port = _free_port()
    env = {**os.environ, "PACFLOW_DB": store_url}
    code, output = _run(store_url, "access", "grant", PLAN, "hg", "--scope", "read", "--json")
    token = json.loads(output)["token"]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pacflow.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/p/{token}/plan?by=rep", timeout=10)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert answer is not None, log.read_text()
        assert answer.status_code == 200
        assert "Plan d&#x27;action commerciale 2025" in answer.text
    finally:
        process.terminate()
        process.wait(timeout=20)
    text = log.read_text()
    assert f"on http://127.0.0.1:{port}" in text
    assert token not in text
    assert '"GET /p/<token>/plan?by=rep" 200' in text
