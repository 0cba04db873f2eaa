"""The state of one plan: its header and the entities inside it, as `fold` leaves them.

State is made of slotted dataclasses, not pydantic models, because folding a long stream
must be fast (hundreds of thousands of events per second); `pacflow.domain.folding` changes
it in place. `decide` only reads it.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date, datetime, timedelta
from decimal import Decimal

from pacflow.domain.daysoff import NO_DAYS_OFF, DaysOff, days_off
from pacflow.domain.findings import Figures
from pacflow.domain.indicator import Indicator as Indicator
from pacflow.domain.localtime import instant, local
from pacflow.domain.schedule import PlanPeriod, Schedule
from pacflow.domain.values import (
    Approach,
    CheckThresholds,
    Domain,
    OccurrenceStatus,
    PersonKind,
    PlanStatus,
    StepStatus,
    TargetKind,
)
from slotted import MutableRecord, mutable_record


@mutable_record
class Person(MutableRecord):
    """A team member; `left_on` is set once they left the team."""

    key: str
    name: str
    kind: PersonKind
    email: str | None
    role: str | None
    sector: str | None
    timezone: str | None
    left_on: date | None = None
    country: str | None = None  # public holidays of their own, when not the plan's
    subdivision: str | None = None

    @property
    def active(self) -> bool:
        """Whether the person is still in the team."""
        return self.left_on is None


@mutable_record
class Target(MutableRecord):
    """A target (cible) of the plan."""

    key: str
    kind: TargetKind
    title: str
    responsible: str
    ref: str | None
    segments: tuple[str, ...]
    rationale: str | None
    dropped: bool = False
    decisions: tuple[str, ...] = ()


@mutable_record
class Objective(MutableRecord):
    """An objective of a target: `main`, or a secondary one."""

    target: str
    key: str
    statement: str
    value: Decimal
    unit: str
    due: date
    indicator: str | None
    baseline: Decimal | None


@mutable_record
class Track(MutableRecord):
    """An action track; `steps` lists its step keys in the order they were added."""

    key: str
    target: str | None
    domain: Domain
    approach: Approach | None
    title: str
    steps: list[str] = field(default_factory=list)


@mutable_record
class Step(MutableRecord):
    """A step of a track, with its schedule, status and occurrence keys."""

    key: str
    track: str
    title: str
    order: int
    responsible: str
    participants: tuple[str, ...]
    schedule: Schedule
    predecessor: str | None
    parallel: bool
    means: str | None
    budget: Decimal | None
    days: Decimal | None
    indicators: tuple[str, ...]
    location: str | None
    status: StepStatus = StepStatus.PLANNED
    started_on: date | None = None
    done_on: date | None = None
    blocked_on: date | None = None
    blocked_reason: str | None = None
    cancelled_on: date | None = None
    cancel_reason: str | None = None
    occurrences: list[str] = field(default_factory=list)


@mutable_record
class Occurrence(MutableRecord):
    """One occurrence of a step: floating local times in `timezone` (the plan's); once held,
    who held it and with whom."""

    key: str
    step: str
    scheduled_start: datetime
    start: datetime
    all_day: bool
    duration: timedelta | None
    timezone: str
    status: OccurrenceStatus = OccurrenceStatus.PLANNED
    done_on: date | None = None
    cancel_reason: str | None = None
    held_by: str | None = None
    """Who was responsible for its step when it was held: the past stays as recorded
    whatever the step's later reassignments."""
    held_with: tuple[str, ...] = ()
    """The step's participants when it was held."""


@mutable_record
class Finding(MutableRecord):
    """A finding of the diagnostic: one tool's figures over a period, and what they show."""

    key: str
    title: str
    period: str | None
    figures: Figures


@mutable_record
class Decision(MutableRecord):
    """A decision of the diagnostic and the findings it rests on."""

    key: str
    statement: str
    findings: tuple[str, ...]


@mutable_record
class PlanState(MutableRecord):
    """Everything known about one plan after its events so far; `version` counts them."""

    key: str
    title: str
    start: date
    end: date
    timezone: str
    owner: str
    scope: str | None
    max_targets_per_rep: int
    max_targets_total: int
    status: PlanStatus = PlanStatus.DRAFT
    revision: int = 1
    version: int = 0
    life_start: int = 1
    """The stream version of this plan's `PlanCreated`: 1, or later when the key was
    dropped and created again (one stream, several lives; the state is the last one's)."""
    people: dict[str, Person] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)
    objectives: dict[tuple[str, str], Objective] = field(default_factory=dict)
    tracks: dict[str, Track] = field(default_factory=dict)
    steps: dict[str, Step] = field(default_factory=dict)
    occurrences: dict[str, Occurrence] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    checks: CheckThresholds = field(default_factory=CheckThresholds)
    findings: dict[str, Finding] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    country: str | None = None  # public holidays (docs/time.md); None: none observed
    subdivision: str | None = None
    slots_on_holidays: bool = False
    slots_on_weekends: bool = False

    @property
    def period(self) -> PlanPeriod:
        """The plan's dates, time zone and days off, as schedule expansion needs them."""
        return PlanPeriod(self.start, self.end, self.timezone, self.days_off())

    def period_for(self, person: str) -> PlanPeriod:
        """The plan period with `person`'s days off (their public holidays, if their own) and
        their own time zone (their day counts: docs/time.md)."""
        return PlanPeriod(
            self.start, self.end, self.timezone, self.days_off(person), self.own_zone(person)
        )

    def own_zone(self, person: str | None) -> str | None:
        """`person`'s own time zone when they have one that is not the plan's."""
        found = self.people.get(person) if person is not None else None
        if found is None or not found.timezone or found.timezone == self.timezone:
            return None
        return found.timezone

    def own_day(self, person: str | None, moment: datetime) -> date:
        """The day the plan's local time `moment` falls on for `person` (their own zone's)."""
        zone = self.own_zone(person)
        if zone is None:
            return moment.date()
        return local(instant(moment, self.timezone), zone).date()

    def days_off(self, person: str | None = None) -> DaysOff:
        """The public holidays of `person` (their own country's, else the plan's) over the
        plan's years, and whether cadence slots may land on them or on weekends."""
        found = self.people.get(person) if person is not None else None
        country, subdivision = self.country, self.subdivision
        if found is not None and found.country is not None:
            country, subdivision = found.country, found.subdivision
        if country is None and not self.slots_on_weekends:
            return NO_DAYS_OFF
        return days_off(
            country,
            subdivision,
            self.start,
            self.end,
            holidays_allowed=self.slots_on_holidays,
            weekends_allowed=self.slots_on_weekends,
        )
