"""A plan's history in words, its revisions and its state at a revision (pure, no SQL)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from events import RecordedEvent
from events.memory import InMemoryEventStore
from pacflow.demo import DEMO_PLAN, SettableClock, build_demo
from pacflow.domain import PlanEvent, event_type_name, to_payload
from pacflow.domain import events as ev
from pacflow.domain.schedule import DueDate, Session, SessionList
from pacflow.domain.values import IndicatorKind, PersonKind
from pacflow.errors import NotFoundError
from pacflow.service import PlanService
from projections.history import (
    HistoryEntry,
    HistoryFilter,
    PlanHistory,
    revision_state,
    revisions,
)
from tests.unit.example import APPROVED, DRAFT, INDICATORS, PUBLISHED, REASON

PARIS = ZoneInfo("Europe/Paris")
Records = list[tuple[RecordedEvent, PlanEvent]]


def paris(text: str) -> datetime:
    """A Europe/Paris wall-clock time as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


@pytest.fixture(scope="module")
def demo() -> Records:
    opened: list[InMemoryEventStore] = []

    def open_store(clock: SettableClock) -> InMemoryEventStore:
        opened.append(InMemoryEventStore(clock=clock))
        return opened[-1]

    build_demo(open_store)
    return list(PlanService(opened[-1]).history(DEMO_PLAN))


@pytest.fixture(scope="module")
def entries(demo: Records) -> list[HistoryEntry]:
    return list(PlanHistory().entries(demo))


def record(
    events: Iterable[PlanEvent],
    *,
    start: int = 1,
    at: datetime = datetime(2025, 1, 2, 9, tzinfo=UTC),
    actor: str = "hg",
    reason: str | None = None,
    source: str = "cli",
) -> Records:
    """Events as the store would give them back, one minute apart from `at`."""
    found: Records = []
    for offset, event in enumerate(events):
        metadata = {"actor": actor, "source": source, "command": "Test"}
        if reason:
            metadata["reason"] = reason
        recorded = RecordedEvent(
            position=start + offset,
            stream_id="PAC-2025",
            stream_version=start + offset,
            event_id=uuid.uuid4(),
            type=event_type_name(event),
            schema_version=1,
            data=to_payload(event),
            metadata=metadata,
            recorded_at=at + timedelta(minutes=offset),
            hash="",
        )
        found.append((recorded, event))
    return found


def summaries(base: Sequence[PlanEvent], *changes: PlanEvent) -> list[str]:
    """What the history says about `changes`, recorded after `base`."""
    records = record(base) + record(changes, start=len(base) + 1)
    return [entry.summary for entry in PlanHistory().entries(records)][len(base) :]


# --- the demo -----------------------------------------------------------------------------


def test_the_late_entry_shows_when_it_was_recorded_by_whom_and_why(
    entries: list[HistoryEntry],
) -> None:
    late = [e for e in entries if e.occurrences == ("S21@2025-02-13",)]
    assert [e.recorded_at for e in late] == [paris("2025-03-10T10:15"), paris("2025-03-10T10:16")]
    assert [e.line(PARIS) for e in late] == [
        "2025-03-10 10:15 nr — S21@2025-02-13 moved to 2025-02-20 11:00 — reason: Webinaire de "
        "février décalé d'une semaine (intervenant indisponible) ; saisi après coup "
        "[rev 2, cli]",
        "2025-03-10 10:16 nr — S21@2025-02-13 held on 2025-02-20 — reason: Saisi après coup : "
        "webinaire tenu le 20 février [rev 2, cli]",
    ]
    assert late[0].steps == ("S21",)
    assert late[0].targets == ("T2",)


def test_a_reassignment_reads_old_to_new(entries: list[HistoryEntry]) -> None:
    (entry,) = [e for e in entries if e.event_type == "StepAssigned"]
    assert entry.line(PARIS) == (
        "2025-03-10 10:12 hg — S15 responsible jm → pg; participants pg, kb → jm, kb — reason: "
        "Le directeur de practice CRM reprend le packaging de l'offre conformité (charge "
        "avant-vente) [rev 2, cli]"
    )
    assert entry.people == ("jm", "kb", "pg")
    assert (entry.command, entry.source, entry.revision) == ("AssignStep", "cli", 2)


