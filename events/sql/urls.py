"""Store URLs: what is accepted, how it is shown (password hidden), and what failures mean.

Parsed here without SQLAlchemy, so that a command reading a store that is up to date
never imports it (a fifth of a second at start-up); `StoreUrl.sqlalchemy_url` builds
SQLAlchemy's form when an engine is needed (migrations, projections' catch-up).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from events.errors import StoreUnavailableError
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    import sqlalchemy as sa

EXPECTED = "use sqlite:///PATH/TO/FILE.db, postgresql+psycopg://USER@HOST:PORT/DB or memory://"

# scheme://[user[:password]@][host][:port][/database][?query], as RFC 1738 URLs are read.
_URL = re.compile(
    r"""
    (?P<scheme>[\w+.-]+)://
    (?:(?P<user>[^:/?@]*)(?::(?P<password>[^@]*))?@)?
    (?P<host>\[[^\]/?]+\]|[^/:?]*)?
    (?::(?P<port>[^/?]*))?
    (?:/(?P<database>[^?]*))?
    (?:\?(?P<query>.*))?
    $""",
    re.VERBOSE | re.DOTALL,
)


@frozen_record
class StoreUrl(FrozenValue):
    """A checked store URL."""

    text: str
    """The URL as given, with the driver pacflow uses named."""
    display: str
    is_postgres: bool
    host: str | None = None
    port: int | None = None
    database: str | None = None
    username: str | None = None

    @property
    def where(self) -> str:
        """The server (host:port) or file the URL names, for messages."""
        if self.is_postgres:
            return f"{self.host or 'localhost'}:{self.port or 5432}"
        return str(self.database)

    @property
    def sqlalchemy_url(self) -> sa.URL:
        """The URL as SQLAlchemy reads it (imports SQLAlchemy)."""
        import sqlalchemy as sa

        return sa.make_url(self.text)

    @property
    def conninfo(self) -> str:
        """What libpq (psycopg) reads: the same URL under the plain postgresql scheme."""
        return "postgresql://" + self.text.split("://", 1)[1]


def parse_store_url(text: str) -> StoreUrl:
    """Check a store URL; StoreUnavailableError says what is wrong without echoing secrets."""
    scheme = text.split("://", 1)[0] if "://" in text else ""
    if not text.isprintable():  # a NUL or a line break: no driver takes it, none should try
        raise StoreUnavailableError(f"cannot read the store URL (a control character): {EXPECTED}")
    shown = scheme if len(scheme) <= 30 else scheme[:30] + "…"
    found = _URL.match(text)
    port: int | None = None
    if found is not None and found["port"]:
        port = int(found["port"]) if found["port"].isascii() and found["port"].isdigit() else -1
        if port > 65535:
            port = -1
    if found is None or port == -1:
        raise StoreUnavailableError(
            f"cannot read the store URL (scheme {shown or 'missing'!r}): {EXPECTED}"
        )
    backend, _, driver = found["scheme"].partition("+")
    rest = text.split("://", 1)[1]
    if found["password"] is not None:
        rest = f"{found['user']}:***@" + rest.split("@", 1)[1]
    display = f"{found['scheme']}://{rest}"
    database = unquote(found["database"]) if found["database"] is not None else None
    if backend == "sqlite":
        if driver not in ("pysqlite", ""):
            raise StoreUnavailableError(
                f"unsupported SQLite driver in {display}: use sqlite:///PATH"
            )
        _check_sqlite(database or "", display)
        return StoreUrl(
            "sqlite+pysqlite://" + text.split("://", 1)[1], display, False, database=database
        )
    if backend == "postgresql":
        if driver not in ("psycopg", ""):
            raise StoreUnavailableError(
                f"unsupported PostgreSQL driver {driver!r} in {display}: "
                "use postgresql+psycopg://USER@HOST:PORT/DB"
            )
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise StoreUnavailableError(
                "PostgreSQL stores need psycopg: pip install 'pacflow[postgres]'"
            ) from None
        host = found["host"] or None
        return StoreUrl(
            "postgresql+psycopg://" + text.split("://", 1)[1],
            display,
            True,
            host=unquote(host.strip("[]")) if host else None,
            port=port,
            database=database,
            username=unquote(found["user"]) if found["user"] else None,
        )
    raise StoreUnavailableError(f"unsupported store URL scheme {shown!r}: {EXPECTED}")


def _check_sqlite(path: str, display: str) -> None:
    if path in ("", ":memory:") or path.startswith("file:"):
        raise StoreUnavailableError(
            f"{display} names no file: use sqlite:///PATH/TO/FILE.db (or memory:// for a "
            "throw-away store)"
        )
    directory = os.path.dirname(os.path.abspath(path)) or "."
    if os.path.isdir(path):
        raise StoreUnavailableError(f"{path} is a directory: name a file, e.g. {path}/pacflow.db")
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise StoreUnavailableError(
            f"cannot create SQLite store {path}: {directory} is a file, not a directory; "
            "choose another --db"
        )
    if not os.path.isdir(directory):
        raise StoreUnavailableError(
            f"cannot create SQLite store {path}: directory {directory} does not exist; "
            "create it or choose another --db"
        )
    target = path if os.path.exists(path) else directory
    if not os.access(target, os.W_OK):
        raise StoreUnavailableError(
            f"cannot write SQLite store {path}: {target} is not writable; "
            "fix its permissions or choose another --db"
        )


def describe_failure(url: StoreUrl, error: BaseException) -> str:
    """One line saying why the store is unavailable and what to do about it."""
    cause = getattr(error, "orig", None) or error  # a SQLAlchemy DBAPIError wraps the driver's
    reason = str(cause).strip()
    lowered = reason.lower()
    first = reason.splitlines()[0] if reason else type(cause).__name__
    if not url.is_postgres:
        if "readonly" in lowered or "read-only" in lowered:
            return (
                f"SQLite store {url.where} is read-only: fix its permissions or choose another --db"
            )
        if "not a database" in lowered:
            return f"{url.where} is not a SQLite database: choose another --db"
        if "unable to open" in lowered:
            return (
                f"cannot open SQLite store {url.where}: check that its directory exists and is "
                "writable, or choose another --db"
            )
        if "locked" in lowered or "busy" in lowered:
            return f"SQLite store {url.where} stayed locked by another writer: try again"
        return f"SQLite store {url.where} is unavailable: {first}"
    database = url.database
    if "connection refused" in lowered or "no such file or directory" in lowered:
        return (
            f"cannot reach PostgreSQL at {url.where} (connection refused): start the server "
            "or fix --db / PACFLOW_DB"
        )
    if "timeout" in lowered or "timed out" in lowered:
        return f"PostgreSQL at {url.where} did not answer in time: check the host and network"
    if "translate host name" in lowered or "name or service not known" in lowered:
        return f"unknown PostgreSQL host in {url.display}: fix --db / PACFLOW_DB"
    if "does not exist" in lowered and "database" in lowered:
        return (
            f"PostgreSQL database {database!r} does not exist on {url.where}: "
            f"create it (createdb {database}) or fix --db"
        )
    if "authentication failed" in lowered or "password" in lowered:
        return (
            f"PostgreSQL at {url.where} refused the login of {url.username!r}: "
            "check the user and password"
        )
    return f"PostgreSQL at {url.where} is unavailable: {first}"
