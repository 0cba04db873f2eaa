"""`pacflow step ...` and `pacflow visit ...`: the plan's steps and their occurrences."""

from __future__ import annotations

from typing import Any

import click

from pacflow.cli.common import (
    change_options,
    pass_app,
    plan_argument,
    run_named,
    schedule_from_options,
    schedule_options,
    today,
    typed_in_option,
)
from pacflow.cli.context import AppContext
from pacflow.cli.language import renamed
from pacflow.errors import InvalidInputError

_SCHEDULE_FIELDS = ("due", "start", "sessions", "rrule", "dtstart", "cadence", "exceptions")


def _schedule(options: dict[str, Any], *, required: bool) -> dict[str, Any] | None:
    picked = {name: options.pop(name) for name in (*_SCHEDULE_FIELDS, "duration")}
    return schedule_from_options(**picked, required=required)


@click.group()
def step() -> None:
    """Steps of an action track: who does what, by when, with which means.

    A step waits for the previous step of its track unless it is added with --parallel
    (or --after another step). A visit series (--rrule or --cadence) runs alongside its
    track: the steps after it do not wait for its end (unless --after names it).
    """


@step.command(name="add")
@plan_argument
@click.argument("key")
@click.option("--track", required=True, metavar="TRACK", help="The track it belongs to.")
@click.option("--title", required=True, help="What is to be done.")
@click.option("--responsible", required=True, metavar="PERSON", help="The one person in charge.")
@click.option("--participant", "participants", multiple=True, metavar="PERSON", help="Repeat.")
@schedule_options
@click.option("--order", type=int, help="Position in the track [last].")
@click.option("--after", "predecessor", metavar="STEP", help="Waits for this step instead.")
@click.option("--parallel", is_flag=True, help="Does not wait for any step.")
@click.option("--means", help="Means: what it takes (text).")
@click.option("--budget", metavar="AMOUNT", help="Budget (in the plan's currency).")
@click.option("--days", metavar="N", help="Days of work.")
@click.option("--indicator", "indicators", multiple=True, metavar="KEY", help="Repeat.")
@click.option("--location", help="Where (for visits and sessions).")
@typed_in_option
@change_options
@pass_app
def step_add(app: AppContext, plan: str, key: str, **options: Any) -> None:
    """Add a step with a due date, dated sessions, a recurrence or a cadence.

    \b
    Examples:
      pacflow step add PAC-2025 S45 --track T1-INFO --title "Map the new IT board" \\
          --responsible cd --due 2025-09-15
      pacflow step add PAC-2025 S46 --track T1-ELEV --title "Visit BRC" --responsible cd \\
          --rrule "FREQ=MONTHLY;BYDAY=2TU;COUNT=6" --dtstart 2025-07-08T10:00 \\
          --duration PT1H30M --parallel
      pacflow step add PAC-2025 S47 --track T2-CHASSE --title "Prospect meetings" \\
          --responsible kb --cadence "8 per month" --except 2025-08=4
      pacflow step add PAC-2025 S48 --track T1-ELEV --title "Call with the US desk" \\
          --responsible pg --session 2025-03-12T10:00 --in pg
    """
    options["schedule"] = _schedule(options, required=True)
    for name in ("participants", "indicators"):
        options[name] = list(options[name]) or None
    options["parallel"] = options["parallel"] or None
    run_named(app, "AddStep", {"plan": plan, "key": key, **options})


@step.command(name="edit")
@plan_argument
@click.argument("key")
@click.option("--title", help="New title.")
@click.option("--order", type=int, help="New position in the track.")
@click.option("--after", "predecessor", metavar="STEP", help="Wait for this step instead.")
@click.option("--parallel/--sequential", default=None, help="Stop (or start) waiting.")
@click.option("--means", help="New means.")
@click.option("--budget", metavar="AMOUNT", help="New budget.")
@click.option("--days", metavar="N", help="New days of work.")
@click.option("--indicator", "indicators", multiple=True, metavar="KEY", help="Repeat.")
@click.option("--location", help="New location.")
@change_options
@pass_app
def step_edit(app: AppContext, plan: str, key: str, **options: Any) -> None:
    """Change a step's description or sequencing (only the options given change).

    \b
    Example:
      pacflow step edit PAC-2025 S10 --means "Pre-sales 15 days" --reason "larger scope"
    """
    options["indicators"] = list(options["indicators"]) or None
    run_named(app, "EditStep", {"plan": plan, "step": key, **options})


