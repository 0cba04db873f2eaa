"""Obsolescence findings: rules over a plan's log, its indicators and "today".

Each rule looks at the plan as known at a moment (the records recorded up to then) and
says what made the plan drift from reality, with the facts behind it (log positions and
dates) and the command that would answer it. Thresholds are the plan's own, as they were
at that moment (`pacflow plan set-check`; defaults in `CheckThresholds`):

- a market change touching a target with no revision published since (`market-change`):
  error for a high impact, warning for medium, info for low;
- no revision, review or publication for more than `stale_after_days` days (`no-review`):
  warning;
- steps still open more than `overdue_grace_days` after their due date (`step-overdue`):
  warning;
- fewer visits held than the cadence in a past period (`visits-below-cadence`): warning;
- an indicator off track for `off_track_periods` consecutive periods, its latest value
  recorded after the last published revision (`indicator-off-track`): warning, error from
  twice as many periods;
- an indicator whose year-end target cannot be reached at the pace of its last
  `pace_periods` periods (`indicator-gap-unclosable`): warning;
- open steps owned by someone who left the team (`owner-left`): error;
- too many targets for the team, "choisir, c'est renoncer" (`too-many-targets`): warning;
- once the plan records decisions of its diagnostic, a live target that implements none
  (`target-unexplained`): warning (allowed, but nothing says why it is a target).
- a visit still to hold on a public holiday of its responsible person (`visit-on-holiday`):
  warning, with the holiday's name and the command that moves it.

A finding open just before a revision was opened and gone once that revision was
published was *answered* by it (`Answered`) if the revision changed what the finding is
about (`pacflow.domain.facts.answers`, over the keys `pacflow.domain.touches` says its
changes touch): the rule and subject identify a finding from one moment to the next. The
rules that a publication silences (market changes, indicators off track or out of reach)
are silenced only by a revision that changed their subject, not by any publication.

Pure: it folds the `(RecordedEvent, PlanEvent)` pairs `PlanService.history` yields, once,
weighing the rules at the moments that matter on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import datetime
from typing import Any

from events import RecordedEvent
from pacflow.domain import PlanEvent, evolve
from pacflow.domain import events as ev
from pacflow.domain.folding import advance
from pacflow.domain.state import PlanState
from pacflow.domain.touches import KINDS, STEP_LOCAL_TYPES
from pacflow.domain.values import CheckThresholds, PlanStatus
from pacflow.errors import no_such_plan
from projections.obsolescence_rules import (
    REVISION_CHANGES,
    Fact,
    Finding,
    HistoriesAt,
    Log,
    Moment,
    Severity,
    answers_all,
    findings_at,
    local_date,
)
from slotted import FrozenValue, MutableRecord, frozen_record, mutable_record

__all__ = [
    "OFF_TRACK_PERIODS",
    "STALE_AFTER_DAYS",
    "Answered",
    "Fact",
    "Finding",
    "Report",
    "Severity",
    "answered_by_revisions",
    "check",
    "report",
]

STALE_AFTER_DAYS = CheckThresholds().stale_after_days
"""The default of `no-review`; a plan sets its own with `pacflow plan set-check`."""
OFF_TRACK_PERIODS = CheckThresholds().off_track_periods
"""The default of `indicator-off-track`; a plan sets its own with `pacflow plan set-check`."""

Records = Iterable[tuple[RecordedEvent, PlanEvent]]


@frozen_record
class Answered(FrozenValue):
    """A finding a revision answered: open just before it was opened, gone once published."""

    finding: Finding
    revision: int
    opened_at: datetime
    published_at: datetime
    published_by: str

    def as_json(self) -> dict[str, Any]:
        """JSON-ready data: the finding as it stood before the revision, and the revision."""
        return {
            "rule": self.finding.rule,
            "subject": self.finding.subject,
            "severity": self.finding.severity.label,
            "message": self.finding.message,
            "revision": self.revision,
            "opened_at": self.opened_at,
            "published_at": self.published_at,
            "published_by": self.published_by,
        }


@frozen_record
class Report(FrozenValue):
    """What `pacflow check` says at a moment: findings, what revisions answered, thresholds."""

    plan: str
    as_of: datetime
    thresholds: CheckThresholds
    max_targets_per_rep: int
    max_targets_total: int
    findings: tuple[Finding, ...]
    answered: tuple[Answered, ...]

    def thresholds_json(self) -> dict[str, int]:
        """Every threshold that applied, the target limits included."""
        return {
            "stale_after_days": self.thresholds.stale_after_days,
            "off_track_periods": self.thresholds.off_track_periods,
            "overdue_grace_days": self.thresholds.overdue_grace_days,
            "pace_periods": self.thresholds.pace_periods,
            "max_targets_per_rep": self.max_targets_per_rep,
            "max_targets_total": self.max_targets_total,
        }


@mutable_record
class _Opened(MutableRecord):
    """A revision opened, and the findings open just before."""

    revision: int
    opened_at: datetime
    before: list[Finding]


StateAt = Callable[[int], PlanState]
"""The plan's state at a stream version (from a snapshot and the events after it)."""

