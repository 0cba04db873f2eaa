"""A fault-injecting HTTP reverse proxy for tests: a CalDAV server that fails on demand.

`FaultProxy(upstream)` listens on 127.0.0.1 on a free port and forwards every request to
`upstream` (a Radicale, in these tests) until told to fail:

- `refuse()`: nothing listens any more, so connections are refused (a server that is down);
  `pass_through()` listens again on the same port;
- `fail(fault, method=None, after=0)`: requests (of `method` only, when given; after the
  first `after` of them, which still pass) meet `fault`:
  - `DROP`: the request is read, then the connection is closed without an answer;
  - `answer(status)`: an answer of that status (500, 503, 401...) and nothing forwarded;
  - `STALL`: nothing forwarded and no answer until the fault is lifted (or
    `STALL_SECONDS` pass): longer than any client timeout in the tests;
  - `STALL_AFTER_WRITE`: forwarded, so the server does the work, but the answer is held
    back like `STALL`: the client never learns that its write landed.

`counts` holds the requests the proxy received, by method (what a server sees, including
the ones it failed on purpose), and `forwarded` the ones it passed on to the upstream;
`reset_counts()` starts both again. `held` is the number of requests stalled right now
(with `STALL_AFTER_WRITE`, once the upstream has answered them). The proxy is a context
manager; `close()` releases stalled requests.
"""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

STALL_SECONDS = 60.0
UPSTREAM_TIMEOUT = 30.0
IDLE_TIMEOUT = 60.0  # an idle client connection is closed after this
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "server",  # http.server writes its own Server and Date
        "date",
    }
)
# Every method a CalDAV client may send (http.server dispatches on `do_<METHOD>`).
_METHODS = (
    "GET HEAD POST PUT DELETE OPTIONS PROPFIND PROPPATCH REPORT MKCALENDAR MKCOL "
    "COPY MOVE LOCK UNLOCK"
).split()


@dataclass(frozen=True, slots=True)
class Fault:
    """What a failing request meets: `drop`, `answer` (with `status`) or `stall`."""

    kind: str
    status: int = 0
    forward: bool = False

    def __str__(self) -> str:
        if self.kind == "answer":
            return f"answer {self.status}"
        return f"{self.kind} after write" if self.forward else self.kind


DROP = Fault("drop")
STALL = Fault("stall")
STALL_AFTER_WRITE = Fault("stall", forward=True)


def answer(status: int) -> Fault:
    """A fault that answers `status` (with a WWW-Authenticate challenge for a 401)."""
    return Fault("answer", status=status)


@dataclass(slots=True)
class _Rule:
    fault: Fault
    method: str | None
    after: int
    seen: int = 0


