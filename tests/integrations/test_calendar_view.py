"""The calendar view: what each event changes, folded precisely, stored and continued.

The reference everywhere is the plainest fold there is: after every event, every step's
items are built again and compared (what `integrations.revisions` did for any event it did
not know). The precise fold, the stored-and-continued view and a dry run's copy must give
the same revisions and the same bytes, on the demo plan and on a generated plan with edits,
reassignments, reschedules, replanned occurrences and people joining and leaving.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from events import EventStore, RecordedEvent
from events.store import RawRow
from integrations.calendar_view import (
    CalendarViews,
    item_from_text,
    item_to_text,
    view_items_table,
    views_table,
)
from integrations.effects import ITEM_EFFECTS
from integrations.ics import export_ics, render_calendar, render_resources
from integrations.items import CalendarItem, ItemKind, calendar_items
from integrations.revisions import CalendarHistory, Revision, calendar_history
from pacflow.demo import DEMO_PLAN
from pacflow.domain import EVENT_TYPES, PlanEvent, PlanState, build_command, evolve
from pacflow.domain import commands as c
from pacflow.domain.schedule import DueDate
from pacflow.errors import PacflowError
from pacflow.service import PlanService, decode
from pacflow.storage import open_store
from tests.conftest import ManualClock

PLAN = "GEN-1"


# --- the reference: every item built again after every event -----------------------------


def reference_history(events: list[tuple[datetime, PlanEvent]]) -> CalendarHistory:
    state: PlanState | None = None
    records: dict[str, list[Any]] = {}  # uid -> [item, sequence, created, modified, present]
    for at, event in events:
        state = evolve(state, event)
        present = set()
        for item in calendar_items(state):
            present.add(item.uid)
            record = records.get(item.uid)
            if record is None:
                records[item.uid] = [item, 0, at, at, True]
                continue
            if not record[4]:
                record[1] += 1
            elif item == record[0]:
                continue
            elif item.significant() != record[0].significant():
                record[1] += 1
            record[0], record[3], record[4] = item, at, True
        for uid, record in records.items():
            if uid not in present:
                record[4] = False
    assert state is not None
    revisions = {uid: Revision(r[1], r[2], r[3]) for uid, r in records.items()}
    return CalendarHistory(state, revisions)


def stream(store: EventStore, plan: str) -> list[tuple[datetime, PlanEvent]]:
    return [(r.recorded_at, decode(r)) for r in store.read_stream(plan)]


def renderings(history: CalendarHistory) -> dict[str, object]:
    """Everything pacflow writes from a history: the files and each calendar's resources."""
    people = sorted(history.state.people)
    found: dict[str, object] = {"plan": render_calendar(history)}
    for person in people:
        found[f"file {person}"] = render_calendar(history, person=person)
        found[f"resources {person}"] = render_resources(history, person=person)
    return found


def assert_same(found: CalendarHistory, expected: CalendarHistory) -> None:
    assert found.state == expected.state
    assert found.revisions == expected.revisions
    assert renderings(found) == renderings(expected)


# --- the classification ------------------------------------------------------------------


def test_every_registered_event_type_is_classified() -> None:
    assert set(ITEM_EFFECTS) == set(EVENT_TYPES.values())


def test_the_precise_fold_of_the_demo_is_the_reference(demo_store: EventStore) -> None:
    events = stream(demo_store, DEMO_PLAN)
    found = calendar_history(events)
    assert found is not None
    assert_same(found, reference_history(events))


# --- a generated plan --------------------------------------------------------------------

ZONES = ("Europe/Paris", "America/Montreal", "Asia/Tokyo", None)


