"""Commands: what a user (or an integration) asks of a plan, as imperative pydantic models.

Every command names its plan and carries `actor` (who asks) and `reason` (why; required
for changes to a plan that is no longer a draft, and for cancelling or blocking). Dates a
command needs (when a step was done, say) are fields: nothing here reads a clock.

Pydantic checks shapes and values when a command is built; `build_command` turns its
validation errors into one-line `InvalidInputError`s. Rules that need the plan's state are
the decider's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from pacflow.domain.derivation import Derivation
from pacflow.domain.findings import Figures
from pacflow.domain.schedule import Cadence, Schedule
from pacflow.domain.storable import check_storable
from pacflow.domain.validation_words import phrase, shown_input
from pacflow.domain.values import (
    KEY_RULE,
    AccessScope,
    Aggregation,
    Approach,
    Count,
    Direction,
    Domain,
    Duration,
    Impact,
    IndicatorKind,
    IndicatorValue,
    Key,
    LocalStart,
    MarketRef,
    NonNegativeDecimal,
    OptionalText,
    Per,
    PersonKind,
    TargetKind,
    Text,
    TimeZoneName,
    method_word,
)
from pacflow.errors import InvalidInputError


class Command(BaseModel):
    """Base of every command: which plan, who asks, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    plan: Key
    actor: Text
    reason: OptionalText = None

    @model_validator(mode="after")
    def _storable(self) -> Command:
        """Every value fits every backend and view (an InvalidInputError naming it)."""
        check_storable(self, "")
        return self


# --- plan --------------------------------------------------------------------------------


class CreatePlan(Command):
    """Create a draft plan for a period, in a time zone."""

    title: Text
    start: date
    end: date
    timezone: TimeZoneName
    owner: Key
    scope: OptionalText = None
    max_targets_per_rep: Count = 2
    max_targets_total: Count = 6
    country: str | None = None  # public holidays; None: the zone's country; "none": none
    subdivision: str | None = None


class ApprovePlan(Command):
    """Approve a draft plan."""


class PublishPlan(Command):
    """Publish an approved plan, or the open revision of a published one."""


class RevisePlan(Command):
    """Open a revision of an approved or published plan (a reason is required)."""


class ClosePlan(Command):
    """Close the plan: it will accept no further change."""


class SetTargetLimits(Command):
    """Change the thresholds of the 'choisir, c'est renoncer' warnings; only those given."""

    max_targets_per_rep: Count | None = None
    max_targets_total: Count | None = None


# --- people, targets, objectives, tracks -------------------------------------------------


class AddPerson(Command):
    """Add a team member (rep, manager or back office) to the plan."""

    key: Key
    name: Text
    kind: Annotated[PersonKind, BeforeValidator(method_word)]
    email: OptionalText = None
    role: OptionalText = None
    sector: OptionalText = None
    timezone: TimeZoneName | None = None


class PersonLeaves(Command):
    """Record that a team member left on a date; with `reassign_to`, their open steps (as
    responsible or participant) go to that person in the same change."""

    person: Key
    on: date
    reassign_to: Key | None = None


class AddTarget(Command):
    """Choose a target: a customer, a segment, an offer, or an offer for segments."""

    key: Key
    kind: Annotated[TargetKind, BeforeValidator(method_word)]
    title: Text
    responsible: Key
    ref: OptionalText = None
    segments: tuple[Text, ...] = ()
    rationale: OptionalText = None
    decisions: tuple[Key, ...] = ()


class RemoveTarget(Command):
    """Take a target added by mistake out of a draft plan, with its objectives, tracks and
    steps (after approval: drop it)."""

    target: Key


class DropTarget(Command):
    """Give up a target; the open steps of its tracks are cancelled on `on`, for the reason."""

    target: Key
    on: date | None = None


class SetObjective(Command):
    """Set (or replace) an objective of a target: `main` by default, or a secondary one."""

    target: Key
    objective: Key = "main"
    statement: Text
    value: NonNegativeDecimal
    unit: Text
    due: date
    indicator: Key | None = None
    baseline: NonNegativeDecimal | None = None


class AddTrack(Command):
    """Add an action track to a target (or a `steering` track to the plan itself)."""

    key: Key
    target: Key | None = None
    domain: Annotated[Domain, BeforeValidator(method_word)]
    approach: Annotated[Approach | None, BeforeValidator(method_word)] = None
    title: Text


# --- steps -------------------------------------------------------------------------------


class AddStep(Command):
    """Add a step to a track: who, what, with which means, on which schedule."""

    key: Key
    track: Key
    title: Text
    responsible: Key
    schedule: Schedule
    participants: tuple[Key, ...] = ()
    order: int | None = Field(default=None, ge=1)
    predecessor: Key | None = None
    parallel: bool = False
    means: OptionalText = None
    budget: NonNegativeDecimal | None = None
    days: NonNegativeDecimal | None = None
    indicators: tuple[Key, ...] = ()
    location: OptionalText = None


