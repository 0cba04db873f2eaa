"""The report model: what a report says, independent of how it is written out.

A report is built from a `PlanState` and a reference day (`today`: the day late steps and
overdue visits are judged against). It holds plain, frozen values only; the renderers
(Markdown, JSON, HTML) never look at the plan state themselves.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from slotted import FrozenValue, frozen_value

if TYPE_CHECKING:
    from pacflow.domain.findings import Figures

# Defined once, in the domain's facts, and re-exported for the renderers.
from pacflow.domain.progress import StepState as StepState
from pacflow.domain.progress import VisitState as VisitState


class ReportKind(enum.StrEnum):
    """How the plan is grouped: by theme, by person (rep), by sector or by target."""

    THEME = "theme"
    REP = "rep"
    SECTOR = "sector"
    TARGET = "target"


@frozen_value
class Visit(FrozenValue):
    """One occurrence of a step, on its day and at its time in its responsible person's
    zone (`at` names the zone when it is not the plan's); `holiday`: the public holiday it
    falls on, if still to hold."""

    key: str
    day: date
    at: str | None
    state: VisitState
    held_by: str | None = None
    """Who was responsible when it was held (reports by rep credit them, not a later one)."""
    held_with: tuple[str, ...] = ()
    holiday: str | None = None
    moved_from: date | None = None
    """The day it was first scheduled on, when it was moved since (by the rep in their
    calendar or with `visit move`, or by a replanning)."""

    @property
    def booked(self) -> bool:
        """Whether it has a time: a session or a visit at a set hour, or one the rep moved
        to a real time; a cadence slot (a day pacflow chose, no time) is still to book."""
        return self.at is not None


@frozen_value
class StepLine(FrozenValue):
    """A step with what every report shows of it: dates, people, status, visits."""

    key: str
    title: str
    track: str
    target: str | None
    theme: str
    responsible: str
    participants: tuple[str, ...]
    means: str | None
    schedule: str
    start: date | None
    end: date | None
    status: str
    state: StepState
    done_on: date | None
    visits: tuple[Visit, ...]
    budget: Decimal | None = None

    @property
    def milestone(self) -> bool:
        """A single date (a deadline or one session) rather than a span."""
        return self.start is None or self.start == self.end


@frozen_value
class TrackBlock(FrozenValue):
    """An action track and its steps, in plan order."""

    key: str
    title: str
    target: str | None
    theme: str
    steps: tuple[StepLine, ...]


@frozen_value
class Progress(FrozenValue):
    """Counts behind the progress bars: steps done and late, visits held and overdue.

    Cancelled steps and visits are counted apart and left out of the shares.
    """

    steps: int = 0
    done: int = 0
    late: int = 0
    cancelled: int = 0
    visits: int = 0
    held: int = 0
    overdue: int = 0
    visits_cancelled: int = 0

    @property
    def step_share(self) -> float | None:
        """Share of live steps done, or None without any."""
        return self.done / self.steps if self.steps else None

    @property
    def visit_share(self) -> float | None:
        """Share of live visits held, or None without any."""
        return self.held / self.visits if self.visits else None


@frozen_value
class ObjectiveLine(FrozenValue):
    """An objective of a target: a measurable result by a due date."""

    target: str
    key: str
    statement: str
    value: Decimal
    unit: str
    due: date
    baseline: Decimal | None
    indicator: str | None


@frozen_value
class Reason(FrozenValue):
    """A decision a target implements, and the findings it rests on: why it is a target."""

    decision: str
    statement: str
    findings: tuple[tuple[str, str], ...]
    """(key, title) of each finding."""


@frozen_value
class FindingView(FrozenValue):
    """A finding of the plan's diagnostic, to be drawn as its tool's schema, with what it
    justified: the decisions resting on it and the targets implementing those."""

    key: str
    title: str
    period: str | None
    figures: Figures
    decisions: tuple[tuple[str, str, tuple[str, ...]], ...]
    """(key, statement, keys of the live targets implementing it) of each decision citing
    the finding."""
    targets: tuple[tuple[str, str], ...]
    """(key, title) of each live target implementing one of those decisions."""


@frozen_value
class PersonInfo(FrozenValue):
    """Who someone is in the team."""

    key: str
    name: str
    kind: str
    role: str | None
    sector: str | None
    left_on: date | None


@frozen_value
class TargetSection(FrozenValue):
    """A target with its objectives, its tracks and their progress."""

    key: str
    title: str
    kind: str
    responsible: str
    ref: str | None
    segments: tuple[str, ...]
    rationale: str | None
    dropped: bool
    objectives: tuple[ObjectiveLine, ...]
    tracks: tuple[TrackBlock, ...]
    progress: Progress
    why: tuple[Reason, ...] = ()


@frozen_value
class TargetSummary(FrozenValue):
    """A target's objectives and the progress of its action plan, for the report's summary."""

    key: str
    title: str
    responsible: str
    dropped: bool
    objectives: tuple[ObjectiveLine, ...]
    progress: Progress
    why: tuple[Reason, ...] = ()


@frozen_value
class ThemeSection(FrozenValue):
    """One theme (a domain, or a sales approach) and its tracks across targets."""

    key: str
    tracks: tuple[TrackBlock, ...]
    progress: Progress


@frozen_value
class Assignment(FrozenValue):
    """A step someone takes part in, and how: `responsible` or `participant` now, or
    `responsible before` / `participant before` for a step handed over after they held some
    of its visits (its line then shows the visits they held only)."""

    role: str
    step: StepLine


@frozen_value
class MonthVisits(FrozenValue):
    """Visits of one month (`2025-03`) by state."""

    month: str
    held: int
    planned: int
    overdue: int
    cancelled: int

    @property
    def total(self) -> int:
        """Every visit of the month, cancelled ones included."""
        return self.held + self.planned + self.overdue + self.cancelled


class Booking(enum.StrEnum):
    """Where a customer visit still to hold stands in the rep's calendar."""

    BOOKED = "booked"
    """It has a time (set by the plan, or by the rep moving it)."""
    TO_BOOK = "to_book"
    """A slot of a cadence: a day with no time, to be booked with the customer."""
    OVERDUE = "overdue"
    """Its day is past and it was not recorded as held: hold it or book it again."""


@frozen_value
class Appointment(FrozenValue):
    """A customer visit or session still to hold, for the appointments plan."""

    visit: Visit
    step: str
    title: str
    target: str
    customer: str
    """The title of the target (the customer, segment or offer the visit serves)."""
    role: str

    @property
    def booking(self) -> Booking:
        if self.visit.state is VisitState.OVERDUE:
            return Booking.OVERDUE
        return Booking.BOOKED if self.visit.booked else Booking.TO_BOOK


@frozen_value
class PersonSection(FrozenValue):
    """Everything one person is responsible for or takes part in, dated."""

    person: PersonInfo
    targets: tuple[tuple[str, str], ...]
    indicators: tuple[tuple[str, str], ...]
    assignments: tuple[Assignment, ...]
    months: tuple[MonthVisits, ...]
    progress: Progress
    appointments: tuple[Appointment, ...] = ()
    """The visits still to hold, in day order (the appointments plan only)."""


@frozen_value
class SectorSection(FrozenValue):
    """A sector (`SEG-BA`, or None for targets whose responsible has no sector)."""

    key: str | None
    people: tuple[PersonInfo, ...]
    targets: tuple[TargetSection, ...]
    progress: Progress


Section = ThemeSection | PersonSection | SectorSection | TargetSection


@frozen_value
class Report(FrozenValue):
    """A plan presented one way (by theme, person, sector or target) on a given day.

    `plan_tracks` holds the tracks of no target (steering) for the sector and target
    views; `as_of` is the recording time the plan was read at, when it was not "now".
    """

    kind: ReportKind
    plan: str
    title: str
    scope: str | None
    start: date
    end: date
    timezone: str
    status: str
    revision: int
    today: date
    as_of: datetime | None
    months: tuple[str, ...]
    people: dict[str, str]
    sections: tuple[Section, ...]
    plan_tracks: tuple[TrackBlock, ...]
    progress: Progress
    targets: tuple[TargetSummary, ...]
    audience: str | None = None
    """Who the report is for (`pacflow.reports.audiences`), when it is a selection."""
    findings: tuple[FindingView, ...] = ()
    """The diagnostic behind the targets, drawn by the HTML report."""

    def elapsed(self) -> float:
        """Share of the plan period gone by on `today` (0 before it starts, 1 after)."""
        total = (self.end - self.start).days + 1
        gone = (self.today - self.start).days + 1
        return min(max(gone / total, 0.0), 1.0)

    def steps(self) -> tuple[StepLine, ...]:
        """Every step the report shows, each once, in the order it first appears."""
        seen: dict[str, StepLine] = {}
        for block in self.track_blocks():
            for step in block.steps:
                seen.setdefault(step.key, step)
        for section in self.sections:
            if isinstance(section, PersonSection):
                for assignment in section.assignments:
                    seen.setdefault(assignment.step.key, assignment.step)
        return tuple(seen.values())

    def track_blocks(self) -> tuple[TrackBlock, ...]:
        """Every track block of the report's sections, then the plan-wide ones."""
        blocks: list[TrackBlock] = []
        for section in self.sections:
            if isinstance(section, ThemeSection | TargetSection):
                blocks.extend(section.tracks)
            elif isinstance(section, SectorSection):
                for target in section.targets:
                    blocks.extend(target.tracks)
        blocks.extend(self.plan_tracks)
        return tuple(blocks)
