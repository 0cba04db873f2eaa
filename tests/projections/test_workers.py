"""A long projection pass shared by worker processes: the same rows as one process alone
gives, progress to the head, and a worker's failure failing the whole pass with nothing
moved (the next catch-up does it all again)."""

from __future__ import annotations

import functools
import os
from typing import Any

import pytest
import sqlalchemy as sa

from events import EventStore, NewEvent
from pacflow.read_models import read_models
from pacflow.service import PlanService
from projections import engine as engine_module
from projections.engine import ProjectionEngine, projection_engine_for
from projections.indicator_facts import IndicatorFacts
from projections.plans import PlanReadModel
from projections.workers import WorkerError, portions
from tests.projections.test_engine import fact_rows
from tests.projections.test_read_model import demo_at, expected_rows, table_rows

COPIES = ["COPY-1", "COPY-2", "COPY-3"]
PLANS = ["PAC-2025", *COPIES]


@pytest.fixture
def plans_url(sql_store_url: str) -> str:
    """A SQL store holding the demo plan and three copies of its stream (four streams of
    about 500 events, interleaved as teams working at once would write them)."""
    store = demo_at(sql_store_url)
    events = list(store.read_stream("PAC-2025"))
    for start in range(0, len(events), 100):
        for copy in COPIES:
            batch = [
                NewEvent(
                    e.type,
                    {**e.data, "key": copy} if e.type == "PlanCreated" else e.data,
                    e.metadata,
                )
                for e in events[start : start + 100]
            ]
            store.append(copy, batch, expected_version=start)
    store.close()
    return sql_store_url


def _rows(engine: ProjectionEngine) -> tuple[Any, ...]:
    return table_rows(engine), fact_rows(engine)


def test_a_shared_rebuild_gives_the_rows_one_process_gives(
    plans_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "COMMIT_EVERY", 300)  # several windows in each share
    with EventStore.from_url(plans_url) as store:
        alone = read_models(store, workers=1, parallel_from=1)
        alone.rebuild()
        assert alone.last_pass is not None
        assert alone.last_pass.processes == 1
        by_one = _rows(alone)

        shared = read_models(store, workers=3, parallel_from=1)
        seen: list[tuple[str, int, int]] = []
        shared.rebuild(progress=lambda *reached: seen.append(reached))
        assert shared.last_pass is not None
        assert shared.last_pass.processes == 3
        assert all(mb > 0 for mb in shared.last_pass.worker_peak_rss_mb)
        assert _rows(shared) == by_one
        assert table_rows(shared) == expected_rows(PlanService(store), PLANS)
        head = store.head_position()
        assert all(status.checkpoint == head and status.lag == 0 for status in shared.status())
        for name in ("plans", "indicator_facts"):
            positions = [position for n, position, _ in seen if n == name]
            assert positions == sorted(positions)
            assert positions[-1] == head
            assert len(positions) > 2  # the bar moves as the workers' windows land


