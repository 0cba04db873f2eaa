"""The plan read model: incremental catch-up equals a rebuild equals the folded state."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import EventStore
from pacflow.demo import SettableClock, build_demo
from pacflow.domain import commands as c
from pacflow.domain import fold
from pacflow.service import PlanService
from projections import plans as rm
from projections.engine import ProjectionEngine, projection_engine_for
from projections.plan_events import plan_event

_TABLES = (
    rm.plans,
    rm.people,
    rm.targets,
    rm.objectives,
    rm.tracks,
    rm.steps,
    rm.occurrences,
    rm.indicators,
)


def table_rows(engine: ProjectionEngine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.database.connect() as connection:
        return {
            table.name: sorted(tuple(row) for row in connection.execute(sa.select(table)))
            for table in _TABLES
        }


def expected_rows(service: PlanService, plans: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows the read model must hold: computed from each plan's folded state."""
    found: dict[str, list[tuple[Any, ...]]] = {table.name: [] for table in _TABLES}
    for plan in plans:
        state = service.require(plan)
        for table, rows in rm.rows_of(state).items():
            found[table.name] += [tuple(row[c.name] for c in table.columns) for row in rows]
    return {name: sorted(rows) for name, rows in found.items()}


def make_engine(store: EventStore, cache_size: int = 256) -> ProjectionEngine:
    return ProjectionEngine(
        store, [rm.PlanReadModel(store, cache_size)], projection_engine_for(store)
    )


def demo_at(url: str) -> EventStore:
    """The store at `url`, open, with the demo plan recorded in it (its clock the demo's)."""
    opened: list[EventStore] = []

    def opener(clock: SettableClock) -> EventStore:
        opened.append(EventStore.from_url(url, clock=clock))
        return opened[0]

    build_demo(opener)
    return opened[0]


@pytest.fixture(scope="module")
def demo_store() -> EventStore:
    return demo_at("memory://")


def test_the_demo_plan_read_model_matches_its_state(demo_store: EventStore) -> None:
    engine = make_engine(demo_store)
    assert engine.catch_up() == demo_store.head_position()
    rows = table_rows(engine)
    assert rows == expected_rows(PlanService(demo_store), ["PAC-2025"])
    assert len(rows["rm_steps"]) == 47
    status = engine.status()[0]
    assert (status.checkpoint, status.lag) == (demo_store.head_position(), 0)


def test_a_small_cache_folds_evicted_plans_again_and_gives_the_same_rows(
    demo_store: EventStore,
) -> None:
    small = make_engine(demo_store, cache_size=0)
    small.catch_up()
    full = make_engine(demo_store)
    full.catch_up()
    assert table_rows(small) == table_rows(full)


def test_a_version_change_rebuilds_from_zero(demo_store: EventStore) -> None:
    engine = make_engine(demo_store)
    engine.catch_up()
    projector = engine.projector("plans")
    projector.version += 1  # as if its code had changed
    assert engine.status()[0].lag == demo_store.head_position()
    assert engine.catch_up() == demo_store.head_position()
    assert engine.status()[0].lag == 0


# -- random command sequences: incremental == rebuilt == folded ---------------------------

PLANS = ["P1", "P2"]
STEPS = ["S1", "S2", "S3"]


def _build(command_type: type[c.Command], base: dict[str, Any], **fields: Any) -> c.Command:
    return c.build_command(command_type, {**base, **fields})


def _setup(service: PlanService, plan: str) -> None:
    base: dict[str, Any] = {"plan": plan, "actor": "hg"}
    service.execute_all(
        plan,
        [
            _build(
                c.CreatePlan,
                base,
                title=plan,
                start="2025-01-01",
                end="2025-12-31",
                timezone="Europe/Paris",
                owner="hg",
            ),
            _build(c.AddPerson, base, key="hg", name="H", kind="manager"),
            _build(c.AddPerson, base, key="cd", name="C", kind="rep"),
            _build(c.AddTarget, base, key="T1", kind="customer", title="T", responsible="cd"),
            _build(
                c.AddTrack,
                base,
                key="K1",
                target="T1",
                domain="sales",
                approach="farming",
                title="K",
            ),
        ],
    )


