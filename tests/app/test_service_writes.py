"""What a write reads: the events since the state the service holds, or since a snapshot —
not the whole plan; and the states the service hands out never change afterwards."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path

import pytest

from events import EventStore
from pacflow.domain import PlanState, fold
from pacflow.service import PlanService, decode
from projections.engine import ProjectionEngine, projection_engine_for
from projections.plans import PlanReadModel
from projections.snapshots import latest_snapshot

from .service_support import (
    PLAN,
    count_reads,
    create_plan,
    market_change,
    record_value,
)

SNAPSHOT_EVERY = 10


def grown(store: EventStore, changes: int, plan: str = PLAN) -> None:
    """The plan created, then `changes` market changes recorded, one command each."""
    service = PlanService(store)
    create_plan(service, plan)
    for number in range(changes):
        service.execute(market_change(plan, number))


def folded(store: EventStore, plan: str = PLAN) -> PlanState | None:
    return fold(decode(r) for r in store.read_stream(plan))


@pytest.fixture
def sqlite_store(tmp_path: Path) -> EventStore:
    return EventStore.from_url(f"sqlite:///{tmp_path}/s.db")


def snapshots_of(store: EventStore) -> ProjectionEngine:
    """The plan read model, taking a snapshot every SNAPSHOT_EVERY events, caught up."""
    engine = ProjectionEngine(
        store,
        [PlanReadModel(store, snapshot_every=SNAPSHOT_EVERY)],
        projection_engine_for(store),
    )
    engine.catch_up()
    return engine


def test_without_snapshots_a_plan_is_folded_once_then_only_what_was_appended(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = EventStore.from_url("memory://")
    grown(store, 30)
    service = PlanService(store)
    reads = count_reads(monkeypatch, store)
    state = service.require(PLAN)  # what `today` does before the command
    assert reads.events == 34
    outcome = service.execute(record_value(PLAN, "2025-05", 7))
    assert reads.events == 34  # no second fold: nothing was appended since `require`
    assert outcome.state is not None
    assert outcome.state.version == state.version + 1
    assert outcome.state == folded(store)


def test_a_write_starts_from_the_newest_snapshot_and_reads_only_the_tail(
    monkeypatch: pytest.MonkeyPatch, sqlite_store: EventStore
) -> None:
    grown(sqlite_store, 43)  # 47 events: snapshots at 10, 20, 30 and 40
    database = snapshots_of(sqlite_store).database
    service = PlanService(sqlite_store, snapshot=lambda plan: latest_snapshot(database, plan))
    reads = count_reads(monkeypatch, sqlite_store)
    outcome = service.execute(market_change(PLAN, 1))
    assert reads.events == 8  # the snapshot's own event (its hash is checked), then 41..47
    assert outcome.state == folded(sqlite_store)
    assert outcome.state is not None
    assert outcome.state.version == 48


def test_a_snapshot_the_log_does_not_confirm_is_ignored(
    monkeypatch: pytest.MonkeyPatch, sqlite_store: EventStore
) -> None:
    grown(sqlite_store, 43)
    database = snapshots_of(sqlite_store).database

    def tampered(plan: str) -> tuple[PlanState, str] | None:
        found = latest_snapshot(database, plan)
        assert found is not None
        state, _hash = found
        state.title = "Forged"
        return state, "0" * 64

    service = PlanService(sqlite_store, snapshot=tampered)
    reads = count_reads(monkeypatch, sqlite_store)
    state = service.require(PLAN)
    assert reads.events == 1 + 47  # the check, then the whole stream
    assert state.title == f"Plan {PLAN}"
    assert state == folded(sqlite_store)


def test_a_plan_without_snapshot_yet_is_folded_from_its_first_event(
    sqlite_store: EventStore,
) -> None:
    grown(sqlite_store, 3)
    database = snapshots_of(sqlite_store).database
    assert latest_snapshot(database, PLAN) is None
    service = PlanService(sqlite_store, snapshot=lambda plan: latest_snapshot(database, plan))
    assert service.require(PLAN) == folded(sqlite_store)
    assert service.load("nothing") is None


def test_what_another_writer_appended_is_read_before_deciding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = EventStore.from_url("memory://")
    grown(store, 5)
    mine, theirs = PlanService(store), PlanService(store)
    mine.require(PLAN)
    theirs.execute(market_change(PLAN, 1))
    theirs.execute(record_value(PLAN, "2025-01", 99))
    reads = count_reads(monkeypatch, store)
    outcome = mine.execute(record_value(PLAN, "2025-02", 1))
    assert reads.events == 2  # the two events `theirs` appended
    assert outcome.state == folded(store)
    assert outcome.state is not None
    assert outcome.state.indicators["I1"].actuals["2025-01"] == 99


def test_states_handed_out_never_change_afterwards() -> None:
    store = EventStore.from_url("memory://")
    grown(store, 2)
    service = PlanService(store)
    read = service.require(PLAN)
    read_then = copy.deepcopy(read)
    first = service.execute(record_value(PLAN, "2025-07", 1))
    assert first.state is not None
    first_then = copy.deepcopy(first.state)
    service.execute_all(
        PLAN,
        [record_value(PLAN, "2025-08", 2), record_value(PLAN, "2025-09", 3)],
    )
    service.execute(market_change(PLAN, 1))
    assert read == read_then
    assert first.state == first_then
    assert service.require(PLAN).indicators["I1"].actuals["2025-09"] == 3


def test_a_dry_run_changes_nothing_the_service_holds() -> None:
    store = EventStore.from_url("memory://")
    grown(store, 2)
    service = PlanService(store)
    before = service.require(PLAN)
    outcome = service.execute_all(PLAN, [record_value(PLAN, "2025-11", 5)], dry_run=True)
    assert outcome.state is not None
    assert outcome.state.version == before.version + 1
    assert not outcome.recorded
    assert service.require(PLAN) is before
    assert "2025-11" not in before.indicators["I1"].actuals


def test_a_retried_command_records_nothing_and_the_plan_reads_right() -> None:
    store = EventStore.from_url("memory://")
    grown(store, 2)
    service = PlanService(store)
    command_id = uuid.uuid4()
    service.execute(market_change(PLAN, 7), command_id=command_id)
    service.execute(record_value(PLAN, "2025-10", 5))
    again = service.execute(market_change(PLAN, 7), command_id=command_id)
    assert [r.stream_version for r in again.recorded] == [7]
    assert service.require(PLAN) == folded(store)
    assert service.require(PLAN).version == 8


def test_the_service_holds_a_bounded_number_of_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    store = EventStore.from_url("memory://")
    for plan in ("A", "B", "C"):
        grown(store, 1, plan)
    service = PlanService(store, cache_size=2)
    for plan in ("A", "B", "C"):
        service.require(plan)
    reads = count_reads(monkeypatch, store)
    service.require("C")
    assert reads.events == 0
    service.require("A")  # dropped when C came in: folded again
    assert reads.events == 5


def test_latest_without_a_snapshot_source_still_answers_from_as_of() -> None:
    store = EventStore.from_url("memory://")
    grown(store, 2)
    asked: list[str] = []

    def as_of(plan: str, until: object) -> PlanState | None:
        asked.append(plan)
        return folded(store, plan)

    service = PlanService(store, as_of=as_of)
    assert service.latest(PLAN) == folded(store)
    assert asked == [PLAN]
    service.latest(PLAN)
    assert asked == [PLAN]  # held since


def test_a_store_whose_read_models_were_never_built_is_folded(sqlite_store: EventStore) -> None:
    grown(sqlite_store, 3)
    database = projection_engine_for(sqlite_store)
    assert latest_snapshot(database, PLAN) is None
    service = PlanService(sqlite_store, snapshot=lambda plan: latest_snapshot(database, plan))
    assert service.execute(market_change(PLAN, 9)).state == folded(sqlite_store)
