"""The indicator facts read model answers what the fold of the log answers, on every backend;
derived indicators count visits and steps as their events arrive."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from events import EventStore, RecordedEvent
from events.memory import InMemoryEventStore
from pacflow.demo import DEMO_PLAN, SettableClock, build_demo
from pacflow.domain import PlanEvent
from pacflow.domain import commands as c
from pacflow.domain.state import PlanState
from pacflow.errors import InvalidInputError, NotFoundError
from pacflow.read_models import read_models
from pacflow.service import PlanService
from projections.engine import ProjectionEngine, projection_engine_for
from projections.indicator_facts import IndicatorFacts
from projections.indicator_folds import indicator_histories, indicator_history
from projections.indicator_queries import indicator_histories_at, indicator_history_at
from projections.indicators import IndicatorHistory
from projections.obsolescence import check, records_for_rules, report
from projections.snapshots import load_at_version
from tests.conftest import ManualClock
from tests.projections.test_history import paris

PLAN = "PAC-T"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def engine_for(store: EventStore) -> ProjectionEngine:
    return ProjectionEngine(store, [IndicatorFacts()], projection_engine_for(store))


def actuals(history: IndicatorHistory) -> dict[str, Decimal | None]:
    return {f.period: f.actual for f in history.periods if f.actual is not None}


# --- the demo: every indicator, at moments across the year ----------------------------------


@pytest.fixture(scope="module")
def demo_store() -> InMemoryEventStore:
    opened: list[InMemoryEventStore] = []

    def open_store(clock: SettableClock) -> InMemoryEventStore:
        opened.append(InMemoryEventStore(clock=clock))
        return opened[-1]

    build_demo(open_store)
    return opened[-1]


MOMENTS = [
    None,
    paris("2025-01-10T12:00"),
    paris("2025-03-24T09:00"),
    paris("2025-05-01T23:59:59"),
    paris("2025-05-06T09:00"),
    paris("2025-06-30T18:03"),
    paris("2025-09-05T09:00"),
    paris("2026-01-05T09:00"),
]


@pytest.mark.parametrize("running", [False, True])
@pytest.mark.parametrize("as_of", MOMENTS)
def test_the_demo_read_model_gives_what_the_fold_gives(
    demo_store: InMemoryEventStore, as_of: datetime | None, running: bool
) -> None:
    engine = engine_for(demo_store)
    engine.catch_up()
    database = engine.database
    records = list(PlanService(demo_store).history(DEMO_PLAN))
    header, from_rows = indicator_histories_at(database, DEMO_PLAN, as_of, now=NOW, running=running)
    assert from_rows == indicator_histories(records, as_of, now=NOW, running=running)
    assert (header.key, header.period.timezone) == (DEMO_PLAN, "Europe/Paris")
    for history in from_rows:
        key = history.indicator.key
        one = indicator_history_at(
            database, DEMO_PLAN, key, as_of, "2025-02", now=NOW, running=running
        )
        assert one == indicator_history(records, key, as_of, "2025-02", now=NOW, running=running)


def test_the_read_model_refuses_what_the_fold_refuses(demo_store: InMemoryEventStore) -> None:
    engine = engine_for(demo_store)
    engine.catch_up()
    database = engine.database
    with pytest.raises(NotFoundError, match="no such plan"):
        indicator_history_at(database, "PAC-9", "I1", now=NOW)
    with pytest.raises(NotFoundError, match="no such plan"):
        indicator_history_at(database, DEMO_PLAN, "I1", paris("2024-01-01T00:00"), now=NOW)
    with pytest.raises(NotFoundError, match="indicator I9: unknown in plan PAC-2025"):
        indicator_history_at(database, DEMO_PLAN, "I9", now=NOW)
    with pytest.raises(InvalidInputError, match="indicator I7: --from 2024-12 is outside"):
        indicator_history_at(database, DEMO_PLAN, "I7", None, "2024-12", now=NOW)


def test_a_rebuild_gives_the_rows_catching_up_gave(demo_store: InMemoryEventStore) -> None:
    engine = engine_for(demo_store)
    assert engine.catch_up() > 0
    before = indicator_histories_at(engine.database, DEMO_PLAN, now=NOW)
    projector = engine.projector("indicator_facts")
    projector.version += 1  # as if its code had changed: the next catch-up rebuilds
    assert engine.status()[0].lag == demo_store.head_position()
    engine.catch_up()
    assert engine.status()[0].lag == 0
    assert indicator_histories_at(engine.database, DEMO_PLAN, now=NOW) == before


# --- derived indicators, as the events arrive, on every backend --------------------------------


class Plan:
    """A small plan run through the application service, at moments set on the clock."""

    def __init__(self, store: EventStore, clock: ManualClock) -> None:
        self.service = PlanService(store)
        self.clock = clock
        self.engine = engine_for(store)

    def run(self, at: str, command_type: type[c.Command], **fields: Any) -> None:
        self.clock.set(paris(at))
        command = c.build_command(command_type, {"plan": PLAN, "actor": "cd", **fields})
        self.service.execute(command)

    def history(
        self, key: str, as_of: str | None = None, *, running: bool = True
    ) -> IndicatorHistory:
        """From the read model (caught up first), checked against the fold of the log."""
        moment = paris(as_of) if as_of is not None else None
        now = self.clock()
        self.engine.catch_up()
        database = self.engine.database
        found = indicator_history_at(database, PLAN, key, moment, now=now, running=running)
        records = list(self.service.history(PLAN))
        assert found == indicator_history(records, key, moment, now=now, running=running)
        return found


VISITS = {"kind": "recurrence", "rules": [
    {"dtstart": "2025-01-14T10:00", "rrule": "FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=12"}
]}  # fmt: skip


@pytest.fixture
def plan(store: EventStore, clock: ManualClock) -> Plan:
    made = Plan(store, clock)
    at = "2024-12-16T10:00"
    made.run(at, c.CreatePlan, title="T", start="2025-01-01", end="2025-06-30",
             timezone="Europe/Paris", owner="hg")  # fmt: skip
    made.run(at, c.AddPerson, key="hg", name="Hélène", kind="manager")
    made.run(at, c.AddPerson, key="cd", name="Claire", kind="rep")
    made.run(at, c.AddTarget, key="T1", kind="customer", title="BRC", responsible="cd")
    made.run(at, c.AddTrack, key="T1-INFO", target="T1", domain="information", title="Info")
    made.run(at, c.AddTrack, key="T1-ELEV", target="T1", domain="sales", approach="farming",
             title="Visites")  # fmt: skip
    made.run(at, c.AddStep, key="S01", track="T1-INFO", title="Carto", responsible="cd",
             schedule={"kind": "due", "due": "2025-01-31"})  # fmt: skip
    made.run(at, c.AddStep, key="S02", track="T1-INFO", title="Qualif", responsible="cd",
             schedule={"kind": "due", "due": "2025-02-14"})  # fmt: skip
    made.run(at, c.AddStep, key="S08", track="T1-ELEV", title="Visite", responsible="cd",
             schedule=VISITS)  # fmt: skip
    made.run(at, c.DefineIndicator, key="I2", name="Visites chez BRC", kind="activity",
             unit="count", owner="cd",
             derived={"kind": "visits_done", "steps": ["S08"]})  # fmt: skip
    made.run(at, c.DefineIndicator, key="I9", name="Étapes à l'heure (cumul)", kind="activity",
             unit="count", owner="hg", aggregation="cumulative_ytd",
             derived={"kind": "steps_on_time", "target": "T1"})  # fmt: skip
    made.run(at, c.SetIndicatorTargets, indicator="I2",
             targets={f"2025-0{m}": 2 for m in range(1, 7)})  # fmt: skip
    return made


def test_visits_count_in_the_period_they_were_held_as_they_are_recorded(plan: Plan) -> None:
    assert actuals(plan.history("I2")) == {}
    plan.run("2025-01-14T18:30", c.CompleteOccurrence, occurrence="S08@2025-01-14",
             on="2025-01-14")  # fmt: skip
    january = plan.history("I2").periods[0]
    assert (january.actual, january.target, january.attainment) == (
        Decimal(1),
        Decimal(2),
        Decimal("50.0"),
    )
    assert january.derived
    assert not january.corrected
    assert january.recorded is not None
    assert (january.recorded.recorded_at, january.recorded.actor) == (
        paris("2025-01-14T18:30"),
        "cd",
    )
    # The second January visit is entered on 3 February, after the fact.
    plan.run("2025-02-03T09:00", c.CompleteOccurrence, occurrence="S08@2025-01-28",
             on="2025-01-28")  # fmt: skip
    plan.run("2025-02-11T18:00", c.CompleteOccurrence, occurrence="S08@2025-02-11",
             on="2025-02-11")  # fmt: skip
    now = plan.history("I2")
    assert actuals(now) == {"2025-01": 2, "2025-02": 1}
    assert [f.cumulative for f in now.periods[:2]] == [2, 3]
    before = plan.history("I2", as_of="2025-02-02T23:00")
    assert actuals(before) == {"2025-01": 1}  # not yet recorded: not counted
    # Rules that judge whole periods (off track) see a period once it is over only.
    assert actuals(plan.history("I2", running=False)) == {"2025-01": 2}


def test_a_period_over_with_nothing_held_is_zero(plan: Plan) -> None:
    plan.run("2025-03-05T09:00", c.CancelOccurrence, occurrence="S08@2025-02-11",
             reason="Absent")  # fmt: skip
    found = plan.history("I2")
    assert actuals(found) == {"2025-01": 0, "2025-02": 0}  # March is still running
    january = found.periods[0]
    assert (january.recorded, january.derived, january.gap) == (None, True, Decimal(-2))
    assert found.as_json(paris("2025-01-01T00:00").tzinfo or UTC)["derived"] == {
        "kind": "visits_done",
        "steps": ["S08"],
        "description": "visits done of step S08",
    }


def test_steps_done_on_time_add_up_over_the_year(plan: Plan) -> None:
    plan.run("2025-01-30T17:00", c.CompleteStep, step="S01", on="2025-01-30")
    plan.run("2025-02-20T17:00", c.CompleteStep, step="S02", on="2025-02-20")  # late
    found = plan.history("I9")
    assert actuals(found) == {"2025-01": 1, "2025-02": 1}
    assert [f.period_value for f in found.periods[:2]] == [1, 0]
    assert actuals(plan.history("I9", as_of="2025-01-29T12:00")) == {}


def test_a_derivation_declared_later_counts_what_was_already_done(plan: Plan) -> None:
    plan.run("2025-01-14T18:30", c.CompleteOccurrence, occurrence="S08@2025-01-14",
             on="2025-01-14")  # fmt: skip
    plan.run("2025-02-01T10:00", c.DefineIndicator, key="I3", name="Visites T1",
             kind="activity", unit="count", owner="cd",
             derived={"kind": "visits_done", "target": "T1"})  # fmt: skip
    assert actuals(plan.history("I3")) == {"2025-01": 1}
    with pytest.raises(NotFoundError, match="indicator I3: unknown yet"):
        plan.history("I3", as_of="2025-01-31T12:00")


def test_moving_visits_keeps_counting_them(plan: Plan) -> None:
    plan.run("2025-01-06T09:00", c.ApprovePlan)
    plan.run("2025-01-06T09:01", c.RevisePlan, reason="Moins de visites")
    later = {"kind": "recurrence", "rules": [
        {"dtstart": "2025-01-14T10:00", "rrule": "FREQ=MONTHLY;BYDAY=2TU;COUNT=6"}
    ]}  # fmt: skip
    plan.run("2025-01-06T09:02", c.MoveStep, step="S08", schedule=later, reason="Gel")
    plan.run("2025-01-14T18:30", c.CompleteOccurrence, occurrence="S08@2025-01-14",
             on="2025-01-14")  # fmt: skip
    assert actuals(plan.history("I2")) == {"2025-01": 1}


def test_a_running_period_shows_what_was_counted_so_far_only_when_asked(plan: Plan) -> None:
    plan.run("2025-01-14T18:30", c.CompleteOccurrence, occurrence="S08@2025-01-14",
             on="2025-01-14")  # fmt: skip
    assert actuals(plan.history("I2")) == {"2025-01": 1}
    assert actuals(plan.history("I2", running=False)) == {}
    plan.clock.set(paris("2025-02-01T00:00"))
    assert actuals(plan.history("I2", running=False)) == {"2025-01": 1}


def test_check_finds_a_derived_indicator_off_track(plan: Plan) -> None:
    records = list(plan.service.history(PLAN))  # no visit held in January or February
    findings = check(records, paris("2025-03-05T09:00"))
    assert "indicator-off-track" in [finding.rule for finding in findings]


def test_corrections_move_and_withdraw_what_was_counted(plan: Plan) -> None:
    """Read model and fold agree (checked by `history`) through corrections, and the
    values as known before each correction stay answerable."""
    plan.run("2025-02-12T09:00", c.CompleteOccurrence, occurrence="S08@2025-01-14",
             on="2025-02-11")  # fmt: skip
    plan.run("2025-02-12T09:01", c.CompleteOccurrence, occurrence="S08@2025-01-28")
    plan.run("2025-02-12T09:02", c.CompleteStep, step="S01", on="2025-02-10")  # late, by mistake
    plan.clock.set(paris("2025-03-03T09:00"))
    assert actuals(plan.history("I2")) == {"2025-01": 1, "2025-02": 1}
    assert actuals(plan.history("I9", running=False)) == {"2025-01": 0, "2025-02": 0}
    plan.run("2025-03-03T10:00", c.CorrectOccurrenceDone, occurrence="S08@2025-01-14",
             on="2025-01-14", reason="held on its day")  # fmt: skip
    plan.run("2025-03-03T10:01", c.CorrectStepDone, step="S01", on="2025-01-30",
             reason="typo")  # fmt: skip
    assert actuals(plan.history("I2")) == {"2025-01": 2, "2025-02": 0}
    assert actuals(plan.history("I9", running=False)) == {"2025-01": 1, "2025-02": 1}
    plan.run("2025-03-03T11:00", c.ReopenOccurrence, occurrence="S08@2025-01-14",
             reason="postponed")  # fmt: skip
    plan.run("2025-03-03T11:01", c.ReopenStep, step="S01", reason="not finished")
    assert actuals(plan.history("I2")) == {"2025-01": 1, "2025-02": 0}
    assert actuals(plan.history("I9", running=False)) == {"2025-01": 0, "2025-02": 0}
    plan.run("2025-03-03T12:00", c.CompleteOccurrence, occurrence="S08@2025-01-14",
             on="2025-02-25")  # fmt: skip
    plan.run("2025-03-03T12:01", c.CorrectOccurrenceDone, occurrence="S08@2025-01-14",
             on="2025-02-26", reason="typo")  # fmt: skip
    assert actuals(plan.history("I2")) == {"2025-01": 1, "2025-02": 1}
    assert actuals(plan.history("I2", as_of="2025-03-03T10:30")) == {"2025-01": 2, "2025-02": 0}
    assert actuals(plan.history("I2", as_of="2025-03-01T00:00")) == {"2025-01": 1, "2025-02": 1}


@pytest.mark.parametrize("as_of", MOMENTS[1:])
def test_check_from_the_read_model_finds_what_the_fold_finds(
    demo_store: InMemoryEventStore, as_of: datetime
) -> None:
    # `pacflow check` streams the log and takes indicator figures from their read model
    # (nothing held): same findings, and same answers of each revision, as folding them.
    engine = engine_for(demo_store)
    engine.catch_up()
    service = PlanService(demo_store)

    def histories_at(moment: datetime) -> list[IndicatorHistory]:
        return indicator_histories_at(engine.database, DEMO_PLAN, moment, now=moment)[1]

    def state_at(version: int) -> PlanState:
        state = load_at_version(demo_store, engine.database, DEMO_PLAN, version)
        assert state is not None
        return state

    folded = report(list(service.history(DEMO_PLAN)), as_of)
    streamed = report(service.history(DEMO_PLAN), as_of, histories_at)
    assert streamed == folded
    # ...and with states from snapshots, without the events of one step it needs not read.
    final = service.load(DEMO_PLAN, until=as_of)
    assert final is not None
    skipped = records_for_rules(lambda kinds, v: service.history_without(DEMO_PLAN, kinds, v))
    assert report(skipped, as_of, histories_at, states=(state_at, final)) == folded


def test_check_from_the_read_model_finds_a_derived_indicator_off_track(plan: Plan) -> None:
    engine = plan.engine
    engine.catch_up()
    moment = paris("2025-03-05T09:00")

    def histories_at(at: datetime) -> list[IndicatorHistory]:
        return indicator_histories_at(engine.database, PLAN, at, now=at)[1]

    streamed = report(plan.service.history(PLAN), moment, histories_at)
    assert streamed == report(list(plan.service.history(PLAN)), moment)
    assert "indicator-off-track" in [finding.rule for finding in streamed.findings]


def test_check_from_snapshots_finds_what_the_fold_finds_on_a_long_plan(
    demo_store: InMemoryEventStore,
) -> None:
    # A long life after the demo (reassignments, so snapshots are taken), then a market
    # change answered by a revision: the check that reads states from snapshots, leaves the
    # reassignments unread and holds no record gives what folding everything gives.
    service = PlanService(demo_store)
    state = service.require(DEMO_PLAN)
    steps = [key for key, step in state.steps.items() if step.status == "planned"][:20]
    people = [key for key, person in state.people.items() if person.left_on is None][:3]

    def run(command_type: type[c.Command], **fields: object) -> None:
        data = {"plan": DEMO_PLAN, "actor": "hg", "reason": "rotation", **fields}
        service.execute(c.build_command(command_type, data))

    run(c.RevisePlan)
    for turn in range(2_400):
        run(c.AssignStep, step=steps[turn % len(steps)], responsible=people[turn % len(people)])
    run(c.PublishPlan)
    engine = read_models(demo_store)  # the plans' read model takes the snapshots
    engine.catch_up()
    with engine.database.connect() as connection:
        taken = connection.exec_driver_sql(
            "SELECT count(*) FROM rm_snapshots WHERE plan = ?", (DEMO_PLAN,)
        ).scalar()
    assert taken  # the long tail was snapshotted
    as_of = datetime(2026, 2, 1, tzinfo=UTC)

    def histories_at(moment: datetime) -> list[IndicatorHistory]:
        return indicator_histories_at(engine.database, DEMO_PLAN, moment, now=moment)[1]

    def state_at(version: int) -> PlanState:
        found = load_at_version(demo_store, engine.database, DEMO_PLAN, version)
        assert found is not None
        return found

    final = service.load(DEMO_PLAN, until=as_of)
    assert final is not None
    skipped = records_for_rules(lambda kinds, v: service.history_without(DEMO_PLAN, kinds, v))
    bounded = report(skipped, as_of, histories_at, states=(state_at, final))
    assert bounded == report(list(service.history(DEMO_PLAN)), as_of)
    assert bounded.answered  # the demo's revisions answered findings, read from snapshots


def test_check_from_snapshots_reads_no_draft_reassignment(plan: Plan) -> None:
    # A draft reworked for long (1,200 reassignments) before it is published: the check
    # that takes states from snapshots reads none of them, and finds what folding finds.
    for turn in range(1_200):
        plan.run("2024-12-17T10:00", c.AssignStep, step="S01", responsible=("hg", "cd")[turn % 2])
    plan.run("2024-12-18T10:00", c.ApprovePlan)
    plan.run("2024-12-18T10:00", c.PublishPlan)
    plan.run("2025-02-20T10:00", c.RevisePlan, reason="S02 late")
    plan.run("2025-02-20T10:00", c.AssignStep, step="S02", responsible="hg", reason="late")
    plan.run("2025-02-20T11:00", c.PublishPlan)
    plan.engine.catch_up()
    database, store = plan.engine.database, plan.service.store
    moment = paris("2025-03-05T09:00")
    read: list[str] = []

    def without(kinds: frozenset[str], version: int) -> Iterator[tuple[RecordedEvent, PlanEvent]]:
        for pair in plan.service.history_without(PLAN, kinds, version):
            read.append(pair[0].type)
            yield pair

    def state_at(version: int) -> PlanState:
        found = load_at_version(store, database, PLAN, version)
        assert found is not None
        return found

    def histories_at(at: datetime) -> list[IndicatorHistory]:
        return indicator_histories_at(database, PLAN, at, now=at)[1]

    final = plan.service.load(PLAN, until=moment)
    assert final is not None
    bounded = report(records_for_rules(without), moment, histories_at, states=(state_at, final))
    assert bounded == report(list(plan.service.history(PLAN)), moment)
    assert read.count("StepAssigned") == 1  # the revision's, which it answered with
