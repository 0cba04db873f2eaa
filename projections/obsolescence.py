"""Obsolescence findings: rules over a plan's log, its indicators and "today".

Each rule looks at the plan as known at a moment (the records recorded up to then) and
says what made the plan drift from reality, with the facts behind it (log positions and
dates) and the command that would answer it. Thresholds are module constants for now:

- a market change touching a target with no revision published since (`market-change`):
  error for a high impact, warning for medium, info for low;
- no revision, review or publication for STALE_AFTER_DAYS days (`no-review`): warning;
- steps with a due date past and not done or cancelled (`step-overdue`): warning;
- fewer visits held than the cadence in a past period (`visits-below-cadence`): warning;
- an indicator off track for OFF_TRACK_PERIODS consecutive periods, its latest value
  recorded after the last published revision (`indicator-off-track`): warning, error from
  twice as many periods;
- open steps owned by someone who left the team (`owner-left`): error;
- too many targets for the team, "choisir, c'est renoncer" (`too-many-targets`): warning.

Pure: it folds the `(RecordedEvent, PlanEvent)` pairs `PlanService.history` yields.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from events import RecordedEvent
from pacflow.describe import describe
from pacflow.domain import PlanEvent, PlanState, evolve, warnings
from pacflow.domain import events as ev
from pacflow.domain.schedule import Cadence, DueDate
from pacflow.domain.values import (
    Impact,
    OccurrenceStatus,
    StepStatus,
    period_bounds,
    period_key,
)
from pacflow.errors import NotFoundError
from projections.dashboard import Status, status_of
from projections.indicators import indicator_histories

STALE_AFTER_DAYS = 90
OFF_TRACK_PERIODS = 2
_REVIEWS = (ev.PlanApproved, ev.PlanPublished, ev.RevisionOpened)
_OPEN = (StepStatus.PLANNED, StepStatus.IN_PROGRESS, StepStatus.BLOCKED)


class Severity(enum.IntEnum):
    """How much a finding matters; `--fail-on` compares against it."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """`info`, `warning` or `error`."""
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Fact:
    """A recorded event a finding rests on: its log position, when, and what it said."""

    position: int
    recorded_at: datetime
    summary: str
    valid: date | None = None

    def as_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "position": self.position,
            "recorded_at": self.recorded_at,
            "date": self.valid,
            "summary": self.summary,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing that makes the plan obsolete, why we think so, and what would answer it."""

    rule: str
    severity: Severity
    message: str
    facts: tuple[Fact, ...]
    command: str

    def as_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "rule": self.rule,
            "severity": self.severity.label,
            "message": self.message,
            "facts": [fact.as_json() for fact in self.facts],
            "command": self.command,
        }


@dataclass(slots=True)
class _Log:
    """The plan as known at the moment, and the records rules point at."""

    state: PlanState
    as_of: datetime
    everything: Sequence[tuple[RecordedEvent, PlanEvent]]
    records: list[tuple[RecordedEvent, PlanEvent]] = field(default_factory=list)
    schedule_set: dict[str, tuple[RecordedEvent, PlanEvent]] = field(default_factory=dict)
    left: dict[str, tuple[RecordedEvent, PlanEvent]] = field(default_factory=dict)
    added: dict[str, tuple[RecordedEvent, PlanEvent]] = field(default_factory=dict)
    values: dict[tuple[str, str], tuple[RecordedEvent, PlanEvent]] = field(default_factory=dict)


def _fact(pair: tuple[RecordedEvent, PlanEvent], valid: date | None = None) -> Fact:
    recorded, event = pair
    return Fact(recorded.position, recorded.recorded_at, describe(event), valid)


def _read(records: Sequence[tuple[RecordedEvent, PlanEvent]], as_of: datetime) -> _Log:
    state: PlanState | None = None
    log: _Log | None = None
    for recorded, event in records:
        if recorded.recorded_at > as_of:
            break
        state = evolve(state, event)
        if log is None:
            log = _Log(state, as_of, records)
        pair = (recorded, event)
        log.records.append(pair)
        if isinstance(event, ev.StepAdded):
            log.schedule_set[event.key] = pair
        elif isinstance(event, ev.StepMoved):
            log.schedule_set[event.step] = pair
        elif isinstance(event, ev.PersonLeft):
            log.left[event.person] = pair
        elif isinstance(event, ev.TargetAdded):
            log.added[event.key] = pair
        elif isinstance(event, ev.IndicatorValueRecorded | ev.IndicatorValueCorrected):
            log.values[(event.indicator, event.period)] = pair
    if log is None:
        raise NotFoundError("no such plan (see `pacflow plan list`)")
    return log


