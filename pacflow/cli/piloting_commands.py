"""`pacflow dashboard|check|market record`: piloting a plan through the year.

The dashboard and the check read the plan as it was known at `--as-of` (default: now), so
a monthly review can be replayed later exactly as it was seen then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pacflow.cli.common import change_options, json_option, pass_app, plan_argument, run_named
from pacflow.cli.context import GLOBAL_LANG, AppContext, language
from pacflow.cli.language import output_format, renamed

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


_DASHBOARD_FORMATS = ("table", "json", "md", "html")


@click.command()
@plan_argument
@click.option("--period", metavar="PERIOD", help="The period shown [last one with an actual].")
@as_of_option
@click.option(
    "--format",
    "output",
    metavar="table|md|html",
    help="Output format [default: from the -o file's extension, else table]; --json for JSON.",
)
@click.option(
    "-o",
    "--output",
    "destination",
    metavar="FILE",
    help="Write the dashboard to FILE instead of printing it (nothing is written on error).",
)
@click.option(
    "--lang",
    default=language,
    show_default=GLOBAL_LANG,
    metavar="en|fr",
    help="Language of the HTML page's words (fr: objectif, réalisé, écart…).",
)
@json_option
@pass_app
def dashboard(
    app: AppContext,
    plan: str,
    period: str | None,
    as_of: str | None,
    output: str | None,
    destination: str | None,
    lang: str,
    as_json: bool,
) -> None:
    """Show the commercial dashboard: every indicator's target, actual, gap, cumulative,
    attainment, trend and status for one period, activity and result indicators apart.

    Status: on track at 100 % attainment or more, at risk from 90 %, off track below
    (attainment is direction-aware). The trend is the attainment of the last six periods.
    --format html writes one self-contained page (no script, works offline, prints on A4)
    with a chart per indicator: target line against actual bars (a line for rates), later
    periods greyed, corrected values marked (hover: earlier value, when and why).

    \b
    Examples:
      pacflow dashboard PAC-2025
      pacflow dashboard PAC-2025 --period 2025-05 --as-of 2025-06-05
      pacflow dashboard PAC-2025 --format md > revue-mensuelle.md
      pacflow dashboard PAC-2025 --as-of 2025-06-05 --format html -o revue-mai.html
      pacflow dashboard PAC-2025 --lang fr -o tableau-de-bord.html
    """
    from pacflow.app.piloting import dashboard as dashboard_query
    from pacflow.cli.piloting_format import render_dashboard, render_dashboard_markdown
    from pacflow.cli.render import to_json
    from pacflow.files import write_atomically
    from pacflow.reports.labels import Labels

    chosen = output_format(
        as_json=as_json,
        fmt=output,
        output=destination,
        formats=_DASHBOARD_FORMATS,
        default="table",
    )
    labels = Labels(lang)  # an unknown language is refused before anything is read
    found = dashboard_query(app.app, plan, period=period, as_of=as_of)
    board, zone = found.board, found.origin.zone
    if chosen == "json":
        text = to_json(found.as_json())
    elif chosen == "md":
        text = render_dashboard_markdown(board, zone)
    elif chosen == "html":
        from pacflow.reports.dashboard_html import render_dashboard_html

        text = render_dashboard_html(board, labels, found.moment or app.now()).rstrip("\n")
    else:
        text = render_dashboard(board, zone)
    if destination is None or destination == "-":
        click.echo(text)
        return
    write_atomically(Path(destination), text + "\n", "the dashboard")
    shown = board.period or "no period"
    click.echo(f"{plan}: dashboard {shown} ({chosen}) written to {destination}", err=True)


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
    """Check whether the plan went obsolete: unanswered market changes, no review for a
    while, overdue steps, visits below cadence, indicators off track for several periods or
    whose year-end target cannot be reached at the recent pace, steps owned by someone who
    left, too many targets.

    Each finding gives its severity, the facts behind it (log positions and dates) and the
    command that would answer it. "Today" is --as-of (default: now). The thresholds are the
    plan's own as they were then (defaults: no review for more than 90 days, off track for
    2 periods, overdue the day after the due date, pace over the last 3 periods); `plan
    set-check` and `plan set-limits` change them, and the output says which applied. A
    published revision answers only the findings whose subject it changed (the indicator,
    the steps, the targets a market change touches); those it answered are listed too.
    Late steps are the ones `report` counts (docs/facts.md). Exit 0 when no finding reaches
    --fail-on, 1 otherwise.

    \b
    Examples:
      pacflow check PAC-2025
      pacflow check PAC-2025 --as-of 2025-06-20 --fail-on warning
      pacflow check PAC-2025 --as-of 2025-03-30T23:30 --json
    """
    from pacflow.app.piloting import check as check_query
    from pacflow.cli.check_format import render_report
    from pacflow.cli.render import echo_json

    found = check_query(app.app, plan, as_of=as_of)
    if as_json:
        echo_json(found.as_json(fail_on))
    else:
        click.echo(render_report(found.report, found.origin.zone))
    if found.fails_on(fail_on):
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
@click.option("--on", "effective", metavar="DATE", help="The day it takes effect (required).")
@renamed("--effective", "--on", "effective", metavar="DATE")
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
          --affects target:T1 --affects account:ACC-BRC --on 2025-06-16 --impact high
    """
    if options["effective"] is None:
        raise click.UsageError("Missing option '--on' (the day the change takes effect).")
    options["affects"] = list(options["affects"])
    run_named(app, "RecordMarketChange", {"plan": plan, **options})
