"""The step events read model: `plan history --step` reads the plan-wide events and the
step's own, found by their stream versions, and answers what the whole log answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from events import EventStore, NewEvent
from pacflow.app import App
from pacflow.app.changes import execute
from pacflow.app.plans import plan_history
from pacflow.demo import DEMO_PLAN
from pacflow.domain import evolve, from_payload
from pacflow.domain.touches import STEP_LOCAL_TYPES, touches
from pacflow.errors import NotFoundError
from pacflow.read_models import read_models
from pacflow.service import PlanService
from projections import engine as engine_module
from projections.history import HistoryFilter, PlanHistory
from projections.queries import step_event_versions
from projections.step_events import StepEvents
from tests.projections.test_read_model import demo_at

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def demo_url(sql_store_url: str) -> str:
    """A SQL store holding the demo plan (about 500 events)."""
    demo_at(sql_store_url).close()
    return sql_store_url


@pytest.fixture
def app(demo_url: str) -> Iterator[App]:
    application = App(demo_url, clock=lambda: NOW)
    yield application
    application.close()


def _from_the_whole_log(store: EventStore, step: str) -> list[object]:
    return list(
        PlanHistory().entries_of_records(store.read_stream(DEMO_PLAN), HistoryFilter(step=step))
    )


def _versions(app: App, step: str) -> list[int]:
    with app.read_model_rows() as rows:
        return step_event_versions(rows, DEMO_PLAN, step)


def test_a_step_history_is_the_one_the_whole_log_gives(app: App) -> None:
    store = app.store()
    steps = PlanService(store).require(DEMO_PLAN).steps
    length = store.stream_version(DEMO_PLAN)
    for step in steps:
        answer = plan_history(app, DEMO_PLAN, step=step)
        assert answer.entries == _from_the_whole_log(store, step), step
        assert answer.entries, step  # every step of the demo has a history
        assert len(_versions(app, step)) < length  # the other steps' events are left unread
    # S08's visits are held through the year: their events are S08's, and only S08's.
    held = [e for e in plan_history(app, DEMO_PLAN, step="S08").entries if e.occurrences]
    assert held
    assert all(o.startswith("S08@") for e in held for o in e.occurrences)
    assert not any(e.occurrences for e in plan_history(app, DEMO_PLAN, step="S15").entries)


def test_each_step_reads_the_plan_wide_events_and_its_own(app: App) -> None:
    """What each event touches, as the domain says it of the decoded event: an event of a
    step or a visit of it is that step's alone; any other is read for every step."""
    store = app.store()
    state = None
    plan_wide: list[int] = []
    own: dict[str, list[int]] = {}
    for recorded in store.read_stream(DEMO_PLAN):
        event = from_payload(recorded.type, recorded.schema_version, recorded.data)
        if recorded.type in STEP_LOCAL_TYPES:
            (step,) = touches(event, state).steps
            own.setdefault(step, []).append(recorded.stream_version)
        else:
            plan_wide.append(recorded.stream_version)
        state = evolve(state, event)
    assert len(own) > 40
    assert len(own["S08"]) > 20  # S08's visits are held through the year
    for step, versions in own.items():
        assert _versions(app, step) == sorted(plan_wide + versions), step


def test_an_unknown_step_is_named(app: App) -> None:
    with pytest.raises(NotFoundError, match="--step S99: no such step in plan PAC-2025"):
        plan_history(app, DEMO_PLAN, step="S99")


def test_a_change_just_written_is_in_the_step_history(app: App) -> None:
    before = plan_history(app, DEMO_PLAN, step="S40").entries
    execute(app, "CompleteStep", {"plan": DEMO_PLAN, "step": "S40", "on": "2025-12-19"}, actor="hg")
    after = plan_history(app, DEMO_PLAN, step="S40").entries
    assert after[: len(before)] == before
    assert [(e.actor, e.event_type, e.steps) for e in after[len(before) :]] == [
        ("hg", "StepCompleted", ("S40",))
    ]
    assert after == _from_the_whole_log(app.store(), "S40")


def test_windows_done_again_cut_differently_read_the_same(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass stopped before its checkpoint moved is done again, its windows maybe cut
    elsewhere: rows then repeat versions, which are read once."""
    with EventStore.from_url(demo_url) as store:
        steps = list(PlanService(store).require(DEMO_PLAN).steps)
        engine = read_models(store, workers=1)
        engine.rebuild()
        with engine.database.connect() as connection:
            expected = {step: step_event_versions(connection, DEMO_PLAN, step) for step in steps}
        head = store.head_position()
        for every, back_to in ((100, head // 3), (37, head // 2), (1000, 0)):
            monkeypatch.setattr(engine_module, "COMMIT_EVERY", every)
            with engine.database.begin() as connection:
                connection.execute(
                    engine_module.checkpoints.update()
                    .where(engine_module.checkpoints.c.name == StepEvents.name)
                    .values(position=back_to)
                )
            assert engine.catch_up() == head - back_to
            with engine.database.connect() as connection:
                found = {step: step_event_versions(connection, DEMO_PLAN, step) for step in steps}
            assert found == expected


@pytest.fixture
def numbered(store: EventStore) -> EventStore:
    """Two streams of 1,200 events each, interleaved, each event saying its number."""
    for start in range(0, 1200, 300):
        for stream in ("a", "b"):
            events = [NewEvent("Counted", {"n": n}) for n in range(start + 1, start + 301)]
            store.append(stream, events)
    return store


def test_a_stream_is_read_at_the_versions_asked(numbered: EventStore) -> None:
    asked = [1, 2, 7, 499, 500, 501, 1000, 1199, 1200]
    read = list(numbered.read_stream_versions("b", asked))
    assert [(r.stream_id, r.stream_version, r.data["n"]) for r in read] == [
        ("b", v, v) for v in asked
    ]
    every = list(range(1, 1201))
    assert [r.stream_version for r in numbered.read_stream_versions("a", every)] == every
    assert [r.stream_version for r in numbered.read_stream_versions("a", [3, 1201, 5000])] == [3]
    assert list(numbered.read_stream_versions("a", [])) == []
    assert list(numbered.read_stream_versions("missing", [1, 2])) == []