def test_the_mid_year_re_actualisation_in_words(entries: list[HistoryEntry]) -> None:
    revision_3 = [
        e.summary
        for e in entries
        if e.revision == 3 and e.recorded_at <= paris("2025-06-30T18:10") and e.actor == "hg"
    ]
    assert revision_3[0].startswith("revision 3 opened: Rapprochement annoncé de BRC")
    assert revision_3[1] == "G02@2025-06-30 held on 2025-06-30"
    assert revision_3[2].startswith(
        "T1 objective main 600 kEUR → 400 kEUR; statement now “Porter les prises de commandes "
        "BRC à 400 kEUR"
    )
    assert revision_3[3:] == [
        "I1 targets 2025-07 500 → 300, 2025-08 560 → 330, 2025-09 680 → 420, 2025-10 800 → 560,"
        " 2025-11 920 → 700, 2025-12 1050 → 850",
        "I2 targets 2025-07 2 → 1, 2025-08 2 → 1, 2025-09 2 → 1",
        "S08 rescheduled: recurring FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=24 from 2025-01-14 10:00 → "
        "recurring FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=12; FREQ=MONTHLY;BYDAY=2TU;COUNT=3; "
        "FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=6 from 2025-01-14 10:00",
        "S08: 3 occurrences removed (S08@2025-07-22, S08@2025-08-26, S08@2025-09-23)",
        "S10 due 2025-06-30 → 2025-10-15",
        "S24 due 2025-06-30 → 2025-09-30",
        "step S44 added to T1-INFO: Identifier les nouveaux décideurs SI après le rapprochement "
        "de BRC, responsible cd, due 2025-09-15",
        "plan published (revision 3)",
    ]


def test_a_moved_visit_and_a_cancelled_one(entries: list[HistoryEntry]) -> None:
    lines = {e.summary: e for e in entries if e.event_type.startswith("Occurrence")}
    assert "S08@2025-04-22 moved to 2025-04-24 10:00" in lines
    cancelled = lines[
        "S08@2025-03-25 cancelled: Interlocuteurs BRC indisponibles (clôture des comptes annuels)"
    ]
    # The reason is in the summary already: the line does not repeat it.
    assert "reason:" not in cancelled.line(PARIS)


def test_each_entry_belongs_to_the_revision_open_or_published_then(
    entries: list[HistoryEntry],
) -> None:
    revision_at = {e.summary: e.revision for e in entries}
    assert revision_at["plan approved"] == 1
    assert revision_at["plan published (revision 1)"] == 1
    assert revision_at["S08@2025-03-11 held on 2025-03-11"] == 2
    assert (
        revision_at["S08@2025-08-12 cancelled: Gel post-rapprochement, interlocuteurs en congés"]
        == 3
    )
    assert {e.source for e in entries} == {"plan-file", "cli"}
    assert all(e.source == "plan-file" for e in entries if e.revision == 1 and e.position < 100)


def test_indicator_changes_touch_the_targets_the_indicator_serves(
    entries: list[HistoryEntry],
) -> None:
    i1 = [e for e in entries if e.event_type == "IndicatorTargetsSet" and "I1" in e.indicators]
    assert all(e.targets == ("T1", "T2") for e in i1)


def test_filters_keep_a_window_an_actor_a_target_a_step(entries: list[HistoryEntry]) -> None:
    def kept(**criteria: object) -> list[str]:
        wanted = HistoryFilter(**criteria)  # type: ignore[arg-type]
        return [e.summary for e in entries if wanted.keeps(e)]

    march_10 = {"since": paris("2025-03-10T00:00"), "until": paris("2025-03-10T23:59")}
    assert kept(**march_10, actor="nr") == [
        "S21@2025-02-13 moved to 2025-02-20 11:00",
        "S21@2025-02-13 held on 2025-02-20",
    ]
    assert kept(**march_10, step="S15") == ["S15 responsible jm → pg; participants pg, kb → jm, kb"]
    t1_in_june = kept(since=paris("2025-06-30T17:00"), until=paris("2025-06-30T18:10"), target="T1")
    assert len(t1_in_june) == 7  # objective, I1, I2, S08 twice, S10, S44; not T2's S24
    assert not any(s.startswith("S24") for s in t1_in_june)
    assert kept(actor="nobody") == []


