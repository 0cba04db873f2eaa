"""What the plan commands share: options, building and running a command, printing outcomes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pacflow.cli.context import AppContext
from pacflow.cli.render import echo_json
from pacflow.errors import InvalidInputError

if TYPE_CHECKING:
    from pacflow.domain import Command
    from pacflow.service import Outcome

F = TypeVar("F", bound=Callable[..., Any])

_pass_app = click.make_pass_decorator(AppContext)


def pass_app(function: Callable[..., Any]) -> Callable[..., Any]:
    """Give the command the AppContext as its first argument."""
    return _pass_app(function)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
reason_option = click.option(
    "--reason",
    metavar="TEXT",
    help="Why: recorded in the audit trail (required once the plan is no longer a draft).",
)
dry_run_option = click.option(
    "--dry-run", is_flag=True, help="Show what would be recorded, record nothing."
)
plan_argument = click.argument("plan", metavar="PLAN")


def change_options(function: F) -> F:
    """--reason, --dry-run and --json: what every command that changes a plan takes."""
    for option in (json_option, dry_run_option, reason_option):
        function = option(function)
    return function


def today(app: AppContext, plan: str) -> date:
    """Today for whoever runs the command (from the injected clock): in their own time zone
    when they are a team member with one (a rep's day is their local day), else the plan's."""
    from pacflow.app.plans import person_today

    return person_today(app.app, plan, app.actor)


def run(
    app: AppContext,
    command_type: type[Command] | str,
    fields: Mapping[str, Any],
    *,
    as_json: bool,
    dry_run: bool,
    typed_in: str | None = None,
) -> None:
    """Build the command (one-line errors for bad values), run it, print what happened;
    local times were typed in the plan's zone, or in `typed_in` (a zone or a person)."""
    from pacflow.app.changes import execute

    outcome = execute(
        app.app, command_type, fields, actor=app.actor, dry_run=dry_run, typed_in=typed_in
    )
    print_outcome(outcome, as_json=as_json, dry_run=dry_run)


def print_outcome(outcome: Outcome, *, as_json: bool, dry_run: bool) -> None:
    """The recorded (or, in a dry run, the would-be) changes, then any warning."""
    if as_json:
        from pacflow.app.changes import outcome_json

        echo_json(outcome_json(outcome, dry_run=dry_run))
    elif not outcome.events:
        click.echo(f"{outcome.plan}: nothing to change")
    else:
        verb = "would record" if dry_run else "recorded"
        count = len(outcome.events)
        click.echo(f"{outcome.plan}: {verb} {count} change{'s' if count != 1 else ''}")
        for index in range(count):
            click.echo(f"  {outcome.summary(index)}")
    for warning in outcome.warnings:
        click.echo(f"warning: {warning}", err=True)


def schedule_from_options(
    *,
    due: str | None,
    start: str | None,
    sessions: tuple[str, ...],
    rrule: str | None,
    dtstart: str | None,
    cadence: str | None,
    exceptions: tuple[str, ...],
    duration: str | None,
    required: bool,
) -> dict[str, Any] | None:
    """One schedule from the command-line options (exactly one kind may be given)."""
    given = [
        name
        for name, value in (
            ("--due", due),
            ("--session", sessions),
            ("--rrule", rrule),
            ("--cadence", cadence),
        )
        if value
    ]
    if len(given) > 1:
        raise InvalidInputError(f"give one kind of schedule, not {' and '.join(given)}")
    kind = given[0] if given else None
    belongs = (
        ("--start", start, "--due"),
        ("--dtstart", dtstart, "--rrule"),
        ("--except", exceptions, "--cadence"),
        ("--duration", duration, "--session or --rrule"),
    )
    for option, value, owner in belongs:
        if value and (kind is None or kind not in owner.split(" or ")):
            raise InvalidInputError(f"{option} goes with {owner}; it would be ignored here")
    if not given:
        if required:
            raise InvalidInputError(
                "schedule: give --due DATE, --session DATETIME, --rrule RULE --dtstart "
                "DATETIME, or --cadence 'N per month'"
            )
        return None
    if due:
        return {"kind": "due", "due": due, "start": start}
    if sessions:
        return {
            "kind": "sessions",
            "sessions": [{"start": s, "duration": duration} for s in sessions],
        }
    if rrule:
        if not dtstart:
            raise InvalidInputError("--rrule needs --dtstart (the first occurrence, local time)")
        return {
            "kind": "recurrence",
            "rules": [{"dtstart": dtstart, "rrule": rrule}],
            "duration": duration,
        }
    assert cadence is not None
    return _cadence(cadence, exceptions)


def _cadence(text: str, exceptions: tuple[str, ...]) -> dict[str, Any]:
    parts = text.replace("/", " per ").split()
    if len(parts) != 3 or parts[1] != "per" or not parts[0].isdigit():
        raise InvalidInputError(
            f"--cadence {text!r}: expected 'N per month', 'N per week' or 'N per quarter'"
        )
    overrides: dict[str, str] = {}
    for item in exceptions:
        period, _, count = item.partition("=")
        if not count:
            raise InvalidInputError(f"--except {item!r}: expected PERIOD=COUNT, e.g. 2025-08=0")
        overrides[period.strip()] = count.strip()
    return {"kind": "cadence", "count": parts[0], "per": parts[2], "exceptions": overrides}


def schedule_options(function: F) -> F:
    """The options that describe a step's schedule."""
    options = [
        click.option("--due", metavar="DATE", help="Due date (YYYY-MM-DD)."),
        click.option("--start", metavar="DATE", help="With --due: the date work starts."),
        click.option(
            "--session",
            "sessions",
            multiple=True,
            metavar="DATETIME",
            help="A dated session (YYYY-MM-DDTHH:MM, local time); repeat for several.",
        ),
        click.option(
            "--rrule", metavar="RULE", help="RFC 5545 recurrence, e.g. FREQ=MONTHLY;BYDAY=2TU."
        ),
        click.option("--dtstart", metavar="DATETIME", help="With --rrule: the first occurrence."),
        click.option("--cadence", metavar="'N per PERIOD'", help="E.g. '2 per month'."),
        click.option(
            "--except",
            "exceptions",
            multiple=True,
            metavar="PERIOD=N",
            help="With --cadence: another count for one period, e.g. 2025-08=0.",
        ),
        click.option("--duration", metavar="ISO8601", help="Length of each session, e.g. PT1H30M."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def run_named(app: AppContext, command_name: str, fields: dict[str, Any]) -> None:
    """`run` for a command named in pacflow.domain.commands, popping the change options."""
    as_json = fields.pop("as_json")
    dry_run = fields.pop("dry_run")
    typed_in = fields.pop("typed_in", None)
    run(app, command_name, fields, as_json=as_json, dry_run=dry_run, typed_in=typed_in)


typed_in_option = click.option(
    "--in",
    "typed_in",
    metavar="ZONE|PERSON",
    help="The times given are local to this IANA zone or to this person's own zone (a rep in "
    "New York), not the plan's; they are converted to the plan's.",
)
