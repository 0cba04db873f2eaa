"""The rules of `pacflow check`, each over the plan as known at one moment (`Moment`).

A rule returns findings; each names its `subject` (what it is about: a step, an indicator,
a person, a market change's log position, the plan), which with the rule identifies the
finding from one moment to the next (so that a revision can be said to have answered it).
Thresholds are the plan's own (`PlanState.checks`, `pacflow plan set-check`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from events import RecordedEvent
from pacflow.describe import describe
from pacflow.domain import PlanEvent, PlanState, warnings
from pacflow.domain import events as ev
from pacflow.domain.facts import answers, fact_of
from pacflow.domain.schedule import Cadence, DueDate
from pacflow.domain.touches import NOTHING, Area, Touched, market_targets, touches, types_where
from pacflow.domain.values import (
    Aggregation,
    Direction,
    Impact,
    OccurrenceStatus,
    Per,
    PlanStatus,
    StepStatus,
    period_bounds,
    period_key,
)
from projections.dashboard import Status, status_of
from projections.indicator_folds import indicator_histories
from projections.indicators import IndicatorHistory, PeriodFigures
from slotted import FrozenValue, MutableRecord, frozen_record, mutable_record

Pair = tuple[RecordedEvent, PlanEvent]
_REVIEWS = (ev.PlanApproved, ev.PlanPublished, ev.RevisionOpened)
_OPEN = (StepStatus.PLANNED, StepStatus.IN_PROGRESS, StepStatus.BLOCKED)
_CLOSED = (StepStatus.DONE, StepStatus.CANCELLED)
_HUNDREDTH = Decimal("0.01")


class Severity(enum.IntEnum):
    """How much a finding matters; `--fail-on` compares against it."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """`info`, `warning` or `error`."""
        return self.name.lower()


@frozen_record
class Fact(FrozenValue):
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


@frozen_record
class Finding(FrozenValue):
    """One thing that makes the plan obsolete, why we think so, and what would answer it."""

    rule: str
    severity: Severity
    subject: str
    message: str
    facts: tuple[Fact, ...]
    command: str
    about: Touched | None = field(kw_only=True)
    """What the finding is about, for `pacflow.domain.facts.answers` (None: the whole plan):
    a revision answers it only if it changed one of these."""

    @property
    def identity(self) -> tuple[str, str]:
        """The rule and the subject: the same finding seen at another moment has them too."""
        return (self.rule, self.subject)

    def as_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "rule": self.rule,
            "severity": self.severity.label,
            "subject": self.subject,
            "message": self.message,
            "facts": [fact.as_json() for fact in self.facts],
            "command": self.command,
        }


HistoriesAt = Callable[[datetime], list[IndicatorHistory]]
"""Every indicator's history as known at a moment, from a read model (see `Log`)."""


@frozen_record
class Publication(FrozenValue):
    """A publication of the plan: its log position, and what the revision it ends changed
    (None for the first one, which published the whole plan)."""

    position: int
    changed: Touched | None


@mutable_record
class Log(MutableRecord):
    """The plan's log read so far, and the records rules point at (the latest of each).

    With `histories_at` (the indicator facts read model, as known at a moment), indicator
    histories come from it and the log keeps no list of every record: memory stays flat
    in the log's length. Without it, every record is kept and folded for them."""

    state: PlanState
    histories_at: HistoriesAt | None = None
    first: Pair | None = None
    records: list[Pair] = field(default_factory=list)
    schedule_set: dict[str, Pair] = field(default_factory=dict)
    left: dict[str, Pair] = field(default_factory=dict)
    added: dict[str, Pair] = field(default_factory=dict)
    values: dict[tuple[str, str], Pair] = field(default_factory=dict)
    market_changes: list[Pair] = field(default_factory=list)
    last_review: Pair | None = None
    publications: list[Publication] = field(default_factory=list)
    indicator_records: list[Pair] = field(default_factory=list)
    revising: Touched = NOTHING  # what the revision open so far changed

    def before(self, event: PlanEvent) -> None:
        """Take in what `event` touches, before the state evolves with it, if it is a change
        of the revision under way (progress, facts and the lifecycle change nothing)."""
        if self.state.status is PlanStatus.REVISING and type(event) in REVISION_CHANGES:
            self.revising = self.revising | touches(event, self.state)

    def note(self, pair: Pair) -> None:
        """Take the record in (after the state has evolved with it)."""
        recorded, event = pair
        if self.first is None:
            self.first = pair
        if self.histories_at is None:
            self.records.append(pair)
        kind = type(event)  # type tests, not isinstance: pydantic's metaclass makes it slow
        if kind not in _NOT_READ_BY_INDICATORS:
            self.indicator_records.append(pair)
        if type(event) is ev.StepAdded:
            self.schedule_set[event.key] = pair
        elif type(event) is ev.StepMoved:
            self.schedule_set[event.step] = pair
        elif type(event) is ev.PersonLeft:
            self.left[event.person] = pair
        elif type(event) is ev.TargetAdded:
            self.added[event.key] = pair
        elif type(event) is ev.IndicatorValueRecorded or type(event) is ev.IndicatorValueCorrected:
            self.values[(event.indicator, event.period)] = pair
        elif kind is ev.MarketChangeRecorded:
            self.market_changes.append(pair)
        elif kind in _REVIEW_TYPES:
            self.last_review = pair
            if kind is ev.PlanPublished:
                changed = self.revising if self.publications else None
                self.publications.append(Publication(recorded.position, changed))
                self.revising = NOTHING

    def answered_after(self, pair: Pair | None, about: Touched | None) -> bool:
        """Whether a revision published after `pair` was recorded changed what a finding is
        `about` (`pacflow.domain.facts.answers`): then it was weighed."""
        if pair is None:
            return False
        position = pair[0].position
        return any(
            answers_all(publication.changed, about)
            for publication in reversed(self.publications)
            if publication.position > position
        )


