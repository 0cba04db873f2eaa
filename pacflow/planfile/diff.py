"""From a stored plan and a plan file to the commands that make the plan what the file says.

Supported changes: everything can be added; steps are edited, reassigned and rescheduled;
objectives, indicators and their targets are set; targets missing from the file are
dropped and steps missing from it are cancelled (both need --reason once the plan is no
longer a draft); people missing from it, or given `left_on`, leave the team. What the
domain cannot change yet (a plan's title or period, a target's kind, removing a track or an
indicator) is refused with a message naming it, never silently ignored.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pacflow.domain import commands as c
from pacflow.domain.derivation import Derivation
from pacflow.domain.state import PlanState, Step
from pacflow.domain.values import StepStatus
from pacflow.errors import InvalidInputError
from pacflow.planfile.model import IndicatorSpec, PlanFile, StepSpec, TargetSpec, TrackSpec

_FINISHED = (StepStatus.DONE, StepStatus.CANCELLED)
_REMOVED = "no longer in the plan file"


class _Builder:
    def __init__(self, plan: str, actor: str, reason: str | None) -> None:
        self.commands: list[c.Command] = []
        self.reason = reason
        self._base = {"plan": plan, "actor": actor, "reason": reason}

    def add(self, command_type: type[c.Command], **fields: Any) -> None:
        self.commands.append(c.build_command(command_type, {**self._base, **fields}))


def plan_commands(
    state: PlanState | None, file: PlanFile, *, actor: str, reason: str | None, today: date
) -> list[c.Command]:
    """The commands, in an order the decider accepts, turning `state` into the file's plan."""
    header = file.plan
    out = _Builder(header.key, actor, reason)
    if state is None:
        out.add(
            c.CreatePlan,
            title=header.title,
            start=header.start,
            end=header.end,
            timezone=header.timezone,
            owner=header.owner,
            scope=header.scope,
            max_targets_per_rep=header.limits.max_targets_per_rep,
            max_targets_total=header.limits.max_targets_total,
            country=header.country,
            subdivision=header.subdivision,
        )
    else:
        _check_header(state, file)
        limits = header.limits
        if (limits.max_targets_per_rep, limits.max_targets_total) != (
            state.max_targets_per_rep,
            state.max_targets_total,
        ):
            out.add(
                c.SetTargetLimits,
                max_targets_per_rep=limits.max_targets_per_rep,
                max_targets_total=limits.max_targets_total,
            )
        _holidays(None, (state.country, state.subdivision), header.country, header.subdivision, out)
    _slots(state, file, out)
    _people(state, file, out, today)
    _diagnostic(state, file, out)
    for target in file.targets:
        _target(state, target, out)
    deferred = _indicators(state, file, out)
    for target in file.targets:
        _objectives(state, target, out)
        for track in target.tracks:
            _track(state, track, target.key, out)
    for track in file.steering:
        _track(state, track, None, out)
    _steps(state, file, out, today)
    for spec in deferred:
        definition = spec.model_dump(exclude={"targets", "derived"})
        out.add(c.DefineIndicator, **definition, derived=spec.derived)
    _removals(state, file, out, today)
    _indicator_targets(state, file, out)
    return out.commands


def _check_header(state: PlanState, file: PlanFile) -> None:
    header = file.plan
    stored = {
        "title": state.title,
        "start": state.start,
        "end": state.end,
        "timezone": state.timezone,
        "owner": state.owner,
        "scope": state.scope,
    }
    for name, value in stored.items():
        wanted = getattr(header, name)
        if wanted != value:
            raise InvalidInputError(
                f"plan.{name}: the file says {wanted!s}, the plan says {value!s}; pacflow cannot "
                f"change a plan's {name} (create a new plan, or put back {value!s})"
            )


