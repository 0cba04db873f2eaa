"""Shared fixtures: event stores on every backend, a PostgreSQL schema per test, a clock.

`store_url` / `store` run a test on `memory`, `sqlite` (a file in tmp_path) and `postgres`.
PostgreSQL comes from PACFLOW_TEST_POSTGRES_URL, or the local default when it answers;
each test gets a schema of its own (dropped at the end of the run). Without a server the
PostgreSQL tests skip, except with CI=true, where a silent skip would hide a broken setup.
"""

from __future__ import annotations

import itertools
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from events import EventStore

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CLOCK_START = datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)

_RUN_ID = secrets.token_hex(4)


class ManualClock:
    """A clock that stands still until the test moves it; aware UTC datetimes."""

    def __init__(self, start: datetime = CLOCK_START) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float = 1.0) -> datetime:
        """Move the clock forward and return the new time."""
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (any aware datetime; the store normalises it to UTC)."""
        with self._lock:
            self._now = moment


_MODEL_MODULES = (
    "pacflow.domain.schedule",
    "pacflow.domain.derivation",
    "pacflow.domain.findings",
    "pacflow.domain.events",
    "pacflow.domain.commands",
    "pacflow.planfile.model",
    "pacflow.web.server",
    "projections.state_json",
)


@pytest.fixture(scope="session", autouse=True)
def models_built() -> None:
    """Every pydantic model's validator built before any test freezes time.

    pacflow's models build their validators when first used (`defer_build`: a command
    pays only for the models it uses). Under freezegun, `datetime.date` in every module is
    a stand-in pydantic cannot build a validator for, so a model first used inside a frozen
    test would fail there, depending on which tests ran before it."""
    import importlib

    from pydantic import BaseModel

    for name in _MODEL_MODULES:
        importlib.import_module(name)
    pending: list[type[BaseModel]] = [BaseModel]
    while pending:
        for model in pending.pop().__subclasses__():
            pending.append(model)
            if model.__module__.startswith("pacflow."):
                model.model_rebuild()


@pytest.fixture(scope="session", autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The user's cache directory (public-holiday tables, `pacflow.holiday_cache`): one for
    the session, never the real one. Subprocesses inherit it."""
    folder = tmp_path_factory.mktemp("cache")
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


# -- PostgreSQL ------------------------------------------------------------------------


def _postgres_url_from_env() -> sa.URL:
    url = sa.make_url(os.environ.get("PACFLOW_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL)
    return url.set(drivername="postgresql+psycopg")


def libpq_conninfo(url: sa.URL) -> str:
    """The URL as psycopg itself takes it (no SQLAlchemy driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_base_url() -> sa.URL:
    """The PostgreSQL server of this run; skip (or fail, with CI=true) when it is silent."""
    url = _postgres_url_from_env()
    try:
        with psycopg.connect(libpq_conninfo(url), connect_timeout=3):
            pass
    except psycopg.Error as error:
        where = url.render_as_string(hide_password=True)
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                f"PostgreSQL must answer in CI (CI=true), but {where} did not: {reason}",
                pytrace=False,
            )
        pytest.skip(
            f"PostgreSQL at {where} does not answer ({reason}); set PACFLOW_TEST_POSTGRES_URL"
        )
    return url


@pytest.fixture(scope="session")
def postgres_schemas(postgres_base_url: sa.URL) -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty schemas; all of them are dropped at the end of the run."""
    created: list[str] = []
    counter = itertools.count(1)
    lock = threading.Lock()

    def new_schema() -> str:
        with lock:
            name = f"pacflow_test_{_RUN_ID}_{next(counter)}"
            created.append(name)
        with psycopg.connect(libpq_conninfo(postgres_base_url), autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{name}"')
        return name

    yield new_schema
    if created:
        with psycopg.connect(libpq_conninfo(postgres_base_url), autocommit=True) as connection:
            connection.execute("SET lock_timeout = '20s'")
            for name in created:
                connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def postgres_url_in_schema(base: sa.URL, schema: str) -> str:
    """`base` with every connection's search_path set to `schema`."""
    options = base.query.get("options")
    extra = f"-csearch_path={schema}"
    merged = f"{options} {extra}" if isinstance(options, str) and options else extra
    url = base.update_query_dict({"options": merged})
    return url.render_as_string(hide_password=False)


@pytest.fixture
def postgres_store_url(postgres_base_url: sa.URL, postgres_schemas: Callable[[], str]) -> str:
    """A store URL on the test's own, fresh PostgreSQL schema."""
    return postgres_url_in_schema(postgres_base_url, postgres_schemas())


# -- stores on every backend ------------------------------------------------------------

POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres, id="postgres")


def _url_for(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "memory":
        return "memory://"
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}"
    if backend == "postgres":
        url: str = request.getfixturevalue("postgres_store_url")
        return url
    raise ValueError(f"unknown backend {backend!r}")


@pytest.fixture(params=["memory", "sqlite", POSTGRES])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty store on each backend (memory, SQLite file, PostgreSQL schema)."""
    return _url_for(request.param, request, tmp_path)


@pytest.fixture(params=["sqlite", POSTGRES])
def sql_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty store on each SQL backend (the database behind it can be poked at)."""
    return _url_for(request.param, request, tmp_path)


@pytest.fixture
def store(store_url: str, clock: ManualClock) -> Iterator[EventStore]:
    with EventStore.from_url(store_url, clock=clock) as opened:
        yield opened


@pytest.fixture
def sql_store(sql_store_url: str, clock: ManualClock) -> Iterator[EventStore]:
    with EventStore.from_url(sql_store_url, clock=clock) as opened:
        yield opened