@step.command(name="move")
@plan_argument
@click.argument("key")
@schedule_options
@typed_in_option
@change_options
@pass_app
def step_move(app: AppContext, plan: str, key: str, **options: Any) -> None:
    """Reschedule a step: held or moved occurrences are kept, the rest follow the new plan.

    A new --due without --start keeps the step's start date.

    \b
    Examples:
      pacflow step move PAC-2025 S10 --due 2025-10-15 --reason "BRC merger"
      pacflow step move PAC-2025 S08 --rrule "FREQ=MONTHLY;BYDAY=2TU;COUNT=3" \\
          --dtstart 2025-07-08T10:00 --duration PT1H30M --reason "freeze"
    """
    from pacflow.app.changes import keep_start

    schedule = _schedule(options, required=True)
    assert schedule is not None
    options["schedule"] = keep_start(app.app, plan, key, schedule)
    run_named(app, "MoveStep", {"plan": plan, "step": key, **options})


@step.command(name="remove")
@plan_argument
@click.argument("key")
@change_options
@pass_app
def step_remove(app: AppContext, plan: str, key: str, **options: Any) -> None:
    """Take a step added by mistake out of a draft plan; its key is free again.

    The log keeps the step and its removal. Once the plan is approved, cancel it instead.

    \b
    Example:
      pacflow step remove PAC-2026 S8 --reason "typo: S08 was meant"
    """
    run_named(app, "RemoveStep", {"plan": plan, "step": key, **options})


@step.command(name="assign")
@plan_argument
@click.argument("key")
@click.option("--responsible", metavar="PERSON", help="The new responsible (required).")
@click.option("--participant", "participants", multiple=True, metavar="PERSON", help="Repeat.")
@renamed("--to", "--responsible", "responsible", metavar="PERSON")
@change_options
@pass_app
def step_assign(app: AppContext, plan: str, key: str, **options: Any) -> None:
    """Give a step a new responsible person (and participants, if given).

    \b
    Example:
      pacflow step assign PAC-2025 S15 --responsible pg --participant jm \\
          --participant kb --reason "CRM practice takes over the packaging"
    """
    if options["responsible"] is None:
        raise click.UsageError("Missing option '--responsible'.")
    options["participants"] = list(options["participants"]) or None
    run_named(app, "AssignStep", {"plan": plan, "step": key, **options})


def _progress(name: str, command: str, help_text: str, example: str) -> click.Command:
    @click.argument("key")
    @click.option("--on", "on", metavar="DATE", help="The date [default: today].")
    @change_options
    @pass_app
    def progress(app: AppContext, plan: str, key: str, on: str | None, **options: Any) -> None:
        day = on if on is not None else today(app, plan).isoformat()
        run_named(app, command, {"plan": plan, "step": key, "on": day, **options})

    progress.__doc__ = f"{help_text}\n\n\b\nExample:\n  {example}\n"
    return step.command(name=name)(plan_argument(progress))


_progress(
    "start",
    "StartStep",
    "Start a step (or resume a blocked one).",
    "pacflow step start PAC-2025 S03 --on 2025-02-20",
)
_progress(
    "done", "CompleteStep", "Mark a step done.", "pacflow step done PAC-2025 S01 --on 2025-01-28"
)
_progress(
    "block",
    "BlockStep",
    "Mark a step blocked; --reason says by what.",
    'pacflow step block PAC-2025 S05 --reason "purchasing file incomplete"',
)
_progress(
    "cancel",
    "CancelStep",
    "Cancel a step; --reason says why.",
    'pacflow step cancel PAC-2025 S40 --reason "contract renegotiated by the customer"',
)


@step.command(name="reopen")
@plan_argument
@click.argument("key")
@change_options
@pass_app
def step_reopen(app: AppContext, plan: str, key: str, **options: Any) -> None:
    """Open again a step marked done by mistake; --reason says why.

    The completion stays in the log, withdrawn by a new event: `plan history` shows both,
    and the plan as of a date before the correction still shows the step done.

    \b
    Example:
      pacflow step reopen PAC-2025 S01 --reason "marked done on the wrong step"
    """
    run_named(app, "ReopenStep", {"plan": plan, "step": key, **options})


@step.command(name="correct")
@plan_argument
@click.argument("key")
@click.option("--on", "on", required=True, metavar="DATE", help="The date it was really done.")
@change_options
@pass_app
def step_correct(app: AppContext, plan: str, key: str, **options: Any) -> None:
    """Correct the date a done step was done on; --reason says why.

    \b
    Example:
      pacflow step correct PAC-2025 S01 --on 2025-01-28 --reason "typed the wrong date"
    """
    run_named(app, "CorrectStepDone", {"plan": plan, "step": key, **options})


@click.group()
def visit() -> None:
    """One occurrence of a recurring step (a visit, a review), keyed STEP@DATE.

    Keys look like S08@2025-03-11 (the date it was first scheduled on, in the plan's time
    zone), or S08@2025-03-11T14:00 when a step has two occurrences that day. A moved
    occurrence keeps its key. `pacflow visit list PLAN` lists them.
    """


