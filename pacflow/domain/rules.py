"""Checks and look-ups the decider shares: plan lifecycle guards, keys, people, sequencing.

Each check raises the right `PacflowError` with a one-line message naming the key or
field at fault; none of them changes the state.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from pacflow.domain.facts import finished_on
from pacflow.domain.periods import require_period_in
from pacflow.domain.state import Indicator, Person, PlanState, Step, Target, Track
from pacflow.domain.values import PlanStatus, StepStatus
from pacflow.errors import InvalidInputError, NotFoundError, RuleViolationError
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:  # reads use these checks too, without the command models
    from pacflow.domain.commands import Command

# --- lifecycle ---------------------------------------------------------------------------


def require_not_closed(state: PlanState) -> None:
    """A closed plan refuses everything."""
    if state.status is PlanStatus.CLOSED:
        raise RuleViolationError(
            f"plan {state.key} is closed: it accepts no change",
            code="plan-closed",
            subject=state.key,
            details={"plan": state.key},
        )


def require_plan_change(state: PlanState, command: Command, what: str) -> None:
    """A change to the plan's content: free in a draft, needs an open revision and a reason
    once the plan was approved."""
    require_not_closed(state)
    if state.status in (PlanStatus.APPROVED, PlanStatus.PUBLISHED):
        raise RuleViolationError(
            f"{what}: plan {state.key} is {state.status.value}; open a revision (with a "
            "reason) before changing it",
            code="revision-needed",
            subject=state.key,
            details={"what": what, "plan": state.key, "status": state.status.value},
        )
    if state.status is PlanStatus.REVISING and command.reason is None:
        raise RuleViolationError(
            f"{what}: a reason is required to change plan {state.key} (revision "
            f"{state.revision} is open)",
            code="reason-required",
            subject=state.key,
            details={"what": what, "plan": state.key, "revision": str(state.revision)},
        )


def require_reason_unless_draft(state: PlanState, command: Command, what: str) -> None:
    """Facts recorded on a plan that is no longer a draft say why."""
    if state.status is not PlanStatus.DRAFT and command.reason is None:
        raise RuleViolationError(
            f"{what}: a reason is required, plan {state.key} is {state.status.value}",
            code="reason-required",
            subject=state.key,
            details={"what": what, "plan": state.key, "status": state.status.value},
        )


def require_reason(command: Command, what: str, doing: str) -> str:
    """The command's reason, which this change cannot go without."""
    if command.reason is None:
        raise RuleViolationError(
            f"{what}: {doing} needs a reason",
            code="reason-required",
            details={"what": what, "doing": doing},
        )
    return command.reason


def require_in_period(state: PlanState, day: date, what: str, of: str) -> None:
    """Refuse a date outside the plan period."""
    if not state.start <= day <= state.end:
        raise InvalidInputError(
            f"{what} {day.isoformat()} of {of} is outside the plan period {state.period.text()}"
        )


def require_indicator_period(
    state: PlanState, indicator: Indicator, period: str, role: str, of: str
) -> None:
    """Refuse a period that is not one of the indicator's (`2025-03` for a monthly one) or
    that lies wholly outside the plan period."""
    require_period_in(state.period, indicator.per, period, role, of)


# --- keys --------------------------------------------------------------------------------


def key_owner(state: PlanState, key: str) -> tuple[str, str] | None:
    """What already uses `key` (or the same key in another case): (kind, key), or None."""
    tables: tuple[tuple[str, Mapping[str, object]], ...] = (
        ("person", state.people),
        ("target", state.targets),
        ("track", state.tracks),
        ("step", state.steps),
        ("indicator", state.indicators),
        ("finding", state.findings),
        ("decision", state.decisions),
    )
    for kind, table in tables:
        if key in table:
            return kind, key
    folded = key.casefold()
    for kind, table in tables:
        for existing in table:
            if existing.casefold() == folded:
                return kind, existing
    return None


def require_new_key(state: PlanState, kind: str, key: str) -> None:
    """Keys are unique within a plan, across people, targets, tracks, steps, indicators,
    findings and decisions (and regardless of case, so that `t1` cannot sit next to `T1`)."""
    owner = key_owner(state, key)
    if owner is not None:
        other_kind, other = owner
        raise RuleViolationError(
            f"{kind} {key}: the key is already used by {other_kind} {other} in plan {state.key}"
        )