SCHEDULE_SET_TYPES = frozenset({"StepAdded", "StepMoved"})
"""The step-local events the rules note at any time: they set a step's schedule."""

NOTED_STEP_TYPES = frozenset(
    SCHEDULE_SET_TYPES
    | {
        name
        for name, kind in ev.EVENT_TYPES.items()
        if kind in REVISION_CHANGES and KINDS[kind].step_local
    }
)
"""The events of one step the rules need: a step's schedule as set, and what a revision may
change of a step (what it changed decides what it answered). With a `StateAt`, the other
step-local events (`pacflow.domain.touches.STEP_LOCAL_TYPES`: progress) may be left out of
the records."""


StreamWithout = Callable[[frozenset[str], int], Records]
"""The plan's records after a stream version, without the events of some types (left out
unread: `pacflow.service.PlanService.history_without`)."""


def records_for_rules(read: StreamWithout) -> Iterator[tuple[RecordedEvent, PlanEvent]]:
    """What `report` reads with a `StateAt`: the log without step-local events, but those
    setting a step's schedule and, while a revision is open (from `RevisionOpened` to the
    next `PlanPublished`), those a revision may change (`NOTED_STEP_TYPES`), whose
    answers it weighs. Outside revisions a step's other events change nothing the rules
    read from records: a plan of a thousand steps reassigned for years costs its
    revisions, not its log."""
    outside = STEP_LOCAL_TYPES - SCHEDULE_SET_TYPES
    inside = STEP_LOCAL_TYPES - NOTED_STEP_TYPES
    version: int | None = 0
    while version is not None:
        version = yield from _read_until(read, outside, version, ev.RevisionOpened)
        if version is not None:
            version = yield from _read_until(read, inside, version, ev.PlanPublished)


def _read_until(
    read: StreamWithout, left_out: frozenset[str], after: int, last: type[PlanEvent]
) -> Generator[tuple[RecordedEvent, PlanEvent], None, int | None]:
    """The records after stream version `after` without `left_out` up to the first event of
    type `last`; its stream version, or None if the log ended first."""
    for recorded, event in read(left_out, after):
        yield recorded, event
        if type(event) is last:
            return recorded.stream_version
    return None