def answers_all(changed: Touched | None, about: Touched | None) -> bool:
    """`answers`, with None for a publication of the whole plan (the first one)."""
    return changed is None or answers(changed, about)


NOT_READ_BY_INDICATORS = types_where(lambda kind: not kind.read_by_typed_indicators)
"""Events no typed indicator figure depends on, the steps and visits (see
`pacflow.domain.touches`): the moments a check weighs on the way to `--as-of` (just before
a revision opens, right after it is published) fold the indicators without them, which on a
plan of a thousand steps is most of its log. A derived indicator counts steps and visits:
then the whole log is folded instead (tests/cli/test_piloting_demo.py compares both folds
on the demo)."""


_NOT_READ_BY_INDICATORS = frozenset(NOT_READ_BY_INDICATORS)
REVISION_CHANGES = frozenset(
    types_where(lambda kind: kind.folds and not kind.progress and kind.area is not Area.LIFECYCLE)
)
"""What a revision changes: what the plan says, not progress nor facts about its world."""
_REVIEW_TYPES = frozenset(_REVIEWS)


@mutable_record
class Moment(MutableRecord):
    """The plan as known at one moment, and that moment's local date ("today").

    `on_the_way`: a moment before `--as-of` the walk stops at, whose indicators are folded
    without `NOT_READ_BY_INDICATORS` events (the moment asked about folds everything).
    """

    log: Log
    today: date
    on_the_way: bool = False
    now: datetime | None = None  # the moment itself: derived indicators count periods over then
    _histories: list[IndicatorHistory] | None = None

    @property
    def state(self) -> PlanState:
        return self.log.state

    def histories(self) -> list[IndicatorHistory]:
        """Every indicator's figures as known at this moment, folded once (if it has any)."""
        if self._histories is None and self.log.histories_at is not None:
            if not self.log.state.indicators:
                self._histories = []
            else:
                self._histories = self.log.histories_at(self.now or datetime.max)
        if self._histories is None:
            state = self.log.state
            derived = any(indicator.derived for indicator in state.indicators.values())
            # Derived indicators count steps and visits: they need the whole log.
            shortcut = self.on_the_way and not derived
            records = self.log.indicator_records if shortcut else self.log.records
            has_indicators = bool(self.log.state.indicators)
            self._histories = indicator_histories(records, now=self.now) if has_indicators else []
        return self._histories