def _people(state: PlanState | None, file: PlanFile, out: _Builder, today: date) -> None:
    known = state.people if state is not None else {}
    for person in file.people:
        stored = known.get(person.key)
        if stored is None:
            out.add(
                c.AddPerson,
                **person.model_dump(
                    exclude={"left_on", "country", "subdivision"}, exclude_none=True
                ),
            )
            _holidays(person.key, (None, None), person.country, person.subdivision, out)
            if person.left_on is not None:
                out.add(c.PersonLeaves, person=person.key, on=person.left_on)
            continue
        for name in ("name", "kind", "email", "role", "sector", "timezone"):
            if getattr(person, name) != getattr(stored, name):
                raise InvalidInputError(
                    f"person {person.key}: pacflow cannot change a person's {name} yet "
                    f"(the plan says {getattr(stored, name)!s})"
                )
        stored_holidays = (stored.country, stored.subdivision)
        _holidays(person.key, stored_holidays, person.country, person.subdivision, out)
        if person.left_on is not None and stored.left_on is None:
            out.add(c.PersonLeaves, person=person.key, on=person.left_on)
    listed = {p.key for p in file.people}
    for key, stored in known.items():
        if key not in listed and stored.left_on is None:
            out.add(c.PersonLeaves, person=key, on=today)


def _diagnostic(state: PlanState | None, file: PlanFile, out: _Builder) -> None:
    """New findings and decisions are recorded; recorded ones cannot change (a finding is a
    fact of its period: record a new one under another key), nor go away."""
    findings = state.findings if state is not None else {}
    for finding in file.diagnostic.findings:
        stored_finding = findings.get(finding.key)
        if stored_finding is None:
            out.add(c.RecordFinding, **finding.model_dump())
        elif (stored_finding.title, stored_finding.period, stored_finding.figures) != (
            finding.title,
            finding.period,
            finding.figures,
        ):
            raise InvalidInputError(
                f"finding {finding.key}: pacflow cannot change a recorded finding; record "
                "the new figures under another key"
            )
    decisions = state.decisions if state is not None else {}
    for decision in file.diagnostic.decisions:
        stored_decision = decisions.get(decision.key)
        if stored_decision is None:
            out.add(c.RecordDecision, **decision.model_dump())
        elif (stored_decision.statement, list(stored_decision.findings)) != (
            decision.statement,
            decision.findings,
        ):
            raise InvalidInputError(
                f"decision {decision.key}: pacflow cannot change a recorded decision; record "
                "a new one under another key and have the targets cite it"
            )


def _holidays(
    person: str | None,
    stored: tuple[str | None, str | None],
    country: str | None,
    subdivision: str | None,
    out: _Builder,
) -> None:
    """The public holidays the file gives (a plan's or a person's), when they change."""
    if country is None:
        return  # not said: left as they are
    wanted = (None if country.lower() == "none" else country.upper(), subdivision)
    if wanted != stored:
        out.add(c.SetHolidays, person=person, country=country, subdivision=subdivision)


def _slots(state: PlanState | None, file: PlanFile, out: _Builder) -> None:
    """Whether cadence slots may land on public holidays or weekends, when the file says so
    and it changes (a new plan allows neither)."""
    header = file.plan
    stored = (
        (state.slots_on_holidays, state.slots_on_weekends) if state is not None else (False, False)
    )
    wanted = {
        name: value
        for name, value, current in (
            ("slots_on_holidays", header.slots_on_holidays, stored[0]),
            ("slots_on_weekends", header.slots_on_weekends, stored[1]),
        )
        if value is not None and value != current
    }
    if wanted:
        out.add(c.SetHolidays, **wanted)


