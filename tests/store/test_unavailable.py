"""Stores that cannot be opened: one line saying what is wrong and what to do, no secrets."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from events import EventStore, StoreUnavailableError

from .support import backend_of

PASSWORD = "S3cr3t-Pa55word"


def _refusal(url: str) -> StoreUnavailableError:
    """Open `url`, expecting a StoreUnavailableError; check what every such error promises."""
    with pytest.raises(StoreUnavailableError) as raised:
        EventStore.from_url(url)
    error = raised.value
    message = str(error)
    assert message
    assert message.strip() == message
    assert "\n" not in message, f"not one line: {message!r}"
    assert type(error).__module__.startswith("events"), type(error)
    # Neither the message nor anything chained to it gives away the password.
    link: BaseException | None = error
    while link is not None:
        assert PASSWORD not in str(link), f"password in {type(link).__name__}: {link}"
        link = link.__cause__ or link.__context__
    return error


def _closed_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize("url", ["mysql://x/y", "oracle://scott@127.0.0.1/orcl"])
def test_an_unknown_url_scheme_names_the_scheme_and_the_accepted_ones(url: str) -> None:
    message = str(_refusal(url))
    assert url.split("://")[0] in message
    assert "sqlite:///" in message
    assert "postgresql+psycopg://" in message


@pytest.mark.parametrize("url", ["nonsense", "", "://", "plans.db"])
def test_something_that_is_not_a_url_says_which_urls_work(url: str) -> None:
    message = str(_refusal(url))
    assert "sqlite:///" in message
    assert "postgresql+psycopg://" in message


def test_an_unsupported_postgres_driver_is_named() -> None:
    message = str(_refusal(f"postgresql+asyncpg://me:{PASSWORD}@127.0.0.1/db"))
    assert "asyncpg" in message
    assert "postgresql+psycopg://" in message


def test_a_postgres_server_that_is_down_says_where_and_hides_the_password() -> None:
    port = _closed_loopback_port()
    message = str(_refusal(f"postgresql+psycopg://pacflow:{PASSWORD}@127.0.0.1:{port}/plans"))
    assert f"127.0.0.1:{port}" in message
    assert "start the server" in message or "--db" in message


@pytest.mark.postgres
def test_a_missing_postgres_database_is_named_with_how_to_create_it(
    postgres_base_url: sa.URL,
) -> None:
    name = f"pacflow_missing_{uuid.uuid4().hex[:10]}"
    url = postgres_base_url.set(database=name, password=PASSWORD)
    message = str(_refusal(url.render_as_string(hide_password=False)))
    assert name in message
    assert "does not exist" in message
    assert f"createdb {name}" in message


@pytest.mark.postgres
def test_the_store_url_shown_to_users_hides_the_password(postgres_store_url: str) -> None:
    # The test server trusts loopback logins, so a password in the URL is accepted unused.
    with_password = sa.make_url(postgres_store_url).set(password=PASSWORD)
    with EventStore.from_url(with_password.render_as_string(hide_password=False)) as store:
        assert PASSWORD not in store.url
        assert "***" in store.url
        assert backend_of(store.url) == "postgres"


def test_a_sqlite_file_in_a_missing_directory_names_the_directory(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    message = str(_refusal(f"sqlite:///{missing / 'plans.db'}"))
    assert str(missing) in message
    assert "create it" in message or "choose another" in message
    assert not (tmp_path / "no").exists()


def test_a_sqlite_file_below_a_regular_file_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a directory\n")
    message = str(_refusal(f"sqlite:///{blocker / 'plans.db'}"))
    assert str(blocker) in message
    # The parent exists (as a file): telling the user it does not exist sends them astray.
    assert "does not exist" not in message, message
    assert blocker.read_text() == "not a directory\n"


def test_a_sqlite_directory_is_not_a_store_file(tmp_path: Path) -> None:
    message = str(_refusal(f"sqlite:///{tmp_path}"))
    assert str(tmp_path) in message
    assert "directory" in message


def test_a_sqlite_file_where_nothing_can_be_written_says_so() -> None:
    # /proc takes no new files, not even from root (who ignores permission bits).
    if not Path("/proc/self").is_dir():
        pytest.skip("needs Linux /proc")
    message = str(_refusal("sqlite:////proc/pacflow-test.db"))
    assert "/proc/pacflow-test.db" in message
    assert "writable" in message


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_a_sqlite_url_without_a_file_says_how_to_name_one(url: str) -> None:
    message = str(_refusal(url))
    assert "sqlite:///" in message
    assert "memory://" in message


def test_a_file_that_is_not_a_sqlite_database_is_named_and_left_alone(tmp_path: Path) -> None:
    garbage = tmp_path / "plans.db"
    content = b"This is not SQLite.\x00\xff\xfe" * 200
    garbage.write_bytes(content)
    message = str(_refusal(f"sqlite:///{garbage}"))
    assert str(garbage) in message
    assert "not a SQLite database" in message
    assert garbage.read_bytes() == content