def local_date(moment: datetime, timezone: str) -> date:
    """The date `moment` falls on in `timezone`."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def _fact(pair: Pair, valid: date | None = None) -> Fact:
    recorded, event = pair
    return Fact(recorded.position, recorded.recorded_at, describe(event), valid)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


# --- rules -------------------------------------------------------------------------------

_SEVERITY_OF_IMPACT = {
    Impact.HIGH: Severity.ERROR,
    Impact.MEDIUM: Severity.WARNING,
    Impact.LOW: Severity.INFO,
}


def market_changes(at: Moment) -> list[Finding]:
    """A market change touching a live target, with no revision published since."""
    plan = at.state.key
    found = []
    for recorded, event in at.log.market_changes:
        assert isinstance(event, ev.MarketChangeRecorded)
        # The one definition of what a market change touches; a dropped target needs no
        # revision, so only live ones make a finding.
        live = {key for key, target in at.state.targets.items() if not target.dropped}
        touched = [key for key in market_targets(at.state, event) if key in live]
        about = Touched(targets=frozenset(touched))
        if not touched or at.log.answered_after((recorded, event), about):
            continue
        days = (at.today - local_date(recorded.recorded_at, at.state.timezone)).days
        found.append(
            Finding(
                "market-change",
                _SEVERITY_OF_IMPACT[event.impact],
                f"#{recorded.position}",
                f"market change of {event.effective} ({event.impact} impact) touches "
                f"{', '.join(touched)}, and no revision was published in the "
                f"{_plural(days, 'day')} since it was recorded",
                (_fact((recorded, event), event.effective),),
                f'pacflow plan revise {plan} --reason "{event.summary}"',
                about=about,
            )
        )
    return found


def no_review(at: Moment) -> list[Finding]:
    """No approval, revision or publication for more than the plan's `stale_after_days`."""
    last = at.log.last_review or at.log.first
    assert last is not None  # a log is made with its first record
    since = local_date(last[0].recorded_at, at.state.timezone)
    days = (at.today - since).days
    limit = at.state.checks.stale_after_days
    if days <= limit:
        return []
    return [
        Finding(
            "no-review",
            Severity.WARNING,
            at.state.key,
            f"no revision or review for {days} days (more than {limit})",
            (_fact(last, since),),
            f'pacflow plan revise {at.state.key} --reason "revue du PAC"',
            about=None,
        )
    ]


def overdue_steps(at: Moment) -> list[Finding]:
    """Steps late on today (`pacflow.domain.facts`: neither done nor cancelled, their due
    date, or their last visit, more than the plan's grace days ago), in local dates."""
    plan = at.state.key
    found = []
    for step in at.state.steps.values():
        if step.status in _CLOSED:
            continue
        fact = fact_of(at.state, step, at.today)
        if not fact.late or fact.end is None:
            continue
        days = (at.today - fact.end).days
        if isinstance(step.schedule, DueDate):
            where = f"is {step.status.value}, due {fact.end}"
            command = (
                f"pacflow step done {plan} {step.key} --on DATE  (or: pacflow step "
                f'move {plan} {step.key} --due DATE --reason "…")'
            )
        else:
            open_visits = sum(
                1
                for key in step.occurrences
                if at.state.occurrences[key].status is OccurrenceStatus.PLANNED
            )
            where = (
                f"is {step.status.value}, its last visit was on {fact.end} and "
                f"{_plural(open_visits, 'visit')} not held"
            )
            command = f"pacflow visit list {plan} --step {step.key} --status to-report"
        found.append(
            Finding(
                "step-overdue",
                Severity.WARNING,
                step.key,
                f"step {step.key} ({step.title}, {step.responsible}) {where}: "
                f"{_plural(days, 'day')} late",
                (_fact(at.log.schedule_set[step.key], fact.end),),
                command,
                about=Touched(steps=frozenset((step.key,))),
            )
        )
    return found


def visits_below_cadence(at: Moment) -> list[Finding]:
    """Past periods in which a step with a cadence held fewer visits than scheduled."""
    state = at.state
    occurrences = state.occurrences
    period_of = _PeriodOf(at.today)
    done = OccurrenceStatus.DONE
    found = []
    for step in state.steps.values():
        cadence = step.schedule
        if not isinstance(cadence, Cadence) or step.status is StepStatus.CANCELLED:
            continue
        per = cadence.per
        keys = period_of.keys(per)
        held: dict[str, int] = {}
        scheduled: dict[str, int] = {}
        for key in step.occurrences:
            occurrence = occurrences[key]
            start = occurrence.scheduled_start
            period = keys.get(start) or period_of.key(start, per)
            scheduled[period] = scheduled.get(period, 0) + 1
            if occurrence.status is done:
                day = occurrence.done_on or occurrence.start
                when = keys.get(day) or period_of.key(day, per)
                held[when] = held.get(when, 0) + 1
        typed = _typed_counts(state, step.key, step.indicators, per)
        short = [
            f"{period} {held.get(period, 0)}/{wanted}" + _typed_says(typed, period)
            for period, wanted in sorted(scheduled.items())
            if held.get(period, 0) < wanted and period_of.ended(period, per)
        ]
        if short:
            found.append(
                Finding(
                    "visits-below-cadence",
                    Severity.WARNING,
                    step.key,
                    f"step {step.key} ({step.title}, {step.responsible}): fewer visits held "
                    f"than its cadence ({cadence.count} per {per.value}) in "
                    f"{', '.join(short)}" + _link_note(state, step.key, step.indicators),
                    (_fact(at.log.schedule_set[step.key]),),
                    f"pacflow visit list {state.key} --step {step.key} --status to-report",
                    about=Touched(steps=frozenset((step.key,))),
                )
            )
    return found


