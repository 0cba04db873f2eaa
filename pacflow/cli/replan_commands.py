"""Replanning (re-actualisation) inside a revision: `replan shift`, `objective revise`,
`step reschedule`. (`target drop`, `person leave --reassign-to` and `indicator set-targets
--from --value` live with their groups.)
"""

from __future__ import annotations

import re
from typing import Any

import click

from pacflow.cli.common import (
    change_options,
    pass_app,
    plan_argument,
    run_named,
    typed_in_option,
)
from pacflow.cli.context import AppContext
from pacflow.cli.language import deprecation_notice, renamed
from pacflow.errors import InvalidInputError

_SHIFT = re.compile(r"([+-]?)(\d{1,4})([dw])")


def parse_shift(text: str) -> int:
    """`30d`, `2w`, `-7d` as a number of days (negative: earlier)."""
    match = _SHIFT.fullmatch(text.strip().lower())
    if match is None:
        raise InvalidInputError(
            f"--offset {text!r}: expected a number of days or weeks such as 30d, 2w or -7d"
        )
    days = int(match[2]) * (7 if match[3] == "w" else 1)
    return -days if match[1] == "-" else days


def register(main: click.Group, objective: click.Group, step: click.Group) -> None:
    """Attach `replan`, `objective revise` and `step reschedule`."""
    main.add_command(replan)
    objective.add_command(objective_revise)
    step.add_command(step_reschedule)


@click.group()
def replan() -> None:
    """Re-actualise a published plan inside an open revision (`plan revise`).

    Related: target drop (cancels the target's open steps), objective revise, indicator
    set-targets --from, step reschedule, person leave --reassign-to; then `plan publish`.
    """


@replan.command(name="shift")
@plan_argument
@click.option("--track", metavar="TRACK", help="Shift the open steps of this track…")
@click.option("--target", metavar="TARGET", help="…or of every track serving this target.")
@click.option("--offset", "by", metavar="DURATION", help="30d, 2w, -7d (earlier); required.")
@renamed("--by", "--offset", "by", metavar="DURATION")
@click.option("--from", "from_date", metavar="DATE", help="Only dates from this day on move.")
@change_options
@pass_app
def replan_shift(app: AppContext, plan: str, by: str | None, **options: Any) -> None:
    """Move the dates of a track's (or a target's) open steps by a duration.

    Due dates, dated sessions and visits still to hold move; steps done or cancelled and
    visits held or cancelled stay. A date that would leave the plan period is refused.

    \b
    Examples:
      pacflow replan shift PAC-2025 --track T1-ELEV --offset 30d --reason "BRC merger"
      pacflow replan shift PAC-2025 --target T1 --offset 2w --from 2025-07-01 --reason "freeze"
    """
    if by is None:
        raise click.UsageError("Missing option '--offset' (e.g. --offset 2w).")
    if (options["track"] is None) == (options["target"] is None):
        raise click.UsageError("give --track TRACK or --target TARGET (one of them)")
    run_named(app, "ShiftSteps", {"plan": plan, "days": parse_shift(by), **options})


@click.command(name="revise")
@plan_argument
@click.argument("target")
@click.argument("positional_objective", metavar="", required=False)
@click.option("--objective", metavar="KEY", help="main or a key [main].")
@click.option("--value", metavar="NUMBER", help="New target value.")
@click.option("--due", metavar="DATE", help="New due date.")
@click.option("--statement", help="New wording.")
@click.option("--unit", help="New unit.")
@change_options
@pass_app
def objective_revise(
    app: AppContext,
    plan: str,
    target: str,
    positional_objective: str | None,
    objective: str | None,
    **options: Any,
) -> None:
    """Revise some fields of an existing objective (--objective, main by default); the
    others stay.

    \b
    Examples:
      pacflow objective revise PAC-2025 T1 --value 400 --reason "BRC merger: SI projects frozen"
      pacflow objective revise PAC-2025 T1 --objective secondary --due 2025-11-30 \\
          --reason "budget vote moved"
    """
    if positional_objective is not None:
        if objective is not None:
            raise click.UsageError("give the objective once, with --objective KEY")
        deprecation_notice("the OBJECTIVE argument", "--objective KEY (as in objective set)")
        objective = positional_objective
    objective = objective or "main"
    run_named(app, "ReviseObjective", {"plan": plan, "target": target, "objective": objective,
                                       **options})  # fmt: skip


@click.command(name="reschedule")
@plan_argument
@click.argument("key", metavar="STEP")
@click.option("--from", "from_date", required=True, metavar="DATE", help="First day of the change.")
@click.option("--rrule", metavar="RULE", help="The new RFC 5545 recurrence…")
@click.option(
    "--dtstart",
    metavar="DATETIME",
    help="With --rrule: its first start [the --from day, same time].",
)
@click.option(
    "--cadence", metavar="'N per PERIOD'", help="…or the new cadence, e.g. '1 per month'."
)
@click.option("--duration", metavar="ISO8601", help="With --rrule: new length [unchanged].")
@typed_in_option
@change_options
@pass_app
def step_reschedule(app: AppContext, plan: str, key: str, **options: Any) -> None:
    """Change a recurring step from a date on; what came before stays.

    Occurrences before --from keep their dates and statuses; those still planned from --from
    on are replaced by the new rule's; occurrences held, cancelled or moved stay as they are.

    \b
    Examples:
      pacflow step reschedule PAC-2025 S08 --from 2025-07-01 \\
          --rrule "FREQ=MONTHLY;BYDAY=2TU" --reason "BRC merger: one visit a month"
      pacflow step reschedule PAC-2025 S22 --from 2025-09-01 --cadence "6 per month" \\
          --reason "second rep on the segment"
    """
    from pacflow.cli.common import schedule_from_options

    cadence = options.pop("cadence")
    if cadence is not None:
        options["cadence"] = schedule_from_options(
            due=None, start=None, sessions=(), rrule=None, dtstart=None, cadence=cadence,
            exceptions=(), duration=None, required=True,
        )  # fmt: skip
    run_named(app, "RescheduleStepFrom", {"plan": plan, "step": key, **options})
