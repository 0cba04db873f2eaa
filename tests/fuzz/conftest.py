"""Fuzzing fixtures: one sandbox per backend for the whole run, and Hypothesis profiles.

The suite's share of CI is kept small by default (the corpus in full, some sixty
generated cases per kind and backend, the same ones every run); `PACFLOW_FUZZ=slow` tries
1,500 per kind and backend, new ones each run.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, settings

from tests.conftest import postgres_url_in_schema
from tests.fuzz.harness import Sandbox

_QUIET = {
    "deadline": None,
    "database": None,
    "suppress_health_check": list(HealthCheck),
    "phases": [Phase.explicit, Phase.generate, Phase.target, Phase.shrink],
}
settings.register_profile("fuzz-ci", max_examples=60, derandomize=True, **_QUIET)  # type: ignore[arg-type]
settings.register_profile("fuzz-slow", max_examples=1500, **_QUIET)  # type: ignore[arg-type]


def fuzz_settings() -> settings:
    """The Hypothesis settings of this run: `fuzz-slow` with PACFLOW_FUZZ=slow, else
    `fuzz-ci` (applied to the fuzzing tests only, not loaded for the whole run)."""
    slow = os.environ.get("PACFLOW_FUZZ") == "slow"
    return settings.get_profile("fuzz-slow" if slow else "fuzz-ci")


def _sqlite_urls(directory: Path) -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"sqlite:///{directory / f'fuzz-{next(counter)}.db'}"


@pytest.fixture(scope="session")
def sqlite_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    directory = tmp_path_factory.mktemp("fuzz-sqlite")
    return Sandbox(_sqlite_urls(directory), directory / "work")


@pytest.fixture(scope="session")
def postgres_sandbox(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_base_url: sa.URL,
    postgres_schemas: Callable[[], str],
) -> Sandbox:
    directory = tmp_path_factory.mktemp("fuzz-postgres")
    return Sandbox(
        lambda: postgres_url_in_schema(postgres_base_url, postgres_schemas()), directory / "work"
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sandbox(request: pytest.FixtureRequest) -> Sandbox:
    """A store holding PAC-F on SQLite, then on PostgreSQL (see tests/fuzz/harness.py)."""
    found: Sandbox = request.getfixturevalue(f"{request.param}_sandbox")
    return found
