"""The worked example (`../shared/data/ssii-example.yaml`) as histories and commands.

Plan PAC-2025 of Numéria Services, Europe/Paris, 2025-01-01..2025-12-31, with its people
(hg, cd, kb, tl, sm, jm, pg, nr), targets T1…T4, some tracks and steps, and indicators.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from pacflow.domain import PlanEvent, expand
from pacflow.domain.commands import Command
from pacflow.domain.events import (
    IndicatorDefined,
    OccurrencesScheduled,
    PersonAdded,
    PlanApproved,
    PlanCreated,
    PlanPublished,
    RevisionOpened,
    StepAdded,
    TargetAdded,
    TrackAdded,
)
from pacflow.domain.schedule import (
    DueDate,
    PlanPeriod,
    Recurrence,
    RecurrenceRule,
    Schedule,
    Session,
    SessionList,
)
from pacflow.domain.values import (
    Aggregation,
    Approach,
    Direction,
    Domain,
    IndicatorKind,
    PersonKind,
    TargetKind,
)

PLAN = "PAC-2025"
PERIOD = PlanPeriod(date(2025, 1, 1), date(2025, 12, 31), "Europe/Paris")
REASON = "Rapprochement de BRC avec un autre établissement"

C = TypeVar("C", bound=Command)


def command(command_type: type[C], actor: str = "hg", **fields: Any) -> C:
    """A command on PAC-2025, by hg unless told otherwise."""
    return command_type(plan=PLAN, actor=actor, **fields)


CREATED = PlanCreated(
    key=PLAN,
    title="Plan d'action commerciale 2025",
    start=date(2025, 1, 1),
    end=date(2025, 12, 31),
    timezone="Europe/Paris",
    owner="hg",
    scope="Numéria Services",
)

PEOPLE = [
    PersonAdded(key="hg", name="Hélène Garnier", kind=PersonKind.MANAGER),
    PersonAdded(
        key="cd",
        name="Claire Dubois",
        kind=PersonKind.REP,
        email="claire.dubois@numeria.example",
        sector="SEG-BA",
    ),
    PersonAdded(key="kb", name="Karim Benali", kind=PersonKind.REP, sector="SEG-BA"),
    PersonAdded(key="tl", name="Thomas Leroy", kind=PersonKind.REP, sector="OFF-CRM"),
    PersonAdded(key="sm", name="Sophie Martin", kind=PersonKind.REP, sector="SEG-IND"),
    PersonAdded(key="jm", name="Julien Moreau", kind=PersonKind.BACK_OFFICE),
    PersonAdded(key="pg", name="Paul Girard", kind=PersonKind.BACK_OFFICE),
    PersonAdded(key="nr", name="Nadia Roussel", kind=PersonKind.BACK_OFFICE),
]

TARGETS = [
    TargetAdded(
        key="T1",
        kind=TargetKind.CUSTOMER,
        title="Banque Régionale du Centre",
        responsible="cd",
        ref="ACC-BRC",
    ),
    TargetAdded(key="T2", kind=TargetKind.SEGMENT, title="Banque & Assurance", responsible="kb"),
    TargetAdded(
        key="T3",
        kind=TargetKind.OFFER_SEGMENT,
        title="Projets CRM",
        responsible="tl",
        ref="OFF-CRM",
        segments=("SEG-IND", "SEG-BA", "SEG-AUT"),
    ),
    TargetAdded(key="T4", kind=TargetKind.SEGMENT, title="Industrie", responsible="sm"),
]

TRACKS = [
    TrackAdded(key="T1-INFO", target="T1", domain=Domain.INFORMATION, title="Connaître BRC"),
    TrackAdded(
        key="T1-ELEV",
        target="T1",
        domain=Domain.SALES,
        approach=Approach.FARMING,
        title="Développer BRC en client partenaire",
    ),
    TrackAdded(key="PILOT", target=None, domain=Domain.STEERING, title="Pilotage du PAC"),
]

INDICATORS = [
    IndicatorDefined(
        key="I1",
        name="Prises de commandes Banque & Assurance 2025 (cumul)",
        kind=IndicatorKind.RESULT,
        unit="kEUR",
        aggregation=Aggregation.CUMULATIVE_YTD,
        direction=Direction.UP,
        owner="hg",
        serves=("T1", "T2"),
    ),
    IndicatorDefined(
        key="I2",
        name="Visites chez BRC",
        kind=IndicatorKind.ACTIVITY,
        unit="count",
        aggregation=Aggregation.PER_PERIOD,
        direction=Direction.UP,
        owner="cd",
        serves=("T1",),
    ),
]

S08_SCHEDULE = Recurrence(
    rules=(
        RecurrenceRule(
            dtstart=datetime(2025, 1, 14, 10), rrule="FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=24"
        ),
    ),
    duration=timedelta(hours=1, minutes=30),
)
S11_SCHEDULE = SessionList(
    sessions=tuple(
        Session(start=datetime(2025, month, day, 14), duration=timedelta(hours=2))
        for month, day in ((3, 27), (6, 26), (9, 25), (12, 11))
    )
)


def step_added(
    key: str,
    track: str,
    order: int,
    responsible: str = "cd",
    schedule: Schedule | None = None,
    **fields: Any,
) -> list[PlanEvent]:
    """StepAdded for `key`, followed by its occurrences if its schedule has some."""
    schedule = schedule if schedule is not None else DueDate(due=date(2025, 3, 31))
    events: list[PlanEvent] = [
        StepAdded(
            key=key,
            track=track,
            title=f"Étape {key}",
            order=order,
            responsible=responsible,
            schedule=schedule,
            **fields,
        )
    ]
    slots = expand(key, schedule, PERIOD)
    if slots:
        events.append(OccurrencesScheduled(step=key, occurrences=slots))
    return events


STEPS = [
    *step_added("S01", "T1-INFO", 1, participants=("jm",), schedule=DueDate(due=date(2025, 1, 31))),
    *step_added("S02", "T1-INFO", 2, participants=("hg",), schedule=DueDate(due=date(2025, 2, 14))),
    *step_added("S03", "T1-INFO", 3, schedule=DueDate(due=date(2025, 3, 14))),
    *step_added(
        "S08", "T1-ELEV", 1, schedule=S08_SCHEDULE, indicators=("I2",), means="RDV sur site"
    ),
    *step_added("S09", "T1-ELEV", 2, parallel=True, schedule=DueDate(due=date(2025, 5, 22))),
    *step_added("S11", "T1-ELEV", 3, parallel=True, schedule=S11_SCHEDULE),
]

DRAFT = [CREATED, *PEOPLE, *TARGETS, *TRACKS, *INDICATORS, *STEPS]
"""PAC-2025 as written before its approval."""

APPROVED = [*DRAFT, PlanApproved()]
PUBLISHED = [*APPROVED, PlanPublished(revision=1)]
"""PAC-2025 as validated and communicated in January."""

REVISING = [*PUBLISHED, RevisionOpened(revision=2, reason=REASON)]
"""PAC-2025 during its mid-year re-actualisation."""

ZERO = Decimal(0)