# --- revisions -----------------------------------------------------------------------------


def test_the_demo_has_three_revisions_with_their_reasons(demo: Records) -> None:
    found = revisions(demo)
    assert [(r.number, r.status, r.opened_by, r.published_by) for r in found] == [
        (1, "published", "hg", "hg"),
        (2, "published", "hg", "hg"),
        (3, "published", "hg", "hg"),
    ]
    first, march, mid_year = found
    assert first.opened_at == paris("2024-12-16T10:00")
    assert first.reason == "PAC 2025 v1, draft for the executive committee"
    assert first.approved_at == paris("2025-01-06T17:00")
    assert first.approve_reason == "Validation du PAC 2025 en comité de direction"
    assert march.reason == "Ajustements de mars (v1.1)"
    assert (march.published_at, march.publish_reason) == (
        paris("2025-03-10T10:14"),
        "PAC 2025 v1.1",
    )
    assert march.changes == 1
    assert str(mid_year.reason).startswith("Rapprochement annoncé")
    assert mid_year.publish_reason == "PAC 2025 v2 (re-actualisation semestrielle)"
    assert mid_year.approved_at is None
    assert mid_year.as_json()["status"] == "published"


def test_a_revision_still_open_and_a_plan_without_events() -> None:
    records = record([*PUBLISHED, ev.RevisionOpened(revision=2, reason=REASON)])
    assert [(r.number, r.status) for r in revisions(records)] == [(1, "published"), (2, "open")]
    assert revisions([]) == []


def test_a_revision_state_is_the_plan_right_after_its_publication(demo: Records) -> None:
    first = revision_state(demo, 1)
    assert first.steps["S15"].responsible == "jm"
    assert first.status == "published"
    second = revision_state(demo, 2)
    assert second.steps["S15"].responsible == "pg"
    assert second.objectives[("T1", "main")].value == 600
    third = revision_state(demo, 3)
    assert third.objectives[("T1", "main")].value == 400
    assert "S44" in third.steps
    published = [r for r, e in demo if isinstance(e, ev.PlanPublished) and e.revision == 3]
    assert third.version == published[0].stream_version < len(demo)


def test_a_revision_never_published_ends_where_the_next_one_opens() -> None:
    change = ev.TargetDropped(target="T4")
    records = record([*APPROVED, ev.RevisionOpened(revision=2, reason=REASON), change])
    assert revision_state(records, 1).version == len(APPROVED)
    assert revision_state(records, 2).targets["T4"].dropped  # open: as it is now


def test_unknown_revisions_are_refused(demo: Records) -> None:
    with pytest.raises(NotFoundError, match="no revision 4: its revisions are 1 to 3"):
        revision_state(demo, 4)
    with pytest.raises(NotFoundError, match="numbered from 1"):
        revision_state(demo, 0)
    with pytest.raises(NotFoundError, match="no such plan"):
        revision_state([], 1)


# --- summaries of the other kinds of change -------------------------------------------------


def test_step_edits_list_what_changed() -> None:
    edited = ev.StepEdited(
        step="S03",
        title="Recenser les projets SI",
        order=3,
        predecessor=None,
        parallel=False,
        means="Entretiens",
        budget=Decimal("1500.00"),
        days=None,
        indicators=("I1",),
        location=None,
    )
    same = dataclasses.replace(edited)
    assert summaries(DRAFT, edited, same) == [
        "S03 title “Étape S03” → “Recenser les projets SI”; means none → “Entretiens”; "
        "budget none → 1500; indicators none → I1",
        "S03 edited, nothing changed",
    ]