def _target(state: PlanState | None, target: TargetSpec, out: _Builder) -> None:
    stored = state.targets.get(target.key) if state is not None else None
    fields = target.model_dump(exclude={"objectives", "tracks", "key", "decisions"})
    if stored is None:
        out.add(c.AddTarget, key=target.key, decisions=target.decisions, **fields)
    else:
        if list(stored.decisions) != target.decisions and not stored.dropped:
            if not target.decisions:
                raise InvalidInputError(
                    f"target {target.key}: it implements {', '.join(stored.decisions)}; a "
                    "target cannot go back to implementing no decision"
                )
            out.add(c.JustifyTarget, target=target.key, decisions=target.decisions)
        if stored.dropped:
            raise InvalidInputError(
                f"target {target.key} was dropped; pacflow cannot take it back: give it a new key"
            )
        for name, value in fields.items():
            current = getattr(stored, name)
            if (list(current) if isinstance(current, tuple) else current) != value:
                raise InvalidInputError(
                    f"target {target.key}: pacflow cannot change a target's {name} yet "
                    f"(the plan says {current!s})"
                )


def _objectives(state: PlanState | None, target: TargetSpec, out: _Builder) -> None:
    for objective in target.objectives:
        existing = state.objectives.get((target.key, objective.key)) if state else None
        wanted = objective.model_dump()
        if existing is None or any(
            getattr(existing, name) != value for name, value in wanted.items() if name != "key"
        ):
            out.add(
                c.SetObjective,
                target=target.key,
                objective=objective.key,
                **{k: v for k, v in wanted.items() if k != "key"},
            )


def _track(state: PlanState | None, track: TrackSpec, target: str | None, out: _Builder) -> None:
    stored = state.tracks.get(track.key) if state is not None else None
    if stored is None:
        out.add(
            c.AddTrack,
            key=track.key,
            target=target,
            domain=track.domain,
            approach=track.approach,
            title=track.title,
        )
        return
    wanted = (target, track.domain, track.approach, track.title)
    if (stored.target, stored.domain, stored.approach, stored.title) != wanted:
        raise InvalidInputError(
            f"track {track.key}: pacflow cannot change a track's target, domain, approach or "
            "title yet"
        )


def _all_steps(file: PlanFile) -> list[tuple[TrackSpec, int, StepSpec]]:
    tracks = [t for target in file.targets for t in target.tracks] + list(file.steering)
    return [
        (track, position, step)
        for track in tracks
        for position, step in enumerate(track.steps, start=1)
    ]


def _steps(state: PlanState | None, file: PlanFile, out: _Builder, today: date) -> None:
    for track, position, spec in _all_steps(file):
        stored = state.steps.get(spec.key) if state is not None else None
        order = spec.order or position
        if stored is None:
            out.add(
                c.AddStep,
                key=spec.key,
                track=track.key,
                title=spec.title,
                responsible=spec.responsible,
                schedule=spec.schedule(),
                participants=spec.participants,
                order=order,
                predecessor=spec.after,
                parallel=spec.parallel,
                means=spec.means,
                budget=spec.budget,
                days=spec.days,
                indicators=spec.indicators,
                location=spec.location,
            )
            continue
        if stored.track != track.key:
            raise InvalidInputError(
                f"step {spec.key}: pacflow cannot move a step to another track yet "
                f"(it is in {stored.track})"
            )
        if stored.status == StepStatus.CANCELLED:
            raise InvalidInputError(
                f"step {spec.key} was cancelled; pacflow cannot bring it back: give it a new key"
            )
        _step_changes(stored, spec, order, out)


def _step_changes(stored: Step, spec: StepSpec, order: int, out: _Builder) -> None:
    described = {
        "title": spec.title,
        "order": order,
        "predecessor": spec.after,
        "parallel": spec.parallel,
        "means": spec.means,
        "budget": spec.budget,
        "days": spec.days,
        "indicators": tuple(spec.indicators),
        "location": spec.location,
    }
    if any(getattr(stored, name) != value for name, value in described.items()):
        out.add(c.EditStep, step=spec.key, **described)
    if (stored.responsible, stored.participants) != (spec.responsible, tuple(spec.participants)):
        out.add(
            c.AssignStep,
            step=spec.key,
            responsible=spec.responsible,
            participants=spec.participants,
        )
    schedule = spec.schedule()
    if schedule != stored.schedule and stored.status not in _FINISHED:
        out.add(c.MoveStep, step=spec.key, schedule=schedule)