# --- look-ups ----------------------------------------------------------------------------
# `role` and `of` say how a key was used, so that messages read
# `responsible zz of step S01: unknown person in plan PAC-2025`.


def _named(role: str, key: str, of: str) -> str:
    return f"{role} {key} of {of}" if of else f"{role} {key}"


def _unknown(state: PlanState, kind: str, key: str, role: str, of: str) -> NotFoundError:
    return NotFoundError(
        f"{_named(role, key, of)}: unknown {kind} in plan {state.key}",
        code="unknown-key",
        subject=key,
        details={"kind": kind, "key": key, "role": role, "of": of, "plan": state.key},
    )


def get_person(state: PlanState, key: str, role: str = "person", of: str = "") -> Person:
    """The person `key`, or a NotFoundError."""
    person = state.people.get(key)
    if person is None:
        raise _unknown(state, "person", key, role, of)
    return person


def active_person(state: PlanState, key: str, role: str, of: str = "") -> Person:
    """A person of the plan who has not left the team."""
    person = get_person(state, key, role, of)
    if person.left_on is not None:
        raise RuleViolationError(
            f"{_named(role, key, of)}: {person.name} left the team on "
            f"{person.left_on.isoformat()}; expected someone still in the team"
        )
    return person


def active_people(state: PlanState, keys: tuple[str, ...], role: str, of: str = "") -> None:
    """Every key names a different person still in the team."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise InvalidInputError(f"{_named(role, key, of)}: listed twice")
        seen.add(key)
        active_person(state, key, role, of)


def get_target(state: PlanState, key: str, role: str = "target", of: str = "") -> Target:
    """The target `key`, or a NotFoundError."""
    target = state.targets.get(key)
    if target is None:
        raise _unknown(state, "target", key, role, of)
    return target


def live_target(state: PlanState, key: str, role: str = "target", of: str = "") -> Target:
    """A target that was not dropped."""
    target = get_target(state, key, role, of)
    if target.dropped:
        raise RuleViolationError(f"{_named(role, key, of)}: this target was dropped")
    return target


def get_track(state: PlanState, key: str) -> Track:
    """The track `key`, or a NotFoundError."""
    track = state.tracks.get(key)
    if track is None:
        raise _unknown(state, "track", key, "track", "")
    return track


def get_step(state: PlanState, key: str, role: str = "step", of: str = "") -> Step:
    """The step `key`, or a NotFoundError."""
    step = state.steps.get(key)
    if step is None:
        raise _unknown(state, "step", key, role, of)
    return step


def get_indicator(state: PlanState, key: str, role: str = "indicator", of: str = "") -> Indicator:
    """The indicator `key`, or a NotFoundError."""
    indicator = state.indicators.get(key)
    if indicator is None:
        raise _unknown(state, "indicator", key, role, of)
    return indicator


def known_indicators(state: PlanState, keys: tuple[str, ...], of: str) -> None:
    """Every key names a different indicator of the plan."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise InvalidInputError(f"indicator {key} of {of}: listed twice")
        seen.add(key)
        get_indicator(state, key, of=of)


# --- sequencing --------------------------------------------------------------------------

FINISHED = (StepStatus.DONE, StepStatus.CANCELLED)
"""A predecessor in one of these statuses no longer holds its successors back."""


@frozen_record
class Sequencing(FrozenValue):
    """Where a step stands in its track, as an edit would make it."""

    key: str
    track: str
    order: int
    predecessor: str | None
    parallel: bool
    series: bool = False
    """Whether it is a visit series (a recurrence or a cadence): see `runs_alongside`."""


SERIES_KINDS = frozenset({"recurrence", "cadence"})


def runs_alongside(schedule_kind: str) -> bool:
    """Whether a step so scheduled runs alongside its track rather than being a stage of it.

    A visit series ("2 visits a month to BRC", "8 prospect meetings a month") lasts the
    year; the one-off steps listed after it in its track (a proposal in May) do not wait
    for its end, so it is nobody's predecessor by track order. Naming it (`--after S08`)
    still makes a step wait for it.
    """
    return schedule_kind in SERIES_KINDS


