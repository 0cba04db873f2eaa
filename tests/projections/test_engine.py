"""The projection engine: one pass for every projector, windows replayed safely after a
crash, progress as it goes, and catch-ups and rebuilds side by side in threads and
processes without failing or leaving wrong rows."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from typing import Any

import pytest
import sqlalchemy as sa

from events import EventStore
from pacflow.read_models import read_models
from pacflow.service import PlanService
from projections import engine as engine_module
from projections import indicator_facts as facts
from projections.engine import ProjectionEngine, projection_engine_for
from projections.indicator_facts import IndicatorFacts
from projections.plans import PlanReadModel
from tests.projections.test_read_model import demo_at, expected_rows, table_rows

_FACT_TABLES = (
    facts.plans,
    facts.definitions,
    facts.targets,
    facts.values,
    facts.done,
    facts.steps,
    facts.tracks,
)


def fact_rows(engine: ProjectionEngine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.database.connect() as connection:
        return {
            table.name: sorted(tuple(row) for row in connection.execute(sa.select(table)))
            for table in _FACT_TABLES
        }


@pytest.fixture
def demo_url(sql_store_url: str) -> str:
    """A SQL store holding the demo plan (about 500 events)."""
    demo_at(sql_store_url).close()
    return sql_store_url


def _check(store: EventStore, engine: ProjectionEngine) -> None:
    """The read models hold what folding the log gives, and are at the head."""
    assert table_rows(engine) == expected_rows(PlanService(store), ["PAC-2025"])
    assert all(status.lag == 0 for status in engine.status())


def test_one_pass_feeds_every_projector_and_reports_progress(demo_url: str) -> None:
    with EventStore.from_url(demo_url) as store:
        engine = read_models(store)
        seen: list[tuple[str, int, int]] = []
        applied = engine.catch_up(progress=lambda *reached: seen.append(reached))
        head = store.head_position()
        handled = sum(1 for e in store.read_all() if e.type in facts.HANDLES)
        assert applied == head + handled + head  # plans and step events take every event
        names = {"plans", "indicator_facts", "step_events"}
        assert {name for name, _, _ in seen} == names
        for name in names:
            positions = [position for n, position, _ in seen if n == name]
            assert positions == sorted(positions)
            assert positions[-1] == head
        assert {total for _, _, total in seen} == {head}
        _check(store, engine)
        assert engine.catch_up() == 0


def test_a_pass_that_failed_halfway_is_done_again_from_the_checkpoint(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "COMMIT_EVERY", 100)  # several windows
    with EventStore.from_url(demo_url) as store:
        plans = PlanReadModel(store, snapshot_every=40, snapshot_weight=0)
        indicator_facts = IndicatorFacts()
        engine = ProjectionEngine(store, [plans, indicator_facts], projection_engine_for(store))
        windows = 0
        flush = indicator_facts.flush

        def failing_flush(connection: sa.Connection) -> None:
            nonlocal windows
            windows += 1
            flush(connection)
            if windows == 3:
                raise RuntimeError("the process was killed")

        monkeypatch.setattr(indicator_facts, "flush", failing_flush)
        with pytest.raises(RuntimeError, match="killed"):
            engine.catch_up()
        assert {status.checkpoint for status in engine.status()} == {0}  # nothing committed
        engine.catch_up()
        _check(store, engine)
        rebuilt = read_models(store)
        rebuilt.rebuild()
        assert fact_rows(engine) == fact_rows(rebuilt)


def _durability(connection: sa.Connection) -> str:
    """Whether a commit on `connection` waits for the disk to have it (and on SQLite,
    whether rows deleted are zeroed where that costs more writing)."""
    if connection.dialect.name == "sqlite":
        level = connection.exec_driver_sql("PRAGMA synchronous").scalar_one()
        zeroing = connection.exec_driver_sql("PRAGMA secure_delete").scalar_one()
        return {(1, 2): "relaxed", (2, _ZEROING): "durable"}.get(
            (level, zeroing), f"synchronous={level} secure_delete={zeroing}"
        )
    setting = str(connection.exec_driver_sql("SHOW synchronous_commit").scalar_one())
    return {"off": "relaxed", "on": "durable"}.get(setting, setting)


_ZEROING = sqlite3.connect(":memory:").execute("PRAGMA secure_delete").fetchone()[0]
"""What this SQLite zeroes of deleted rows by default (1: all, as Debian builds it)."""


def test_read_model_rows_are_committed_without_waiting_for_the_disk_and_only_they(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows rebuilt from the log if a power cut takes them back skip the fsync (and, on
    SQLite, the zeroing of every page freed); the connection goes back to the pool as it
    was, for whatever else it writes (calendar state, migrations)."""
    monkeypatch.setattr(engine_module, "COMMIT_EVERY", 100)  # several windows
    with EventStore.from_url(demo_url) as store:
        plans = PlanReadModel(store)
        engine = ProjectionEngine(store, [plans], projection_engine_for(store))
        seen: list[str] = []
        pipelined = engine_module._pipelined

        def watching(connection: sa.Connection) -> Any:
            seen.append(_durability(connection))  # in each window's transaction, as it writes
            return pipelined(connection)

        monkeypatch.setattr(engine_module, "_pipelined", watching)
        engine.catch_up()
        assert len(seen) > 1
        assert set(seen) == {"relaxed"}
        with engine.database.connect() as connection:
            assert _durability(connection) == "durable"
        _check(store, engine)


