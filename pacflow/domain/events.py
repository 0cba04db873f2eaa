"""Domain events of a plan: frozen dataclasses named in the past tense.

Events carry the business facts only (what happened to the plan, with the dates and reasons
that are part of the business, like why a step was cancelled). Who did it and why the
change was made travel in the store's metadata, added by the application service.

Each type is registered by an explicit name in `EVENT_TYPES`; the store keeps that name,
the schema version and `to_payload(event)`, and `from_payload` turns them back into the
event. A type is never resolved by importing a name read from the database.

Events are made by the decider from validated commands, and read back from the store
without pydantic (`pacflow.domain.plain`): what the store holds was checked when it was
recorded.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date
from typing import Any, ClassVar

from pacflow.domain.derivation import Derivation
from pacflow.domain.findings import Figures
from pacflow.domain.plain import Reads, Unreadable, to_plain
from pacflow.domain.schedule import OccurrenceSlot, Schedule
from pacflow.domain.values import (
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
    LocalDateTime,
    MarketRef,
    NonNegativeDecimal,
    OptionalText,
    Per,
    PersonKind,
    TargetKind,
    Text,
    TimeZoneName,
)
from pacflow.errors import IntegrityError
from slotted import FrozenValue, frozen_value


@frozen_value
class PlanEvent(FrozenValue):
    """Base of every event of a plan's stream."""

    schema_version: ClassVar[int] = 1
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}


# --- plan --------------------------------------------------------------------------------


@frozen_value
class PlanCreated(PlanEvent):
    """A plan was created, as a draft, for a period and a time zone."""

    key: Key
    title: Text
    start: date
    end: date
    timezone: TimeZoneName
    owner: Key
    scope: OptionalText = None
    max_targets_per_rep: Count = 2
    max_targets_total: Count = 6


@frozen_value
class PlanApproved(PlanEvent):
    """The draft plan was approved."""


@frozen_value
class PlanPublished(PlanEvent):
    """The plan (or its open revision) was published to the team."""

    revision: int


@frozen_value
class RevisionOpened(PlanEvent):
    """A revision of the approved or published plan was opened, for a reason."""

    revision: int
    reason: Text


@frozen_value
class PlanDropped(PlanEvent):
    """A draft plan was dropped, for a reason: it leaves every view and calendar, and its
    key is free again. The log keeps its events; a later `PlanCreated` in the same stream
    starts a new plan afresh."""

    reason: Text


@frozen_value
class PlanClosed(PlanEvent):
    """The plan was closed; it accepts no further change."""


@frozen_value
class TargetLimitsSet(PlanEvent):
    """The thresholds of the 'choisir, c'est renoncer' warnings were changed."""

    max_targets_per_rep: Count
    max_targets_total: Count


# --- people, targets, objectives, tracks -------------------------------------------------


@frozen_value
class PersonAdded(PlanEvent):
    """A person joined the plan's team."""

    key: Key
    name: Text
    kind: PersonKind
    email: OptionalText = None
    role: OptionalText = None
    sector: OptionalText = None
    timezone: TimeZoneName | None = None


@frozen_value
class PersonLeft(PlanEvent):
    """A person left the team on a date."""

    person: Key
    on: date


@frozen_value
class TargetAdded(PlanEvent):
    """A target (cible) was chosen."""

    key: Key
    kind: TargetKind
    title: Text
    responsible: Key
    ref: OptionalText = None
    segments: tuple[str, ...] = ()
    rationale: OptionalText = None


@frozen_value
class TargetDropped(PlanEvent):
    """A target was given up (choisir, c'est renoncer)."""

    target: Key


@frozen_value
class TargetRemoved(PlanEvent):
    """A target added by mistake to a draft plan was taken out, with its objectives and
    its `tracks` (their steps left before it, by their own events); its key and theirs are
    free again, and the log keeps them."""

    target: Key
    tracks: tuple[Key, ...] = ()


@frozen_value
class ObjectiveSet(PlanEvent):
    """An objective of a target was set or replaced (`main`, or a secondary one)."""

    target: Key
    objective: Key
    statement: Text
    value: NonNegativeDecimal
    unit: Text
    due: date
    indicator: Key | None = None
    baseline: NonNegativeDecimal | None = None


