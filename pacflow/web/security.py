"""What keeps tokens secret and pages safe: headers, redacted logs, form tokens.

- Every response carries a Content-Security-Policy (no script, no outside resource, forms
  post to the server only), `X-Content-Type-Options: nosniff`, `Referrer-Policy:
  no-referrer` (a page's URL holds its token: no link may leak it) and refuses framing.
- The access log writes paths with every token replaced by `<token>`.
- A form carries a value derived from the page's token (an HMAC, useless without it); a
  post without it, or from another site (`Sec-Fetch-Site`, `Origin`), is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

TOKEN_PATTERN = re.compile(r"[0-9a-f]{12}-[A-Za-z0-9_-]{20,}")
# Anything in a path segment or a query value that could be a token.
_SECRETISH = re.compile(r"(?<=[/=])[^/?&#]{24,}")

access_log = logging.getLogger("pacflow.web.access")


def redact(text: str) -> str:
    """`text` (a path and query) with anything token-like replaced by `<token>`."""
    return _SECRETISH.sub("<token>", TOKEN_PATTERN.sub("<token>", text))


def form_key(token: str) -> str:
    """The value a page's forms carry: derived from its token, so only its holder has it."""
    return hmac.new(token.encode(), b"pacflow form", hashlib.sha256).hexdigest()[:32]


def form_key_matches(token: str, given: str) -> bool:
    return hmac.compare_digest(form_key(token), given)


def same_site(request: Request) -> bool:
    """Whether a post may come from the server's own page (what browsers tell of it).

    Browsers send `Sec-Fetch-Site`; with `Referrer-Policy: no-referrer` their `Origin` on a
    form post is `null`, so it only counts when it names a site. A client that sends
    neither (a script) is judged by the form key alone."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    return origin.split("://", 1)[-1] == request.headers.get("host", "")


Next = Callable[[Request], Awaitable[Response]]


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def unreadable(request: Request) -> bool:
    """Whether the path or a query value holds a control character (NUL among them): no
    key, date or filter has one, and no database should be asked about it."""
    return bool(
        _CONTROL.search(request.url.path)
        or any(_CONTROL.search(value) for value in request.query_params.values())
    )


async def guard(request: Request, call_next: Next) -> Response:
    """Refuse control characters, add the headers to every response and log it with tokens
    redacted."""
    began = time.perf_counter()
    if unreadable(request):
        message = "the address holds a control character: no key, date or filter has one"
        response: Response = (
            JSONResponse({"error": {"code": "invalid-input", "message": message}}, 400)
            if request.url.path.startswith("/api/")
            else PlainTextResponse(message + "\n", 400)
        )
    else:
        response = await call_next(request)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if access_log.isEnabledFor(logging.INFO):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        client = request.client.host if request.client else "-"
        access_log.info(
            '%s "%s %s" %d %.1fms',
            client,
            request.method,
            redact(target),
            response.status_code,
            (time.perf_counter() - began) * 1000,
        )
    return response