_actions = st.lists(
    st.tuples(
        st.sampled_from(PLANS),
        st.sampled_from(
            [
                "add",
                "done",
                "start",
                "assign",
                "move",
                "visit",
                "cancel",
                "objective",
                "leave",
                "remove",
            ]
        ),
        st.sampled_from(STEPS),
        st.integers(1, 28),
    ),
    max_size=25,
)


def _command(plan: str, action: str, step: str, day: int) -> c.Command | None:
    base: dict[str, Any] = {"plan": plan, "actor": "hg"}
    on = f"2025-03-{day:02}"
    match action:
        case "add":
            return _build(
                c.AddStep,
                base,
                key=step,
                track="K1",
                title=step,
                responsible="cd",
                parallel=True,
                schedule={"kind": "cadence", "count": 2, "per": "month"}
                if step == "S3"
                else {"kind": "due", "due": on},
            )
        case "done":
            return _build(c.CompleteStep, base, step=step, on=on)
        case "start":
            return _build(c.StartStep, base, step=step, on=on)
        case "assign":
            return _build(c.AssignStep, base, step=step, responsible="hg", participants=["cd"])
        case "move":
            return _build(
                c.MoveStep, base, step=step, schedule={"kind": "due", "due": f"2025-04-{day:02}"}
            )
        case "visit":
            return _build(
                c.CompleteOccurrence,
                base,
                occurrence=f"S3@2025-0{1 + day % 9}-0{1 + day % 7}",
                on=on,
            )
        case "cancel":
            return _build(c.CancelStep, base, step=step, on=on, reason="no longer needed")
        case "remove":
            return _build(c.RemoveStep, base, step=step)
        case "objective":
            return _build(
                c.SetObjective,
                base,
                target="T1",
                statement="grow",
                value=day,
                unit="kEUR",
                due="2025-12-31",
            )
        case _:
            return _build(c.PersonLeaves, base, person="cd", on=on)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=_actions, split=st.integers(0, 25))
def test_incremental_catch_up_equals_a_rebuild_and_the_folded_state(
    actions: list[tuple[str, str, str, int]], split: int
) -> None:
    from pacflow.errors import PacflowError

    store = EventStore.from_url("memory://")
    service = PlanService(store)
    incremental = make_engine(store, cache_size=1)
    for plan in PLANS:
        _setup(service, plan)
    for index, (plan, action, step, day) in enumerate(actions):
        command = _command(plan, action, step, day)
        # Refused commands record nothing; that is part of what is tested.
        if command is not None:
            with contextlib.suppress(PacflowError):
                service.execute(command)
        if index == split:
            incremental.catch_up()
    incremental.catch_up()
    rebuilt = make_engine(store)
    rebuilt.rebuild()
    assert table_rows(incremental) == table_rows(rebuilt) == expected_rows(service, PLANS)


def test_steps_keep_the_plan_s_order_after_steps_are_removed_from_a_draft() -> None:
    """Two steps taken out of a draft, then the last one edited in a later catch-up: the
    plan read from the read model lists the track's steps in the folded state's order."""
    from pacflow.views import plan_view
    from projections.queries import plan_view as read_model_view

    store = EventStore.from_url("memory://")
    service = PlanService(store)
    engine = make_engine(store)
    base: dict[str, Any] = {"plan": "P1", "actor": "hg"}
    _setup(service, "P1")
    for step in ("S1", "S2", "S3", "S4", "S5"):
        command = _command("P1", "add", step, 3)
        assert command is not None
        service.execute(command)
    engine.catch_up()
    service.execute(_build(c.RemoveStep, base, step="S1"))
    service.execute(_build(c.RemoveStep, base, step="S2"))
    engine.catch_up()
    service.execute(_build(c.StartStep, base, step="S5", on="2025-03-04"))
    engine.catch_up()
    with engine.database.connect() as connection:
        view = read_model_view(connection, "P1")
    assert view is not None
    assert [s["key"] for s in view["tracks"][0]["steps"]] == ["S3", "S4", "S5"]
    assert view == plan_view(service.require("P1"))
    rebuilt = make_engine(store)
    rebuilt.rebuild()
    assert table_rows(engine) == table_rows(rebuilt) == expected_rows(service, ["P1"])


