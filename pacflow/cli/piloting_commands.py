"""`pacflow dashboard|check|market record`: piloting a plan through the year.

The dashboard and the check read the plan as it was known at `--as-of` (default: now), so
a monthly review can be replayed later exactly as it was seen then.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from pacflow.cli.common import change_options, json_option, pass_app, plan_argument, run_named
from pacflow.cli.context import AppContext

_FAIL_ON = ("info", "warning", "error")

as_of_option = click.option(
    "--as-of",
    metavar="DATETIME",
    help="As known then: a date (its end), a local date-time, or one with an offset.",
)


def register(main: click.Group) -> None:
    """Attach dashboard, check and market to the main group."""
    for command in (dashboard, check, market):
        main.add_command(command)


def _read(app: AppContext, plan: str, as_of: str | None) -> tuple[list[Any], ZoneInfo, datetime]:
    """The plan's records, its zone, and the moment asked about (default: the clock's now)."""
    from pacflow.cli.history_commands import plan_origin

    known = plan_origin(app, plan)
    moment = known.existing_at(as_of, "--as-of") if as_of is not None else app.now()
    return list(app.service().history(plan)), known.zone, moment


@click.command()
@plan_argument
@click.option("--period", metavar="PERIOD", help="The period shown [last one with an actual].")
@as_of_option
@click.option(
    "--format",
    "output",
    type=click.Choice(("table", "json", "md")),
    default="table",
    show_default=True,
    help="Output format.",
)
@json_option
@pass_app
def dashboard(
    app: AppContext,
    plan: str,
    period: str | None,
    as_of: str | None,
    output: str,
    as_json: bool,
) -> None:
    """Show the commercial dashboard: every indicator's target, actual, gap, cumulative,
    attainment, trend and status for one period, activity and result indicators apart.

    Status: on track at 100 % attainment or more, at risk from 90 %, off track below
    (attainment is direction-aware). The trend is the attainment of the last six periods.

    \b
    Examples:
      pacflow dashboard PAC-2025
      pacflow dashboard PAC-2025 --period 2025-05 --as-of 2025-06-05
      pacflow dashboard PAC-2025 --format md > revue-mensuelle.md
    """
    from pacflow.cli.history_commands import plan_origin
    from pacflow.cli.piloting_format import render_dashboard, render_dashboard_markdown
    from pacflow.cli.render import echo_json
    from projections.dashboard import dashboard_of
    from projections.indicator_queries import indicator_histories_at

    known = plan_origin(app, plan)
    zone = known.zone
    moment = known.existing_at(as_of, "--as-of") if as_of is not None else None
    database = app.read_models().database
    header, histories = indicator_histories_at(database, plan, moment, now=app.now(), running=True)
    board = dashboard_of(header, histories, moment, period)
    if as_json or output == "json":
        echo_json(board.as_json())
    elif output == "md":
        click.echo(render_dashboard_markdown(board, zone))
    else:
        click.echo(render_dashboard(board, zone))


@click.command()
@plan_argument
@as_of_option
@click.option(
    "--fail-on",
    type=click.Choice(_FAIL_ON),
    default="error",
    show_default=True,
    help="Exit 1 when a finding is at least this severe.",
)
@json_option
@pass_app
@click.pass_context
def check(
    ctx: click.Context, app: AppContext, plan: str, as_of: str | None, fail_on: str, as_json: bool
) -> None:
    """Check whether the plan went obsolete: unanswered market changes, no review for 90
    days, overdue steps, visits below cadence, indicators off track for two periods, steps
    owned by someone who left, too many targets.

    Each finding gives its severity, the facts behind it (log positions and dates) and the
    command that would answer it. "Today" is --as-of (default: now). Exit 0 when no finding
    reaches --fail-on, 1 otherwise.

    \b
    Examples:
      pacflow check PAC-2025
      pacflow check PAC-2025 --as-of 2025-06-20 --fail-on warning
      pacflow check PAC-2025 --json
    """
    from pacflow.cli.piloting_format import render_findings
    from pacflow.cli.render import echo_json
    from projections.obsolescence import Severity
    from projections.obsolescence import check as run_checks

    records, zone, moment = _read(app, plan, as_of)
    findings = run_checks(records, moment)
    threshold = Severity[fail_on.upper()]
    failed = any(finding.severity >= threshold for finding in findings)
    if as_json:
        echo_json(
            {
                "plan": plan,
                "as_of": moment,
                "fail_on": fail_on,
                "failed": failed,
                "findings": [finding.as_json() for finding in findings],
            }
        )
    else:
        click.echo(render_findings(plan, findings, moment, zone))
    if failed:
        ctx.exit(1)


@click.group()
def market() -> None:
    """Changes in the market that may make the plan obsolete."""


@market.command(name="record")
@plan_argument
@click.option("--summary", required=True, metavar="TEXT", help="What changed, in a sentence.")
@click.option(
    "--affects",
    multiple=True,
    required=True,
    metavar="KIND:KEY",
    help="What it touches: target:T1, segment:SEG-BA, offer:OFF-CRM, account:ACC-BRC; repeat.",
)
@click.option("--effective", required=True, metavar="DATE", help="From when it holds.")
@click.option(
    "--impact", default="medium", show_default=True, metavar="LEVEL", help="high, medium or low."
)
@change_options
@pass_app
def market_record(app: AppContext, plan: str, **options: Any) -> None:
    """Record a market change (a fact: no revision needed); `pacflow check` then flags the
    targets it touches until a revision is published.

    \b
    Example:
      pacflow market record PAC-2025 --summary "Rapprochement annoncé de BRC" \\
          --affects target:T1 --affects account:ACC-BRC --effective 2025-06-16 --impact high
    """
    options["affects"] = list(options["affects"])
    run_named(app, "RecordMarketChange", {"plan": plan, **options})