def _removals(state: PlanState | None, file: PlanFile, out: _Builder, today: date) -> None:
    if state is None:
        return
    listed_steps = {spec.key for _track, _position, spec in _all_steps(file)}
    for key, step in state.steps.items():
        if key not in listed_steps and step.status not in _FINISHED:
            out.add(c.CancelStep, step=key, on=today, reason=out.reason or _REMOVED)
    listed_targets = {t.key for t in file.targets}
    for key, target in state.targets.items():
        if key not in listed_targets and not target.dropped:
            out.add(c.DropTarget, target=key, on=today)
    listed_tracks = {t.key for target in file.targets for t in target.tracks} | {
        t.key for t in file.steering
    }
    for key, track in state.tracks.items():
        target_gone = track.target is not None and track.target not in listed_targets
        if key not in listed_tracks and not target_gone:
            raise InvalidInputError(
                f"track {key} is in the plan but not in the file; pacflow cannot remove a track "
                "yet (keep it, with no steps)"
            )
    listed_objectives = {(t.key, o.key) for t in file.targets for o in t.objectives}
    for target_key, objective_key in state.objectives:
        if target_key in listed_targets and (target_key, objective_key) not in listed_objectives:
            raise InvalidInputError(
                f"objective {objective_key} of target {target_key} is in the plan but not in "
                "the file; pacflow cannot remove an objective yet"
            )
    listed_indicators = {i.key for i in file.indicators}
    for key in state.indicators:
        if key not in listed_indicators:
            raise InvalidInputError(
                f"indicator {key} is in the plan but not in the file; pacflow cannot remove an "
                "indicator yet"
            )


def _indicators(state: PlanState | None, file: PlanFile, out: _Builder) -> list[IndicatorSpec]:
    """Define the file's indicators; return those whose derivation counts steps, tracks or
    targets the plan does not hold yet (defined again once the steps are in: a new one is
    first defined without it, so that its steps can name it)."""
    deferred: list[IndicatorSpec] = []
    for spec in file.indicators:
        stored = state.indicators.get(spec.key) if state is not None else None
        definition = spec.model_dump(exclude={"targets", "derived"})
        derived = spec.derived
        if derived is not None and not _in_plan(state, derived):
            deferred.append(spec)
            if stored is not None:
                continue
            derived = None
        if (
            stored is None
            or stored.derived != derived
            or any(
                (list(v) if isinstance(v := getattr(stored, name), tuple) else v) != value
                for name, value in definition.items()
            )
        ):
            out.add(c.DefineIndicator, **definition, derived=derived)
    return deferred


def _in_plan(state: PlanState | None, derivation: Derivation) -> bool:
    """Whether the plan already holds what `derivation` counts in."""
    if state is None:
        return False
    return (
        all(step in state.steps for step in derivation.steps)
        and (derivation.track is None or derivation.track in state.tracks)
        and (derivation.target is None or derivation.target in state.targets)
    )


def _indicator_targets(state: PlanState | None, file: PlanFile, out: _Builder) -> None:
    for spec in file.indicators:
        stored: dict[str, Decimal] = {}
        if state is not None and spec.key in state.indicators:
            stored = state.indicators[spec.key].targets
        changed = {p: v for p, v in spec.targets.items() if stored.get(p) != v}
        missing = sorted(set(stored) - set(spec.targets))
        if missing:
            raise InvalidInputError(
                f"indicator {spec.key}: the file has no target for {missing[0]}; pacflow cannot "
                "remove a period's target (give it a value)"
            )
        if changed:
            out.add(c.SetIndicatorTargets, indicator=spec.key, targets=changed)