def test_schedules_statuses_and_the_team() -> None:
    sessions = SessionList(sessions=(Session(start=datetime(2025, 5, 20, 9)),))
    assert summaries(
        DRAFT,
        ev.StepMoved(step="S09", schedule=sessions),
        ev.StepMoved(step="S03", schedule=DueDate(due=date(2025, 3, 14), start=date(2025, 2, 1))),
        ev.StepStarted(step="S01", on=date(2025, 1, 6)),
        ev.StepBlocked(step="S01", on=date(2025, 1, 8), reason="no access"),
        ev.StepStarted(step="S01", on=date(2025, 1, 9)),
        ev.StepCompleted(step="S01", on=date(2025, 1, 28)),
        ev.StepCancelled(step="S02", on=date(2025, 1, 9), reason="merged into S01"),
        ev.StepAssigned(step="S02", responsible="cd", participants=("hg",)),
        ev.PersonLeft(person="pg", on=date(2025, 6, 30)),
        ev.TargetDropped(target="T4"),
        ev.TargetLimitsSet(max_targets_per_rep=3, max_targets_total=8),
    ) == [
        "S09 rescheduled: due 2025-05-22 → on 2025-05-20 09:00",
        "S03 start none → 2025-02-01",
        "S01 started on 2025-01-06",
        "S01 blocked on 2025-01-08: no access",
        "S01 resumed on 2025-01-09",
        "S01 done on 2025-01-28",
        "S02 cancelled on 2025-01-09: merged into S01",
        "S02 still with cd",
        "pg left the team on 2025-06-30",
        "target T4 dropped",
        "target limits 2 per rep, 6 in all → 3 per rep, 8 in all",
    ]


def test_a_visit_moved_twice_says_where_it_was() -> None:
    first = ev.OccurrenceMoved(
        occurrence="S08@2025-01-28", start=datetime(2025, 1, 30, 10), all_day=False
    )
    second = ev.OccurrenceMoved(
        occurrence="S08@2025-01-28", start=datetime(2025, 1, 31), all_day=True
    )
    assert summaries(DRAFT, first, second) == [
        "S08@2025-01-28 moved to 2025-01-30 10:00",
        "S08@2025-01-28 moved to 2025-01-31 (was 2025-01-30 10:00)",
    ]


def test_objectives_and_indicators_compare_with_what_they_replace() -> None:
    objective = ev.ObjectiveSet(
        target="T1",
        objective="main",
        statement="600 kEUR",
        value=Decimal(600),
        unit="kEUR",
        due=date(2025, 12, 31),
        indicator="I1",
    )
    later = dataclasses.replace(objective, due=date(2026, 3, 31), baseline=Decimal(180))
    redefined = dataclasses.replace(INDICATORS[1], owner="kb", kind=IndicatorKind.RESULT)
    first_targets = ev.IndicatorTargetsSet(indicator="I2", targets={"2025-01": Decimal(2)})
    more_targets = ev.IndicatorTargetsSet(
        indicator="I2", targets={"2025-01": Decimal(2), "2025-02": Decimal(3)}
    )
    assert summaries(
        DRAFT,
        objective,
        later,
        later,
        redefined,
        redefined,
        first_targets,
        more_targets,
        first_targets,
    ) == [
        "T1 objective main set: 600 kEUR by 2025-12-31 — 600 kEUR",
        "T1 objective main due 2025-12-31 → 2026-03-31; baseline none → 180",
        "T1 objective main set again, unchanged",
        "indicator I2 kind activity → result; owner cd → kb",
        "indicator I2 redefined, unchanged",
        "indicator I2 targets set for 1 period(s) from 2025-01 to 2025-01",
        "I2 targets 2025-02 none → 3",
        "I2 targets unchanged",
    ]


