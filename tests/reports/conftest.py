"""Report fixtures: the demo plan (final and mid-year), a store file holding it, a runner."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from events import EventStore
from pacflow.demo import DEMO_PLAN, SettableClock, build_demo
from pacflow.domain import PlanState
from pacflow.reports import Report, ReportKind, build_report
from pacflow.service import PlanService

MID_YEAR = date(2025, 6, 10)
"""A day when the demo plan has done, planned, late and overdue items all at once."""
MID_YEAR_END = datetime(2025, 6, 10, 21, 59, 59, tzinfo=UTC)  # 23:59:59 in Paris


@pytest.fixture(scope="session")
def demo_store() -> Iterator[EventStore]:
    """An in-memory store holding the demo plan and its year (recorded once per run)."""
    opened: list[EventStore] = []

    def opener(clock: SettableClock) -> EventStore:
        opened.append(EventStore.from_url("memory://", clock=clock))
        return opened[-1]

    build_demo(opener)
    yield opened[0]
    opened[0].close()


@pytest.fixture(scope="session")
def _final_state(demo_store: EventStore) -> PlanState:
    return PlanService(demo_store).require(DEMO_PLAN)


@pytest.fixture(scope="session")
def _mid_year_state(demo_store: EventStore) -> PlanState:
    state = PlanService(demo_store).load(DEMO_PLAN, until=MID_YEAR_END)
    assert state is not None
    return state


@pytest.fixture
def final_state(_final_state: PlanState) -> PlanState:
    """The demo plan at the end of the year (a copy the test may change)."""
    return copy.deepcopy(_final_state)


@pytest.fixture
def mid_year_state(_mid_year_state: PlanState) -> PlanState:
    """The demo plan as recorded on 10 June 2025 (a copy the test may change)."""
    return copy.deepcopy(_mid_year_state)


@pytest.fixture
def mid_year(_mid_year_state: PlanState) -> dict[ReportKind, Report]:
    """Every kind of report on the mid-year demo plan, judged on 10 June 2025."""
    return {kind: build_report(_mid_year_state, kind, today=MID_YEAR) for kind in ReportKind}


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store file holding the demo (reports never change the plan: tests share it)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reports') / 'demo.db'}"
    opened: list[EventStore] = []

    def opener(clock: SettableClock) -> EventStore:
        opened.append(EventStore.from_url(url, clock=clock))
        return opened[-1]

    build_demo(opener)
    opened[0].close()
    return url


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner kept away from the user's data directory and environment."""
    monkeypatch.delenv("PACFLOW_DB", raising=False)
    monkeypatch.setenv("PACFLOW_ACTOR", "hg")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return CliRunner()