@visit.command(name="done")
@plan_argument
@click.argument("occurrence")
@click.option(
    "--on", "on", metavar="DATE", help="When it was held [default: the day it is scheduled on]."
)
@change_options
@pass_app
def visit_done(app: AppContext, plan: str, occurrence: str, on: str | None, **options: Any) -> None:
    """Mark one occurrence held (on the day it is scheduled on, unless --on says otherwise).

    A visit cannot be held in the future: mark it once it took place.

    \b
    Examples:
      pacflow visit done PAC-2025 S08@2025-03-11
      pacflow visit done PAC-2025 S08@2025-03-25 --on 2025-03-27
    """
    run_named(
        app, "CompleteOccurrence", {"plan": plan, "occurrence": occurrence, "on": on, **options}
    )


@visit.command(name="reopen")
@plan_argument
@click.argument("occurrence")
@change_options
@pass_app
def visit_reopen(app: AppContext, plan: str, occurrence: str, **options: Any) -> None:
    """Un-hold one occurrence marked held by mistake; --reason says why.

    It is to be held again, where it stands in the calendar; the log keeps both events.

    \b
    Example:
      pacflow visit reopen PAC-2025 S08@2025-03-11 --reason "the meeting was postponed"
    """
    run_named(app, "ReopenOccurrence", {"plan": plan, "occurrence": occurrence, **options})


@visit.command(name="correct")
@plan_argument
@click.argument("occurrence")
@click.option("--on", "on", required=True, metavar="DATE", help="The date it was really held.")
@change_options
@pass_app
def visit_correct(app: AppContext, plan: str, occurrence: str, **options: Any) -> None:
    """Correct the date one occurrence was held on; --reason says why.

    \b
    Example:
      pacflow visit correct PAC-2025 S08@2025-03-11 --on 2025-03-12 --reason "held a day late"
    """
    run_named(app, "CorrectOccurrenceDone", {"plan": plan, "occurrence": occurrence, **options})


@visit.command(name="record")
@plan_argument
@click.argument("step_key", metavar="STEP")
@click.option(
    "--on",
    "at",
    required=True,
    metavar="DATE|DATETIME",
    help="When it was held: a local date, or date-time (2026-05-20T14:00).",
)
@click.option("--duration", metavar="ISO8601", help="How long it lasted, e.g. PT1H30M.")
@typed_in_option
@change_options
@pass_app
def visit_record(app: AppContext, plan: str, step_key: str, **options: Any) -> None:
    """Record a visit held outside the schedule (an extra occurrence of STEP, done).

    For a visit that was planned, use `visit done` with its key (`visit list`).

    \b
    Example:
      pacflow visit record PAC-2025 S08 --on 2025-05-20T14:00 --duration PT1H
    """
    run_named(app, "RecordUnscheduledOccurrence", {"plan": plan, "step": step_key, **options})


@visit.command(name="cancel")
@plan_argument
@click.argument("occurrence")
@change_options
@pass_app
def visit_cancel(app: AppContext, plan: str, occurrence: str, **options: Any) -> None:
    """Cancel one occurrence; --reason says why.

    \b
    Example:
      pacflow visit cancel PAC-2025 S08@2025-08-12 --reason "customer on holiday"
    """
    run_named(app, "CancelOccurrence", {"plan": plan, "occurrence": occurrence, **options})


@visit.command(name="move")
@plan_argument
@click.argument("occurrence")
@click.option("--to", "to", required=True, metavar="DATETIME", help="New local date-time.")
@click.option("--duration", metavar="ISO8601", help="New length, e.g. PT2H.")
@typed_in_option
@change_options
@pass_app
def visit_move(app: AppContext, plan: str, occurrence: str, **options: Any) -> None:
    """Move one occurrence to another date-time (it keeps its key).

    A visit of a cadence ("8 per month") sits on a date pacflow picked: pin it to the day
    and time you will actually go, within the same period, with no --reason needed.
    A time the clocks skip is refused; one they repeat needs an offset or ~1/~2
    (docs/time.md).

    \b
    Examples:
      pacflow visit move PAC-2025 S08@2025-03-25 --to 2025-03-27T10:00 --reason "CIO away"
      pacflow visit move PAC-2025 S22@2025-09-03 --to 2025-09-04T14:30 --duration PT1H
      pacflow visit move PAC-2025 S08@2025-10-28 --to 2025-10-26T02:30~2 --reason "late call"
      pacflow visit move PAC-2025 S31@2025-03-11 --to 2025-03-12T09:00 --in pg
    """
    if not options["to"]:
        raise InvalidInputError("--to: give the new local date-time, e.g. 2025-03-27T10:00")
    run_named(app, "MoveOccurrence", {"plan": plan, "occurrence": occurrence, **options})
