"""Integration fixtures: the demo plan in a store, and a real Radicale CalDAV server.

`radicale` starts one Radicale per test session and per mode, `lenient` and `strict`
(`[storage] strict_preconditions = True`: any overwrite without If-Match is refused, so a
test run in that mode proves pacflow never writes blindly). It listens on 127.0.0.1 on a
free port, keeps its collections in a temporary folder and checks passwords against a
plain htpasswd file that it re-reads on every request, which lets `caldav_account` give
each test a user (and so a calendar home) of its own.
"""

from __future__ import annotations

import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from events import EventStore
from pacflow.demo import DEMO_PLAN, SettableClock, build_demo
from pacflow.storage import open_store

STARTUP_TIMEOUT = 20.0


@pytest.fixture(scope="session")
def demo_store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding the demo plan PAC-2025 and its year (read it, do not write)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"

    def opener(clock: SettableClock) -> EventStore:
        return open_store(url, clock=clock)

    build_demo(opener)
    return url


@pytest.fixture
def demo_copy_url(demo_store_url: str, tmp_path: Path) -> str:
    """A copy of the demo store that the test may write to."""
    copy = tmp_path / "demo-copy.db"
    source = sqlite3.connect(demo_store_url.removeprefix("sqlite:///"))
    target = sqlite3.connect(copy)
    with closing(source), closing(target):
        source.backup(target)  # the backup API also takes what is still in the WAL
    return f"sqlite:///{copy}"


@pytest.fixture
def demo_store(demo_store_url: str) -> Iterator[EventStore]:
    """The demo store, opened for one test."""
    with EventStore.from_url(demo_store_url) as store:
        assert store.stream_version(DEMO_PLAN) > 0
        yield store


# --- Radicale ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RadicaleServer:
    """A running Radicale: its base URL, whether it is strict, its files."""

    url: str
    strict: bool
    users_file: Path
    log_file: Path

    def add_user(self, name: str, password: str) -> None:
        """Give `name` a login (Radicale reads the file again on the next request)."""
        with self.users_file.open("a", encoding="utf-8") as users:
            users.write(f"{name}:{password}\n")


@dataclass(frozen=True)
class CalDavAccount:
    """A user of the test server: where their calendars live and how to log in."""

    server: RadicaleServer
    username: str
    password: str

    @property
    def home_url(self) -> str:
        """The user's principal, which Radicale also uses as the calendar home."""
        return f"{self.server.url}{self.username}/"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _config(folder: Path, port: int, strict: bool) -> Path:
    config = folder / "config"
    config.write_text(
        "[server]\n"
        f"hosts = 127.0.0.1:{port}\n"
        "[auth]\n"
        "type = htpasswd\n"
        f"htpasswd_filename = {folder / 'users'}\n"
        "htpasswd_encryption = plain\n"
        "delay = 0\n"  # no pause after a wrong password: tests try them on purpose
        "[rights]\n"
        "type = owner_only\n"
        "[storage]\n"
        f"filesystem_folder = {folder / 'collections'}\n"
        f"strict_preconditions = {strict}\n"
        "[web]\n"
        "type = none\n"
        "[logging]\n"
        "level = info\n",
        encoding="utf-8",
    )
    return config


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # 401 or 403: it is up, and it wants a login
    except OSError:
        return False


def _start(folder: Path, strict: bool) -> tuple[subprocess.Popen[bytes], RadicaleServer]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "users").write_text("", encoding="utf-8")
    port = _free_port()
    log_file = folder / "radicale.log"
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "-C", str(_config(folder, port, strict))],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = RadicaleServer(f"http://127.0.0.1:{port}/", strict, folder / "users", log_file)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not _answers(server.url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            output = log_file.read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"Radicale did not start on port {port}:\n{output}")
        time.sleep(0.05)
    return process, server


@pytest.fixture(scope="session", params=["lenient", "strict"])
def radicale(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RadicaleServer]:
    """A Radicale server for the session, lenient or with strict preconditions."""
    strict = request.param == "strict"
    folder = tmp_path_factory.mktemp(f"radicale-{request.param}")
    for attempt in range(3):  # another process may take the free port before Radicale does
        try:
            process, server = _start(folder / str(attempt), strict)
            break
        except RuntimeError:
            if attempt == 2:
                raise
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def caldav_account(radicale: RadicaleServer) -> CalDavAccount:
    """A new user on the server, with an empty calendar home of their own."""
    name = f"rep-{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(12)
    radicale.add_user(name, password)
    return CalDavAccount(radicale, name, password)