class EditStep(Command):
    """Change a step's description or sequencing; only the fields given change.

    Giving `predecessor`, `means`, `budget`, `days` or `location` as None clears it.
    """

    step: Key
    title: Text | None = None
    order: int | None = Field(default=None, ge=1)
    predecessor: Key | None = None
    parallel: bool | None = None
    means: OptionalText = None
    budget: NonNegativeDecimal | None = None
    days: NonNegativeDecimal | None = None
    indicators: tuple[Key, ...] | None = None
    location: OptionalText = None


class RemoveStep(Command):
    """Take a step added by mistake out of a draft plan (after approval: cancel it)."""

    step: Key


class MoveStep(Command):
    """Reschedule a step (new due date, sessions, recurrence or cadence)."""

    step: Key
    schedule: Schedule


class AssignStep(Command):
    """Give a step a new responsible person (and, if given, new participants)."""

    step: Key
    responsible: Key
    participants: tuple[Key, ...] | None = None


class StartStep(Command):
    """Start a step (or resume a blocked one) on a date."""

    step: Key
    on: date


class CompleteStep(Command):
    """Mark a step done on a date."""

    step: Key
    on: date


class ReopenStep(Command):
    """Open again a step marked done by mistake; the reason says why."""

    step: Key


class CorrectStepDone(Command):
    """Correct the date a step was done on; the reason says why."""

    step: Key
    on: date


class BlockStep(Command):
    """Mark a step blocked on a date; the reason says by what."""

    step: Key
    on: date


class CancelStep(Command):
    """Cancel a step on a date; the reason says why."""

    step: Key
    on: date


# --- occurrences -------------------------------------------------------------------------


class CompleteOccurrence(Command):
    """Mark one occurrence (`S08@2025-03-11`) held on a date (default: the local date it is
    scheduled on, as its calendar shows it)."""

    occurrence: str
    on: date | None = None


class ReopenOccurrence(Command):
    """Un-hold one occurrence marked held by mistake; the reason says why."""

    occurrence: str


class CorrectOccurrenceDone(Command):
    """Correct the date one occurrence was held on; the reason says why."""

    occurrence: str
    on: date


class CancelOccurrence(Command):
    """Cancel one occurrence; the reason says why."""

    occurrence: str


class MoveOccurrence(Command):
    """Move one occurrence to another local date or date-time (it keeps its key)."""

    occurrence: str
    to: LocalStart
    duration: Duration | None = None


class RecordUnscheduledOccurrence(Command):
    """Record a visit (or session) of a step that was held outside its schedule: an extra
    occurrence, held at `at` (a local date, or date-time)."""

    step: Key
    at: LocalStart
    duration: Duration | None = None


# --- indicators --------------------------------------------------------------------------


class DefineIndicator(Command):
    """Define a follow-up indicator, or replace its definition."""

    key: Key
    name: Text
    kind: IndicatorKind
    unit: Text
    owner: Key
    aggregation: Aggregation = Aggregation.PER_PERIOD
    direction: Direction = Direction.UP
    per: Per = Per.MONTH
    serves: tuple[Key, ...] = ()
    derived: Derivation | None = None


class SetIndicatorTargets(Command):
    """Set an indicator's targets for some periods (`{"2025-01": 40, ...}`)."""

    indicator: Key
    targets: dict[str, NonNegativeDecimal] = Field(min_length=1)


class RecordIndicatorValue(Command):
    """Record an indicator's actual value for a period (`2025-03`); progress, no revision."""

    indicator: Key
    period: str
    value: IndicatorValue
    note: OptionalText = None


class CorrectIndicatorValue(Command):
    """Correct a value recorded earlier for a period; the reason says why."""

    indicator: Key
    period: str
    value: IndicatorValue


class RecordMarketChange(Command):
    """Note a change in the market (a merger, a new regulation) and what it touches."""

    summary: Text
    affects: tuple[MarketRef, ...] = Field(min_length=1)
    effective: date
    impact: Impact = Impact.MEDIUM


# --- replanning (inside a revision of a published plan) ---------------------------------


class ReviseObjective(Command):
    """Change some fields of an existing objective; the fields not given stay."""

    target: Key
    objective: Key = "main"
    statement: Text | None = None
    value: NonNegativeDecimal | None = None
    unit: Text | None = None
    due: date | None = None


class SetIndicatorTargetsFrom(Command):
    """Give an indicator the same target for every period from `first` to the plan's end."""

    indicator: Key
    first: str
    value: NonNegativeDecimal


class RescheduleStepFrom(Command):
    """Change a step's recurrence (`rrule`) or cadence from a date on; earlier occurrences,
    and occurrences done, cancelled or moved, stay as they are.

    Without `dtstart`, the new rule starts on `from_date` at the time of the step's current
    recurrence; without `duration`, occurrences keep the current one.
    """

    step: Key
    from_date: date
    rrule: Text | None = None
    dtstart: LocalStart | None = None
    duration: Duration | None = None
    cadence: Cadence | None = None