@frozen_value
class TrackAdded(PlanEvent):
    """An action track (piste d'action) was added to a target, or to the plan (steering)."""

    key: Key
    target: Key | None
    domain: Domain
    approach: Approach | None = None
    title: Text


# --- steps -------------------------------------------------------------------------------


@frozen_value
class StepAdded(PlanEvent):
    """A step was added to a track."""

    key: Key
    track: Key
    title: Text
    order: int
    responsible: Key
    schedule: Schedule
    participants: tuple[Key, ...] = ()
    predecessor: Key | None = None
    parallel: bool = False
    means: OptionalText = None
    budget: NonNegativeDecimal | None = None
    days: NonNegativeDecimal | None = None
    indicators: tuple[Key, ...] = ()
    location: OptionalText = None


@frozen_value
class StepRemoved(PlanEvent):
    """A step added by mistake to a draft plan was taken out (its key is free again; the
    log keeps it). Its occurrences left before it, by their own event."""

    step: Key


@frozen_value
class StepEdited(PlanEvent):
    """A step's description or sequencing changed; it carries every editable field."""

    step: Key
    title: Text
    order: int
    predecessor: Key | None
    parallel: bool
    means: OptionalText
    budget: NonNegativeDecimal | None
    days: NonNegativeDecimal | None
    indicators: tuple[Key, ...]
    location: OptionalText


@frozen_value
class StepMoved(PlanEvent):
    """A step was rescheduled; occurrence changes follow as their own events."""

    step: Key
    schedule: Schedule


@frozen_value
class StepAssigned(PlanEvent):
    """A step got a new responsible person and participants."""

    step: Key
    responsible: Key
    participants: tuple[Key, ...]


@frozen_value
class StepStarted(PlanEvent):
    """A step started (or resumed after being blocked)."""

    step: Key
    on: date


@frozen_value
class StepCompleted(PlanEvent):
    """A step was done."""

    step: Key
    on: date


@frozen_value
class StepReopened(PlanEvent):
    """A step marked done by mistake is open again; `previous` is the done date withdrawn."""

    step: Key
    previous: date
    reason: Text


@frozen_value
class StepDoneDateCorrected(PlanEvent):
    """The date a step was done on was corrected; `previous` is the date it replaces."""

    step: Key
    on: date
    previous: date
    reason: Text


@frozen_value
class StepBlocked(PlanEvent):
    """A step was blocked, for a reason."""

    step: Key
    on: date
    reason: Text


@frozen_value
class StepCancelled(PlanEvent):
    """A step was cancelled, for a reason."""

    step: Key
    on: date
    reason: Text


# --- occurrences -------------------------------------------------------------------------


@frozen_value
class OccurrencesScheduled(PlanEvent):
    """Occurrences of a step's schedule came into the plan (the schedule's expansion)."""

    step: Key
    occurrences: tuple[OccurrenceSlot, ...]


@frozen_value
class OccurrencesUnscheduled(PlanEvent):
    """Planned occurrences left the plan because their step was rescheduled."""

    step: Key
    occurrences: tuple[str, ...]


@frozen_value
class OccurrenceCompleted(PlanEvent):
    """One occurrence (one visit) was held."""

    occurrence: str
    on: date


@frozen_value
class OccurrenceReopened(PlanEvent):
    """An occurrence marked held by mistake is to be held again (un-held); `previous` is the
    held date withdrawn."""

    occurrence: str
    previous: date
    reason: Text


@frozen_value
class OccurrenceDoneDateCorrected(PlanEvent):
    """The date an occurrence was held on was corrected; `previous` is the date it replaces."""

    occurrence: str
    on: date
    previous: date
    reason: Text


@frozen_value
class OccurrenceCancelled(PlanEvent):
    """One occurrence was cancelled, for a reason."""

    occurrence: str
    reason: Text