def _typed_counts(
    state: PlanState, step: str, linked: Sequence[str], per: Per
) -> list[tuple[str, dict[str, Decimal]]]:
    """The typed-in values of the indicators `step` is linked to, per period like its
    cadence: what `check` holds the visits recorded against."""
    return [
        (key, indicator.actuals)
        for key in linked
        if (indicator := state.indicators.get(key)) is not None
        and indicator.derived is None
        and indicator.per is per
        and indicator.aggregation is Aggregation.PER_PERIOD
    ]


def _typed_says(typed: list[tuple[str, dict[str, Decimal]]], period: str) -> str:
    said = [f"{key} says {values[period]}" for key, values in typed if period in values]
    return f" ({', '.join(said)})" if said else ""


def _link_note(state: PlanState, step: str, linked: Sequence[str]) -> str:
    """How the step's linked indicators relate to its visits: counted from them (derived)
    or typed in and only checked against them."""
    notes = []
    for key in linked:
        indicator = state.indicators.get(key)
        if indicator is None:
            continue
        if indicator.derived is not None:
            notes.append(f"{key} counts these visits")
        else:
            notes.append(
                f"{key} is typed in, not counted from these visits: mark the visits held, or "
                f"derive {key} from them (indicator define --derive visits-done --step {step})"
            )
    return f"; {'; '.join(notes)}" if notes else ""


class _PeriodOf:
    """Period keys of dates and date-times, and whether a period ended before today, each
    worked out once (a plan of a thousand steps has thousands of visits on a few hundred
    dates)."""

    def __init__(self, today: date) -> None:
        self.today = today
        self._keys: dict[Per, dict[date, str]] = {}
        self._ended: dict[tuple[str, Per], bool] = {}

    def keys(self, per: Per) -> dict[date, str]:
        """The period keys worked out so far, by date or date-time (a datetime is a date)."""
        return self._keys.setdefault(per, {})

    def key(self, day: date, per: Per) -> str:
        """The key of the period `day` (a date, or a local date-time) falls in."""
        plain = day.date() if isinstance(day, datetime) else day
        found = self._keys.setdefault(per, {})[day] = period_key(plain, per)
        return found

    def ended(self, period: str, per: Per) -> bool:
        found = self._ended.get((period, per))
        if found is None:
            found = self._ended[(period, per)] = period_bounds(period, per)[1] < self.today
        return found


def off_track(at: Moment, histories: Sequence[IndicatorHistory]) -> list[Finding]:
    """An indicator off track for the plan's `off_track_periods` periods in a row, its
    latest value recorded after the last publication; an error from twice as many."""
    state = at.state
    periods_needed = state.checks.off_track_periods
    found = []
    for history in histories:
        key = history.indicator.key
        known = [f for f in history.periods if f.actual is not None]
        streak = []
        for figures in reversed(known):
            if status_of(figures.attainment) is not Status.OFF_TRACK:
                break
            streak.append(figures)
        about = _about_indicator(history)
        if len(streak) < periods_needed or at.log.answered_after(
            at.log.values.get((key, streak[0].period)), about
        ):
            continue
        streak.reverse()
        periods = ", ".join(f"{f.period} {f.attainment}%" for f in streak)
        found.append(
            Finding(
                "indicator-off-track",
                Severity.ERROR if len(streak) >= 2 * periods_needed else Severity.WARNING,
                key,
                f"indicator {key} ({history.indicator.name}) off track for {len(streak)} "
                f"consecutive periods: {periods}",
                _value_facts(at.log, history, streak),
                f'pacflow plan revise {state.key} --reason "{key} off track since '
                f'{streak[0].period}"',
                about=about,
            )
        )
    return found


def _about_indicator(history: IndicatorHistory) -> Touched:
    """An indicator's findings are about the indicator: a revision that sets its targets,
    redefines it, sets an objective it measures or drops a target it serves weighed it; one
    that changes only steps of the same target did not."""
    return Touched(indicators=frozenset((history.indicator.key,)))


