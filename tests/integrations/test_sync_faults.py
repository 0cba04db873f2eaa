"""Faults between pacflow and a CalDAV server: the sync fails cleanly and converges later.

A `FaultProxy` (tests/integrations/faultproxy.py) stands in front of the test Radicale:
first its own tests, then `pacflow sync` through it while it refuses connections, answers
500s or 401, stalls, or lets a few PUTs through and stalls while the sync runs in a
process of its own, which the test kills.
"""

from __future__ import annotations

import base64
import http.client
import socket
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.integrations.conftest import CalDavAccount
from tests.integrations.faultproxy import (
    DROP,
    STALL,
    STALL_AFTER_WRITE,
    Fault,
    FaultProxy,
    answer,
)

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


def test_a_refused_proxy_drops_connections_already_open(proxy: FaultProxy, through: Http) -> None:
    assert through.put("first", If_None_Match="*") == 201
    proxy.refuse()
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        through.put("second", If_None_Match="*")


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


def test_drops_a_request_without_answering_or_forwarding(
    proxy: FaultProxy, through: Http, direct: Http
) -> None:
    proxy.fail(DROP)
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        through.put("dropped", If_None_Match="*")
    assert proxy.counts == Counter({"PUT": 1})
    assert proxy.forwarded == Counter()
    assert direct.request("GET", f"{direct.calendar}dropped.ics")[0] == 404


@pytest.mark.parametrize(("fault", "written"), [(STALL, False), (STALL_AFTER_WRITE, True)])
def test_a_stall_outlasts_the_client_timeout(
    proxy: FaultProxy, through: Http, direct: Http, fault: Fault, written: bool
) -> None:
    proxy.fail(fault)
    with pytest.raises(TimeoutError):
        through.put("held", If_None_Match="*")
    assert proxy.forwarded == (Counter({"PUT": 1}) if written else Counter())
    assert direct.request("GET", f"{direct.calendar}held.ics")[0] == (200 if written else 404)


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
