"""`pacflow review` and `pacflow plan rollover`: the yearly cycle of the method.

"At least once a year": the review gives the results of the period ending, which the next
diagnostic starts from; the rollover starts next year's draft from this plan, carrying over
what the user picks, each change citing the source plan.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from pacflow.cli.common import (
    dry_run_option,
    json_option,
    pass_app,
    plan_argument,
    print_outcome,
)
from pacflow.cli.context import GLOBAL_LANG, AppContext, language
from pacflow.errors import InvalidInputError

_EXTENSIONS = {".html": "html", ".htm": "html", ".json": "json", ".md": "md"}


@click.command()
@plan_argument
@click.option("--as-of", metavar="DATETIME", help="The year as recorded then (default: now).")
@click.option("--format", "fmt", metavar="md|html", help="[default: from -o's extension, else md]")
@click.option("-o", "--output", metavar="FILE", help="Write the review to FILE.")
@click.option(
    "--lang", default=language, show_default=GLOBAL_LANG, metavar="en|fr", help="Language."
)
@json_option
@pass_app
def review(
    app: AppContext,
    plan: str,
    as_of: str | None,
    fmt: str | None,
    output: str | None,
    lang: str,
    as_json: bool,
) -> None:
    """The year-end review: the results the next plan's diagnostic starts from.

    Per target: the main objective as first published and as it ended, what its indicator
    achieved, steps done, cancelled and late, visits held against those planned, and the
    decisions it implemented; then every revision, when, by whom and why.

    \b
    Examples:
      pacflow review PAC-2025
      pacflow review PAC-2025 --lang fr -o bilan-2025.html
      pacflow review PAC-2025 --as-of 2025-06-30 --json
    """
    from pacflow.app.documents import year_review
    from pacflow.cli.language import output_format
    from pacflow.files import write_atomically
    from pacflow.reports.review import render_review

    # Format and language are checked before anything is read.
    chosen = output_format(
        as_json=as_json, fmt=fmt, output=output, formats=("md", "html", "json"), default="md"
    )
    if lang not in ("en", "fr"):
        raise InvalidInputError(
            f"language {lang!r}: expected one of en, fr", code="invalid-value", subject="language"
        )
    text = render_review(year_review(app.app, plan, as_of=as_of), chosen, lang)
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    write_atomically(Path(output), text, "the review")
    click.echo(f"{plan}: review ({chosen}) written to {output}", err=True)


@click.command(name="rollover")
@click.argument("source", metavar="PLAN")
@click.argument("key", metavar="NEW_PLAN")
@click.option("--start", metavar="DATE", help="First day [default: a year after PLAN's].")
@click.option("--end", metavar="DATE", help="Last day [default: a year after PLAN's].")
@click.option("--title", help="[default: PLAN's title with its year moved on]")
@click.option(
    "--carry",
    default="targets,tracks,steps,indicators",
    show_default=True,
    metavar="PARTS",
    help="What carries over, comma-separated: targets, tracks, steps (the recurring "
    "ones), indicators. The team always does.",
)
@click.option(
    "--target", "targets", multiple=True, metavar="TARGET", help="Only these targets; repeat."
)
@click.option(
    "--rename-year",
    is_flag=True,
    help="Write the new year in objective statements and indicator names that name the old "
    "one (without it, a notice lists them).",
)
@click.option(
    "--lang",
    default=language,
    show_default=GLOBAL_LANG,
    metavar="en|fr",
    help="Language of the lessons-learned note added to each target's rationale.",
)
@json_option
@dry_run_option
@pass_app
def plan_rollover(
    app: AppContext,
    source: str,
    key: str,
    start: str | None,
    end: str | None,
    title: str | None,
    carry: str,
    targets: tuple[str, ...],
    rename_year: bool,
    lang: str,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Start next year's plan, as a draft, from this one.

    The team carries over, and what --carry names: the live targets (or those given with
    --target) and their objectives, last year's achievement as the baseline, and a
    lessons-learned note (objective against achieved, steps, visits) at the end of each
    target's rationale; their tracks; their recurring steps (visit series, cadences, series
    of sessions), moved by whole weeks so a weekday stays the same, with the schedule in
    force when the year started (a mid-year change is not repeated; a notice names each
    one); the indicators serving them, without targets. Each event says "carried over from
    PLAN". Decisions are not carried: record the new diagnostic and justify the targets
    (`check` flags them until then). Run `pacflow review PLAN` first.

    \b
    Examples:
      pacflow plan rollover PAC-2025 PAC-2026 --dry-run
      pacflow plan rollover PAC-2025 PAC-2026 --rename-year --lang fr
      pacflow plan rollover PAC-2025 PAC-2026 --target T1 --target T3
      pacflow plan rollover PAC-2025 PAC-2026 --carry targets,indicators \\
          --start 2026-01-01 --end 2026-12-31 --title "PAC 2026"
    """
    from pacflow.app.rollover import rollover

    parts = [part.strip() for part in carry.split(",") if part.strip()]
    outcome = rollover(
        app.app,
        source,
        key,
        start=_date(start, "--start"),
        end=_date(end, "--end"),
        title=title,
        parts=parts,
        targets=targets,
        rename_years=rename_year,
        lang=lang,
        actor=app.actor,
        dry_run=dry_run,
    )
    print_outcome(outcome, as_json=as_json, dry_run=dry_run)


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"{option} {text!r}: expected a date such as 2026-01-01") from None


def register(main: click.Group, plan: click.Group) -> None:
    """Add `review` to the CLI and `rollover` to `plan`."""
    main.add_command(review)
    plan.add_command(plan_rollover)