@frozen_value
class OccurrenceMoved(PlanEvent):
    """One occurrence was moved to another local date or date-time; it keeps its key."""

    occurrence: str
    start: LocalDateTime
    all_day: bool
    duration: Duration | None = None


@frozen_value
class CalendarChangeOverridden(PlanEvent):
    """A change made in a calendar was not applied to the plan; `rule` says why."""

    step: Key
    occurrence: str | None = None
    change: Text
    rule: Text


# --- indicators --------------------------------------------------------------------------


@frozen_value
class IndicatorDefined(PlanEvent):
    """A follow-up indicator was defined (or its definition replaced)."""

    key: Key
    name: Text
    kind: IndicatorKind
    unit: Text
    aggregation: Aggregation
    direction: Direction
    owner: Key
    per: Per = Per.MONTH
    serves: tuple[Key, ...] = ()
    derived: Derivation | None = field(default=None, metadata={"omit_none": True})
    """Where its values come from when they are counted from events, not typed in (absent
    from the payload of a typed indicator, so events stored before it existed read the same)."""


@frozen_value
class IndicatorTargetsSet(PlanEvent):
    """Period targets of an indicator were set (other periods keep theirs)."""

    indicator: Key
    targets: dict[str, NonNegativeDecimal]


@frozen_value
class IndicatorValueRecorded(PlanEvent):
    """The actual value of an indicator for a period (valid time) was recorded."""

    indicator: Key
    period: str
    value: IndicatorValue
    note: OptionalText = None


@frozen_value
class IndicatorValueCorrected(PlanEvent):
    """A recorded actual value was corrected, for a reason; the earlier value stays in the log."""

    indicator: Key
    period: str
    value: IndicatorValue
    previous: IndicatorValue
    reason: Text


# --- environment -------------------------------------------------------------------------


@frozen_value
class MarketChangeRecorded(PlanEvent):
    """A change in the market was noted: what it touches, from when, how much it weighs.

    A fact about the plan's environment, not a change to the plan: it needs no revision and
    leaves the plan's state as it was; `pacflow check` weighs it against later revisions.
    """

    summary: Text
    affects: tuple[MarketRef, ...]
    effective: date
    impact: Impact = Impact.MEDIUM


@frozen_value
class CheckThresholdsSet(PlanEvent):
    """Thresholds of `pacflow check` were changed; those not given keep their value."""

    stale_after_days: int | None = None
    off_track_periods: int | None = None
    overdue_grace_days: int | None = None
    pace_periods: int | None = None


# --- access ----------------------------------------------------------------------------


@frozen_value
class AccessGranted(PlanEvent):
    """A person was given a link to the plan (a calendar feed, pages, reporting or the API).

    The secret itself is never recorded: `grant` names the grant, whose token only the
    person who was handed it knows (`pacflow access grant`)."""

    grant: Key
    person: Key
    scope: AccessScope


@frozen_value
class AccessRevoked(PlanEvent):
    """A grant was revoked: its link stops working."""

    grant: Key
    person: Key


# --- diagnostic --------------------------------------------------------------------------


@frozen_value
class FindingRecorded(PlanEvent):
    """A finding of the diagnostic was recorded: one tool's figures and what they show."""

    key: Key
    title: Text
    period: OptionalText = None
    figures: Figures


@frozen_value
class DecisionRecorded(PlanEvent):
    """A decision was taken, resting on findings of the diagnostic."""

    key: Key
    statement: Text
    findings: tuple[Key, ...]


@frozen_value
class TargetJustified(PlanEvent):
    """The decisions a target implements were set (they replace the earlier ones)."""

    target: Key
    decisions: tuple[Key, ...]


@frozen_value
class HolidaysSet(PlanEvent):
    """The public holidays the plan (or one person, `person`) observes, by country and
    subdivision (None: none), and whether cadence slots may land on them or on weekends
    (the plan's choice only). `from_zone`: the country was taken from the plan's zone."""

    person: Key | None = None
    country: str | None = None
    subdivision: str | None = None
    slots_on_holidays: bool = False
    slots_on_weekends: bool = False
    from_zone: bool = False


# --- registry ----------------------------------------------------------------------------

