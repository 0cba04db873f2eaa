"""ICS rendering: the demo plan parsed back, and SEQUENCE / time stamps on a small plan."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import icalendar
import pytest

from events import EventStore
from integrations.ics import export_ics, render_calendar, render_resources
from integrations.items import occurrence_uid, step_uid, uid_part
from integrations.revisions import calendar_history
from pacflow.domain import build_command
from pacflow.domain import commands as c
from pacflow.planfile import parse_plan_file, plan_commands
from pacflow.service import PlanService
from tests.conftest import ManualClock

UID = re.compile(r"[A-Za-z0-9._+-]+")
DEMO = "PAC-2025"
REPS = ("cd", "kb", "tl", "sm")


def components(data: bytes) -> list[Any]:
    """The VTODOs and VEVENTs of an iCalendar file."""
    calendar = icalendar.Calendar.from_ical(data)
    return [part for part in calendar.walk() if part.name in ("VTODO", "VEVENT")]


def by_uid(data: bytes) -> dict[str, Any]:
    return {str(part["UID"]): part for part in components(data)}


def seconds(moment: datetime) -> datetime:
    """`moment` as iCalendar keeps it: whole seconds."""
    return moment.replace(microsecond=0)


# --- the demo plan -----------------------------------------------------------------------


def test_every_uid_is_safe_unique_and_every_tzid_has_its_vtimezone(
    demo_store: EventStore,
) -> None:
    data = export_ics(PlanService(demo_store), DEMO)
    calendar = icalendar.Calendar.from_ical(data)
    items = components(data)
    uids = [str(part["UID"]) for part in items]
    assert len(items) > 100
    assert all(UID.fullmatch(uid) for uid in uids)
    assert len(set(uids)) == len(uids)
    zones = {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")}
    used = {
        part[name].params["TZID"]
        for part in items
        for name in ("DTSTART", "DTEND", "DUE")
        if name in part and "TZID" in part[name].params
    }
    assert used == zones == {"Europe/Paris"}
    for part in items:
        assert isinstance(part["SEQUENCE"], int)
        assert part["SEQUENCE"] >= 0
        assert part["DTSTAMP"].dt.utcoffset() == timedelta(0)
        assert part["DTSTAMP"].dt == part["LAST-MODIFIED"].dt >= part["CREATED"].dt


def test_the_same_plan_renders_the_same_bytes(demo_store_url: str) -> None:
    renders = []
    for _ in range(2):
        with EventStore.from_url(demo_store_url) as store:
            renders.append(export_ics(PlanService(store), DEMO, person="cd"))
    assert renders[0] == renders[1]


def test_visits_carry_their_status_and_sequence(demo_store: EventStore) -> None:
    items = by_uid(export_ics(PlanService(demo_store), DEMO, person="cd"))
    cancelled = items["PAC-2025.S08.2025-08-12.pacflow"]
    assert (cancelled.name, cancelled["STATUS"], cancelled["SEQUENCE"]) == (
        "VEVENT",
        "CANCELLED",
        1,
    )
    assert cancelled["DTSTART"].dt == datetime(
        2025, 8, 12, 10, tzinfo=cancelled["DTSTART"].dt.tzinfo
    )
    assert cancelled["DTEND"].dt - cancelled["DTSTART"].dt == timedelta(hours=1, minutes=30)
    assert str(cancelled["X-PACFLOW-OCCURRENCE"]) == "S08@2025-08-12"
    held = items["PAC-2025.S08.2025-01-14.pacflow"]
    assert held["STATUS"] == "CONFIRMED"
    assert "done" in [str(c) for c in held["CATEGORIES"].cats]
    moved = items["PAC-2025.S08.2025-04-22.pacflow"]
    assert moved["SEQUENCE"] == 2  # moved, then held
    assert [str(c) for c in moved["CATEGORIES"].cats][-2:] == ["done", "moved"]
    # Replanned away at the mid-year revision: not in the plan, so not in the file.
    assert "PAC-2025.S08.2025-08-26.pacflow" not in items


def test_a_due_date_step_is_a_task_with_its_context(demo_store: EventStore) -> None:
    task = by_uid(export_ics(PlanService(demo_store), DEMO, person="cd"))["PAC-2025.S10.pacflow"]
    assert task.name == "VTODO"
    assert task["DUE"].dt == date(2025, 10, 15)  # moved at the mid-year revision
    assert task["STATUS"] == "COMPLETED"
    assert task["PERCENT-COMPLETE"] == 100
    assert task["SEQUENCE"] == 2  # moved, then done
    assert [str(c) for c in task["CATEGORIES"].cats] == [
        "sales",
        "farming",
        "Banque Régionale du Centre",
    ]
    description = str(task["DESCRIPTION"])
    assert "Objective: " in description
    assert "Means: Avant-vente 10 j" in description
    assert "Participants: Julien Moreau (jm), Marc Petit (mp)" in description
    assert str(task["X-PACFLOW-STEP"]) == "S10"


def test_each_rep_gets_exactly_the_items_they_are_responsible_for(
    demo_store: EventStore,
) -> None:
    history = calendar_history(
        (recorded.recorded_at, event) for recorded, event in PlanService(demo_store).history(DEMO)
    )
    assert history is not None
    state = history.state
    everything = set(_uids(render_calendar(history)))
    seen: Counter[str] = Counter()
    for person in state.people:
        mine = render_calendar(history, person=person)
        seen.update(_uids(mine))
        steps = set(re.findall(rb"^X-PACFLOW-STEP:(.+)\r$", mine, re.M))
        assert {state.steps[step.decode()].responsible for step in steps} <= {person}
        if person in REPS:
            assert steps, f"{person} has an empty calendar"
    assert set(seen) == everything
    assert max(seen.values()) == 1
    assert b"X-PACFLOW-STEP:S15" in render_calendar(history, person="pg")  # reassigned in March


def _uids(data: bytes) -> list[str]:
    return [uid.decode() for uid in re.findall(rb"^UID:(.+)\r$", data, re.M)]


def test_as_of_renders_the_plan_as_it_stood(demo_store: EventStore) -> None:
    service = PlanService(demo_store)
    june = export_ics(service, DEMO, person="cd", until=datetime(2025, 6, 1, tzinfo=UTC))
    items = by_uid(june)
    assert items["PAC-2025.S10.pacflow"]["DUE"].dt == date(2025, 6, 30)
    assert items["PAC-2025.S08.2025-08-26.pacflow"]["SEQUENCE"] == 0
    assert all(part["DTSTAMP"].dt <= datetime(2025, 6, 1, tzinfo=UTC) for part in items.values())


def test_resources_hold_one_item_each_with_its_own_vtimezone(demo_store: EventStore) -> None:
    history = calendar_history(
        (recorded.recorded_at, event) for recorded, event in PlanService(demo_store).history(DEMO)
    )
    assert history is not None
    resources = render_resources(history, person="cd")
    for uid, data in resources.items():
        calendar = icalendar.Calendar.from_ical(data)
        [item] = components(data)
        assert str(item["UID"]) == uid
        zones = calendar.walk("VTIMEZONE")
        assert len(zones) == (1 if item.name == "VEVENT" else 0)


# --- UIDs --------------------------------------------------------------------------------


def test_uids_encode_every_character_outside_the_safe_set() -> None:
    assert step_uid("PAC-2025", "S10") == "PAC-2025.S10.pacflow"
    assert occurrence_uid("PAC-2025", "S08", "S08@2025-03-11") == "PAC-2025.S08.2025-03-11.pacflow"
    assert (
        occurrence_uid("P", "S.1", "S.1@2025-03-11T14:00") == "P.S+2E1.2025-03-11T14+3A00.pacflow"
    )
    assert uid_part("a_b é") == "a+5Fb+20+C3+A9"
    # Distinct keys never share a UID, even when separators appear inside them.
    assert step_uid("A.B", "C") != step_uid("A", "B.C")


# --- a small plan: SEQUENCE and time stamps ----------------------------------------------

PLAN_FILE = """
plan: {key: P_1, title: Plan de test, start: '2025-01-01', end: '2025-12-31',
       timezone: Europe/Paris, owner: hg}