class ShiftSteps(Command):
    """Move the dates of the open steps of a track, or of every track serving a target, by
    `days` (negative: earlier); with `from_date`, only the dates from that day on move."""

    track: Key | None = None
    target: Key | None = None
    days: int
    from_date: date | None = None


class SetCheckThresholds(Command):
    """Change when `pacflow check` flags the plan; only the thresholds given change."""

    stale_after_days: int | None = None
    off_track_periods: int | None = None
    overdue_grace_days: int | None = None
    pace_periods: int | None = None


class SetHolidays(Command):
    """Say which public holidays the plan (or `person`) observes: a country code (`FR`),
    `none`, and a subdivision; and whether cadence slots may land on holidays or weekends
    (the plan's choice). What is not given keeps its value."""

    person: Key | None = None
    country: str | None = None
    subdivision: str | None = None
    slots_on_holidays: bool | None = None
    slots_on_weekends: bool | None = None


class RecordCalendarOverride(Command):
    """Note that a change made in a calendar was not applied to the plan, and by which rule.

    The sync records it (with the rep as actor) when the plan's own change wins over the
    rep's, or when a rule refuses the rep's change, so that nothing is silently lost.
    """

    step: Key
    occurrence: str | None = None
    change: Text
    rule: Text


class GrantAccess(Command):
    """Record that a person was handed a link (its secret is kept outside the log)."""

    grant: Key
    person: Key
    scope: AccessScope


class RevokeAccess(Command):
    """Record that a grant was revoked."""

    grant: Key
    person: Key


# --- diagnostic --------------------------------------------------------------------------


class RecordFinding(Command):
    """Record a finding of the diagnostic: one tool's figures and what they show."""

    key: Key
    title: Text
    period: OptionalText = None
    figures: Figures


class RecordDecision(Command):
    """Record a decision and the findings it rests on."""

    key: Key
    statement: Text
    findings: tuple[Key, ...] = Field(min_length=1)


class JustifyTarget(Command):
    """Say which decisions a target implements (they replace the earlier ones)."""

    target: Key
    decisions: tuple[Key, ...] = Field(min_length=1)


C = TypeVar("C", bound=Command)
_SCHEDULE_KINDS = frozenset({"due", "sessions", "recurrence", "cadence"})


def build_command(
    command_type: type[C],
    data: Mapping[str, Any],
    *,
    timezone: str | None = None,
    typed_in: str | None = None,
) -> C:
    """Build a command from plain data; a bad value is an InvalidInputError naming it (code
    `invalid-value`, subject the field's path, e.g. `start` or `schedule.rules[0].dtstart`,
    so a front end can say which of its inputs it came from).

    With `timezone` (the plan's), local times are read as a user typed them
    (`pacflow.domain.localtime`): offsets converted, a time in the gap refused, a repeated
    one refused unless `~1`/`~2` says which; `typed_in` is another zone they were typed in
    (a rep's), converted to the plan's.
    """
    context = None if timezone is None else {"timezone": timezone, "typed_in": typed_in}
    try:
        return command_type.model_validate(data, context=context)
    except ValidationError as error:
        cause = error.errors()[0].get("ctx", {}).get("error")
        raise InvalidInputError(
            describe_validation_error(error),
            # a local time the time policy refuses keeps its own code (what the clocks do
            # that day, not a malformed value)
            code=getattr(cause, "code", None) or "invalid-value",
            subject=field_path(error),
        ) from None


def field_path(error: ValidationError) -> str:
    """The path of the first field pydantic refused, as `describe_validation_error` names
    it (`start`, `schedule.rules[0].dtstart`)."""
    path = ""
    previous: str | int | None = None
    for part in error.errors()[0]["loc"]:
        if isinstance(part, int):
            path += f"[{part}]"
        elif previous == "schedule" and part in _SCHEDULE_KINDS:
            pass  # the union tag pydantic inserts after `schedule` says nothing to users
        else:
            path += f".{part}" if path else str(part)
        previous = part
    return path


def describe_validation_error(error: ValidationError) -> str:
    """The first problem pydantic found, as one line naming the field at fault."""
    first = error.errors()[0]
    path = field_path(error)
    if first["type"] == "union_tag_invalid":
        expected = first["ctx"]["expected_tags"].replace("'", "")
        return f"{path}.kind {first['ctx']['tag']!r}: expected one of {expected}"
    message = phrase(first)
    if first["type"] == "string_pattern_mismatch":
        message = f"expected {KEY_RULE}"  # the only pattern commands use is the key's
    shown = shown_input(first.get("input")) if first["type"] != "missing" else ""
    return f"{path or 'command'}{shown}: {message}"
