"""The plan file: a whole plan written as YAML, validated by these pydantic models.

The JSON Schema that `pacflow schema plan-file` prints is generated from `PlanFile`.
French method words are accepted where the method uses them (`vente`, `élevage`,
`développement interne`…) and stored as pacflow's English values.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from pacflow.domain.checked import validate
from pacflow.domain.commands import describe_validation_error
from pacflow.domain.derivation import Derivation
from pacflow.domain.findings import Figures
from pacflow.domain.schedule import Cadence, DueDate, Recurrence, Schedule, Session, SessionList
from pacflow.domain.values import (
    Aggregation,
    Approach,
    Count,
    Direction,
    Domain,
    Duration,
    IndicatorKind,
    Key,
    NonNegativeDecimal,
    OptionalText,
    Per,
    PersonKind,
    TargetKind,
    Text,
    TimeZoneName,
    method_word,
)


def _method_word(value: Any) -> Any:
    """`Développement interne` → `internal` (see `pacflow.domain.values.method_word`)."""
    return method_word(value)


def _method(enum_type: Any) -> Any:
    return Annotated[enum_type, BeforeValidator(_method_word)]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Limits(_Spec):
    """Thresholds of the 'choisir, c'est renoncer' warning."""

    max_targets_per_rep: Count = 2
    max_targets_total: Count = 6


class PlanHeader(_Spec):
    """What the plan is: key, title, period, time zone, owner, scope."""

    key: Key
    title: Text
    start: date
    end: date
    timezone: TimeZoneName
    owner: Key
    scope: OptionalText = None
    limits: Limits = Limits()
    country: OptionalText = None  # public holidays: FR, none; default: the zone's country
    subdivision: OptionalText = None
    slots_on_holidays: bool | None = None  # cadence slots may land on public holidays
    slots_on_weekends: bool | None = None  # ... or on weekends (not said: left as they are)


class PersonSpec(_Spec):
    """A team member; `left_on` records that they left."""

    key: Key
    name: Text
    kind: _method(PersonKind)  # type: ignore[valid-type]
    email: OptionalText = None
    role: OptionalText = None
    sector: OptionalText = None
    timezone: TimeZoneName | None = None
    country: OptionalText = None  # their own public holidays, when not the plan's
    subdivision: OptionalText = None
    left_on: date | None = None


class ObjectiveSpec(_Spec):
    """An objective of a target (`main`, or a secondary key)."""

    key: Key = "main"
    statement: Text
    value: NonNegativeDecimal
    unit: Text
    due: date
    indicator: Key | None = None
    baseline: NonNegativeDecimal | None = None


class RecurrenceSpec(_Spec):
    """RRULEs with their local DTSTART, and the length of each occurrence."""

    rules: list[dict[str, Any]] = Field(min_length=1)
    duration: Duration | None = None


class StepSpec(_Spec):
    """A step and its schedule: exactly one of due, sessions, recurrence or cadence."""

    key: Key
    title: Text
    responsible: Key
    participants: list[Key] = []
    due: date | None = None
    start: date | None = None
    sessions: list[Session] | None = None
    recurrence: RecurrenceSpec | None = None
    cadence: Cadence | None = None
    order: int | None = Field(default=None, ge=1)
    after: Key | None = None
    parallel: bool = False
    means: OptionalText = None
    budget: NonNegativeDecimal | None = None
    days: NonNegativeDecimal | None = None
    indicators: list[Key] = []
    location: OptionalText = None

    @model_validator(mode="after")
    def _one_schedule(self) -> StepSpec:
        kinds = [
            name
            for name in ("due", "sessions", "recurrence", "cadence")
            if getattr(self, name) is not None
        ]
        if len(kinds) != 1:
            found = " and ".join(kinds) if kinds else "none"
            raise ValueError(
                f"step {self.key} needs exactly one of due, sessions, recurrence or cadence "
                f"(found {found})"
            )
        if self.start is not None and self.due is None:
            raise ValueError(f"step {self.key}: start goes with due")
        try:
            self.schedule()
        except ValidationError as error:  # say it here, where the file has a line for it
            raise ValueError(describe_validation_error(error)) from None
        return self

    def schedule(self) -> Schedule:
        """The domain schedule this step describes."""
        if self.due is not None:
            return DueDate(due=self.due, start=self.start)
        if self.sessions is not None:
            return validate(SessionList, {"sessions": tuple(self.sessions)})  # type: ignore[no-any-return]
        if self.recurrence is not None:
            return validate(  # type: ignore[no-any-return]
                Recurrence, {"rules": self.recurrence.rules, "duration": self.recurrence.duration}
            )
        assert self.cadence is not None
        return self.cadence


class TrackSpec(_Spec):
    """An action track and its steps, in order."""

    key: Key
    domain: _method(Domain)  # type: ignore[valid-type]
    approach: _method(Approach) | None = None  # type: ignore[valid-type]
    title: Text
    steps: list[StepSpec] = []


class TargetSpec(_Spec):
    """A target with its objectives and its action tracks."""

    key: Key
    kind: _method(TargetKind)  # type: ignore[valid-type]
    title: Text
    responsible: Key
    ref: OptionalText = None
    segments: list[Text] = []
    rationale: OptionalText = None
    decisions: list[Key] = []
    objectives: list[ObjectiveSpec] = []
    tracks: list[TrackSpec] = []


class IndicatorSpec(_Spec):
    """An indicator and its period targets (`2025-03: 170`); `derived` counts its values
    from events instead (`{kind: visits_done, steps: [S08]}`)."""

    key: Key
    name: Text
    kind: IndicatorKind
    unit: Text
    owner: Key
    aggregation: Aggregation = Aggregation.PER_PERIOD
    direction: Direction = Direction.UP
    per: Per = Per.MONTH
    serves: list[Key] = []
    derived: Derivation | None = None
    targets: dict[str, NonNegativeDecimal] = {}


class FindingSpec(_Spec):
    """A finding of the diagnostic: one tool's figures (`figures: {tool: abc, …}`)."""

    key: Key
    title: Text
    period: OptionalText = None
    figures: Figures


class DecisionSpec(_Spec):
    """A decision of the diagnostic and the findings it rests on."""

    key: Key
    statement: Text
    findings: list[Key] = Field(min_length=1)


class DiagnosticSpec(_Spec):
    """The diagnostic the plan was drawn up from: findings, then decisions citing them
    (targets cite decisions with their own `decisions`)."""

    findings: list[FindingSpec] = []
    decisions: list[DecisionSpec] = []


class PlanFile(_Spec):
    """A whole plan: header, team, targets (with objectives, tracks, steps), plan-level
    tracks (steering: presenting the plan, reviews, re-actualisation), indicators."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        defer_build=True,
        json_schema_extra={"title": "pacflow plan file"},
    )

    plan: PlanHeader
    diagnostic: DiagnosticSpec = DiagnosticSpec()
    people: list[PersonSpec] = []
    targets: list[TargetSpec] = []
    steering: list[TrackSpec] = []
    indicators: list[IndicatorSpec] = []
