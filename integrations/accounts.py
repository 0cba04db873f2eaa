"""Where each person's calendar is: CalDAV connections, kept outside the event log.

A connection is configuration, not a business fact: it lives in the `calendar_accounts`
table of the store's database (SQLAlchemy Core), never in an event. It holds the server
URL, the user name and *how to get* the password, never the password itself:

- `env`: the name of an environment variable that holds it when pacflow runs;
- `command`: a command that prints it (`pass show caldav/cd`), run without a shell.

`resolve_password` fetches it at the moment of use; its errors name the variable or say
the command failed, and never carry the password or what the command printed.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import urlsplit

import sqlalchemy as sa

from integrations.schema import ensure_schema
from pacflow.errors import InvalidInputError
from slotted import FrozenValue, frozen_record

PASSWORD_COMMAND_TIMEOUT = 30.0
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# The tables are made by migrations (`integrations.schema`); these describe them for queries.
metadata = sa.MetaData()

accounts_table = sa.Table(
    "calendar_accounts",
    metadata,
    sa.Column("plan", sa.String(40), primary_key=True),
    sa.Column("person", sa.String(40), primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("password_source", sa.String(16), nullable=False),
    sa.Column("password_ref", sa.Text, nullable=False),
    sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("connected_by", sa.Text, nullable=False),
    sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_sync_state", sa.Text, nullable=True),
)


class PasswordSource(StrEnum):
    """Where a password comes from when it is needed."""

    ENV = "env"
    COMMAND = "command"


@frozen_record
class CalendarAccount(FrozenValue):
    """One person's calendar connection; `password_ref` is a variable name or a command."""

    plan: str
    person: str
    url: str
    username: str
    password_source: PasswordSource
    password_ref: str
    connected_at: datetime
    connected_by: str
    last_sync_at: datetime | None = None
    last_sync_state: str | None = None

    @property
    def password_hint(self) -> str:
        """How the password is found, safe to show: `env:VAR` or `command:pass show x`."""
        return f"{self.password_source.value}:{self.password_ref}"


def check_url(url: str) -> str:
    """An http(s) URL with a host and no credentials in it, or an InvalidInputError."""
    try:
        parts = urlsplit(url.strip())
        has_credentials = parts.username is not None or parts.password is not None
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok, has_credentials = False, False
    if has_credentials:
        # The URL itself is not repeated: it may hold a password.
        raise InvalidInputError(
            "--url: put no user name or password in the URL; use --username and "
            "--password-env or --password-command"
        )
    if not ok:
        raise InvalidInputError(
            f"--url {url!r}: expected an http:// or https:// URL such as "
            "https://dav.example.com/cd/"
        )
    return url.strip()


def password_source(env: str | None, command: str | None) -> tuple[PasswordSource, str]:
    """The one password source given, checked, or an InvalidInputError."""
    if (env is None) == (command is None):
        raise InvalidInputError("give one of --password-env VAR or --password-command CMD")
    if env is not None:
        if _ENV_NAME.fullmatch(env) is None:
            raise InvalidInputError(
                f"--password-env {env!r}: expected an environment variable name such as "
                "PACFLOW_CALDAV_PASSWORD"
            )
        return PasswordSource.ENV, env
    assert command is not None
    try:
        words = shlex.split(command)
    except ValueError:
        words = []
    if not words:
        raise InvalidInputError(
            "--password-command: expected a command that prints the password, such as "
            "'pass show caldav/cd'"
        )
    return PasswordSource.COMMAND, command


class AccountStore:
    """Calendar connections in a database (the store's own, as a rule)."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        ensure_schema(engine)

    def connect(self, account: CalendarAccount) -> CalendarAccount:
        """Record or replace a person's connection; the sync state starts afresh."""
        row = {
            "plan": account.plan,
            "person": account.person,
            "url": account.url,
            "username": account.username,
            "password_source": account.password_source.value,
            "password_ref": account.password_ref,
            "connected_at": account.connected_at,
            "connected_by": account.connected_by,
            "last_sync_at": None,
            "last_sync_state": None,
        }
        key = (accounts_table.c.plan == account.plan) & (accounts_table.c.person == account.person)
        with self._engine.begin() as connection:
            before = connection.execute(
                sa.select(accounts_table.c.url, accounts_table.c.username).where(key)
            ).first()
            connection.execute(accounts_table.delete().where(key))
            connection.execute(accounts_table.insert().values(row))
        if before is not None and tuple(before) != (account.url, account.username):
            # Another calendar: what the sync knew about the old one no longer holds.
            from integrations.sync_state import SyncStateStore

            SyncStateStore(self._engine, account.plan, account.person).forget_all()
        return account

    def record_sync(self, plan: str, person: str, at: datetime, state: str) -> None:
        """Note when the person's calendar was last synced and how it went."""
        key = (accounts_table.c.plan == plan) & (accounts_table.c.person == person)
        with self._engine.begin() as connection:
            connection.execute(
                accounts_table.update().where(key).values(last_sync_at=at, last_sync_state=state)
            )

    def accounts(self, plan: str) -> list[CalendarAccount]:
        """The plan's connections, by person."""
        query = (
            accounts_table.select()
            .where(accounts_table.c.plan == plan)
            .order_by(accounts_table.c.person)
        )
        with self._engine.connect() as connection:
            return [_account(row) for row in connection.execute(query).mappings()]


def _account(row: sa.RowMapping) -> CalendarAccount:
    def moment(value: object) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        # SQLite gives naive values back; what was written is UTC.
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

    connected_at = moment(row["connected_at"])
    assert connected_at is not None
    return CalendarAccount(
        plan=str(row["plan"]),
        person=str(row["person"]),
        url=str(row["url"]),
        username=str(row["username"]),
        password_source=PasswordSource(str(row["password_source"])),
        password_ref=str(row["password_ref"]),
        connected_at=connected_at,
        connected_by=str(row["connected_by"]),
        last_sync_at=moment(row["last_sync_at"]),
        last_sync_state=None if row["last_sync_state"] is None else str(row["last_sync_state"]),
    )


def resolve_password(
    account: CalendarAccount,
    *,
    environ: Mapping[str, str] | None = None,
    run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run,
) -> str:
    """The account's password, read now; errors never show it or the command's output."""
    who = f"calendar of {account.person}"
    if account.password_source is PasswordSource.ENV:
        value = (os.environ if environ is None else environ).get(account.password_ref)
        if not value:
            raise InvalidInputError(
                f"{who}: environment variable {account.password_ref} is not set or empty"
            )
        return value
    try:
        done = run(
            shlex.split(account.password_ref),
            capture_output=True,
            text=True,
            timeout=PASSWORD_COMMAND_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        problem = "timed out" if isinstance(error, subprocess.TimeoutExpired) else "cannot run"
        raise InvalidInputError(f"{who}: the password command {problem}") from None
    if done.returncode != 0:
        raise InvalidInputError(f"{who}: the password command failed (exit {done.returncode})")
    lines = done.stdout.splitlines()
    if not lines or not lines[0]:
        raise InvalidInputError(f"{who}: the password command printed nothing")
    return lines[0]
