"""Store URLs: what is accepted, how it is shown (password hidden), and what failures mean."""

from __future__ import annotations

import os
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from events.errors import StoreUnavailableError

EXPECTED = "use sqlite:///PATH/TO/FILE.db, postgresql+psycopg://USER@HOST:PORT/DB or memory://"


@dataclass(frozen=True)
class StoreUrl:
    """A checked store URL."""

    sqlalchemy_url: sa.URL
    display: str
    is_postgres: bool

    @property
    def where(self) -> str:
        """The server (host:port) or file the URL names, for messages."""
        url = self.sqlalchemy_url
        if self.is_postgres:
            return f"{url.host or 'localhost'}:{url.port or 5432}"
        return str(url.database)


def parse_store_url(text: str) -> StoreUrl:
    """Check a store URL; StoreUnavailableError says what is wrong without echoing secrets."""
    scheme = text.split("://", 1)[0] if "://" in text else ""
    if not text.isprintable():  # a NUL or a line break: no driver takes it, none should try
        raise StoreUnavailableError(f"cannot read the store URL (a control character): {EXPECTED}")
    try:
        url = sa.make_url(text)
        url.port  # noqa: B018 (read now: a malformed host or port raises here)
    except (sa_exc.ArgumentError, ValueError):
        shown = scheme if len(scheme) <= 30 and scheme.isprintable() else scheme[:30] + "…"
        raise StoreUnavailableError(
            f"cannot read the store URL (scheme {shown or 'missing'!r}): {EXPECTED}"
        ) from None
    display = url.render_as_string(hide_password=True)
    # Read from the name, not from SQLAlchemy's registry: asking it about an unknown scheme
    # (http://…) tries to import a dialect of that name.
    backend, _, driver = url.drivername.partition("+")
    if backend == "sqlite":
        return StoreUrl(_checked_sqlite(url, display), display, is_postgres=False)
    if backend == "postgresql":
        if driver and driver != "psycopg":
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
        return StoreUrl(url.set(drivername="postgresql+psycopg"), display, is_postgres=True)
    shown = url.drivername if len(url.drivername) <= 30 else url.drivername[:30] + "…"
    raise StoreUnavailableError(f"unsupported store URL scheme {shown!r}: {EXPECTED}")


def _checked_sqlite(url: sa.URL, display: str) -> sa.URL:
    path = url.database or ""
    if path in ("", ":memory:") or path.startswith("file:"):
        raise StoreUnavailableError(
            f"{display} names no file: use sqlite:///PATH/TO/FILE.db (or memory:// for a "
            "throw-away store)"
        )
    if url.drivername not in ("sqlite", "sqlite+pysqlite"):
        raise StoreUnavailableError(f"unsupported SQLite driver in {display}: use sqlite:///PATH")
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
    return url.set(drivername="sqlite+pysqlite")


def describe_failure(url: StoreUrl, error: BaseException) -> str:
    """One line saying why the store is unavailable and what to do about it."""
    cause = error.orig if isinstance(error, sa_exc.DBAPIError) else error
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
    database = url.sqlalchemy_url.database
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
            f"PostgreSQL at {url.where} refused the login of {url.sqlalchemy_url.username!r}: "
            "check the user and password"
        )
    return f"PostgreSQL at {url.where} is unavailable: {first}"