def _walk(
    records: Records,
    as_of: datetime | None,
    *,
    answers: bool,
    histories_at: HistoriesAt | None = None,
    state_at: StateAt | None = None,
) -> tuple[Log, list[Answered]]:
    """Fold the log up to `as_of` (None: all of it); with `answers`, weigh the rules just
    before each revision opens and right after it is published, and say what it answered.
    `histories_at`: where indicator histories come from (see `Log`). With `state_at`, no
    event is folded: the plan's state is taken from it at the moments the rules are
    weighed, and `records` may leave out step-local events as `records_for_rules` does."""
    log: Log | None = None
    state: PlanState | None = None
    opened: _Opened | None = None
    answered: list[Answered] = []
    for recorded, event in records:
        if as_of is not None and recorded.recorded_at > as_of:
            break
        if answers and log is not None and type(event) is ev.RevisionOpened:
            if state_at is not None:
                log.state = state_at(recorded.stream_version - 1)
            today = local_date(recorded.recorded_at, log.state.timezone)
            opened = _Opened(
                event.revision,
                recorded.recorded_at,
                findings_at(Moment(log, today, on_the_way=True, now=recorded.recorded_at)),
            )
        if state_at is None:
            if log is not None:
                log.before(event)
            state = evolve(state, event)
        elif log is not None and log.state.status is PlanStatus.REVISING:
            # From snapshots, the revision's own changes are weighed against the plan as it
            # stood while revising, advanced from its opening (progress, left out of the
            # records, changes no key a change touches).
            log.before(event)
            log.state = advance(log.state, (event,)) or log.state
        if log is None:
            first = state if state_at is None else state_at(recorded.stream_version)
            assert first is not None
            log = Log(first, histories_at)
        log.note((recorded, event))
        if state_at is not None and type(event) is ev.RevisionOpened:
            log.state = state_at(recorded.stream_version)  # revising from here on
        if opened is not None and type(event) is ev.PlanPublished:
            if state_at is not None:
                state = log.state = state_at(recorded.stream_version)
            assert state is not None
            today = local_date(recorded.recorded_at, state.timezone)
            # Only the rules that found something before can tell whether it is gone.
            rules = dict.fromkeys(finding.rule for finding in opened.before)
            after = findings_at(
                Moment(log, today, on_the_way=True, now=recorded.recorded_at), rules
            )
            still = {finding.identity for finding in after}
            changed = log.publications[-1].changed
            actor = str(recorded.metadata.get("actor", "unknown"))
            # Gone, and about what the revision changed: gone by progress alone (a step
            # done meanwhile) is not the revision's answer.
            answered += [
                Answered(finding, opened.revision, opened.opened_at, recorded.recorded_at, actor)
                for finding in opened.before
                if finding.identity not in still and answers_all(changed, finding.about)
            ]
            opened = None
    if log is None:
        raise no_such_plan()
    return log, answered


def report(
    records: Records,
    as_of: datetime,
    histories_at: HistoriesAt | None = None,
    *,
    states: tuple[StateAt, PlanState] | None = None,
) -> Report:
    """The findings about the plan as known at `as_of`, whose local date is "today", and the
    findings that revisions published by then answered. With `histories_at` (the indicator
    facts read model), `records` may be a stream: none of them is kept. With `states` (the
    state at a version, and the state at `as_of`), nothing is folded and `records` may leave
    out step-local events (`records_for_rules`): the cost follows the plan's size, not its
    log's."""
    state_at, final = states if states is not None else (None, None)
    log, answered = _walk(
        records, as_of, answers=True, histories_at=histories_at, state_at=state_at
    )
    if final is not None:
        log.state = final
    state = log.state
    found = findings_at(Moment(log, local_date(as_of, state.timezone), now=as_of))
    return Report(
        state.key,
        as_of,
        state.checks,
        state.max_targets_per_rep,
        state.max_targets_total,
        tuple(found),
        tuple(answered),
    )


def check(records: Records, as_of: datetime) -> list[Finding]:
    """Every finding about the plan as known at `as_of`, whose local date is "today"."""
    log, _answered = _walk(records, as_of, answers=False)
    return findings_at(Moment(log, local_date(as_of, log.state.timezone), now=as_of))


def answered_by_revisions(records: Records) -> list[Answered]:
    """What each published revision of the plan answered, oldest revision first."""
    return _walk(records, None, answers=True)[1]