def _sequencing(step: Step) -> Sequencing:
    return Sequencing(
        step.key,
        step.track,
        step.order,
        step.predecessor,
        step.parallel,
        runs_alongside(step.schedule.kind),
    )


def predecessors(state: PlanState, edit: Sequencing | None = None) -> dict[str, str | None]:
    """Every step's effective predecessor: none if parallel, else the one named, else the
    previous step of its track by order that is not a visit series (`runs_alongside`).
    `edit` replaces (or adds) one step's sequencing."""
    by_track: dict[str, list[Sequencing]] = {}
    for step in state.steps.values():
        seq = edit if edit is not None and edit.key == step.key else _sequencing(step)
        by_track.setdefault(seq.track, []).append(seq)
    if edit is not None and edit.key not in state.steps:
        by_track.setdefault(edit.track, []).append(edit)
    result: dict[str, str | None] = {}
    for sequence in by_track.values():
        sequence.sort(key=lambda seq: seq.order)
        previous: str | None = None
        for seq in sequence:
            if seq.parallel:
                result[seq.key] = None
            else:
                result[seq.key] = seq.predecessor if seq.predecessor is not None else previous
            if not seq.series:
                previous = seq.key
    return result


def predecessor_of(state: PlanState, key: str) -> str | None:
    """The effective predecessor of step `key` (see `predecessors`)."""
    step = state.steps[key]
    if step.parallel:
        return None
    if step.predecessor is not None:
        return step.predecessor
    best: Step | None = None
    for other_key in state.tracks[step.track].steps:
        other = state.steps[other_key]
        if runs_alongside(other.schedule.kind):
            continue
        if other.order < step.order and (best is None or other.order > best.order):
            best = other
    return best.key if best is not None else None


def check_sequencing(state: PlanState, edit: Sequencing) -> None:
    """Refuse an order already taken in the track, an unknown predecessor, or a cycle."""
    for other_key in state.tracks[edit.track].steps:
        other = state.steps[other_key]
        if other_key != edit.key and other.order == edit.order:
            raise RuleViolationError(
                f"step {edit.key}: order {edit.order} of track {edit.track} is already "
                f"taken by step {other_key}"
            )
    if edit.predecessor is None:
        if not any(step.predecessor is not None for step in state.steps.values()):
            return  # by order alone, steps can only wait for earlier ones: no cycle
    else:
        if edit.parallel:
            raise InvalidInputError(
                f"step {edit.key}: a parallel step has no predecessor; give one or the other"
            )
        if edit.predecessor == edit.key:
            raise InvalidInputError(f"step {edit.key}: a step cannot be its own predecessor")
        get_step(state, edit.predecessor, "predecessor", f"step {edit.key}")
    chain = predecessors(state, edit)
    acyclic: set[str] = set()
    for start in chain:
        path: list[str] = []
        current: str | None = start
        while current is not None and current not in acyclic:
            if current in path:
                circle = [*path[path.index(current) :], current]
                raise RuleViolationError(
                    f"step {edit.key}: steps would wait for each other in a circle "
                    f"({' -> '.join(circle)}); mark one of them parallel"
                )
            path.append(current)
            current = chain.get(current)
        acyclic.update(path)


def require_predecessor_done(state: PlanState, step: Step, doing: str, on: date) -> None:
    """A step cannot start or finish before its predecessor is done (or cancelled)."""
    key = predecessor_of(state, step.key)
    if key is None:
        return
    predecessor = state.steps[key]
    # Done as every view says it (a step of sessions is done once all are held).
    finished, done_on = finished_on(state, predecessor)
    if not finished:
        raise RuleViolationError(
            f"step {step.key} cannot {doing} before its predecessor {key} is done "
            f"({key} is {predecessor.status.value}); finish {key} or mark {step.key} parallel"
        )
    if done_on is not None and on < done_on:
        raise RuleViolationError(
            f"step {step.key} cannot {doing} on {on.isoformat()}, before its predecessor "
            f"{key} was done ({done_on.isoformat()})"
        )
