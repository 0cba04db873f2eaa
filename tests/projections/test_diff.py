"""What changed between two states of a plan (pure, no SQL)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from events.memory import InMemoryEventStore
from pacflow.demo import DEMO_PLAN, SettableClock, build_demo
from pacflow.domain import OccurrenceSlot, PlanEvent, PlanState, fold
from pacflow.domain import events as ev
from pacflow.domain.schedule import DueDate, Session, SessionList
from pacflow.domain.values import Approach, Domain, PersonKind, TargetKind
from pacflow.service import PlanService
from projections.diff import Change, PlanDiff, Section, diff
from tests.unit.example import DRAFT, INDICATORS, step_added

PARIS = ZoneInfo("Europe/Paris")


def end_of(day: str) -> datetime:
    """The last instant of a Europe/Paris day, in UTC."""
    midnight = datetime.combine(date.fromisoformat(day) + timedelta(days=1), datetime.min.time())
    return midnight.replace(tzinfo=PARIS).astimezone(UTC) - timedelta(microseconds=1)


@pytest.fixture(scope="module")
def service() -> PlanService:
    opened: list[InMemoryEventStore] = []

    def open_store(clock: SettableClock) -> InMemoryEventStore:
        opened.append(InMemoryEventStore(clock=clock))
        return opened[-1]

    build_demo(open_store)
    return PlanService(opened[-1])


@pytest.fixture(scope="module")
def mid_year(service: PlanService) -> PlanDiff:
    before = service.load(DEMO_PLAN, until=end_of("2025-06-01"))
    after = service.load(DEMO_PLAN, until=end_of("2025-07-01"))
    assert before is not None
    assert after is not None
    return diff(before, after)


def changed(base: Sequence[PlanEvent], *events: PlanEvent) -> PlanDiff:
    """The diff between the plan after `base` and after `base` then `events`."""
    before = fold(base)
    assert before is not None
    after = fold(events, copy.deepcopy(before))
    assert after is not None
    return diff(before, after)


def lines(found: PlanDiff) -> list[str]:
    return [change.text() for change in found.changes]


# --- the demo's mid-year re-actualisation ---------------------------------------------------


def test_the_mid_year_diff_lists_exactly_what_the_revision_changed(mid_year: PlanDiff) -> None:
    assert [(str(c.section), c.key, c.kind) for c in mid_year.changes] == [
        ("objectives", "T1/main", "changed"),
        ("steps", "S08", "moved"),
        ("steps", "S10", "moved"),
        ("steps", "S24", "moved"),
        ("steps", "S44", "added"),
        ("occurrences", "S08", "occurrences removed"),
        ("indicators", "I1", "targets changed"),
        ("indicators", "I2", "targets changed"),
    ]
    assert (mid_year.before.revision, mid_year.after.revision) == (2, 3)


def test_the_mid_year_diff_says_old_and_new(mid_year: PlanDiff) -> None:
    by_key = {(c.key, c.kind): c for c in mid_year.changes}
    objective = by_key[("T1/main", "changed")]
    assert [f.name for f in objective.fields] == ["value", "statement"]
    assert objective.text().startswith("T1 objective main changed: value 600 kEUR → 400 kEUR; ")
    assert by_key[("S10", "moved")].text() == "S10 moved: due 2025-06-30 → 2025-10-15"
    assert by_key[("S24", "moved")].text() == "S24 moved: due 2025-06-30 → 2025-09-30"
    assert by_key[("S08", "occurrences removed")].text() == (
        "S08 occurrences removed: S08@2025-07-22, S08@2025-08-26, S08@2025-09-23"
    )
    assert by_key[("S08", "moved")].fields[0].new == (
        "recurring FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=12; FREQ=MONTHLY;BYDAY=2TU;COUNT=3; "
        "FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=6 from 2025-01-14 10:00"
    )
    assert by_key[("I2", "targets changed")].text() == (
        "I2 targets changed: 2025-07 2 → 1; 2025-08 2 → 1; 2025-09 2 → 1"
    )
    assert by_key[("S44", "added")].text() == (
        "S44 added: Identifier les nouveaux décideurs SI après le rapprochement de BRC in "
        "T1-INFO, responsible cd, due 2025-09-15"
    )


def test_the_diff_as_sections_and_json(mid_year: PlanDiff) -> None:
    assert [line for line in mid_year.lines() if not line.startswith("  ")] == [
        "Objectives",
        "Steps",
        "Occurrences",
        "Indicators",
    ]
    data = mid_year.as_json()
    assert data["plan"] == "PAC-2025"
    assert data["from"] == {"revision": 2, "status": "published", "version": 298}
    s10 = next(c for c in data["changes"] if c["key"] == "S10")
    assert s10 == {
        "section": "steps",
        "key": "S10",
        "kind": "moved",
        "summary": "S10 moved: due 2025-06-30 → 2025-10-15",
        "fields": {"due": {"old": "2025-06-30", "new": "2025-10-15"}},
    }
    removed = next(c for c in data["changes"] if c["kind"] == "occurrences removed")
    assert removed["occurrences"] == ["S08@2025-07-22", "S08@2025-08-26", "S08@2025-09-23"]
    i1 = next(c for c in data["changes"] if c["key"] == "I1")
    assert i1["fields"]["2025-07"] == {"old": "500", "new": "300"}


def test_progress_is_not_a_change_to_the_plan(service: PlanService) -> None:
    # June 2025 before the revision: visits held and steps done, nothing decided.
    before = service.load(DEMO_PLAN, until=end_of("2025-06-01"))
    after = service.load(DEMO_PLAN, until=datetime(2025, 6, 30, 15, tzinfo=UTC))
    assert before is not None
    assert after is not None
    assert before.version < after.version
    quiet = diff(before, after)
    assert quiet.changes == ()
    assert quiet.lines() == ["no change to the plan"]


def test_the_march_revision_between_revisions(service: PlanService) -> None:
    from projections.history import revision_state

    first = revision_state(service.history(DEMO_PLAN), 1)
    second = revision_state(service.history(DEMO_PLAN), 2)
    assert lines(diff(first, second)) == [
        "S15 reassigned: responsible jm → pg; participants pg, kb → jm, kb"
    ]


# --- every kind of change -------------------------------------------------------------------


def test_team_targets_tracks_and_limits() -> None:
    found = changed(
        DRAFT,
        ev.PersonAdded(key="ic", name="Isabelle Chevalier", kind=PersonKind.BACK_OFFICE),
        ev.PersonLeft(person="pg", on=date(2025, 6, 30)),
        ev.TargetAdded(key="T5", kind=TargetKind.CUSTOMER, title="Mutuelle X", responsible="kb"),
        ev.TargetDropped(target="T4"),
        ev.TrackAdded(
            key="T5-CHASSE",
            target="T5",
            domain=Domain.SALES,
            approach=Approach.HUNTING,
            title="Entrer chez X",
        ),
        ev.TrackAdded(key="PILOT2", target=None, domain=Domain.STEERING, title="Revues"),
        ev.TargetLimitsSet(max_targets_per_rep=3, max_targets_total=8),
    )
    assert lines(found) == [
        "plan changed: max targets per rep 2 → 3; max targets in all 6 → 8",
        "pg left: on 2025-06-30",
        "ic joined: Isabelle Chevalier (back_office)",
        "T4 dropped",
        "T5 added: Mutuelle X (customer), responsible kb",
        "T5-CHASSE added: Entrer chez X (sales, hunting) on T5",
        "PILOT2 added: Revues (steering) on the plan",
    ]
    assert [c.section for c in found.changes] == [
        Section.PLAN,
        Section.PEOPLE,
        Section.PEOPLE,
        Section.TARGETS,
        Section.TARGETS,
        Section.TRACKS,
        Section.TRACKS,
    ]


def test_objectives_set_and_changed() -> None:
    objective = ev.ObjectiveSet(
        target="T1",
        objective="main",
        statement="Porter BRC à 600 kEUR",
        value=Decimal("600.0"),
        unit="kEUR",
        due=date(2025, 12, 31),
        indicator="I1",
    )
    assert lines(changed(DRAFT, objective)) == [
        "T1 objective main set: 600 kEUR by 2025-12-31 — Porter BRC à 600 kEUR"
    ]
    later = dataclasses.replace(objective, indicator=None, baseline=Decimal(180))
    assert lines(changed([*DRAFT, objective], later)) == [
        "T1 objective main changed: indicator I1 → none; baseline none → 180"
    ]


def test_steps_edited_reassigned_cancelled_and_their_occurrences() -> None:
    edited = ev.StepEdited(
        step="S03",
        title="Recenser les projets SI",
        order=3,
        predecessor="S02",
        parallel=True,
        means=None,
        budget=Decimal("2000"),
        days=None,
        indicators=(),
        location=None,
    )
    found = changed(
        DRAFT,
        edited,
        ev.StepAssigned(step="S03", responsible="kb", participants=()),
        ev.StepCancelled(step="S09", on=date(2025, 4, 1), reason="BRC said no"),
        ev.OccurrenceMoved(
            occurrence="S08@2025-01-28", start=datetime(2025, 1, 30, 10), all_day=False
        ),
        ev.OccurrenceCancelled(occurrence="S08@2025-02-11", reason="strike"),
        ev.OccurrenceCompleted(occurrence="S08@2025-01-14", on=date(2025, 1, 14)),
        ev.StepCompleted(step="S01", on=date(2025, 1, 28)),
        *step_added(
            "S12", "T1-INFO", 4, schedule=SessionList(sessions=(Session(start=date(2025, 3, 3)),))
        ),
    )
    assert lines(found) == [
        "S03 reassigned: responsible cd → kb",
        "S03 edited: title “Étape S03” → “Recenser les projets SI”; predecessor none → S02; "
        "parallel no → yes; budget none → 2000",
        "S09 cancelled: on 2025-04-01: BRC said no",
        "S12 added: Étape S12 in T1-INFO, responsible cd, on 2025-03-03",
        "S08@2025-01-28 moved: start 2025-01-28 10:00 → 2025-01-30 10:00",
        "S08@2025-02-11 cancelled: strike",
    ]


def test_a_new_schedule_adds_and_removes_occurrences() -> None:
    s11 = next(e for e in DRAFT if isinstance(e, ev.StepAdded) and e.key == "S11")
    sessions = SessionList(
        sessions=(
            Session(start=datetime(2025, 3, 27, 14)),
            Session(start=datetime(2025, 6, 26, 14)),
            Session(start=datetime(2025, 9, 25, 14)),
            Session(start=datetime(2025, 12, 4, 14)),
        )
    )
    found = changed(
        DRAFT,
        ev.StepMoved(step="S11", schedule=sessions),
        ev.OccurrencesUnscheduled(step="S11", occurrences=("S11@2025-12-11",)),
        ev.OccurrencesScheduled(
            step="S11",
            occurrences=(OccurrenceSlot(key="S11@2025-12-04", start=datetime(2025, 12, 4, 14)),),
        ),
        ev.StepMoved(step="S03", schedule=DueDate(due=date(2025, 3, 14), start=date(2025, 2, 3))),
    )
    (s03, moved, added, removed) = found.changes
    # Both schedules read "4 sessions from 2025-03-27 14:00": the change shows them whole.
    assert moved.key == "S11"
    assert isinstance(moved.fields[0].old, str)
    assert '"2025-12-11T14:00:00"' in moved.fields[0].old
    assert s11.schedule != sessions
    assert s03.text() == "S03 moved: start none → 2025-02-03"
    assert (added.kind, added.items) == ("occurrences added", ("S11@2025-12-04",))
    assert (removed.kind, removed.items) == ("occurrences removed", ("S11@2025-12-11",))


def test_indicators_defined_redefined_and_their_targets() -> None:
    redefined = dataclasses.replace(INDICATORS[1], owner="kb", serves=("T1", "T2"))
    found = changed(
        DRAFT,
        redefined,
        ev.IndicatorTargetsSet(indicator="I2", targets={"2025-01": Decimal(2)}),
        dataclasses.replace(INDICATORS[0], key="I9"),
    )
    assert lines(found) == [
        "I2 redefined: owner cd → kb; serves T1 → T1, T2",
        "I2 targets changed: 2025-01 none → 2",
        "I9 added: Prises de commandes Banque & Assurance 2025 (cumul) (result, kEUR), "
        "0 period targets",
    ]


def test_a_reversed_diff_says_removed() -> None:
    before = fold(DRAFT)
    assert before is not None
    later = fold(step_added("S04", "T1-INFO", 4), copy.deepcopy(before))
    assert later is not None
    back = diff(later, before)
    assert [(c.key, c.kind) for c in back.changes] == [("S04", "removed")]
    assert back.changes[0].text() == "S04 removed"
    assert isinstance(back.changes[0], Change)


def test_a_state_compared_with_itself_has_no_change() -> None:
    state: PlanState | None = fold(DRAFT)
    assert state is not None
    same = diff(state, state)
    assert same.changes == ()
    assert same.as_json()["changes"] == []
