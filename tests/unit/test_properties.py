"""Properties over random inputs: folding recorded events gives the live state; schedule
expansion is deterministic and stays inside the plan period."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pacflow.domain import (
    Command,
    PlanEvent,
    PlanState,
    decide,
    evolve,
    expand,
    fold,
)
from pacflow.domain import commands as c
from pacflow.domain.schedule import (
    Cadence,
    DueDate,
    Recurrence,
    RecurrenceRule,
    Schedule,
    Session,
    SessionList,
)
from pacflow.domain.values import Per
from pacflow.errors import InvalidInputError, PacflowError

from .example import DRAFT, PERIOD, command
from .gwt import stored_as_pydantic_would

YEAR_START = date(2025, 1, 1)

days = st.integers(min_value=-20, max_value=385).map(lambda n: YEAR_START + timedelta(days=n))
times = st.sampled_from([(9, 0), (10, 0), (14, 0), (14, 30), (2, 30)])
moments = st.builds(lambda day, hm: datetime(day.year, day.month, day.day, *hm), days, times)
durations = st.sampled_from([None, timedelta(hours=1), timedelta(hours=1, minutes=30)])
reasons = st.sampled_from([None, "Re-actualisation du PAC", "Client indisponible"])

rrules = st.builds(
    lambda freq, interval, byday, bound: ";".join(
        part for part in (f"FREQ={freq}", f"INTERVAL={interval}", byday, bound) if part
    ),
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    st.integers(min_value=1, max_value=3),
    st.sampled_from(["", "BYDAY=TU", "BYDAY=2TU,4TU", "BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"]),
    st.sampled_from(["", "COUNT=3", "COUNT=30", "UNTIL=20250630T235959", "UNTIL=20260630T235959"]),
)
recurrences = st.builds(
    lambda rules, duration: Recurrence(rules=tuple(rules), duration=duration),
    st.lists(
        st.builds(RecurrenceRule, dtstart=moments | days, rrule=rrules), min_size=1, max_size=2
    ),
    durations,
)
sessions = st.builds(
    lambda starts, duration: SessionList(
        sessions=tuple(Session(start=start, duration=duration) for start in starts)
    ),
    st.lists(moments | days, min_size=1, max_size=4),
    durations,
)
cadences = st.builds(
    Cadence,
    count=st.integers(min_value=0, max_value=6),
    per=st.sampled_from(list(Per)),
    exceptions=st.sampled_from([{}, {"2025-08": 0}, {"2025-Q3": 1}, {"2025-W10": 2}]),
)
due_dates = st.builds(DueDate, due=days, start=st.none() | days)
schedules: st.SearchStrategy[Schedule] = st.one_of(due_dates, sessions, recurrences, cadences)


@settings(max_examples=300, deadline=None)
@given(schedule=schedules)
def test_expansion_is_deterministic_and_stays_in_the_plan_period(schedule: Schedule) -> None:
    problem = None
    try:
        slots = expand("S08", schedule, PERIOD)
    except InvalidInputError as error:
        problem = str(error)
    if problem is not None:
        assert "\n" not in problem
        return
    assert slots == expand("S08", schedule, PERIOD)
    assert [slot.start for slot in slots] == sorted(slot.start for slot in slots)
    assert len({slot.key for slot in slots}) == len(slots)
    for slot in slots:
        assert PERIOD.start <= slot.start.date() <= PERIOD.end
        assert slot.key.startswith(f"S08@{slot.start.date().isoformat()}")


# --- random command sequences ------------------------------------------------------------


def pick(draw: st.DrawFn, keys: list[str]) -> str:
    """A key of the state, or now and then one that names nothing."""
    return draw(st.sampled_from([*keys, "zz"])) if keys else "zz"


def random_command(draw: st.DrawFn, state: PlanState, serial: int) -> Command:
    people, targets = list(state.people), list(state.targets)
    tracks, steps = list(state.tracks), list(state.steps)
    occurrences, indicators = list(state.occurrences), list(state.indicators)
    reason = draw(reasons)
    new_key = f"N{serial}"
    builders: list[Callable[[], Command]] = [
        lambda: command(
            c.AddPerson,
            reason=reason,
            key=new_key,
            name=f"Personne {serial}",
            kind=draw(st.sampled_from(["rep", "manager", "back_office"])),
        ),
        lambda: command(c.PersonLeaves, reason=reason, person=pick(draw, people), on=draw(days)),
        lambda: command(
            c.AddTarget,
            reason=reason,
            key=new_key,
            kind="customer",
            title="Compte",
            responsible=pick(draw, people),
        ),
        lambda: command(c.DropTarget, reason=reason, target=pick(draw, targets)),
        lambda: command(
            c.SetObjective,
            reason=reason,
            target=pick(draw, targets),
            statement="Objectif",
            value=Decimal(draw(st.integers(min_value=0, max_value=900))),
            unit="kEUR",
            due=draw(days),
        ),
        lambda: command(
            c.AddTrack,
            reason=reason,
            key=new_key,
            target=draw(st.sampled_from([*targets, None])),
            domain=draw(st.sampled_from(["information", "internal", "sales", "steering"])),
            approach=draw(st.sampled_from([None, "farming"])),
            title="Piste",
        ),
        lambda: command(
            c.AddStep,
            reason=reason,
            key=new_key,
            track=pick(draw, tracks),
            title="Étape",
            responsible=pick(draw, people),
            schedule=draw(schedules),
            parallel=draw(st.booleans()),
        ),
        lambda: command(
            c.EditStep,
            reason=reason,
            step=pick(draw, steps),
            title=draw(st.sampled_from([None, "Nouveau titre"])),
            order=draw(st.none() | st.integers(min_value=1, max_value=8)),
            parallel=draw(st.sampled_from([None, True, False])),
        ),
        lambda: command(
            c.EditStep, reason=reason, step=pick(draw, steps), predecessor=pick(draw, steps)
        ),
        lambda: command(
            c.MoveStep, reason=reason, step=pick(draw, steps), schedule=draw(schedules)
        ),
        lambda: command(
            c.AssignStep, reason=reason, step=pick(draw, steps), responsible=pick(draw, people)
        ),
        lambda: command(c.StartStep, reason=reason, step=pick(draw, steps), on=draw(days)),
        lambda: command(c.CompleteStep, reason=reason, step=pick(draw, steps), on=draw(days)),
        lambda: command(c.BlockStep, reason=reason, step=pick(draw, steps), on=draw(days)),
        lambda: command(c.CancelStep, reason=reason, step=pick(draw, steps), on=draw(days)),
        lambda: command(
            c.CompleteOccurrence, reason=reason, occurrence=pick(draw, occurrences), on=draw(days)
        ),
        lambda: command(c.CancelOccurrence, reason=reason, occurrence=pick(draw, occurrences)),
        lambda: command(
            c.MoveOccurrence,
            reason=reason,
            occurrence=pick(draw, occurrences),
            to=draw(moments | days),
        ),
        lambda: command(
            c.DefineIndicator,
            reason=reason,
            key=new_key,
            name="Indicateur",
            kind="activity",
            unit="count",
            owner=pick(draw, people),
        ),
        lambda: command(
            c.SetIndicatorTargets,
            reason=reason,
            indicator=pick(draw, indicators),
            targets={draw(st.sampled_from(["2025-01", "2025-06", "2026-01"])): Decimal(3)},
        ),
        lambda: command(
            c.RescheduleStepFrom,
            reason=reason,
            step=pick(draw, steps),
            from_date=draw(days),
            rrule=draw(st.sampled_from(["FREQ=MONTHLY;BYDAY=2TU", "FREQ=WEEKLY;BYDAY=TH"])),
        ),
        lambda: command(
            c.PersonLeaves,
            reason=reason,
            person=pick(draw, people),
            on=draw(days),
            reassign_to=pick(draw, people),
        ),
        lambda: command(c.ReopenStep, reason=reason, step=pick(draw, steps)),
        lambda: command(c.CorrectStepDone, reason=reason, step=pick(draw, steps), on=draw(days)),
        lambda: command(c.ReopenOccurrence, reason=reason, occurrence=pick(draw, occurrences)),
        lambda: command(
            c.CorrectOccurrenceDone,
            reason=reason,
            occurrence=pick(draw, occurrences),
            on=draw(days),
        ),
        lambda: command(c.RemoveStep, reason=reason, step=pick(draw, steps)),
        lambda: command(c.ApprovePlan, reason=reason),
        lambda: command(c.PublishPlan, reason=reason),
        lambda: command(c.RevisePlan, reason=reason),
        lambda: command(
            c.SetTargetLimits,
            reason=reason,
            max_targets_per_rep=draw(st.integers(min_value=0, max_value=3)),
            max_targets_total=6,
        ),
    ]
    if draw(st.integers(min_value=0, max_value=60)) == 0:
        return command(
            c.ClosePlan, reason=reason
        )  # rarely: a closed plan refuses everything after it
    return draw(st.sampled_from(builders))()


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[PlanEvent], PlanState]:
    """The example's draft, then random commands: the events recorded and the live state."""
    recorded: list[PlanEvent] = list(DRAFT)
    live = fold(DRAFT)
    assert live is not None
    for serial in range(draw(st.integers(min_value=1, max_value=40))):
        asked = random_command(draw, live, serial)
        before = copy.deepcopy(live)
        events: list[PlanEvent] = []
        problem = ""
        try:
            events = decide(live, asked)
        except PacflowError as error:
            problem = str(error)
        assert "\n" not in problem
        event(f"{type(asked).__name__} {'recorded' if events else 'refused or no-op'}")
        assert live == before, f"decide changed the state on {type(command).__name__}"
        for new in events:
            # Through the store's encoding, as the application service will do.
            stored = stored_as_pydantic_would(new)
            live = evolve(live, stored)
            recorded.append(stored)
    return recorded, live


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories())
def test_folding_the_recorded_events_gives_the_live_state(
    history: tuple[list[PlanEvent], PlanState],
) -> None:
    recorded, live = history
    assert fold(recorded) == live
    assert live.version == len(recorded)