def test_catch_ups_and_rebuilds_side_by_side_in_threads(demo_url: str) -> None:
    with EventStore.from_url(demo_url) as store:
        engines = [read_models(store) for _ in range(4)]
        failures: list[BaseException] = []

        def run(index: int) -> None:
            try:
                if index % 2:
                    engines[index].rebuild()
                else:
                    engines[index].catch_up()
                engines[index].catch_up()
            except BaseException as error:  # reported below
                failures.append(error)

        threads = [threading.Thread(target=run, args=(n,)) for n in range(len(engines))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        _check(store, engines[0])


_REBUILD = """
import sys
from events import EventStore
from pacflow.read_models import read_models
with EventStore.from_url(sys.argv[1]) as store:
    read_models(store).rebuild()
"""


def test_a_catch_up_beside_another_process_rebuilding_does_not_fail(demo_url: str) -> None:
    other = subprocess.Popen(
        [sys.executable, "-c", _REBUILD, demo_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        with EventStore.from_url(demo_url) as store:
            engine = read_models(store)
            engine.catch_up()
            _, errors = other.communicate(timeout=120)
            assert other.returncode == 0, errors.decode()
            engine.catch_up()
            _check(store, engine)
    finally:
        other.kill()


# -- readers beside a rebuild ---------------------------------------------------------------

_REBUILDS = """
import sys, time
from events import EventStore
from pacflow.read_models import read_models
until = time.monotonic() + float(sys.argv[2])
with EventStore.from_url(sys.argv[1]) as store:
    while time.monotonic() < until:
        read_models(store).rebuild()
"""


def _read_until(app_url: str, stop: threading.Event, seen: list[str]) -> list[str]:
    """Read the plan and the plan list through the application layer until told to stop;
    what went wrong, as text."""
    from pacflow.app import App
    from pacflow.app.plans import plan_list, plan_now
    from pacflow.errors import PacflowError

    wrong: list[str] = []
    app = App(app_url)
    try:
        while not stop.is_set():
            try:
                plan = plan_now(app, "PAC-2025")
                listed = [row["key"] for row in plan_list(app)]
            except (PacflowError, Exception) as error:  # every failure is the finding
                wrong.append(f"{type(error).__name__}: {error}")
                continue
            if plan["key"] != "PAC-2025" or listed != ["PAC-2025"]:
                wrong.append(f"half-built read model: {plan.get('key')!r}, {listed}")
            seen.append(json.dumps(plan, sort_keys=True, default=str))
    finally:
        app.close()
    return wrong


def test_readers_beside_rebuilds_in_another_process_never_see_a_half_built_model(
    demo_url: str,
) -> None:
    with EventStore.from_url(demo_url) as store:
        read_models(store).catch_up()
    rebuilds = subprocess.Popen(
        [sys.executable, "-c", _REBUILDS, demo_url, "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stop = threading.Event()
    seen: list[str] = []
    found: list[str] = []
    readers = [
        threading.Thread(target=lambda: found.extend(_read_until(demo_url, stop, seen)))
        for _ in range(2)
    ]
    try:
        for reader in readers:
            reader.start()
        _, errors = rebuilds.communicate(timeout=300)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
        rebuilds.kill()
    assert rebuilds.returncode == 0, errors.decode()
    assert found == []
    assert seen  # the readers did read meanwhile
    assert len(set(seen)) == 1  # and always the whole plan


def test_readers_beside_rebuilds_in_threads_never_see_a_half_built_model(
    demo_url: str,
) -> None:
    from pacflow.app import App

    stop = threading.Event()
    seen: list[str] = []
    found: list[str] = []
    failures: list[BaseException] = []

    def rebuild() -> None:
        app = App(demo_url)
        try:
            while len(seen) < 10:  # rebuild again and again while the readers read
                app.read_models().rebuild()
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            stop.set()
            app.close()

    readers = [
        threading.Thread(target=lambda: found.extend(_read_until(demo_url, stop, seen)))
        for _ in range(2)
    ]
    builder = threading.Thread(target=rebuild)
    for thread in [*readers, builder]:
        thread.start()
    for thread in [*readers, builder]:
        thread.join()
    assert failures == []
    assert found == []
    assert seen
    assert len(set(seen)) == 1