people:
- {key: hg, name: Hélène Garnier, kind: manager}
- {key: cd, name: Claire Dubois, kind: rep, timezone: America/Montreal}
- {key: kb, name: Karim Benali, kind: rep}
targets:
- key: T1
  kind: customer
  title: Banque Régionale du Centre
  responsible: cd
  objectives:
  - {statement: 600 kEUR de commandes, value: 600, unit: kEUR, due: '2025-12-31'}
  tracks:
  - key: T1-ELEV
    domain: sales
    approach: farming
    title: Développer BRC
    steps:
    - {key: S_1, title: Remettre la proposition, responsible: cd, due: '2025-06-30',
       start: '2025-06-01', participants: [kb]}
    - {key: S_2, title: Négocier, responsible: kb, due: '2025-09-30', after: S_1}
    - key: V1
      title: Visite BRC
      responsible: cd
      location: BRC, siège
      sessions:
      - {start: '2025-03-11T10:00', duration: PT1H30M}
      - {start: '2025-04-01'}
"""


@pytest.fixture
def small_plan(clock: ManualClock) -> tuple[PlanService, Callable[..., None]]:
    """A draft plan P_1 in a memory store; `run(Command, **fields)` records one more change
    one hour after the previous one."""
    store = EventStore.from_url("memory://", clock=clock)
    service = PlanService(store)
    plan_file = parse_plan_file(PLAN_FILE, "plan.yaml")
    service.execute_all(
        "P_1", plan_commands(None, plan_file, actor="hg", reason=None, today=date(2025, 1, 1))
    )

    def run(command_type: type[c.Command], **fields: Any) -> None:
        clock.advance(3600)
        command = build_command(command_type, {"plan": "P_1", "actor": "hg", **fields})
        service.execute(command)

    return service, run


def test_first_render_has_sequence_zero_and_the_recorded_times(
    small_plan: tuple[PlanService, Callable[..., None]], clock: ManualClock
) -> None:
    service, _ = small_plan
    data = export_ics(service, "P_1", person="cd")
    zones = icalendar.Calendar.from_ical(data).walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in zones] == ["America/Montreal"]
    items = by_uid(data)
    assert set(items) == {
        "P+5F1.S+5F1.pacflow",
        "P+5F1.V1.2025-03-11.pacflow",
        "P+5F1.V1.2025-04-01.pacflow",
    }
    for part in items.values():
        assert part["SEQUENCE"] == 0
        assert part["DTSTAMP"].dt == part["CREATED"].dt == seconds(clock())
    task = items["P+5F1.S+5F1.pacflow"]
    assert (task["DTSTART"].dt, task["DUE"].dt) == (date(2025, 6, 1), date(2025, 6, 30))
    assert (task["STATUS"], task["PRIORITY"]) == ("NEEDS-ACTION", 1)  # S_2 waits for it
    visit = items["P+5F1.V1.2025-03-11.pacflow"]
    # Shown in Claire's own time zone: 10:00 in Paris is 05:00 in Montréal.
    assert visit["DTSTART"].params["TZID"] == "America/Montreal"
    assert visit["DTSTART"].dt.replace(tzinfo=None) == datetime(2025, 3, 11, 5, 0)
    assert str(visit["LOCATION"]) == "BRC, siège"
    all_day = items["P+5F1.V1.2025-04-01.pacflow"]
    assert (all_day["DTSTART"].dt, all_day["DTEND"].dt) == (date(2025, 4, 1), date(2025, 4, 2))


def test_only_significant_changes_raise_sequence(
    small_plan: tuple[PlanService, Callable[..., None]], clock: ManualClock
) -> None:
    service, run = small_plan
    created = seconds(clock())
    run(c.EditStep, step="V1", title="Visite de suivi BRC")
    edited = seconds(clock())
    run(c.MoveOccurrence, occurrence="V1@2025-03-11", to="2025-03-12T15:00")
    moved = seconds(clock())
    run(c.CompleteStep, step="S_1", on="2025-05-30")
    done = seconds(clock())
    items = by_uid(export_ics(service, "P_1", person="cd"))
    untouched = items["P+5F1.V1.2025-04-01.pacflow"]
    assert (untouched["SEQUENCE"], untouched["DTSTAMP"].dt) == (0, edited)
    assert str(untouched["SUMMARY"]) == "Visite de suivi BRC"
    visit = items["P+5F1.V1.2025-03-11.pacflow"]
    assert (visit["SEQUENCE"], visit["DTSTAMP"].dt, visit["CREATED"].dt) == (1, moved, created)
    task = items["P+5F1.S+5F1.pacflow"]
    assert (task["SEQUENCE"], task["STATUS"], task["DTSTAMP"].dt) == (1, "COMPLETED", done)
    assert task["COMPLETED"].dt == datetime(2025, 5, 29, 22, tzinfo=UTC)  # midnight in Paris


def test_a_reassigned_item_moves_calendar_with_a_higher_sequence(
    small_plan: tuple[PlanService, Callable[..., None]],
) -> None:
    service, run = small_plan
    run(c.AssignStep, step="V1", responsible="kb")
    assert set(by_uid(export_ics(service, "P_1", person="cd"))) == {"P+5F1.S+5F1.pacflow"}
    karim = by_uid(export_ics(service, "P_1", person="kb"))
    visit = karim["P+5F1.V1.2025-03-11.pacflow"]
    assert visit["SEQUENCE"] == 1
    assert visit["DTSTART"].params["TZID"] == "Europe/Paris"  # Karim has no zone of his own


def test_cancelled_items_stay_with_status_cancelled(
    small_plan: tuple[PlanService, Callable[..., None]],
) -> None:
    service, run = small_plan
    run(c.CancelOccurrence, occurrence="V1@2025-04-01", reason="client absent")
    run(c.CancelStep, step="S_1", on="2025-02-01", reason="abandonné")
    items = by_uid(export_ics(service, "P_1"))
    visit = items["P+5F1.V1.2025-04-01.pacflow"]
    assert (visit["STATUS"], visit["SEQUENCE"]) == ("CANCELLED", 1)
    assert "Cancelled: client absent" in str(visit["DESCRIPTION"])
    task = items["P+5F1.S+5F1.pacflow"]
    assert (task["STATUS"], task["SEQUENCE"]) == ("CANCELLED", 1)


def test_a_visit_held_before_its_step_was_cancelled_stays_held(
    small_plan: tuple[PlanService, Callable[..., None]],
) -> None:
    service, run = small_plan
    run(c.CompleteOccurrence, occurrence="V1@2025-03-11", on="2025-03-11")
    run(c.CancelStep, step="V1", on="2025-03-20", reason="cible abandonnée")
    items = by_uid(export_ics(service, "P_1"))
    held = items["P+5F1.V1.2025-03-11.pacflow"]
    assert held["STATUS"] == "CONFIRMED"
    assert "done" in [str(name) for name in held["CATEGORIES"].cats]
    assert items["P+5F1.V1.2025-04-01.pacflow"]["STATUS"] == "CANCELLED"


def test_an_occurrence_that_leaves_and_comes_back_keeps_rising(
    small_plan: tuple[PlanService, Callable[..., None]],
) -> None:
    service, run = small_plan
    sessions = [{"start": "2025-03-11T10:00", "duration": "PT1H30M"}, {"start": "2025-04-01"}]
    run(c.MoveStep, step="V1", schedule={"kind": "sessions", "sessions": sessions[:1]})
    assert "P+5F1.V1.2025-04-01.pacflow" not in by_uid(export_ics(service, "P_1"))
    run(c.MoveStep, step="V1", schedule={"kind": "sessions", "sessions": sessions})
    items = by_uid(export_ics(service, "P_1"))
    assert items["P+5F1.V1.2025-04-01.pacflow"]["SEQUENCE"] == 1
    assert items["P+5F1.V1.2025-03-11.pacflow"]["SEQUENCE"] == 0


def test_a_step_others_wait_for_is_high_priority_and_blocked_shows(
    small_plan: tuple[PlanService, Callable[..., None]],
) -> None:
    service, run = small_plan
    run(c.BlockStep, step="S_2", on="2025-02-01", reason="budget gelé")
    items = by_uid(export_ics(service, "P_1"))
    first, second = items["P+5F1.S+5F1.pacflow"], items["P+5F1.S+5F2.pacflow"]
    assert (first["PRIORITY"], second["PRIORITY"]) == (1, 5)
    assert (second["STATUS"], second["SEQUENCE"]) == ("NEEDS-ACTION", 1)
    assert [str(c) for c in second["CATEGORIES"].cats][-1] == "blocked"
    assert "Blocked: budget gelé" in str(second["DESCRIPTION"])