class Generator:
    """Random commands against a plan, recorded one by one (refused ones are skipped)."""

    def __init__(self, service: PlanService, clock: ManualClock, seed: int) -> None:
        self.service, self.clock = service, clock
        self.chooser = random.Random(seed)
        self.people = ["hg", "cd", "kb"]
        self.tracks = ["K1", "K2"]
        self.targets = ["T1", "T2"]
        self.count = 0

    def run(self, command_type: type[c.Command], **fields: Any) -> bool:
        self.clock.advance(self.chooser.choice((1, 60, 3600)))
        data = {"plan": PLAN, "actor": "hg", "reason": "test", **fields}
        try:
            self.service.execute(build_command(command_type, data))
        except PacflowError:
            return False
        return True

    def start(self) -> None:
        self.run(c.CreatePlan, title="Generated", start=date(2025, 1, 1), end=date(2025, 12, 31),
                 timezone="Europe/Paris", owner="hg", max_targets_per_rep=9,
                 max_targets_total=20)  # fmt: skip
        self.run(c.AddPerson, key="hg", name="Hélène", kind="manager")
        self.run(c.AddPerson, key="cd", name="Claire", kind="rep", timezone="America/Montreal")
        self.run(c.AddPerson, key="kb", name="Karim", kind="rep")
        for target, track in zip(self.targets, self.tracks, strict=True):
            self.run(c.AddTarget, key=target, kind="customer", title=f"Account {target}",
                     responsible="cd")  # fmt: skip
            self.run(c.SetObjective, target=target, statement="Grow", value=100, unit="kEUR",
                     due=date(2025, 12, 31))  # fmt: skip
            self.run(c.AddTrack, key=track, target=target, domain="sales", approach="farming",
                     title=f"Track {track}")  # fmt: skip
        for number in range(12):
            self.add_step(number)

    def state(self) -> PlanState:
        return self.service.require(PLAN)

    def day(self) -> date:
        return date(2025, 1, 1) + timedelta(self.chooser.randrange(360))

    def schedule(self, visits: bool) -> dict[str, Any]:
        if not visits:
            return {"kind": "due", "due": self.day()}
        if self.chooser.random() < 0.5:
            return {"kind": "cadence", "count": self.chooser.randint(1, 3), "per": "month"}
        sessions = sorted({self.day() for _ in range(3)})
        return {
            "kind": "sessions",
            "sessions": [
                {"start": f"{day.isoformat()}T{self.chooser.choice((9, 14))}:00",
                 "duration": "PT1H"} if self.chooser.random() < 0.7 else
                {"start": day.isoformat()}
                for day in sessions
            ],
        }  # fmt: skip

    def add_step(self, number: int) -> None:
        self.run(c.AddStep, key=f"S{number}", track=self.chooser.choice(self.tracks),
                 title=f"Step {number}", responsible=self.chooser.choice(self.people),
                 schedule=self.schedule(number % 3 == 2), parallel=self.chooser.random() < 0.5,
                 participants=tuple(self.chooser.sample(self.people, 1)))  # fmt: skip

    def one(self) -> None:
        """One random change (it may be refused; then nothing is recorded)."""
        chooser = self.chooser
        state = self.state()
        steps = sorted(state.steps)
        step = chooser.choice(steps)
        occurrences = sorted(state.occurrences)
        kind = chooser.randrange(16)
        if kind <= 3:
            predecessor = chooser.choice([None, *steps])
            self.run(c.EditStep, step=step, title=f"{step} v{self.count}",
                     predecessor=predecessor if predecessor != step else None,
                     parallel=chooser.random() < 0.5,
                     location=chooser.choice([None, "Siège", "Agence"]))  # fmt: skip
        elif kind == 4:
            self.run(c.AssignStep, step=step, responsible=chooser.choice(self.people),
                     participants=tuple(chooser.sample(self.people, 2)))  # fmt: skip
        elif kind == 5:
            visits = not isinstance(state.steps[step].schedule, DueDate)
            self.run(c.MoveStep, step=step, schedule=self.schedule(visits))
        elif kind == 6:
            command = chooser.choice([c.StartStep, c.CompleteStep, c.BlockStep, c.CancelStep])
            self.run(command, step=step, on=self.day())
        elif kind in (7, 8) and occurrences:
            occurrence = chooser.choice(occurrences)
            self.run(c.CompleteOccurrence, occurrence=occurrence, on=self.day())
        elif kind == 9 and occurrences:
            self.run(c.CancelOccurrence, occurrence=chooser.choice(occurrences))
        elif kind == 10 and occurrences:
            to = f"{self.day().isoformat()}T{chooser.choice((8, 11, 16))}:30"
            self.run(c.MoveOccurrence, occurrence=chooser.choice(occurrences), to=to)
        elif kind == 11:
            self.run(c.SetObjective, target=chooser.choice(self.targets),
                     statement=f"Grow {self.count}", value=chooser.randint(1, 900), unit="kEUR",
                     due=date(2025, 12, 31))  # fmt: skip
        elif kind == 12:
            key = f"p{self.count}"
            if self.run(c.AddPerson, key=key, name=f"Person {self.count}", kind="rep",
                        timezone=chooser.choice(ZONES)):  # fmt: skip
                self.people.append(key)
        elif kind == 13 and len(self.people) > 3:
            leaving = chooser.choice(self.people[3:])
            self.run(c.PersonLeaves, person=leaving, on=self.day(), reassign_to="kb")
            self.people.remove(leaving)
        elif kind == 14:
            self.add_step(100 + self.count)
        elif kind == 15:
            self.run(c.RevisePlan, reason="review")
        self.count += 1