def _value_facts(
    log: Log, history: IndicatorHistory, used: Sequence[PeriodFigures]
) -> tuple[Fact, ...]:
    """The records of the values `used` (values derived from other events have none)."""
    indicator = history.indicator
    facts = []
    for figures in used:
        pair = log.values.get((indicator.key, figures.period))
        if pair is not None:
            facts.append(_fact(pair, period_bounds(figures.period, indicator.per)[1]))
    return tuple(facts)


_SUMMED = (Aggregation.PER_PERIOD, Aggregation.CUMULATIVE_YTD)


def gap_unclosable(at: Moment, histories: Sequence[IndicatorHistory]) -> list[Finding]:
    """An indicator whose year-end target (the sum of a per-period indicator's targets, or
    a year-to-date indicator's last target of the year) cannot be reached at the recent
    pace: what is known so far plus the mean of its last `pace_periods` period values times
    the periods left in the year falls short of it (or, where lower is better, exceeds it).

    Only while periods are left, once `pace_periods` values are known in the year, and
    unless a revision was published after the latest of them was recorded (it was weighed).
    """
    found = []
    for history in histories:
        gap = _year_end_gap(history, at.state.checks.pace_periods)
        if gap is None or at.log.answered_after(
            at.log.values.get((history.indicator.key, gap.last.period)), _about_indicator(history)
        ):
            continue
        found.append(_gap_finding(at, history, gap))
    return found


@frozen_record
class _Gap(FrozenValue):
    """What the gap-unclosable rule weighed for one indicator."""

    year: str
    year_target: Decimal
    so_far: Decimal
    last: PeriodFigures
    window: tuple[PeriodFigures, ...]
    pace: Decimal
    remaining: int

    @property
    def projected(self) -> Decimal:
        return self.so_far + self.pace * self.remaining

    @property
    def needed(self) -> Decimal:
        """The mean value each remaining period needs for the year to end on target."""
        return (self.year_target - self.so_far) / self.remaining


def _year_end_gap(history: IndicatorHistory, pace_periods: int) -> _Gap | None:
    """The gap the rule fires on, or None when it does not apply or the pace closes it."""
    indicator = history.indicator
    if indicator.aggregation not in _SUMMED:
        return None
    known = [f for f in history.periods if f.actual is not None]
    if not known:
        return None
    last = known[-1]
    year = last.period[:4]
    in_year = [f for f in history.periods if f.period[:4] == year]
    remaining = sum(1 for f in in_year if f.period > last.period)
    targets = [f.target for f in in_year if f.target is not None]
    if remaining == 0 or not targets:
        return None
    ytd = indicator.aggregation is Aggregation.CUMULATIVE_YTD
    year_target = targets[-1] if ytd else sum(targets, Decimal(0))
    so_far = last.actual if ytd else last.cumulative
    assert so_far is not None  # `last` has an actual, so its running figure is known

    def value_of(f: PeriodFigures) -> Decimal | None:
        return f.period_value if ytd else f.actual

    window = tuple(f for f in in_year if f.period <= last.period and value_of(f) is not None)[
        -pace_periods:
    ]
    if len(window) < pace_periods:
        return None
    pace = sum((value_of(f) or Decimal(0) for f in window), Decimal(0)) / len(window)
    gap = _Gap(year, year_target, so_far, last, window, pace, remaining)
    short = gap.projected < year_target
    if indicator.direction is Direction.DOWN:
        short = gap.projected > year_target
    return gap if short else None


def _number(value: Decimal) -> str:
    rounded = value.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP).normalize()
    return f"{rounded:f}"


def _gap_finding(at: Moment, history: IndicatorHistory, gap: _Gap) -> Finding:
    indicator = history.indicator
    plan, key, unit = at.state.key, indicator.key, indicator.unit
    down = indicator.direction is Direction.DOWN
    reach = "stay within" if down else "reach"
    needs = "at most " if down else ""
    window = ", ".join(f.period for f in gap.window)
    periods = [f.period for f in history.periods]
    following = periods[periods.index(gap.last.period) + 1]
    target = indicator.serves[0] if indicator.serves else "TARGET"
    return Finding(
        "indicator-gap-unclosable",
        Severity.WARNING,
        key,
        f"indicator {key} ({indicator.name}) cannot {reach} its {gap.year} target of "
        f"{_number(gap.year_target)} {unit} at the recent pace: {_number(gap.so_far)} by "
        f"{gap.last.period}, plus {_number(gap.pace)} a period (mean of {window}) over the "
        f"{_plural(gap.remaining, 'period')} left, makes {_number(gap.projected)}; it needs "
        f"{needs}{_number(gap.needed)} a period",
        _value_facts(at.log, history, gap.window),
        f"pacflow indicator set-targets {plan} {key} --from {following} --values …  (or: "
        f'pacflow target drop {plan} {target} --reason "…"), in a revision',
        about=_about_indicator(history),
    )