EVENT_TYPES: dict[str, type[PlanEvent]] = {
    "PlanCreated": PlanCreated,
    "PlanApproved": PlanApproved,
    "PlanPublished": PlanPublished,
    "RevisionOpened": RevisionOpened,
    "PlanClosed": PlanClosed,
    "PlanDropped": PlanDropped,
    "TargetLimitsSet": TargetLimitsSet,
    "PersonAdded": PersonAdded,
    "PersonLeft": PersonLeft,
    "TargetAdded": TargetAdded,
    "TargetDropped": TargetDropped,
    "TargetRemoved": TargetRemoved,
    "ObjectiveSet": ObjectiveSet,
    "TrackAdded": TrackAdded,
    "StepAdded": StepAdded,
    "StepEdited": StepEdited,
    "StepRemoved": StepRemoved,
    "StepMoved": StepMoved,
    "StepAssigned": StepAssigned,
    "StepStarted": StepStarted,
    "StepCompleted": StepCompleted,
    "StepReopened": StepReopened,
    "StepDoneDateCorrected": StepDoneDateCorrected,
    "StepBlocked": StepBlocked,
    "StepCancelled": StepCancelled,
    "OccurrencesScheduled": OccurrencesScheduled,
    "OccurrencesUnscheduled": OccurrencesUnscheduled,
    "OccurrenceCompleted": OccurrenceCompleted,
    "OccurrenceReopened": OccurrenceReopened,
    "OccurrenceDoneDateCorrected": OccurrenceDoneDateCorrected,
    "OccurrenceCancelled": OccurrenceCancelled,
    "OccurrenceMoved": OccurrenceMoved,
    "CalendarChangeOverridden": CalendarChangeOverridden,
    "IndicatorDefined": IndicatorDefined,
    "IndicatorTargetsSet": IndicatorTargetsSet,
    "IndicatorValueRecorded": IndicatorValueRecorded,
    "IndicatorValueCorrected": IndicatorValueCorrected,
    "MarketChangeRecorded": MarketChangeRecorded,
    "CheckThresholdsSet": CheckThresholdsSet,
    "AccessGranted": AccessGranted,
    "AccessRevoked": AccessRevoked,
    "FindingRecorded": FindingRecorded,
    "DecisionRecorded": DecisionRecorded,
    "TargetJustified": TargetJustified,
    "HolidaysSet": HolidaysSet,
}
"""Every event type by the name the store records; the only way back from a name to a type."""

_NAMES: dict[type[PlanEvent], str] = {cls: name for name, cls in EVENT_TYPES.items()}


def event_type_name(event: PlanEvent) -> str:
    """The registered name of `event`'s type, as the store records it."""
    try:
        return _NAMES[type(event)]
    except KeyError:
        raise TypeError(f"{type(event).__name__} is not a registered plan event") from None


def to_payload(event: PlanEvent) -> dict[str, Any]:
    """`event` as a JSON-safe dict: Decimals as strings, dates and times in ISO 8601."""
    payload: dict[str, Any] = to_plain(event)
    return payload


_READS = Reads()
"""How often each event type was read in this process: a rebuild reads millions, with a
loader written for each type; a command on a small plan, a few dozen."""


def from_payload(type_name: str, schema_version: int, payload: dict[str, Any]) -> PlanEvent:
    """The event stored as `type_name` v`schema_version` with `payload` (already upcast).

    Raises IntegrityError for an unknown type, an unknown schema version or a payload that
    does not fit the type.
    """
    event_type = EVENT_TYPES.get(type_name)
    if event_type is None:
        raise IntegrityError(f"event type {type_name!r} is unknown to this version of pacflow")
    if schema_version != event_type.schema_version:
        raise IntegrityError(
            f"event type {type_name} has schema version {schema_version}; this version of "
            f"pacflow reads version {event_type.schema_version} (is an upcaster missing?)"
        )
    try:
        event: PlanEvent = _READS.loader(event_type)(payload)
    except Unreadable as error:
        raise IntegrityError(
            f"event {type_name} v{schema_version} cannot be read: {error}"
        ) from error
    return event
