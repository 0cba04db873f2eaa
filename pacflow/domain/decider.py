"""`decide(state, command) -> events`: the plan's workflow rules, as a pure function.

`decide` never changes the state it is given and never reads a clock; it returns the events
that record the command's effect (an empty list when the command changes nothing) or raises
a `PacflowError` (nothing is then recorded). Step and occurrence decisions live in
`pacflow.domain.steps`; the checks both share are in `pacflow.domain.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pacflow.domain import (
    access,
    checks,
    corrections,
    diagnostic,
    extra_visits,
    holiday_rules,
    indicator_values,
    market,
    replanning,
    steps,
    withdrawals,
)
from pacflow.domain.commands import (
    AddPerson,
    AddStep,
    AddTarget,
    AddTrack,
    ApprovePlan,
    AssignStep,
    BlockStep,
    CancelOccurrence,
    CancelStep,
    ClosePlan,
    Command,
    CompleteOccurrence,
    CompleteStep,
    CorrectIndicatorValue,
    CorrectOccurrenceDone,
    CorrectStepDone,
    CreatePlan,
    DefineIndicator,
    DropTarget,
    EditStep,
    GrantAccess,
    JustifyTarget,
    MoveOccurrence,
    MoveStep,
    PersonLeaves,
    PublishPlan,
    RecordCalendarOverride,
    RecordDecision,
    RecordFinding,
    RecordIndicatorValue,
    RecordMarketChange,
    RecordUnscheduledOccurrence,
    RemoveStep,
    RemoveTarget,
    ReopenOccurrence,
    ReopenStep,
    RescheduleStepFrom,
    ReviseObjective,
    RevisePlan,
    RevokeAccess,
    SetCheckThresholds,
    SetHolidays,
    SetIndicatorTargets,
    SetIndicatorTargetsFrom,
    SetObjective,
    SetTargetLimits,
    ShiftSteps,
    StartStep,
)
from pacflow.domain.events import (
    IndicatorDefined,
    IndicatorTargetsSet,
    ObjectiveSet,
    PersonAdded,
    PersonLeft,
    PlanApproved,
    PlanClosed,
    PlanCreated,
    PlanEvent,
    PlanPublished,
    RevisionOpened,
    TargetAdded,
    TargetDropped,
    TargetJustified,
    TargetLimitsSet,
    TrackAdded,
)
from pacflow.domain.rules import (
    active_person,
    get_indicator,
    get_person,
    get_target,
    live_target,
    require_in_period,
    require_indicator_period,
    require_new_key,
    require_not_closed,
    require_plan_change,
    require_reason,
    require_reason_unless_draft,
)
from pacflow.domain.state import PlanState
from pacflow.domain.values import (
    Approach,
    Domain,
    PlanStatus,
    TargetKind,
    allowed_values,
)
from pacflow.errors import InvalidInputError, NotFoundError, RuleViolationError


def decide(state: PlanState | None, command: Command) -> list[PlanEvent]:
    """The events that record `command` on the plan in `state` (None: no such plan yet).

    Raises InvalidInputError, NotFoundError or RuleViolationError, with nothing to record.
    """
    if isinstance(command, CreatePlan):
        if state is not None:
            raise RuleViolationError(f"plan {command.plan} already exists")
        return _create_plan(command)
    if state is None:
        raise NotFoundError(f"plan {command.plan}: no such plan")
    if command.plan != state.key:
        raise InvalidInputError(f"plan {command.plan}: the state given is plan {state.key}'s")
    decider = _DECIDERS.get(type(command))
    if decider is None:
        raise TypeError(f"{type(command).__name__} is not a plan command")
    return decider(state, command)


# --- plan --------------------------------------------------------------------------------


def _check_limits(plan: str, per_rep: int, total: int) -> None:
    for name, value in (("max_targets_per_rep", per_rep), ("max_targets_total", total)):
        if value < 1:
            raise InvalidInputError(f"plan {plan}: {name} {value}: expected 1 or more")


def _create_plan(command: CreatePlan) -> list[PlanEvent]:
    if command.start > command.end:
        raise InvalidInputError(
            f"plan {command.plan}: period start {command.start.isoformat()} is after its end "
            f"{command.end.isoformat()}"
        )
    _check_limits(command.plan, command.max_targets_per_rep, command.max_targets_total)
    return [
        PlanCreated(
            key=command.plan,
            title=command.title,
            start=command.start,
            end=command.end,
            timezone=command.timezone,
            owner=command.owner,
            scope=command.scope,
            max_targets_per_rep=command.max_targets_per_rep,
            max_targets_total=command.max_targets_total,
        ),
        *holiday_rules.holidays_at_creation(command),
    ]


def _approve(state: PlanState, command: ApprovePlan) -> list[PlanEvent]:
    require_not_closed(state)
    if state.status is not PlanStatus.DRAFT:
        raise RuleViolationError(
            f"plan {state.key} is {state.status.value}; only a draft can be approved"
        )
    return [PlanApproved()]


def _publish(state: PlanState, command: PublishPlan) -> list[PlanEvent]:
    require_not_closed(state)
    if state.status is PlanStatus.DRAFT:
        raise RuleViolationError(f"plan {state.key} is a draft; approve it before publishing it")
    if state.status is PlanStatus.PUBLISHED:
        raise RuleViolationError(
            f"plan {state.key} is already published (revision {state.revision}); open a "
            "revision to change it"
        )
    return [PlanPublished(revision=state.revision)]


def _revise(state: PlanState, command: RevisePlan) -> list[PlanEvent]:
    require_not_closed(state)
    reason = require_reason(command, f"plan {state.key}", "opening a revision")
    if state.status is PlanStatus.DRAFT:
        raise RuleViolationError(f"plan {state.key} is a draft; change it freely, no revision")
    if state.status is PlanStatus.REVISING:
        raise RuleViolationError(f"plan {state.key}: revision {state.revision} is already open")
    return [RevisionOpened(revision=state.revision + 1, reason=reason)]


def _close(state: PlanState, command: ClosePlan) -> list[PlanEvent]:
    require_not_closed(state)
    if state.status is PlanStatus.REVISING:
        raise RuleViolationError(
            f"plan {state.key}: publish revision {state.revision} before closing the plan"
        )
    require_reason_unless_draft(state, command, f"plan {state.key}")
    return [PlanClosed()]


def _set_limits(state: PlanState, command: SetTargetLimits) -> list[PlanEvent]:
    require_plan_change(state, command, f"plan {state.key}")
    per_rep = command.max_targets_per_rep
    total = command.max_targets_total
    per_rep = state.max_targets_per_rep if per_rep is None else per_rep
    total = state.max_targets_total if total is None else total
    _check_limits(state.key, per_rep, total)
    if (per_rep, total) == (state.max_targets_per_rep, state.max_targets_total):
        return []
    return [TargetLimitsSet(max_targets_per_rep=per_rep, max_targets_total=total)]


# --- people, targets, objectives, tracks, indicators -------------------------------------

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def _add_person(state: PlanState, command: AddPerson) -> list[PlanEvent]:
    require_plan_change(state, command, f"person {command.key}")
    require_new_key(state, "person", command.key)
    if command.email is not None and _EMAIL.fullmatch(command.email) is None:
        raise InvalidInputError(
            f"person {command.key}: email {command.email!r}: expected an address such as "
            "claire.dubois@numeria.example"
        )
    return [
        PersonAdded(
            key=command.key,
            name=command.name,
            kind=command.kind,
            email=command.email,
            role=command.role,
            sector=command.sector,
            timezone=command.timezone,
        )
    ]


def _person_leaves(state: PlanState, command: PersonLeaves) -> list[PlanEvent]:
    require_not_closed(state)
    person = get_person(state, command.person)
    if command.reassign_to is not None:  # handing steps over changes the plan itself
        require_plan_change(state, command, f"person {person.key}")
    require_reason_unless_draft(state, command, f"person {person.key}")
    if person.left_on is not None:
        raise RuleViolationError(
            f"person {person.key} already left the team on {person.left_on.isoformat()}"
        )
    require_in_period(state, command.on, "leaving date", f"person {person.key}")
    left: list[PlanEvent] = [PersonLeft(person=person.key, on=command.on)]
    if command.reassign_to is None:
        return left
    return [*left, *replanning.reassign_open_steps(state, person.key, command.reassign_to)]


def _add_target(state: PlanState, command: AddTarget) -> list[PlanEvent]:
    what = f"target {command.key}"
    require_plan_change(state, command, what)
    require_new_key(state, "target", command.key)
    active_person(state, command.responsible, "responsible", what)
    if command.segments and command.kind is not TargetKind.OFFER_SEGMENT:
        raise InvalidInputError(
            f"{what}: segments apply to offer_segment targets only (this one is "
            f"{command.kind.value})"
        )
    added: list[PlanEvent] = [
        TargetAdded(
            key=command.key,
            kind=command.kind,
            title=command.title,
            responsible=command.responsible,
            ref=command.ref,
            segments=command.segments,
            rationale=command.rationale,
        )
    ]
    if not command.decisions:
        return added
    decisions = diagnostic.known_decisions(state, command.decisions, what)
    return [*added, TargetJustified(target=command.key, decisions=decisions)]


def _drop_target(state: PlanState, command: DropTarget) -> list[PlanEvent]:
    require_plan_change(state, command, f"target {command.target}")
    target = get_target(state, command.target)
    if target.dropped:
        raise RuleViolationError(f"target {target.key} was already dropped")
    return [
        TargetDropped(target=target.key),
        *replanning.cancel_open_steps(state, target.key, command.on, command.reason),
    ]


def _set_objective(state: PlanState, command: SetObjective) -> list[PlanEvent]:
    what = f"objective {command.objective} of target {command.target}"
    require_plan_change(state, command, what)
    live_target(state, command.target)
    require_in_period(state, command.due, "due date", what)
    if command.indicator is not None:
        get_indicator(state, command.indicator, of=what)
    event = ObjectiveSet(
        target=command.target,
        objective=command.objective,
        statement=command.statement,
        value=command.value,
        unit=command.unit,
        due=command.due,
        indicator=command.indicator,
        baseline=command.baseline,
    )
    current = state.objectives.get((command.target, command.objective))
    if current is not None and (
        current.statement,
        current.value,
        current.unit,
        current.due,
        current.indicator,
        current.baseline,
    ) == (
        event.statement,
        event.value,
        event.unit,
        event.due,
        event.indicator,
        event.baseline,
    ):
        return []
    return [event]


def _add_track(state: PlanState, command: AddTrack) -> list[PlanEvent]:
    what = f"track {command.key}"
    require_plan_change(state, command, what)
    require_new_key(state, "track", command.key)
    if command.domain is Domain.STEERING:
        if command.target is not None:
            raise InvalidInputError(
                f"{what}: a steering track belongs to the plan, not to target {command.target}"
            )
    elif command.target is None:
        article = "an" if command.domain.value[0] in "aeiou" else "a"
        raise InvalidInputError(f"{what}: {article} {command.domain.value} track needs a target")
    else:
        live_target(state, command.target, of=what)
    if command.domain is Domain.SALES and command.approach is None:
        raise InvalidInputError(
            f"{what}: a sales track needs an approach: one of {allowed_values(Approach)}"
        )
    if command.domain is not Domain.SALES and command.approach is not None:
        raise InvalidInputError(
            f"{what}: only sales tracks have an approach (this one is {command.domain.value})"
        )
    return [
        TrackAdded(
            key=command.key,
            target=command.target,
            domain=command.domain,
            approach=command.approach,
            title=command.title,
        )
    ]


def _define_indicator(state: PlanState, command: DefineIndicator) -> list[PlanEvent]:
    what = f"indicator {command.key}"
    require_plan_change(state, command, what)
    current = state.indicators.get(command.key)
    if current is None:
        require_new_key(state, "indicator", command.key)
    active_person(state, command.owner, "owner", what)
    for target in command.serves:
        get_target(state, target, of=what)
    indicator_values.check_derivation(state, current, command)
    event = IndicatorDefined(
        key=command.key,
        name=command.name,
        kind=command.kind,
        unit=command.unit,
        aggregation=command.aggregation,
        direction=command.direction,
        owner=command.owner,
        per=command.per,
        serves=command.serves,
        derived=command.derived,
    )
    if current is not None:
        if current.targets and current.per is not command.per:
            raise RuleViolationError(
                f"{what}: it has {current.per.value}ly targets; it cannot become "
                f"{command.per.value}ly"
            )
        same = (
            current.name,
            current.kind,
            current.unit,
            current.aggregation,
            current.direction,
            current.owner,
            current.per,
            current.serves,
            current.derived,
        ) == (
            event.name,
            event.kind,
            event.unit,
            event.aggregation,
            event.direction,
            event.owner,
            event.per,
            event.serves,
            event.derived,
        )
        if same:
            return []
    return [event]


def _set_indicator_targets(state: PlanState, command: SetIndicatorTargets) -> list[PlanEvent]:
    what = f"indicator {command.indicator}"
    require_plan_change(state, command, what)
    indicator = get_indicator(state, command.indicator)
    changed: dict[str, Decimal] = {}
    for period, value in sorted(command.targets.items()):
        require_indicator_period(state, indicator, period, "target period", what)
        if indicator.targets.get(period) != value:
            changed[period] = value
    if not changed:
        return []
    return [IndicatorTargetsSet(indicator=indicator.key, targets=changed)]


_Decider = Callable[[PlanState, Any], list[PlanEvent]]

_DECIDERS: dict[type[Command], _Decider] = {
    ApprovePlan: _approve,
    PublishPlan: _publish,
    RevisePlan: _revise,
    ClosePlan: _close,
    SetTargetLimits: _set_limits,
    AddPerson: _add_person,
    PersonLeaves: _person_leaves,
    AddTarget: _add_target,
    DropTarget: _drop_target,
    SetObjective: _set_objective,
    AddTrack: _add_track,
    DefineIndicator: _define_indicator,
    SetIndicatorTargets: _set_indicator_targets,
    AddStep: steps.add_step,
    EditStep: steps.edit_step,
    MoveStep: steps.move_step,
    AssignStep: steps.assign_step,
    StartStep: steps.start_step,
    CompleteStep: steps.complete_step,
    BlockStep: steps.block_step,
    CancelStep: steps.cancel_step,
    CompleteOccurrence: steps.complete_occurrence,
    CancelOccurrence: steps.cancel_occurrence,
    MoveOccurrence: steps.move_occurrence,
    ReopenStep: corrections.reopen_step,
    RemoveStep: corrections.remove_step,
    RemoveTarget: withdrawals.remove_target,
    CorrectStepDone: corrections.correct_step_done,
    ReopenOccurrence: corrections.reopen_occurrence,
    CorrectOccurrenceDone: corrections.correct_occurrence_done,
    RecordUnscheduledOccurrence: extra_visits.record_unscheduled,
    RecordIndicatorValue: indicator_values.record_value,
    CorrectIndicatorValue: indicator_values.correct_value,
    RecordMarketChange: market.record_market_change,
    ReviseObjective: replanning.revise_objective,
    SetIndicatorTargetsFrom: replanning.set_targets_from,
    RescheduleStepFrom: replanning.reschedule_from,
    ShiftSteps: replanning.shift_steps,
    SetCheckThresholds: checks.set_check_thresholds,
    SetHolidays: holiday_rules.set_holidays,
    RecordCalendarOverride: market.record_calendar_override,
    GrantAccess: access.grant_access,
    RevokeAccess: access.revoke_access,
    RecordFinding: diagnostic.record_finding,
    RecordDecision: diagnostic.record_decision,
    JustifyTarget: diagnostic.justify_target,
}