def test_what_each_change_touches() -> None:
    base = record(DRAFT)
    changes = record(
        [
            ev.StepAssigned(step="S03", responsible="jm", participants=("pg",)),
            ev.PersonAdded(key="ic", name="Isabelle Chevalier", kind=PersonKind.BACK_OFFICE),
            ev.OccurrencesUnscheduled(step="S08", occurrences=("S08@2025-12-23",)),
        ],
        start=len(DRAFT) + 1,
        actor="cd",
        reason="why not",
        source="plan-file",
    )
    history = PlanHistory()
    found = list(history.entries(base + changes))[len(DRAFT) :]
    assigned, joined, unscheduled = found
    assert (assigned.people, assigned.steps, assigned.targets) == (
        ("cd", "jm", "pg"),
        ("S03",),
        ("T1",),
    )
    assert joined.people == ("ic",)
    assert (unscheduled.occurrences, unscheduled.steps) == (("S08@2025-12-23",), ("S08",))
    assert unscheduled.line(PARIS) == (
        "2025-01-02 10:02 cd — S08: 1 occurrence removed (S08@2025-12-23) — reason: why not "
        "[rev 1, plan-file]"
    )
    data = unscheduled.as_json(PARIS)
    assert data["local_time"] == "2025-01-02T10:02:00+01:00"
    assert data["recorded_at"] == datetime(2025, 1, 2, 9, 2, tzinfo=UTC)
    assert history.state is not None
    assert history.state.version == len(DRAFT) + 3
    draft = revisions(base)
    assert [(r.number, r.status, r.changes) for r in draft] == [(1, "open", len(DRAFT) - 1)]


# --- streaming: filters before the text, steps not asked about left out, limits -------------


def test_a_step_or_target_walk_gives_what_filtering_every_entry_gives(
    demo: Records, entries: list[HistoryEntry]
) -> None:
    """Asked about one step or target, the walk leaves the other steps' events unfolded (and
    stored records undecoded); it must keep exactly the entries a filter over all keeps."""
    state = PlanHistory()
    list(state.entries(demo))
    assert state.state is not None
    stored = [recorded for recorded, _event in demo]
    asked = [HistoryFilter(step=key) for key in state.state.steps]
    asked += [HistoryFilter(target=key) for key in state.state.targets]
    asked += [HistoryFilter(step="S15", target="T2"), HistoryFilter(step="S15", target="T1")]
    asked += [HistoryFilter(step="S08", actor="cd", since=paris("2025-06-01T00:00"))]
    for wanted in asked:
        expected = [e for e in entries if wanted.keeps(e)]
        walk = PlanHistory()
        assert list(walk.entries(demo, wanted)) == expected, wanted
        assert list(PlanHistory().entries_of_records(stored, wanted)) == expected, wanted
        assert walk.state is not None
        assert walk.state.version == len(demo)  # every event counted, folded or not
        assert walk.state.targets.keys() == state.state.targets.keys()
        if wanted.step is not None:
            assert wanted.step in walk.state.steps


def test_entries_of_stored_records_read_the_same(
    demo: Records, entries: list[HistoryEntry]
) -> None:
    assert list(PlanHistory().entries_of_records(r for r, _e in demo)) == entries


def test_limit_gives_the_first_or_the_newest_entries(
    demo: Records, entries: list[HistoryEntry]
) -> None:
    s08 = HistoryFilter(step="S08")
    every = [e for e in entries if s08.keeps(e)]
    assert list(PlanHistory().entries(demo, s08, limit=3)) == every[:3]
    assert list(PlanHistory().entries(demo, s08, limit=3, newest=True)) == every[-3:]
    assert list(PlanHistory().entries(demo, limit=10_000)) == entries
    first = PlanHistory()
    assert len(list(first.entries(demo, limit=5))) == 5
    assert first.state is not None
    assert first.state.version == 5  # the walk stopped there
    with pytest.raises(ValueError, match="limit must be at least 1"):
        PlanHistory().entries(demo, limit=0)


def test_a_walk_can_start_from_a_state_taken_earlier(
    demo: Records, entries: list[HistoryEntry]
) -> None:
    """From a snapshot, say: `since` then needs only the records after it."""
    half = len(demo) // 2
    start = PlanHistory()
    list(start.entries(demo[:half]))
    assert list(PlanHistory(start.state).entries(demo[half:])) == entries[half:]


def test_an_entry_is_built_from_the_plan_before_its_event_not_a_copy() -> None:
    """The summaries read the entity before the event changes it in place."""
    assert summaries(
        DRAFT,
        ev.StepAssigned(step="S03", responsible="jm", participants=("pg",)),
        ev.StepAssigned(step="S03", responsible="pg", participants=()),
    ) == [
        "S03 responsible cd → jm; participants nobody → pg",
        "S03 responsible jm → pg; participants pg → nobody",
    ]
