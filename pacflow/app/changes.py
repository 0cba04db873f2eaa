"""Writes: a command built from what a user typed, run through the plan service.

Every front end records changes the same way: fields (strings as typed, or values) become
a pydantic command with the actor, the service decides and appends, and the outcome is
reported in one shape (`outcome_json`), so `--json` and the API agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pacflow.errors import InvalidInputError, NotFoundError, RuleViolationError

if TYPE_CHECKING:
    from pacflow.app.root import App
    from pacflow.domain import Command, PlanState
    from pacflow.service import Outcome


def execute(
    app: App,
    command_type: type[Command] | str,
    fields: Mapping[str, Any],
    *,
    actor: str,
    dry_run: bool = False,
    source: str = "cli",
    typed_in: str | None = None,
) -> Outcome:
    """Build the command (one-line errors for bad values) and run it; nothing is written
    on any error, nor in a dry run. `command_type` may be a name from
    `pacflow.domain.commands` (`"RecordIndicatorValue"`).

    Local times in `fields` are read as typed (docs/time.md): in the plan's zone, or in
    `typed_in` (a person key or an IANA zone) and converted to the plan's.
    """
    from pacflow.domain import build_command, commands

    kind: type[Command] = (
        getattr(commands, command_type) if isinstance(command_type, str) else command_type
    )
    data = {key: value for key, value in fields.items() if value is not None}
    timezone, typed_zone = typing_zones(app, data, typed_in)
    command = build_command(kind, {**data, "actor": actor}, timezone=timezone, typed_in=typed_zone)
    service = app.service(source)
    before = service.load(command.plan) if kind.__name__ in _COMPARED else None
    outcome = service.execute_all(command.plan, [command], dry_run=dry_run)
    return _with_summaries(outcome, before)


def _with_summaries(outcome: Outcome, before: PlanState | None) -> Outcome:
    """The outcome, saying what its step edits changed (an edit records the step's whole
    description: "S10 edited" alone would not tell what moved)."""
    from pacflow.domain.events import StepEdited
    from pacflow.domain.folding import Draft
    from projections.history import change_summary

    if before is None:
        return outcome
    draft = Draft(before)
    summaries: dict[int, str] = {}
    for index, event in enumerate(outcome.events):
        if isinstance(event, StepEdited):
            summaries[index] = f"step {change_summary(event, draft.state)}"
        draft.apply(event)
    return replace(outcome, summaries=summaries)


_COMPARED = frozenset({"EditStep"})
"""Commands whose outcome is said against the plan before them (see `_with_summaries`)."""


def typing_zones(
    app: App, data: Mapping[str, Any], typed_in: str | None
) -> tuple[str | None, str | None]:
    """The plan's zone (None when the plan does not exist yet and the fields name none) and
    the zone times were typed in: `typed_in` as a zone name, or as a person's key."""
    from pacflow.app.plans import origin
    from pacflow.domain.values import zone

    plan = data.get("plan")
    timezone = data.get("timezone") if isinstance(data.get("timezone"), str) else None
    if isinstance(plan, str) and app.store().stream_version(plan) > 0:
        timezone = origin(app, plan).zone.key
    if typed_in is None or timezone is None:
        return timezone, None
    if "/" in typed_in or typed_in == "UTC":
        return timezone, zone(typed_in).key
    state = app.service("cli").load(str(plan))
    person = state.people.get(typed_in) if state is not None else None
    if person is None:
        raise NotFoundError(
            f"--timezone {typed_in!r}: neither an IANA time zone (such as America/New_York) "
            f"nor a person of plan {plan}",
            code="unknown-zone",
            subject=typed_in,
        )
    return timezone, person.timezone or timezone


def apply_plan_file(
    app: App, file: Path, *, actor: str, reason: str | None, dry_run: bool = False
) -> Outcome:
    """Make the stored plan what a plan file says, recording only the differences; errors
    name the file and line of the key at fault."""
    from pacflow.app.moments import local_date
    from pacflow.planfile import plan_commands, read_plan_file

    loaded = read_plan_file(file)
    plan_file = loaded.plan
    service = app.service("plan-file")
    key = plan_file.plan.key
    state = service.load(key)
    zone = state.timezone if state is not None else plan_file.plan.timezone
    today = local_date(app.now(), zone)
    try:
        commands = plan_commands(state, plan_file, actor=actor, reason=reason, today=today)
        return service.execute_all(key, commands, dry_run=dry_run)
    except (InvalidInputError, NotFoundError, RuleViolationError) as error:
        raise loaded.locate(str(file), error) from error


def outcome_json(outcome: Outcome, *, dry_run: bool) -> dict[str, Any]:
    """What a command recorded (or would record), as data."""
    from pacflow.domain import event_type_name, to_payload

    recorded: list[Any] = list(outcome.recorded) or [None] * len(outcome.events)
    return {
        "plan": outcome.plan,
        "dry_run": dry_run,
        "version": outcome.state.version if outcome.state is not None else 0,
        "events": [
            {
                "type": event_type_name(event),
                "summary": outcome.summary(index),
                "data": to_payload(event),
                "position": record.position if record else None,
            }
            for index, (event, record) in enumerate(zip(outcome.events, recorded, strict=True))
        ],
        "warnings": outcome.warnings,
    }


def keep_start(app: App, plan: str, step: str, schedule: dict[str, Any]) -> dict[str, Any]:
    """A new due date given without a start keeps the step's start date: moving a deadline
    says nothing about when the work begins (a schedule of another kind replaces it all)."""
    from pacflow.domain.schedule import DueDate

    if schedule.get("kind") != "due" or schedule.get("start") is not None:
        return schedule
    state = app.service().load(plan)
    current = state.steps.get(step) if state is not None else None
    if current is None or not isinstance(current.schedule, DueDate):
        return schedule
    start = current.schedule.start
    return schedule if start is None else {**schedule, "start": start.isoformat()}
