"""Calendar connections: kept outside the event log, and never a password anywhere."""

from __future__ import annotations

import json
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from events import EventStore
from integrations.accounts import (
    AccountStore,
    CalendarAccount,
    PasswordSource,
    check_url,
    password_source,
    resolve_password,
)
from pacflow.cli import main
from pacflow.errors import InvalidInputError

SECRET = "s3cret-Hunter2"
CONNECTED_AT = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def _account(source: PasswordSource, reference: str, person: str = "cd") -> CalendarAccount:
    return CalendarAccount(
        plan="PAC-2025",
        person=person,
        url="https://dav.example.com/cd/",
        username="claire",
        password_source=source,
        password_ref=reference,
        connected_at=CONNECTED_AT,
        connected_by="hg",
    )


def _python(code: str) -> str:
    return shlex.join([sys.executable, "-c", code])


# --- the library -------------------------------------------------------------------------


def test_connections_are_stored_replaced_and_listed_by_person(tmp_path: Path) -> None:
    accounts = AccountStore(sa.create_engine(f"sqlite:///{tmp_path / 'accounts.db'}"))
    accounts.connect(_account(PasswordSource.ENV, "PW_KB", person="kb"))
    accounts.connect(_account(PasswordSource.ENV, "PW_CD"))
    replaced = accounts.connect(_account(PasswordSource.COMMAND, "pass show caldav/cd"))
    listed = accounts.accounts("PAC-2025")
    assert [a.person for a in listed] == ["cd", "kb"]
    assert listed[0] == replaced
    assert listed[0].password_hint == "command:pass show caldav/cd"
    assert accounts.accounts("OTHER") == []


def test_passwords_are_read_at_the_moment_of_use() -> None:
    from_env = _account(PasswordSource.ENV, "PW_CD")
    assert resolve_password(from_env, environ={"PW_CD": SECRET}) == SECRET
    from_command = _account(PasswordSource.COMMAND, _python(f"print({SECRET!r})"))
    assert resolve_password(from_command) == SECRET


@pytest.mark.parametrize(
    ("account", "message"),
    [
        (
            _account(PasswordSource.ENV, "PW_CD"),
            "calendar of cd: environment variable PW_CD is not set or empty",
        ),
        (
            _account(
                PasswordSource.COMMAND,
                _python(f"import sys; print({SECRET!r}); sys.exit(3)"),
            ),
            "calendar of cd: the password command failed (exit 3)",
        ),
        (
            _account(PasswordSource.COMMAND, "/nonexistent/pacflow-password-helper"),
            "calendar of cd: the password command cannot run",
        ),
    ],
    ids=["unset-variable", "failing-command", "missing-command"],
)
def test_password_errors_say_where_not_what(account: CalendarAccount, message: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        resolve_password(account, environ={})
    assert str(raised.value) == message
    assert SECRET not in str(raised.value)


def test_urls_and_password_sources_are_checked() -> None:
    assert check_url(" https://dav.example.com/cd/ ") == "https://dav.example.com/cd/"
    with pytest.raises(InvalidInputError) as raised:
        check_url(f"https://claire:{SECRET}@dav.example.com/")
    assert SECRET not in str(raised.value)
    with pytest.raises(InvalidInputError, match="expected an http:// or https:// URL"):
        check_url("ftp://dav.example.com/")
    assert password_source("PW_CD", None) == (PasswordSource.ENV, "PW_CD")
    with pytest.raises(InvalidInputError, match="give one of"):
        password_source("PW_CD", "pass show x")
    with pytest.raises(InvalidInputError, match="expected an environment variable name"):
        password_source("PW CD", None)


# --- the CLI -----------------------------------------------------------------------------


@pytest.fixture
def pacflow(demo_copy_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner on a copy of the demo store, acting as hg, with a password in the env."""
    monkeypatch.setenv("PACFLOW_DB", demo_copy_url)
    monkeypatch.setenv("PACFLOW_ACTOR", "hg")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("PACFLOW_CALDAV_CD", SECRET)
    return CliRunner()


def test_connect_then_list_shows_where_and_how_never_the_password(
    pacflow: CliRunner, demo_copy_url: str
) -> None:
    connect = pacflow.invoke(
        main,
        ["calendar", "connect", "PAC-2025", "cd", "--url", "https://dav.example.com/cd/",
         "--username", "claire", "--password-env", "PACFLOW_CALDAV_CD"],
    )  # fmt: skip
    assert connect.exit_code == 0, connect.output
    assert connect.stdout == (
        "PAC-2025: calendar of cd (Claire Dubois) at https://dav.example.com/cd/ as claire, "
        "password from env:PACFLOW_CALDAV_CD\n"
    )
    listed = pacflow.invoke(main, ["calendar", "list", "PAC-2025"])
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines()[2].split() == [
        "cd",
        "https://dav.example.com/cd/",
        "claire",
        "env:PACFLOW_CALDAV_CD",
        "-",
        "never",
        "synced",
    ]
    as_json = json.loads(pacflow.invoke(main, ["calendar", "list", "PAC-2025", "--json"]).stdout)
    assert [(a["person"], a["password_ref"], a["state"]) for a in as_json] == [
        ("cd", "PACFLOW_CALDAV_CD", "never synced")
    ]
    for output in (connect.output, listed.output, json.dumps(as_json)):
        assert SECRET not in output
    database = Path(demo_copy_url.removeprefix("sqlite:///"))
    for file in database.parent.glob(database.name + "*"):
        assert SECRET.encode() not in file.read_bytes()
    with EventStore.from_url(demo_copy_url) as store:
        assert not any("calendar" in event.type.lower() for event in store.read_stream("PAC-2025"))


def test_a_plan_without_connections_says_how_to_add_one(pacflow: CliRunner) -> None:
    result = pacflow.invoke(main, ["calendar", "list", "PAC-2025"])
    assert result.exit_code == 0
    assert result.stdout == (
        "PAC-2025: no calendar connected (see `pacflow calendar connect --help`)\n"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["NOPE", "cd", "--password-env", "PW"], "error: plan NOPE: no such plan"),
        (["PAC-2025", "zz", "--password-env", "PW"], "error: person zz: not in plan PAC-2025"),
        (["PAC-2025", "cd"], "error: give one of --password-env VAR or --password-command CMD"),
        (
            ["PAC-2025", "cd", "--password-env", "PW", "--url", f"https://u:{SECRET}@dav.example/"],
            "Error: --url: put no user name or password in the URL",
        ),
    ],
    ids=["plan", "person", "no-password-source", "password-in-url"],
)
def test_connect_mistakes_are_one_line_and_record_nothing(
    pacflow: CliRunner, arguments: list[str], message: str
) -> None:
    url = [] if "--url" in arguments else ["--url", "https://dav.example.com/cd/"]
    result = pacflow.invoke(main, ["calendar", "connect", *arguments, *url, "--username", "claire"])
    if message.startswith("Error: "):  # a value the option cannot take: usage (docs/cli.md)
        assert result.exit_code == 2
        assert result.stderr.splitlines()[-1].startswith(message)
    else:
        assert result.exit_code == 1
        assert result.stderr.startswith(message)
        assert result.stderr.count("\n") == 1
    assert SECRET not in result.output
    listed = pacflow.invoke(main, ["calendar", "list", "PAC-2025", "--json"])
    assert json.loads(listed.stdout) == []
