"""Web fixtures: the demo plan as of mid-June 2025, grants, and the server in a process.

`served` starts the server (tests/web/launch.py) on a free loopback port, its clock set to
the demo's 10 June 2025, and stops it at the end; its log (the access log included) is
kept in the test's folder, so tests can read what the server wrote.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from pacflow.app.access import grant
from pacflow.app.root import App
from pacflow.cli import main
from tests.integrations.conftest import _free_port
from tests.web.launch import shifted_clock

ROOT = Path(__file__).resolve().parents[2]
PLAN = "PAC-2025"
NOW = datetime(2025, 6, 10, 7, 0, tzinfo=UTC)
"""The server's "now": Tuesday 10 June 2025, 09:00 in Paris, mid-way through the demo year."""
DEMO_UNTIL = "2025-06-10T08:30"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo recorded up to 10 June 2025 08:30, once per session (tests copy it)."""
    folder = tmp_path_factory.mktemp("web-demo")
    path = folder / "demo.db"
    result = CliRunner().invoke(
        main, ["--db", f"sqlite:///{path}", "demo", "--until", DEMO_UNTIL], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def store_url(demo_template: Path, tmp_path: Path) -> str:
    """A copy of the June demo store, for this test only."""
    path = tmp_path / "store.db"
    with sqlite3.connect(demo_template) as source, sqlite3.connect(path) as copy:
        source.backup(copy)  # the log may still be in the source's write-ahead file
    return f"sqlite:///{path}"


@pytest.fixture
def web_app(store_url: str) -> Iterator[App]:
    """The application over the test's store, its clock at NOW."""
    app = App(store_url, clock=shifted_clock(NOW))
    yield app
    app.close()


Grant = Callable[..., str]


@pytest.fixture
def give(web_app: App) -> Grant:
    """Grant PERSON a SCOPE on a plan (PAC-2025 by default); returns the token."""

    def give(person: str, scope: str, plan: str = PLAN) -> str:
        return grant(web_app, plan, person, scope, actor="hg").token

    return give


@dataclass
class Served:
    """A server process on loopback, and where its log goes."""

    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]


def start_server(store_url: str, log: Path, now: datetime = NOW) -> Served:
    """The server on a free port, answering /healthz (three tries for a taken port)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for attempt in range(3):
        port = _free_port()
        with log.open("ab") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.web.launch",
                    "--db",
                    store_url,
                    "--port",
                    str(port),
                    "--now",
                    now.isoformat(),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    return Served(url, log, process)
            except httpx.TransportError:
                time.sleep(0.1)
        stop_server(process)
        if attempt == 2:
            raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")
    raise AssertionError("unreachable")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def served(store_url: str, tmp_path: Path, web_app: App) -> Iterator[Served]:
    """The server over the test's store (grants made with `give` before or after)."""
    server = start_server(store_url, tmp_path / "server.log")
    try:
        yield server
    finally:
        stop_server(server.process)


HOSTILE = '<script>alert("x")</script>'
"""A string that must never reach a page unescaped."""


@pytest.fixture
def other_plan(web_app: App) -> str:
    """A second plan in the same store, every user string of it hostile: OTHER-2025 with
    rep `ev` and one visit on 12 June 2025."""
    from pacflow.app.changes import execute

    plan = "OTHER-2025"

    def run(command: str, **fields: object) -> None:
        execute(web_app, command, {"plan": plan, **fields}, actor="hg")

    run(
        "CreatePlan",
        title=f"Plan {HOSTILE}",
        start="2025-01-01",
        end="2025-12-31",
        timezone="Europe/Paris",
        owner="boss",
    )
    run("AddPerson", key="boss", name=f"Boss {HOSTILE}", kind="manager")
    run("AddPerson", key="ev", name=f"Eve {HOSTILE}", kind="rep")
    run("AddTrack", key="T1", domain="steering", title=f"Track {HOSTILE}")
    run(
        "AddStep",
        key="S1",
        track="T1",
        title=f"Visit {HOSTILE}",
        responsible="ev",
        schedule={"kind": "sessions", "sessions": [{"start": "2025-06-12T10:00"}]},
        location=f"Room {HOSTILE}",
    )
    return plan
