"""Faults between pacflow and a CalDAV server: the sync fails cleanly and converges later.

A `FaultProxy` (tests/integrations/faultproxy.py) stands in front of the test Radicale:
first its own tests, then `pacflow sync` through it while it refuses connections, answers
500s or 401, stalls, or lets a few PUTs through and stalls while the sync runs in a
process of its own, which the test kills.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import caldav
import icalendar
import pytest
from click.testing import CliRunner, Result

from events import EventStore
from integrations.ics import render_resources
from integrations.revisions import calendar_history
from pacflow.cli import main
from pacflow.service import PlanService
from tests.integrations.conftest import CalDavAccount, RadicaleServer
from tests.integrations.faultproxy import (
    DROP,
    STALL,
    STALL_AFTER_WRITE,
    Fault,
    FaultProxy,
    answer,
)

# Where the server's strict mode cannot change the outcome (nothing is written, or only by
# the proxy's own tests), one server mode is enough.
LENIENT_ONLY = pytest.mark.parametrize("radicale", ["lenient"], indirect=True)

ITEM = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pacflow tests//EN\r\n"
    "BEGIN:VTODO\r\nUID:{uid}\r\nDTSTAMP:20250301T090000Z\r\nSUMMARY:Call the bank\r\n"
    "END:VTODO\r\nEND:VCALENDAR\r\n"
)


# --- the proxy itself --------------------------------------------------------------------


class Http:
    """A bare HTTP/1.1 client for one account, on one keep-alive connection."""

    def __init__(self, base: str, account: CalDavAccount, timeout: float = 5.0) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=timeout
        )
        token = base64.b64encode(f"{account.username}:{account.password}".encode()).decode()
        self.auth = f"Basic {token}"
        self.home = f"/{account.username}/"

    def request(
        self, method: str, path: str, body: str = "", **headers: str
    ) -> tuple[int, dict[str, str], bytes]:
        sent = {"Authorization": self.auth, **{k.replace("_", "-"): v for k, v in headers.items()}}
        if body:
            sent["Content-Type"] = "text/calendar; charset=utf-8"
        self.connection.request(method, path, body.encode(), sent)
        response = self.connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()

    def put(self, uid: str, **headers: str) -> int:
        return self.request("PUT", f"{self.calendar}{uid}.ics", ITEM.format(uid=uid), **headers)[0]

    @property
    def calendar(self) -> str:
        return f"{self.home}tasks/"

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def proxy(caldav_account: CalDavAccount) -> Iterator[FaultProxy]:
    """A proxy in front of the test server, with a calendar `tasks` made for the account."""
    direct = Http(caldav_account.server.url, caldav_account)
    try:
        assert direct.request("MKCALENDAR", direct.calendar)[0] == 201
    finally:
        direct.close()
    with FaultProxy(caldav_account.server.url) as running:
        yield running


@pytest.fixture
def through(proxy: FaultProxy, caldav_account: CalDavAccount) -> Iterator[Http]:
    client = Http(proxy.url, caldav_account, timeout=1.0)
    yield client
    client.close()


@pytest.fixture
def direct(caldav_account: CalDavAccount) -> Iterator[Http]:
    client = Http(caldav_account.server.url, caldav_account)
    yield client
    client.close()


@LENIENT_ONLY
def test_passes_requests_and_answers_through_and_counts_them(
    proxy: FaultProxy, through: Http, direct: Http
) -> None:
    assert through.put("one", If_None_Match="*") == 201
    assert through.put("one", If_None_Match="*") == 412  # Radicale's own answer
    status, headers, body = through.request("GET", f"{through.calendar}one.ics")
    assert status == 200
    assert b"UID:one" in body
    direct_status, direct_headers, direct_body = direct.request("GET", f"{direct.calendar}one.ics")
    assert (direct_status, direct_body) == (200, body)
    assert headers["ETag"] == direct_headers["ETag"]
    assert proxy.counts == Counter({"PUT": 2, "GET": 1})
    assert proxy.forwarded == proxy.counts
    proxy.reset_counts()
    assert through.request("PROPFIND", through.calendar, Depth="1")[0] == 207
    assert proxy.counts == Counter({"PROPFIND": 1})


@LENIENT_ONLY
def test_a_refusing_proxy_is_a_server_that_is_down_until_it_comes_back(
    proxy: FaultProxy, caldav_account: CalDavAccount
) -> None:
    proxy.refuse()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", proxy.port), timeout=1).close()
    proxy.pass_through()
    client = Http(proxy.url, caldav_account)
    try:
        assert client.put("back", If_None_Match="*") == 201
    finally:
        client.close()


@LENIENT_ONLY
def test_a_refused_proxy_drops_connections_already_open(proxy: FaultProxy, through: Http) -> None:
    assert through.put("first", If_None_Match="*") == 201
    proxy.refuse()
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        through.put("second", If_None_Match="*")


@LENIENT_ONLY
@pytest.mark.parametrize("status", [500, 503, 401])
def test_answers_a_status_and_forwards_nothing(
    proxy: FaultProxy, through: Http, direct: Http, status: int
) -> None:
    proxy.fail(answer(status))
    code, headers, _ = through.request("PUT", f"{through.calendar}x.ics", ITEM.format(uid="x"))
    assert code == status
    assert ("WWW-Authenticate" in headers) == (status == 401)
    assert proxy.counts == Counter({"PUT": 1})
    assert proxy.forwarded == Counter()
    assert direct.request("GET", f"{direct.calendar}x.ics")[0] == 404


@LENIENT_ONLY
def test_drops_a_request_without_answering_or_forwarding(
    proxy: FaultProxy, through: Http, direct: Http
) -> None:
    proxy.fail(DROP)
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        through.put("dropped", If_None_Match="*")
    assert proxy.counts == Counter({"PUT": 1})
    assert proxy.forwarded == Counter()
    assert direct.request("GET", f"{direct.calendar}dropped.ics")[0] == 404


@LENIENT_ONLY
@pytest.mark.parametrize(
    ("fault", "written"), [(STALL, False), (STALL_AFTER_WRITE, True)], ids=["before", "after-write"]
)
def test_a_stall_outlasts_the_client_timeout(
    proxy: FaultProxy, through: Http, direct: Http, fault: Fault, written: bool
) -> None:
    proxy.fail(fault)
    with pytest.raises(TimeoutError):
        through.put("held", If_None_Match="*")
    assert proxy.held == 1
    assert proxy.forwarded == (Counter({"PUT": 1}) if written else Counter())
    assert direct.request("GET", f"{direct.calendar}held.ics")[0] == (200 if written else 404)
    proxy.pass_through()  # lets the stalled request go
    deadline = time.monotonic() + 5
    while proxy.held and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proxy.held == 0


@LENIENT_ONLY
def test_fails_a_method_after_letting_some_through(
    proxy: FaultProxy, through: Http, caldav_account: CalDavAccount
) -> None:
    proxy.fail(DROP, method="PUT", after=2)
    assert [through.put(uid, If_None_Match="*") for uid in ("a", "b")] == [201, 201]
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        through.put("c", If_None_Match="*")
    again = Http(proxy.url, caldav_account)
    try:
        status, _, listing = again.request("PROPFIND", again.calendar, Depth="1")
        assert status == 207  # other methods still pass
        assert (b"a.ics" in listing, b"b.ics" in listing, b"c.ics" in listing) == (
            True,
            True,
            False,
        )
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            again.put("d", If_None_Match="*")  # and PUTs keep failing
    finally:
        again.close()
    assert proxy.counts == Counter({"PUT": 4, "PROPFIND": 1})
    assert proxy.forwarded == Counter({"PUT": 2, "PROPFIND": 1})
    proxy.pass_through()
    last = Http(proxy.url, caldav_account)
    try:
        assert last.put("c", If_None_Match="*") == 201
    finally:
        last.close()


# --- pacflow sync through the proxy --------------------------------------------------------

PLAN = "PAC-2025"
PROXIED, DIRECT = "cd", "sm"  # Claire's calendar is behind the proxy, Sophie's is not
PUTS_BEFORE_FAULT = 5
FAST = ["--retries", "0", "--timeout", "1"]
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Scene:
    """A demo copy with two reps connected, one of them through `proxy`."""

    proxy: FaultProxy
    db_url: str
    accounts: dict[str, CalDavAccount]
    env: dict[str, str]

    @property
    def secrets(self) -> list[str]:
        return [account.password for account in self.accounts.values()]


def _password_variable(person: str) -> str:
    return f"PACFLOW_CALDAV_{person.upper()}"


@pytest.fixture
def scene(
    radicale: RadicaleServer, demo_copy_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Scene]:
    env = {
        "PACFLOW_DB": demo_copy_url,
        "PACFLOW_ACTOR": "hg",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    }
    accounts = {}
    for person in (PROXIED, DIRECT):
        name = f"{person}-{secrets.token_hex(4)}"
        # Recognisable, so that a leak anywhere is found by a plain substring search.
        password = f"Leak-Canary-{person}-{secrets.token_hex(6)}"
        radicale.add_user(name, password)
        accounts[person] = CalDavAccount(radicale, name, password)
        env[_password_variable(person)] = password
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with FaultProxy(radicale.url) as proxy:
        for person, account in accounts.items():
            base = proxy.url if person == PROXIED else radicale.url
            connected = _pacflow(
                "calendar", "connect", PLAN, person, "--url", f"{base}{account.username}/",
                "--username", account.username, "--password-env", _password_variable(person),
            )  # fmt: skip
            assert connected.exit_code == 0, connected.output
        yield Scene(proxy, demo_copy_url, accounts, env)


def _pacflow(*arguments: str) -> Result:
    return CliRunner().invoke(main, list(arguments))


def _sync(scene: Scene, *arguments: str) -> tuple[Result, dict[str, Any]]:
    """`pacflow sync PAC-2025 --json ...`, checked for leaks; the result and its JSON."""
    result = _pacflow("sync", PLAN, "--json", *arguments)
    _assert_no_secret(scene, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result, json.loads(result.stdout)


def _assert_no_secret(scene: Scene, *outputs: str) -> None:
    database = Path(scene.db_url.removeprefix("sqlite:///"))
    files = [file.read_bytes() for file in database.parent.glob(database.name + "*")]
    assert files
    for secret in scene.secrets:
        for output in outputs:
            assert secret not in output
        for data in files:
            assert secret.encode() not in data


def _errors(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def _by_person(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {calendar["person"]: calendar for calendar in summary["calendars"]}


def _expected(scene: Scene, person: str) -> dict[str, bytes]:
    """What `person`'s calendar must hold: the plan's items for them, as rendered now."""
    with EventStore.from_url(scene.db_url) as store:
        history = calendar_history(
            (recorded.recorded_at, event) for recorded, event in PlanService(store).history(PLAN)
        )
    assert history is not None
    return render_resources(history, person=person)


def _stored(account: CalDavAccount) -> list[Any]:
    """Every task and event in every calendar of the account, read with caldav directly."""
    client: Any = caldav.DAVClient(  # typed Any: parts of caldav are unannotated
        url=account.home_url,
        username=account.username,
        password=account.password,
        auth_type="basic",
        features="radicale",
    )
    with client:
        components = []
        for calendar in client.principal().calendars():
            for found in [*calendar.events(), *calendar.todos(include_completed=True)]:
                components.append(found.icalendar_component)
        return components


def _assert_converged(scene: Scene, person: str) -> None:
    """The person's calendar holds exactly the plan's items for them, each once, up to date."""
    expected = _expected(scene, person)
    stored = _stored(scene.accounts[person])
    uids = Counter(str(component["UID"]) for component in stored)
    assert uids == Counter(list(expected)), (
        f"{person}: missing {sorted(set(expected) - set(uids))}, "
        f"unexpected {sorted(set(uids) - set(expected))}, "
        f"duplicated {sorted(uid for uid, count in uids.items() if count > 1)}"
    )
    by_uid = {str(component["UID"]): component for component in stored}
    for uid, data in expected.items():
        [ours] = [
            part
            for part in icalendar.Calendar.from_ical(data).walk()
            if part.name in ("VTODO", "VEVENT")
        ]
        theirs = by_uid[uid]
        assert theirs.name == ours.name, uid
        for name in ("SEQUENCE", "STATUS", "SUMMARY", "LOCATION"):
            assert str(theirs.get(name)) == str(ours.get(name)), (uid, name)
        start = "DUE" if ours.name == "VTODO" else "DTSTART"
        assert theirs[start].dt == ours[start].dt, uid


# Each case: the fault, the method it strikes (None: every request) and what the one-line
# error must tell the user.
FROM_THE_START: dict[str, tuple[Fault | None, str | None, str]] = {
    "server-down": (None, None, "connect"),
    "500-on-everything": (answer(500), None, "500"),
    "503-on-everything": (answer(503), None, "503"),
    "stalls": (STALL, None, "1 s"),
}
MID_WAY: dict[str, tuple[Fault | None, str | None, str]] = {
    "500-after-5-puts": (answer(500), "PUT", "500"),
    "dropped-after-5-puts": (DROP, "PUT", "PUT"),
    "written-but-unanswered-after-5-puts": (STALL_AFTER_WRITE, "PUT", "1 s"),
}


@LENIENT_ONLY
@pytest.mark.parametrize("case", list(FROM_THE_START))
def test_a_server_failing_from_the_start_fails_one_calendar_cleanly_then_converges(
    scene: Scene, case: str
) -> None:
    _fail_then_converge(scene, *FROM_THE_START[case])


@pytest.mark.parametrize("case", list(MID_WAY))
def test_a_server_failing_mid_way_fails_one_calendar_cleanly_then_converges(
    scene: Scene, case: str
) -> None:
    _fail_then_converge(scene, *MID_WAY[case])


def _fail_then_converge(
    scene: Scene, fault: Fault | None, method: str | None, problem: str
) -> None:
    """Sync while the proxy fails (down when `fault` is None), then once it is back."""
    if fault is None:
        scene.proxy.refuse()
    else:
        scene.proxy.fail(fault, method=method, after=PUTS_BEFORE_FAULT if method else 0)

    failed, summary = _sync(scene, *FAST)

    assert failed.exit_code == 6, failed.output
    [error] = _errors(failed)
    assert [line for line in failed.stderr.splitlines() if line.strip()] == [error]
    assert PROXIED in error or "Claire Dubois" in error, error
    assert problem in error, error
    calendars = _by_person(summary)
    assert calendars[PROXIED]["ok"] is False
    assert calendars[PROXIED]["error"]
    assert calendars[DIRECT]["ok"] is True
    assert calendars[DIRECT]["error"] is None
    _assert_converged(scene, DIRECT)
    if fault is not None and method is not None:  # it struck mid-way: part of it is there
        written = PUTS_BEFORE_FAULT + (1 if fault.forward else 0)
        assert len(_stored(scene.accounts[PROXIED])) == written

    scene.proxy.pass_through()
    recovered, summary = _sync(scene)

    assert recovered.exit_code == 0, recovered.output
    assert _errors(recovered) == []
    assert all(calendar["ok"] for calendar in summary["calendars"])
    _assert_converged(scene, PROXIED)
    _assert_converged(scene, DIRECT)
    scene.proxy.reset_counts()
    quiet, summary = _sync(scene)
    assert quiet.exit_code == 0, quiet.output
    assert scene.proxy.counts["PUT"] == scene.proxy.counts["DELETE"] == 0  # nothing left to do


@pytest.mark.parametrize(
    "fault", [answer(500), STALL_AFTER_WRITE], ids=["500-after-3-puts", "written-but-unanswered"]
)
def test_an_interrupted_update_converges_on_the_next_sync(scene: Scene, fault: Fault) -> None:
    first, summary = _sync(scene)
    assert first.exit_code == 0, first.output
    moved = "BRC agence de Tours"
    for change in (
        ["plan", "revise", PLAN, "--reason", "BRC moved offices"],
        ["step", "edit", PLAN, "S08", "--location", moved, "--reason", "BRC moved offices"],
        ["plan", "publish", PLAN, "--reason", "BRC moved offices"],
    ):
        done = _pacflow(*change)
        assert done.exit_code == 0, done.output
    updated = [uid for uid, data in _expected(scene, PROXIED).items() if moved.encode() in data]
    assert len(updated) > 3
    scene.proxy.fail(fault, method="PUT", after=3)

    failed, summary = _sync(scene, *FAST)

    assert failed.exit_code == 6, failed.output
    assert len(_errors(failed)) == 1
    assert _by_person(summary)[DIRECT]["ok"] is True
    with_new_location = [
        c for c in _stored(scene.accounts[PROXIED]) if str(c.get("LOCATION")) == moved
    ]
    assert len(with_new_location) == (4 if fault.forward else 3)
    scene.proxy.pass_through()
    scene.proxy.reset_counts()
    recovered, summary = _sync(scene)
    assert recovered.exit_code == 0, recovered.output
    _assert_converged(scene, PROXIED)
    _assert_converged(scene, DIRECT)
    assert scene.proxy.counts["PUT"] <= len(updated) - 3  # the 3 done are not sent again


@LENIENT_ONLY
def test_retries_are_bounded(scene: Scene) -> None:
    scene.proxy.fail(answer(503))
    failed, summary = _sync(scene, "--retries", "2", "--timeout", "1", "--person", PROXIED)
    assert failed.exit_code == 6, failed.output
    assert len(_errors(failed)) == 1
    assert sum(scene.proxy.counts.values()) == 3  # the first try and two retries


@LENIENT_ONLY
@pytest.mark.parametrize("refused_by", ["server", "wrong-password"])
def test_a_refused_login_is_not_retried_and_says_to_check_the_credentials(
    scene: Scene, refused_by: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if refused_by == "server":
        scene.proxy.fail(answer(401))
    else:
        monkeypatch.setenv(_password_variable(PROXIED), f"Leak-Canary-wrong-{secrets.token_hex(6)}")
    tries = {}
    for retries in ("0", "3"):
        scene.proxy.reset_counts()
        failed, summary = _sync(scene, "--retries", retries, "--timeout", "5")
        assert failed.exit_code == 6, failed.output
        [error] = _errors(failed)
        assert "password" in error.lower(), error
        assert "user" in error.lower(), error
        assert os.environ[_password_variable(PROXIED)] not in failed.output
        assert _by_person(summary)[DIRECT]["ok"] is True
        tries[retries] = scene.proxy.counts
    assert tries["3"] == tries["0"]  # retrying would not help: it is not done
    assert 1 <= sum(tries["3"].values()) <= 2  # 2 if the client first tries without a login
    _assert_converged(scene, DIRECT)


@pytest.mark.parametrize(
    "fault", [STALL, STALL_AFTER_WRITE], ids=["killed-before-6th-write", "killed-after-6th-write"]
)
def test_a_sync_killed_mid_way_resumes_without_duplicates(scene: Scene, fault: Fault) -> None:
    total = len(_expected(scene, PROXIED))
    scene.proxy.fail(fault, method="PUT", after=PUTS_BEFORE_FAULT)
    command = [sys.executable, "-m", "pacflow.cli", "sync", PLAN, "--person", PROXIED, "--json"]
    env = {**os.environ, **scene.env, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [*command, "--timeout", "120"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not scene.proxy.held:  # until the 6th PUT is held (written first, or not)
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the sync never reached its 6th PUT"
            time.sleep(0.05)
        assert scene.proxy.counts["PUT"] == PUTS_BEFORE_FAULT + 1
    finally:
        process.kill()
        stdout, stderr = process.communicate()
    _assert_no_secret(scene, stdout.decode(), stderr.decode())
    written = PUTS_BEFORE_FAULT + (1 if fault.forward else 0)
    assert len(_stored(scene.accounts[PROXIED])) == written

    scene.proxy.pass_through()
    scene.proxy.reset_counts()
    resumed, summary = _sync(scene, "--person", PROXIED)

    assert resumed.exit_code == 0, resumed.output
    _assert_converged(scene, PROXIED)
    # What the killed run wrote and recorded is not sent again.
    assert total - written <= scene.proxy.counts["PUT"] <= total - PUTS_BEFORE_FAULT
    assert scene.proxy.counts["DELETE"] == 0
