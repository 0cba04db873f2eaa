"""The few CalDAV requests the sync needs, over one HTTP session, each one counted.

caldav's object API hides its requests (a `save()` may search by UID first, bumps SEQUENCE
and never sends `If-None-Match`), so the sync speaks the protocol itself through niquests,
the HTTP library caldav uses:

    PROPFIND   Depth 0, resourcetype: is the connected URL a calendar or a calendar home?
    MKCALENDAR the plan's calendar in a home (VEVENT and VTODO)
    REPORT     sync-collection (RFC 6578): hrefs and ETags changed since a token
    REPORT     calendar-multiget (RFC 4791): the data of chosen hrefs, in one request
    PUT        with `If-None-Match: *` (create) or `If-Match: <etag>` (update)
    DELETE     with `If-Match: <etag>`

Connection failures, timeouts and 5xx answers are retried with exponential backoff, at
most `retries` times; 401 is never retried. Errors name the server and the problem, never
the password (which only travels in the Authorization header).
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from urllib.parse import unquote, urljoin, urlsplit
from xml.sax.saxutils import escape

import niquests

from slotted import FrozenValue, frozen_record

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
_XML = {"Content-Type": 'application/xml; charset="utf-8"'}
ICS = {"Content-Type": 'text/calendar; charset="utf-8"'}


class DavError(Exception):
    """A CalDAV exchange failed; the message is safe to show (no password in it)."""


class DavUnavailable(DavError):
    """The server could not be reached, did not answer in time, or kept failing (5xx)."""


class DavRefused(DavError):
    """The server refused the login (401) or the access (403)."""


class DavNothingThere(DavError):
    """The URL a calendar was connected with names nothing on the server."""


@frozen_record
class Answer(FrozenValue):
    """One HTTP answer: status, ETag (unquoted as sent: with its quotes) and body."""

    status: int
    etag: str | None
    body: bytes


@frozen_record
class Changes(FrozenValue):
    """What a sync-collection REPORT says: changed hrefs with ETags, removed hrefs, token."""

    changed: dict[str, str]
    removed: list[str]
    token: str | None


def href_key(href: str) -> str:
    """The path of `href`, percent-decoded: how hrefs are compared."""
    return unquote(urlsplit(href).path)


class DavClient:
    """An HTTP session on one server, for one user, with bounded retries."""

    def __init__(
        self,
        username: str,
        password: str,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.requests = 0
        self._timeout = timeout
        self._retries = max(0, retries)
        self._backoff = backoff
        self._sleep = sleep
        self._session = niquests.Session(disable_http3=True)
        self._session.auth = (username, password)
        self._session.headers["User-Agent"] = "pacflow"

    def close(self) -> None:
        self._session.close()

    def send(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """The server's answer to one request (retried on failures, not on 4xx)."""
        where = urlsplit(url).netloc
        problem = ""
        for attempt in range(self._retries + 1):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            self.requests += 1
            try:
                response = self._session.request(
                    method,
                    url,
                    data=body,
                    headers=headers or {},
                    timeout=self._timeout,
                    allow_redirects=False,
                )
                content = response.content or b""
            except niquests.exceptions.Timeout:
                problem = f"no answer within {self._timeout:g} s"
                continue
            except niquests.exceptions.ConnectionError:
                problem = "cannot connect (server down or unreachable)"
                continue
            except niquests.exceptions.RequestException:
                problem = "the connection failed"
                continue
            status = response.status_code or 0
            if status >= 500 or status == 429:
                problem = f"server error {status}"
                continue
            if status == 401:
                raise DavRefused(
                    f"{where} refused the login (401): check the user name and password"
                )
            etag = response.headers.get("ETag")
            return Answer(status, str(etag) if etag else None, content)
        tries = self._retries + 1
        raise DavUnavailable(
            f"{where}: {problem} ({tries} attempt{'s' if tries > 1 else ''}, {method})"
        )

    # --- collections ----------------------------------------------------------------------

    def is_calendar(self, url: str) -> bool | None:
        """Whether `url` is a calendar collection; None when nothing is there (404)."""
        body = (
            b'<?xml version="1.0" encoding="utf-8"?>'
            b'<propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>'
        )
        answer = self.send("PROPFIND", url, body, {**_XML, "Depth": "0"})
        if answer.status == 404:
            return None
        _expect(answer, url, "PROPFIND", 207)
        root = _parse(answer.body, url)
        return root.find(f".//{{{DAV}}}resourcetype/{{{CALDAV}}}calendar") is not None

    def make_calendar(self, url: str, name: str) -> bool:
        """Create a calendar for tasks and events at `url`; False when one is already there."""
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<C:mkcalendar xmlns:D="DAV:" xmlns:C="{CALDAV}"><D:set><D:prop>'
            f"<D:displayname>{escape(name)}</D:displayname>"
            '<C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/>'
            "</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"
        ).encode()
        answer = self.send("MKCALENDAR", url, body, _XML)
        if answer.status in (405, 409):
            return False
        _expect(answer, url, "MKCALENDAR", 201)
        return True

    # --- reading --------------------------------------------------------------------------

    def changes(self, url: str, token: str | None) -> Changes | None:
        """Members changed since `token` (all of them without one); None if it is refused."""
        body = (
            '<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">'
            f"<D:sync-token>{escape(token or '')}</D:sync-token><D:sync-level>1</D:sync-level>"
            "<D:prop><D:getetag/></D:prop></D:sync-collection>"
        ).encode()
        answer = self.send("REPORT", url, body, {**_XML, "Depth": "0"})
        if token is not None and answer.status in (403, 409) and b"valid-sync-token" in answer.body:
            return None
        _expect(answer, url, "REPORT", 207)
        root = _parse(answer.body, url)
        own = href_key(url).rstrip("/")
        changed: dict[str, str] = {}
        removed: list[str] = []
        for response in root.iter(f"{{{DAV}}}response"):
            href = response.findtext(f"{{{DAV}}}href")
            if href is None or href_key(href).rstrip("/") == own:
                continue
            etag = response.findtext(f".//{{{DAV}}}getetag")
            if etag and _ok(response):
                changed[href_key(href)] = etag
            else:
                removed.append(href_key(href))
        new_token = root.findtext(f"{{{DAV}}}sync-token")
        return Changes(changed, removed, new_token)

    def multiget(self, url: str, hrefs: list[str]) -> dict[str, tuple[str, bytes]]:
        """`{href: (etag, calendar data)}` for those of `hrefs` that exist."""
        if not hrefs:
            return {}
        listed = "".join(f"<D:href>{escape(href)}</D:href>" for href in hrefs)
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<C:calendar-multiget xmlns:D="DAV:" xmlns:C="{CALDAV}">'
            f"<D:prop><D:getetag/><C:calendar-data/></D:prop>{listed}</C:calendar-multiget>"
        ).encode()
        answer = self.send("REPORT", url, body, {**_XML, "Depth": "1"})
        _expect(answer, url, "REPORT", 207)
        found: dict[str, tuple[str, bytes]] = {}
        for response in _parse(answer.body, url).iter(f"{{{DAV}}}response"):
            href = response.findtext(f"{{{DAV}}}href")
            etag = response.findtext(f".//{{{DAV}}}getetag")
            data = response.findtext(f".//{{{CALDAV}}}calendar-data")
            if href and etag and data and _ok(response):
                found[href_key(href)] = (etag, data.encode())
        return found

    def get(self, url: str) -> Answer:
        """The resource at `url` (status 404 when it is gone)."""
        return self.send("GET", url)

    # --- writing --------------------------------------------------------------------------

    def put(self, url: str, data: bytes, *, etag: str | None) -> Answer:
        """Create (`etag` None: `If-None-Match: *`) or update (`If-Match`) one resource."""
        condition = {"If-None-Match": "*"} if etag is None else {"If-Match": etag}
        return self.send("PUT", url, data, {**ICS, **condition})

    def delete(self, url: str, *, etag: str) -> Answer:
        return self.send("DELETE", url, None, {"If-Match": etag})


def absolute(base: str, href: str) -> str:
    """The URL of `href` (a path, as servers send them) on `base`'s server."""
    return urljoin(base, href)


def _ok(response: ET.Element) -> bool:
    status = response.findtext(f"{{{DAV}}}status") or response.findtext(
        f".//{{{DAV}}}propstat/{{{DAV}}}status"
    )
    return status is None or " 200 " in f"{status} "


def _parse(body: bytes, url: str) -> ET.Element:
    try:
        return ET.fromstring(body)
    except ET.ParseError:
        raise DavError(f"{urlsplit(url).netloc} sent an unreadable answer") from None


def _expect(answer: Answer, url: str, method: str, *statuses: int) -> None:
    if answer.status in statuses:
        return
    where = f"{urlsplit(url).netloc}{urlsplit(url).path}"
    if answer.status == 403:
        raise DavRefused(f"{method} {where}: access refused (403): check the URL and the user")
    raise DavError(f"{method} {where}: unexpected answer {answer.status}")