@pytest.fixture
def generated(tmp_path: Path, clock: ManualClock) -> Iterator[tuple[EventStore, Generator]]:
    store = open_store(f"sqlite:///{tmp_path / 'generated.db'}", clock=clock)
    generator = Generator(PlanService(store), clock, seed=1)
    generator.start()
    yield store, generator
    store.close()


@pytest.mark.parametrize("seed", [1, 2, 4])
def test_the_precise_fold_of_a_generated_plan_is_the_reference(
    seed: int, clock: ManualClock
) -> None:
    # (Seeds that change a predecessor's priority with an edit, among other things: a
    # StepEdited that rebuilt its own step only would fail here.)
    store = EventStore.from_url("memory://", clock=clock)
    generator = Generator(PlanService(store), clock, seed=seed)
    generator.start()
    for _ in range(300):
        generator.one()
    events = stream(store, PLAN)
    assert len(events) > 200
    found = calendar_history(events)
    assert found is not None
    assert_same(found, reference_history(events))


def test_a_stored_view_continued_gives_the_bytes_of_a_full_fold(
    generated: tuple[EventStore, Generator],
) -> None:
    store, generator = generated
    database = store.engine  # type: ignore[attr-defined]
    kept = CalendarViews(store, database)  # one instance: continues in memory
    for _round in range(6):
        for _ in range(40):
            generator.one()
        full = calendar_history(stream(store, PLAN))
        assert full is not None
        in_memory = kept.history(PLAN)
        loaded = CalendarViews(store, database).history(PLAN)  # from the stored rows
        assert in_memory is not None
        assert loaded is not None
        assert_same(in_memory, full)
        assert_same(loaded, full)
    # What `export ics` writes, from the stored view and from the whole log.
    for person in (None, "cd", "kb"):
        everything = calendar_history(stream(store, PLAN))
        assert everything is not None
        assert export_ics(PlanService(store), PLAN, person=person) == render_calendar(
            everything, person=person
        )


def test_a_dry_runs_events_leave_the_stored_view_alone(
    generated: tuple[EventStore, Generator], clock: ManualClock
) -> None:
    store, generator = generated
    for _ in range(60):
        generator.one()
    views = CalendarViews(store, store.engine)  # type: ignore[attr-defined]
    before = views.history(PLAN)
    assert before is not None
    step = sorted(before.state.steps)[0]
    outcome = generator.service.execute_all(
        PLAN,
        [build_command(c.EditStep, {"plan": PLAN, "actor": "hg", "reason": "x", "step": step,
                                    "title": "Changed in a dry run"})],
        dry_run=True,
    )  # fmt: skip
    extra = [(clock(), event) for event in outcome.events]
    with_extra = views.history(PLAN, extra=extra)
    assert with_extra is not None
    expected = reference_history([*stream(store, PLAN), *extra])
    assert_same(with_extra, expected)
    again = CalendarViews(store, store.engine).history(PLAN)  # type: ignore[attr-defined]
    assert again is not None
    assert_same(again, reference_history(stream(store, PLAN)))


def test_as_of_from_the_stored_view_is_the_plan_as_it_stood(
    generated: tuple[EventStore, Generator], clock: ManualClock
) -> None:
    store, generator = generated
    for _ in range(50):
        generator.one()
    CalendarViews(store, store.engine).history(PLAN)  # type: ignore[attr-defined]
    middle = clock()
    for _ in range(50):
        generator.one()
    events = [(at, e) for at, e in stream(store, PLAN) if at <= middle]
    expected = reference_history(events)
    found = CalendarViews(store, store.engine).history(PLAN, until=middle)  # type: ignore[attr-defined]
    assert found is not None
    assert_same(found, expected)


