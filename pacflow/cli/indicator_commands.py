"""`pacflow indicator record|correct|history`: actual values and what was known when.

Values are recorded for a period (valid time) at the moment they are entered (transaction
time); a correction is a new event with a reason, so `indicator history --as-of` can show
what was known at any moment.
"""

from __future__ import annotations

from typing import Any

import click

from pacflow.cli.common import change_options, json_option, pass_app, plan_argument, run_named
from pacflow.cli.context import AppContext

FORMATS = ("table", "json", "csv")
"""Formats of `indicator history` (kept here: importing the renderer at start-up is slow)."""

period_option = click.option(
    "--period", required=True, metavar="PERIOD", help="The period measured, e.g. 2025-03."
)
value_option = click.option(
    "--value", required=True, metavar="NUMBER", help="The actual value, e.g. 730 or 19.4."
)


def register(indicator: click.Group) -> None:
    """Attach record, correct, import and history to the `indicator` group."""
    from pacflow.cli.import_commands import import_actuals

    for command in (record, correct, import_actuals, history):
        indicator.add_command(command)


@click.command()
@plan_argument
@click.argument("key", metavar="INDICATOR")
@period_option
@value_option
@click.option("--note", metavar="TEXT", help="Where the figure comes from, or a caveat.")
@change_options
@pass_app
def record(app: AppContext, plan: str, key: str, **options: Any) -> None:
    """Record an indicator's actual value for a period.

    For a cumulative (year-to-date) indicator, give the year-to-date figure. A period that
    already has a value takes `indicator correct`.

    \b
    Example:
      pacflow indicator record PAC-2025 I7 --period 2025-03 --value 730 --note "facturation"
    """
    run_named(app, "RecordIndicatorValue", {"plan": plan, "indicator": key, **options})


@click.command()
@plan_argument
@click.argument("key", metavar="INDICATOR")
@period_option
@value_option
@change_options
@pass_app
def correct(app: AppContext, plan: str, key: str, **options: Any) -> None:
    """Correct a value recorded earlier (a reason is required); the old value stays known.

    \b
    Example:
      pacflow indicator correct PAC-2025 I7 --period 2025-03 --value 725 \\
          --reason "Avoir émis pour Métallurgie Vallée"
    """
    run_named(app, "CorrectIndicatorValue", {"plan": plan, "indicator": key, **options})


@click.command()
@plan_argument
@click.argument("key", metavar="INDICATOR")
@click.option(
    "--as-of",
    metavar="DATETIME",
    help="What was known then: a date (its end), a local date-time, or one with an offset.",
)
@click.option("--from", "first", metavar="PERIOD", help="First period shown [plan start].")
@click.option("--to", "last", metavar="PERIOD", help="Last period shown [plan end].")
@click.option(
    "--format",
    "output",
    metavar="table|csv",
    help="Output format [table]; --json for JSON.",
)
@json_option
@pass_app
def history(
    app: AppContext,
    plan: str,
    key: str,
    as_of: str | None,
    first: str | None,
    last: str | None,
    output: str | None,
    as_json: bool,
) -> None:
    """Show an indicator per period: target, actual, gap (écart), cumulative, attainment.

    Targets and values are as they were recorded at --as-of (default: now); corrected values
    are marked with when, by whom, from what and why. A derived indicator's values (†) are
    counted from the visits held or steps done recorded by then (the current period: so far).

    \b
    Examples:
      pacflow indicator history PAC-2025 I7
      pacflow indicator history PAC-2025 I7 --as-of 2025-05-01
      pacflow indicator history PAC-2025 I1 --from 2025-01 --to 2025-06 --format csv
    """
    from pacflow.cli.language import output_format

    chosen = output_format(
        as_json=as_json, fmt=output, output=None, formats=FORMATS, default="table"
    )
    from pacflow.app.piloting import indicator_history
    from pacflow.cli.indicator_format import render_csv, render_table
    from pacflow.cli.render import echo_json

    found = indicator_history(app.app, plan, key, as_of=as_of, first=first, last=last)
    zone = found.origin.zone
    if chosen == "json":
        echo_json(found.as_json())
    elif chosen == "csv":
        click.echo(render_csv(found.history, zone))
    else:
        click.echo(render_table(found.history, zone))