def test_a_shared_catch_up_takes_only_what_each_projector_has_not_seen(plans_url: str) -> None:
    with EventStore.from_url(plans_url) as store:
        head = store.head_position()
        events = list(store.read_all())
    # The read models as they stood halfway through the log: built on a copy of its start.
    with EventStore.from_url(plans_url) as store:
        engine = read_models(store, workers=2, parallel_from=1)
        engine.rebuild()
        with engine.database.begin() as connection:  # back to halfway: as if never caught up
            connection.execute(sa.update(engine_module.checkpoints).values(position=head // 2))
        applied = engine.catch_up()
        assert applied == sum(
            (e.position > head // 2) * (2 + (e.type in IndicatorFacts.handles)) for e in events
        )
        assert engine.last_pass is not None
        assert engine.last_pass.processes == 2
        assert table_rows(engine) == expected_rows(PlanService(store), PLANS)
        assert engine.catch_up() == 0


def failing_read_models(url: str, how: str) -> ProjectionEngine:
    """What a worker builds in the failure tests: the read models, whose first flush fails
    (`how`: with a value the database refuses, or by the process dying)."""
    store = EventStore.from_url(url)
    plans = PlanReadModel(store)

    def flush(connection: sa.Connection) -> None:
        if how == "die":
            os._exit(3)
        raise ValueError("a value the read model refuses")

    plans.flush = flush  # type: ignore[method-assign]
    return ProjectionEngine(store, [plans, IndicatorFacts()], projection_engine_for(store))


@pytest.mark.parametrize(
    ("how", "error", "said"),
    [
        ("refuse", ValueError, "a value the read model refuses"),
        (
            "die",
            WorkerError,
            r"worker stopped \(exit code 3\); PACFLOW_PROJECTION_WORKERS=1 builds",
        ),
    ],
)
def test_a_worker_that_fails_fails_the_pass_and_moves_no_checkpoint(
    plans_url: str, how: str, error: type[Exception], said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "COMMIT_EVERY", 300)  # a portion for each stream
    with EventStore.from_url(plans_url) as store:
        projectors = [PlanReadModel(store), IndicatorFacts()]
        engine = ProjectionEngine(
            store,
            projectors,
            projection_engine_for(store),
            recipe=functools.partial(failing_read_models, plans_url, how),
            workers=2,
            parallel_from=1,
        )
        with pytest.raises(error, match=said):
            engine.rebuild()
        assert {status.checkpoint for status in engine.status()} == {0}
        # The next pass (here alone) does it all again, and right.
        engine = read_models(store, workers=1)
        engine.catch_up()
        assert table_rows(engine) == expected_rows(PlanService(store), PLANS)


def test_streams_are_dealt_whole_in_portions_of_a_window_the_longest_first() -> None:
    spans = [("A", 1, 200), ("BIG", 1, 600), ("B", 5, 204), ("C", 1, 300), ("D", 1, 100)]
    dealt = portions(spans, 250)
    assert sorted(span for portion in dealt for span in portion) == sorted(spans)
    assert dealt == [
        [("BIG", 1, 600)],  # taken first: taken last, it would end the pass alone
        [("C", 1, 300)],
        [("A", 1, 200), ("B", 5, 204)],
        [("D", 1, 100)],  # the rest, short of a window
    ]
    assert portions([], 250) == []


def test_the_terminal_bar_of_a_shared_catch_up_ends_at_the_events_to_read(
    plans_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    from pacflow.cli import progress
    from tests.cli import test_projection_commands as bars

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(progress, "SHOW_AFTER", 10)
    monkeypatch.setattr(engine_module, "COMMIT_EVERY", 200)
    monkeypatch.setattr("click.progressbar", bars._RecordedBar)
    monkeypatch.setattr(sys, "stderr", Terminal())
    bars.made.clear()
    with EventStore.from_url(plans_url) as store:
        engine = read_models(store, workers=2, parallel_from=1)
        lag = store.head_position()
        progress.catch_up_with_progress(engine, lag)
        assert engine.last_pass is not None
        assert engine.last_pass.processes == 2
    (bar,) = bars.made
    assert len(bar.steps) >= 4  # the bar moves with both processes' windows
    assert sum(bar.steps) == lag  # and ends at the events read, never past


def test_a_worker_that_cannot_start_is_a_one_line_store_error_that_says_what_to_do(
    plans_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pacflow.errors import StoreError

    monkeypatch.setenv("PYTHONHOME", os.devnull)  # the workers' interpreter cannot start
    with EventStore.from_url(plans_url) as store:
        engine = read_models(store, workers=2, parallel_from=1)
        with pytest.raises(StoreError) as raised:
            engine.rebuild()
        assert {status.checkpoint for status in engine.status()} == {0}
    error = raised.value
    assert (error.exit_code, error.code) == (3, "projection-worker-stopped")
    assert "\n" not in str(error)
    assert str(error).startswith(
        "a projection worker stopped (exit code 1): ModuleNotFoundError: No module named"
    )
    assert str(error).endswith(
        "; PACFLOW_PROJECTION_WORKERS=1 builds the read models in one process"
    )