def check(records: Sequence[tuple[RecordedEvent, PlanEvent]], as_of: datetime) -> list[Finding]:
    """Every finding about the plan as known at `as_of`, whose local date is "today"."""
    log = _read(records, as_of)
    today = as_of.astimezone(ZoneInfo(log.state.timezone)).date()
    found: list[Finding] = []
    for rule in (
        _market_changes,
        _no_review,
        _overdue_steps,
        _visits_below_cadence,
        _off_track,
        _owner_left,
        _too_many_targets,
    ):
        found.extend(rule(log, today))
    return sorted(found, key=lambda finding: -finding.severity)


# --- rules -------------------------------------------------------------------------------

_SEVERITY_OF_IMPACT = {
    Impact.HIGH: Severity.ERROR,
    Impact.MEDIUM: Severity.WARNING,
    Impact.LOW: Severity.INFO,
}


def _touched_targets(state: PlanState, event: ev.MarketChangeRecorded) -> list[str]:
    """Targets named by `target:` references, or whose account or segment is referenced."""
    touched: list[str] = []
    for ref in event.affects:
        kind, _, key = ref.partition(":")
        for target in state.targets.values():
            named = kind == "target" and target.key == key
            by_key = kind != "target" and (target.ref == key or key in target.segments)
            if (named or by_key) and not target.dropped and target.key not in touched:
                touched.append(target.key)
    return touched


def _market_changes(log: _Log, today: date) -> list[Finding]:
    plan = log.state.key
    found = []
    for index, (recorded, event) in enumerate(log.records):
        if not isinstance(event, ev.MarketChangeRecorded):
            continue
        answered = any(isinstance(e, ev.PlanPublished) for _r, e in log.records[index + 1 :])
        touched = _touched_targets(log.state, event)
        if answered or not touched:
            continue
        noted = recorded.recorded_at.astimezone(ZoneInfo(log.state.timezone)).date()
        days = (today - noted).days
        found.append(
            Finding(
                "market-change",
                _SEVERITY_OF_IMPACT[event.impact],
                f"market change of {event.effective} ({event.impact} impact) touches "
                f"{', '.join(touched)}, and no revision was published in the {days} "
                f"day{'s' if days != 1 else ''} since it was recorded",
                (_fact((recorded, event), event.effective),),
                f'pacflow plan revise {plan} --reason "{event.summary}"',
            )
        )
    return found


def _no_review(log: _Log, today: date) -> list[Finding]:
    reviews = [pair for pair in log.records if isinstance(pair[1], _REVIEWS)]
    last = reviews[-1] if reviews else log.records[0]
    zone = ZoneInfo(log.state.timezone)
    since = last[0].recorded_at.astimezone(zone).date()
    days = (today - since).days
    if days <= STALE_AFTER_DAYS:
        return []
    return [
        Finding(
            "no-review",
            Severity.WARNING,
            f"no revision or review for {days} days (more than {STALE_AFTER_DAYS})",
            (_fact(last, since),),
            f'pacflow plan revise {log.state.key} --reason "revue du PAC"',
        )
    ]


def _overdue_steps(log: _Log, today: date) -> list[Finding]:
    found = []
    for step in log.state.steps.values():
        schedule = step.schedule
        if not isinstance(schedule, DueDate) or step.status not in _OPEN:
            continue
        if schedule.due >= today:
            continue
        days = (today - schedule.due).days
        found.append(
            Finding(
                "step-overdue",
                Severity.WARNING,
                f"step {step.key} ({step.title}, {step.responsible}) is {step.status.value}, "
                f"due {schedule.due}: {days} day{'s' if days != 1 else ''} late",
                (_fact(log.schedule_set[step.key], schedule.due),),
                f"pacflow step done {log.state.key} {step.key} --on DATE  (or: pacflow step "
                f'move {log.state.key} {step.key} --due DATE --reason "…")',
            )
        )
    return found