# --- what is read ------------------------------------------------------------------------


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """(stream, version) of every event decoded from now on."""
    seen: list[tuple[str, int]] = []
    original = EventStore._decode

    def counting(self: EventStore, row: RawRow) -> RecordedEvent:
        seen.append((row.stream_id, row.stream_version))
        return original(self, row)

    monkeypatch.setattr(EventStore, "_decode", counting)
    return seen


def test_a_stored_view_reads_only_the_newer_events(
    generated: tuple[EventStore, Generator], reads: list[tuple[str, int]]
) -> None:
    store, generator = generated
    database = store.engine  # type: ignore[attr-defined]
    assert CalendarViews(store, database).history(PLAN) is not None
    stored_at = store.stream_version(PLAN)
    reads.clear()
    assert CalendarViews(store, database).history(PLAN) is not None
    assert export_ics(PlanService(store), PLAN)
    assert reads == []  # nothing new: not one event read
    while store.stream_version(PLAN) < stored_at + 5:
        generator.one()
    reads.clear()
    assert CalendarViews(store, database).history(PLAN) is not None
    # The event the view stopped at (its hash must match), then the new ones.
    assert [version for _stream, version in reads] == list(
        range(stored_at, store.stream_version(PLAN) + 1)
    )


def test_a_view_that_does_not_fit_the_log_is_folded_again(
    generated: tuple[EventStore, Generator],
) -> None:
    store, generator = generated
    database: sa.Engine = store.engine  # type: ignore[attr-defined]
    assert CalendarViews(store, database).history(PLAN) is not None
    with database.begin() as connection:
        connection.execute(views_table.update().values(event_hash="0" * 64))
        connection.execute(view_items_table.update().values(sequence=99))
    generator.one()
    generator.one()
    found = CalendarViews(store, database).history(PLAN)
    assert found is not None
    assert_same(found, reference_history(stream(store, PLAN)))
    with database.begin() as connection:
        connection.execute(views_table.update().values(format=0))
    again = CalendarViews(store, database).history(PLAN)
    assert again is not None
    assert_same(again, reference_history(stream(store, PLAN)))


# --- items as stored text ----------------------------------------------------------------


def test_items_read_back_equal_even_in_an_ambiguous_hour() -> None:
    paris = ZoneInfo("Europe/Paris")
    first = datetime(2025, 10, 26, 2, 30, tzinfo=paris)
    second = first.replace(fold=1)
    base = CalendarItem(
        uid="P.S.pacflow", kind=ItemKind.EVENT, plan="P", step="S", occurrence="S@x",
        owner="cd", summary="Visite « BRC »", timezone="Europe/Paris", start=first,
        end=second, due=None, status="CONFIRMED", plan_status="planned", completed=None,
        priority=0, categories=("sales", "farming"), description="a\nb", location=None,
    )  # fmt: skip
    for item in (
        base,
        CalendarItem(**{**_fields(base), "start": date(2025, 3, 1), "end": date(2025, 3, 2)}),
        CalendarItem(**{**_fields(base), "kind": ItemKind.TODO, "start": None, "end": None,
                        "due": date(2025, 6, 30), "completed": date(2025, 6, 1)}),
    ):  # fmt: skip
        back = item_from_text(item_to_text(item))
        assert back == item
        assert back.significant() == item.significant()
        assert isinstance(back.start, datetime) == isinstance(item.start, datetime)
    back_start = item_from_text(item_to_text(base)).end
    assert isinstance(back_start, datetime)
    assert back_start.fold == 1
    assert back_start.astimezone(UTC) == second.astimezone(UTC)


def _fields(item: CalendarItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in CalendarItem.__slots__}


def test_a_view_without_a_database_is_folded_in_memory(clock: ManualClock) -> None:
    store = EventStore.from_url("memory://", clock=clock)
    generator = Generator(PlanService(store), clock, seed=3)
    generator.start()
    views = CalendarViews(store, None)
    found = views.history(PLAN)
    assert found is not None
    assert_same(found, reference_history(stream(store, PLAN)))
    assert views.history("NOPE") is None