class FaultProxy:
    """A reverse proxy on loopback in front of `upstream`, failing on demand."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"upstream {upstream!r}: expected an http:// URL")
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._forwarded: Counter[str] = Counter()
        self._rule: _Rule | None = None
        self._held = 0
        self._release = threading.Event()  # set: stalled requests give up
        self._listening = False
        self._server = self._bind(0)
        self.port: int = self._server.server_address[1]
        self._thread: threading.Thread | None = None
        self._serve()

    # --- the switches ------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The proxy's base URL: the upstream's paths are the same behind it."""
        return f"http://127.0.0.1:{self.port}/"

    def pass_through(self) -> None:
        """Forward everything (and listen again after `refuse`)."""
        with self._lock:
            self._set_rule(None)
            listening = self._listening
        if not listening:
            self._server = self._bind(self.port)
            self._serve()

    def fail(self, fault: Fault, *, method: str | None = None, after: int = 0) -> None:
        """Let `after` requests (of `method`, or of any method) through, then fail the rest."""
        if not self._listening:
            self.pass_through()
        with self._lock:
            self._set_rule(_Rule(fault, method.upper() if method else None, after))

    def refuse(self) -> None:
        """Stop listening: new connections are refused, open ones are dropped."""
        with self._lock:
            self._set_rule(_Rule(DROP, None, 0))
            listening, self._listening = self._listening, False
        if listening:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join()

    @property
    def counts(self) -> Counter[str]:
        """Requests received, by method (a copy)."""
        with self._lock:
            return Counter(self._counts)

    @property
    def forwarded(self) -> Counter[str]:
        """Requests passed on to the upstream, by method (a copy)."""
        with self._lock:
            return Counter(self._forwarded)

    @property
    def held(self) -> int:
        """Requests stalled at this moment."""
        with self._lock:
            return self._held

    def reset_counts(self) -> None:
        """Forget the requests counted so far."""
        with self._lock:
            self._counts.clear()
            self._forwarded.clear()

    def close(self) -> None:
        """Stop listening and let stalled requests go."""
        self.refuse()
        self._release.set()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- inside ------------------------------------------------------------------------

    def _set_rule(self, rule: _Rule | None) -> None:
        """Replace the rule (lock held); requests stalled by the old one give up."""
        self._release.set()
        self._release = threading.Event()
        self._rule = rule

    def _bind(self, port: int) -> ThreadingHTTPServer:
        return _Server(("127.0.0.1", port), _handler(self))

    def _serve(self) -> None:
        self._listening = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            args=(0.05,),
            name=f"faultproxy-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def _hold(self, release: threading.Event) -> None:
        """Stall the calling request until `release` is set (or for STALL_SECONDS)."""
        with self._lock:
            self._held += 1
        try:
            release.wait(STALL_SECONDS)
        finally:
            with self._lock:
                self._held -= 1

    def _admit(self, method: str) -> tuple[Fault | None, threading.Event]:
        """Count a request; the fault it meets (None: pass) and the event that ends a stall."""
        with self._lock:
            self._counts[method] += 1
            rule = self._rule
            fault = None
            if rule is not None and rule.method in (None, method):
                rule.seen += 1
                fault = rule.fault if rule.seen > rule.after else None
            if fault is None or fault.forward:
                self._forwarded[method] += 1
            return fault, self._release


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: clients that give up (timeouts, killed processes) are the point here."""


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(_ProxyHandler):
        pass

    Handler.proxy = proxy
    for method in _METHODS:
        setattr(Handler, f"do_{method}", _ProxyHandler.relay)
    return Handler


class _ProxyHandler(BaseHTTPRequestHandler):
    """One client connection: each request is counted, then forwarded or failed."""

    protocol_version = "HTTP/1.1"  # keep-alive, as a real server offers
    timeout = IDLE_TIMEOUT
    proxy: FaultProxy
    _upstream: http.client.HTTPConnection | None = None

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: pytest shows what matters."""

    def relay(self) -> None:
        """Read the request, then forward it or meet the fault in force."""
        body = self._body()
        fault, release = self.proxy._admit(self.command)
        if fault is not None and fault.kind == "drop":
            self.close_connection = True  # no answer: the client sees the connection close
            return
        if fault is not None and fault.kind == "answer":
            self._answer_fault(fault.status)
            return
        answered: tuple[int, str, list[tuple[str, str]], bytes] | None = None
        if fault is None or fault.forward:
            try:
                answered = self._forward(body)
            except OSError:
                self._upstream = None
        if fault is not None:  # a stall, before or after the upstream did the work
            self.proxy._hold(release)
            self.close_connection = True
            return
        if answered is None:
            self._answer_fault(HTTPStatus.BAD_GATEWAY)
            return
        status, reason, headers, data = answered
        self.send_response(status, reason)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip(), 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _forward(self, body: bytes) -> tuple[int, str, list[tuple[str, str]], bytes]:
        """Send the request upstream (on this connection's own upstream connection)."""
        headers = {
            name: value for name, value in self.headers.items() if name.lower() not in _HOP_BY_HOP
        }
        headers["Content-Length"] = str(len(body))
        for attempt in (1, 2):  # the upstream may have closed an idle connection
            if self._upstream is None:
                self._upstream = http.client.HTTPConnection(
                    self.proxy.upstream_host, self.proxy.upstream_port, timeout=UPSTREAM_TIMEOUT
                )
            try:
                self._upstream.request(self.command, self.path, body, headers)
                response = self._upstream.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self._upstream.close()
                self._upstream = None
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self._upstream.close()
                self._upstream = None
            return response.status, response.reason, response.getheaders(), data
        raise AssertionError("unreachable")

    def _answer_fault(self, status: int) -> None:
        data = f"{status} {HTTPStatus(status).phrase} (fault proxy)\n".encode()
        self.send_response(status)
        if status == HTTPStatus.UNAUTHORIZED:
            self.send_header("WWW-Authenticate", 'Basic realm="Radicale"')
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def finish(self) -> None:
        if self._upstream is not None:
            self._upstream.close()
        super().finish()