def test_the_read_model_gives_the_same_plan_view_as_the_folded_state(
    demo_store: EventStore,
) -> None:
    from pacflow.views import plan_view
    from projections.queries import plan_summaries
    from projections.queries import plan_view as read_model_view

    engine = make_engine(demo_store)
    engine.catch_up()
    state = PlanService(demo_store).require("PAC-2025")
    with engine.database.connect() as connection:
        assert read_model_view(connection, "PAC-2025") == plan_view(state)
        assert read_model_view(connection, "NOPE") is None
        summaries = plan_summaries(connection)
    assert [(s["key"], s["status"], s["revision"]) for s in summaries] == [
        ("PAC-2025", "published", 3)
    ]


def test_snapshots_round_trip_and_give_the_same_as_of_plan(demo_store: EventStore) -> None:
    from datetime import UTC, datetime

    from pacflow.views import plan_view
    from projections.snapshots import load_as_of
    from projections.state_json import dump_state, load_state

    service = PlanService(demo_store)
    state = service.require("PAC-2025")
    assert plan_view(load_state(dump_state(state))) == plan_view(state)
    engine = ProjectionEngine(
        demo_store,
        [rm.PlanReadModel(demo_store, snapshot_every=50, snapshot_weight=0)],
        projection_engine_for(demo_store),
    )
    engine.catch_up()
    with engine.database.connect() as connection:
        versions = connection.execute(sa.select(rm.snapshots.c.version)).scalars().all()
    assert versions == list(range(50, demo_store.stream_version("PAC-2025") + 1, 50))
    for moment in (
        datetime(2024, 12, 16, 9, 30, tzinfo=UTC),
        datetime(2025, 3, 10, 9, 14, tzinfo=UTC),
        datetime(2025, 6, 30, 16, 2, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    ):
        expected = service.load("PAC-2025", until=moment)
        found = load_as_of(demo_store, engine.database, "PAC-2025", moment)
        if expected is None:
            assert found is None
        else:
            assert found is not None
            assert plan_view(found) == plan_view(expected)


def test_snapshots_thin_out_as_a_plan_s_state_grows(demo_store: EventStore) -> None:
    engine = ProjectionEngine(
        demo_store,
        [rm.PlanReadModel(demo_store, snapshot_every=10, snapshot_weight=0.5)],
        projection_engine_for(demo_store),
    )
    engine.catch_up()
    with engine.database.connect() as connection:
        versions = connection.execute(sa.select(rm.snapshots.c.version)).scalars().all()
    previous = 0
    for version in versions:
        stream = demo_store.read_stream("PAC-2025", to_version=version)
        state = fold(plan_event(recorded) for recorded in stream)
        assert state is not None
        # Never sooner than half an event per entity since the previous snapshot.
        assert version - previous >= max(10, rm.entity_count(state) / 2), version
        previous = version
    assert 2 <= len(versions) < demo_store.stream_version("PAC-2025") // 10


def test_the_read_model_in_the_store_database_on_sqlite_and_postgres(sql_store_url: str) -> None:
    from pacflow.views import plan_view
    from projections.queries import plan_view as read_model_view

    store = demo_at(sql_store_url)
    try:
        engine = make_engine(store, cache_size=2)
        engine.catch_up()
        assert table_rows(engine) == expected_rows(PlanService(store), ["PAC-2025"])
        with engine.database.connect() as connection:
            view = read_model_view(connection, "PAC-2025")
        assert view == plan_view(PlanService(store).require("PAC-2025"))
    finally:
        store.close()