def _visits_below_cadence(log: _Log, today: date) -> list[Finding]:
    state = log.state
    found = []
    for step in state.steps.values():
        cadence = step.schedule
        if not isinstance(cadence, Cadence) or step.status is StepStatus.CANCELLED:
            continue
        held: dict[str, int] = {}
        scheduled: dict[str, int] = {}
        for key in step.occurrences:
            occurrence = state.occurrences[key]
            period = _period_of(occurrence.scheduled_start.date(), cadence)
            scheduled[period] = scheduled.get(period, 0) + 1
            if occurrence.status is OccurrenceStatus.DONE:
                when = _period_of(occurrence.done_on or occurrence.start.date(), cadence)
                held[when] = held.get(when, 0) + 1
        short = [
            f"{period} {held.get(period, 0)}/{wanted}"
            for period, wanted in sorted(scheduled.items())
            if period_bounds(period, cadence.per)[1] < today and held.get(period, 0) < wanted
        ]
        if short:
            found.append(
                Finding(
                    "visits-below-cadence",
                    Severity.WARNING,
                    f"step {step.key} ({step.title}, {step.responsible}): fewer visits held "
                    f"than its cadence ({cadence.count} per {cadence.per.value}) in "
                    f"{', '.join(short)}",
                    (_fact(log.schedule_set[step.key]),),
                    f"pacflow visit done {state.key} {step.key}@DATE --on DATE",
                )
            )
    return found


def _period_of(day: date, cadence: Cadence) -> str:
    return period_key(day, cadence.per)


def _off_track(log: _Log, today: date) -> list[Finding]:
    state = log.state
    found = []
    for history in indicator_histories(log.everything, log.as_of):
        key = history.indicator.key
        known = [f for f in history.periods if f.actual is not None]
        streak = []
        for figures in reversed(known):
            if status_of(figures.attainment) is not Status.OFF_TRACK:
                break
            streak.append(figures)
        if len(streak) < OFF_TRACK_PERIODS or _revised_since(
            log, log.values[(key, streak[0].period)]
        ):
            continue
        streak.reverse()
        periods = ", ".join(f"{f.period} {f.attainment}%" for f in streak)
        found.append(
            Finding(
                "indicator-off-track",
                Severity.ERROR if len(streak) >= 2 * OFF_TRACK_PERIODS else Severity.WARNING,
                f"indicator {key} ({history.indicator.name}) off track for {len(streak)} "
                f"consecutive periods: {periods}",
                tuple(
                    _fact(
                        log.values[(key, f.period)],
                        period_bounds(f.period, history.indicator.per)[1],
                    )
                    for f in streak
                ),
                f'pacflow plan revise {state.key} --reason "{key} off track since '
                f'{streak[0].period}"',
            )
        )
    return found


def _revised_since(log: _Log, fact: tuple[RecordedEvent, PlanEvent]) -> bool:
    """Whether a revision was published after `fact` was recorded (so it was weighed)."""
    return any(
        isinstance(event, ev.PlanPublished) and recorded.position > fact[0].position
        for recorded, event in log.records
    )


def _owner_left(log: _Log, today: date) -> list[Finding]:
    state = log.state
    found = []
    for person in state.people.values():
        if person.left_on is None or person.left_on > today:
            continue
        owned = [
            step.key
            for step in state.steps.values()
            if step.responsible == person.key and step.status in _OPEN
        ]
        if owned:
            found.append(
                Finding(
                    "owner-left",
                    Severity.ERROR,
                    f"{person.key} ({person.name}) left the team on {person.left_on} but still "
                    f"owns open steps {', '.join(owned)}",
                    (_fact(log.left[person.key], person.left_on),),
                    f"pacflow step assign {state.key} {owned[0]} --to PERSON " '--reason "…"',
                )
            )
    return found


def _too_many_targets(log: _Log, today: date) -> list[Finding]:
    state = log.state
    live = [key for key, target in state.targets.items() if not target.dropped]
    return [
        Finding(
            "too-many-targets",
            Severity.WARNING,
            warning,
            tuple(_fact(log.added[key]) for key in live),
            f'pacflow target drop {state.key} TARGET --reason "…"',
        )
        for warning in warnings(state)
    ]