def owner_left(at: Moment) -> list[Finding]:
    """Open steps whose responsible person has left the team (by today)."""
    state = at.state
    found = []
    for person in state.people.values():
        if person.left_on is None or person.left_on > at.today:
            continue
        owned = [
            step.key
            for step in state.steps.values()
            if step.responsible == person.key
            and step.status in _OPEN
            and not fact_of(state, step, at.today).finished  # visits all held: done
        ]
        if owned:
            found.append(
                Finding(
                    "owner-left",
                    Severity.ERROR,
                    person.key,
                    f"{person.key} ({person.name}) left the team on {person.left_on} but still "
                    f"owns open steps {', '.join(owned)}",
                    (_fact(at.log.left[person.key], person.left_on),),
                    f'pacflow step assign {state.key} {owned[0]} --to PERSON --reason "…"',
                    about=Touched(steps=frozenset(owned), people=frozenset((person.key,))),
                )
            )
    return found


def too_many_targets(at: Moment) -> list[Finding]:
    """The 'choisir, c'est renoncer' warnings, against the plan's target limits."""
    state = at.state
    live = [key for key, target in state.targets.items() if not target.dropped]
    return [
        Finding(
            "too-many-targets",
            Severity.WARNING,
            _focus_subject(warning),
            warning,
            tuple(_fact(at.log.added[key]) for key in live),
            f'pacflow target drop {state.key} TARGET --reason "…"',
            about=None,  # the plan's focus as a whole: its targets and its limits
        )
        for warning in warnings(state)
    ]


def unexplained_targets(at: Moment) -> list[Finding]:
    """Live targets that implement no decision, once the plan has a diagnostic to cite (a
    plan that records no decision is not weighed: its diagnostic was made elsewhere)."""
    state = at.state
    if not state.decisions:
        return []
    return [
        Finding(
            "target-unexplained",
            Severity.WARNING,
            target.key,
            f"target {target.key} ({target.title}) implements no decision of the diagnostic: "
            "nothing says why it is a target",
            (_fact(at.log.added[target.key]),),
            f'pacflow target justify {state.key} {target.key} --decision DECISION --reason "…"',
            about=Touched(targets=frozenset((target.key,))),
        )
        for target in state.targets.values()
        if not target.dropped and not target.decisions
    ]


def _on_holidays(at: Moment) -> list[Finding]:
    from projections.holiday_rules import visit_on_holiday  # it builds Findings of this module

    return visit_on_holiday(at)


record_fact = _fact
"""A finding's fact from a record (for rules kept in modules of their own)."""


def _focus_subject(warning: str) -> str:
    """Which limit a warning is about: all targets, targets per rep, or one rep's (key)."""
    if warning.endswith(" in all"):
        return "all targets"
    if warning.endswith(" per rep"):
        return "targets per rep"
    return warning.partition(": ")[2].split(" ", 1)[0]


_RULES: dict[str, Callable[[Moment], list[Finding]]] = {
    "market-change": market_changes,
    "no-review": no_review,
    "step-overdue": overdue_steps,
    "visits-below-cadence": visits_below_cadence,
    "indicator-off-track": lambda at: off_track(at, at.histories()),
    "indicator-gap-unclosable": lambda at: gap_unclosable(at, at.histories()),
    "owner-left": owner_left,
    "too-many-targets": too_many_targets,
    "target-unexplained": unexplained_targets,
    "visit-on-holiday": lambda at: _on_holidays(at),
}

RULE_NAMES = tuple(_RULES)
"""Every rule, in the order `check` runs them (findings are then sorted by severity)."""


def findings_at(at: Moment, rules: Iterable[str] = RULE_NAMES) -> list[Finding]:
    """The findings of `rules` (default: all) at the moment, the most severe first."""
    found = [finding for name in rules for finding in _RULES[name](at)]
    return sorted(found, key=lambda finding: -finding.severity)
