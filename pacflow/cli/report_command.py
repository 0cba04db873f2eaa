"""`pacflow report PLAN --by theme|rep|sector|target`: the plan as the method presents it."""

from __future__ import annotations

from pathlib import Path

import click

from pacflow.cli.common import json_option, pass_app, plan_argument
from pacflow.cli.context import GLOBAL_LANG, AppContext, language
from pacflow.files import write_atomically


@click.command()
@plan_argument
@click.option(
    "--by",
    "kind",
    metavar="theme|rep|sector|target",
    help="How to group the plan: by theme (with the global timeline), by person (rep), "
    "by sector or by target (cible).",
)
@click.option(
    "--for",
    "audience",
    metavar="AUDIENCE",
    help="Instead of --by, the document for one audience: sales (the sales team), "
    "back-office (back office, after-sales), engineers (engineers and technicians: targets, "
    "why, what it asks of them), marketing (notoriety and information actions, budgets, "
    "dates), appointments (visits per rep, customer and month).",
)
@click.option(
    "--as-of",
    metavar="DATETIME",
    help="The plan as recorded then: a date (its end, in the plan's time zone), a local "
    "date-time, or one with an offset (2025-06-01T16:00Z). Late steps are judged on that day.",
)
@click.option(
    "--format",
    "fmt",
    metavar="md|html",
    help="Output format [default: from the -o file's extension, else md]; --json for JSON.",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="Write the report to FILE instead of printing it (nothing is written on error).",
)
@click.option(
    "--lang",
    default=language,
    show_default=GLOBAL_LANG,
    metavar="en|fr",
    help="Language of the report's words (fr: cible, piste d'action, échéance…).",
)
@json_option
@pass_app
def report(
    app: AppContext,
    plan: str,
    kind: str | None,
    audience: str | None,
    as_of: str | None,
    fmt: str | None,
    output: str | None,
    lang: str,
    as_json: bool,
) -> None:
    """Present a plan by theme, by person, by sector or by target, or for one audience.

    Markdown for reading and mailing, JSON for tools, or one self-contained HTML page
    (timeline, progress bars; prints one page per person, sector or target) to hand out.
    Late steps and overdue visits are judged on today (or on the --as-of day).

    \b
    Examples:
      pacflow report PAC-2025 --by theme
      pacflow report PAC-2025 --by rep --format html -o pac-2025.html
      pacflow report PAC-2025 --by target --lang fr -o pac-2025-cibles.md
      pacflow report PAC-2025 --by sector --as-of 2025-06-01 --json
      pacflow report PAC-2025 --for marketing --lang fr -o synthese-marketing.html
      pacflow report PAC-2025 --for appointments --json
    """
    from pacflow.cli.language import output_format
    from pacflow.reports import Labels, parse_kind, render

    if (kind is None) == (audience is None):
        raise click.UsageError("give either --by (theme|rep|sector|target) or --for AUDIENCE")
    chosen = output_format(
        as_json=as_json, fmt=fmt, output=output, formats=("md", "html", "json"), default="md"
    )
    Labels(lang)  # an unknown language is refused before anything is read
    if audience is not None:
        from pacflow.app.documents import plan_for
        from pacflow.reports.audiences import parse_audience

        what = f"for {parse_audience(audience)}"
        made = plan_for(app.app, plan, audience, as_of=as_of)
    else:
        from pacflow.app.piloting import plan_report

        assert kind is not None
        what = f"by {parse_kind(kind)}"
        made = plan_report(app.app, plan, kind, as_of=as_of)
    text = render(made, chosen, lang)
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    write_atomically(Path(output), text, "the report")
    click.echo(f"{plan}: report {what} ({chosen}) written to {output}", err=True)
