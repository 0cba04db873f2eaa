"""`pacflow report PLAN --by theme|rep|sector|target`: the plan as the method presents it."""

from __future__ import annotations

from pathlib import Path

import click

from pacflow.cli.common import pass_app, plan_argument
from pacflow.cli.context import AppContext
from pacflow.cli.files import write_atomically

_EXTENSIONS = {".html": "html", ".htm": "html", ".json": "json", ".md": "md", ".markdown": "md"}


@click.command()
@plan_argument
@click.option(
    "--by",
    "kind",
    required=True,
    metavar="theme|rep|sector|target",
    help="How to group the plan: by theme (with the global timeline), by person (rep), "
    "by sector or by target (cible).",
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
    metavar="md|html|json",
    help="Output format [default: from the -o file's extension, else md].",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="Write the report to FILE instead of printing it (nothing is written on error).",
)
@click.option(
    "--lang",
    default="en",
    show_default=True,
    metavar="en|fr",
    help="Language of the report's words (fr: cible, piste d'action, échéance…).",
)
@pass_app
def report(
    app: AppContext,
    plan: str,
    kind: str,
    as_of: str | None,
    fmt: str | None,
    output: str | None,
    lang: str,
) -> None:
    """Present a plan by theme, by person, by sector or by target.

    Markdown for reading and mailing, JSON for tools, or one self-contained HTML page
    (timeline, progress bars; prints one page per person, sector or target) to hand out.
    Late steps and overdue visits are judged on today (or on the --as-of day).

    \b
    Examples:
      pacflow report PAC-2025 --by theme
      pacflow report PAC-2025 --by rep --format html -o pac-2025.html
      pacflow report PAC-2025 --by target --lang fr -o pac-2025-cibles.md
      pacflow report PAC-2025 --by sector --as-of 2025-06-01 --format json
    """
    from pacflow.app.piloting import plan_report
    from pacflow.reports import Labels, check_format, parse_kind, render

    report_kind = parse_kind(kind)
    chosen = check_format(fmt) if fmt is not None else _format_of(output)
    Labels(lang)  # an unknown language is refused before anything is read
    text = render(plan_report(app.app, plan, kind, as_of=as_of), chosen, lang)
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    write_atomically(Path(output), text, "the report")
    click.echo(f"{plan}: report by {report_kind} ({chosen}) written to {output}", err=True)


def _format_of(output: str | None) -> str:
    if output is None or output == "-":
        return "md"
    return _EXTENSIONS.get(Path(output).suffix.lower(), "md")
