"""`pacflow visit import`: a CRM's visit reports, recorded in one all-or-nothing change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from pacflow.cli.common import change_options, pass_app, plan_argument
from pacflow.cli.context import AppContext
from pacflow.cli.import_commands import DELIMITERS, column_mapping, read_input
from pacflow.cli.render import echo_json, table

if TYPE_CHECKING:
    from pacflow.app.visit_imports import VisitsImport


@click.command(name="import")
@plan_argument
@click.argument("file", metavar="FILE.csv")
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=HEADER",
    help="Which header holds occurrence, step, person, customer, date, held or reason, "
    "e.g. date=Date_RDV; repeat.",
)
@click.option(
    "--delimiter",
    type=click.Choice(sorted(DELIMITERS)),
    help="The field separator [guessed from the header line: ; , or tab].",
)
@click.option(
    "--tolerance",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    metavar="DAYS",
    help="How many days a reported date may be from the visit's planned day.",
)
@click.option(
    "--extra",
    is_flag=True,
    help="Record a visit held that matches no planned one as an extra visit of its step.",
)
@change_options
@pass_app
def import_visits(
    app: AppContext,
    plan: str,
    file: str,
    columns: tuple[str, ...],
    delimiter: str | None,
    tolerance: int,
    extra: bool,
    reason: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Record visit reports from a CSV file (a CRM export); all lines or none.

    Each line says which visit, when, whether it was held and, if not, why:

    \b
      occurrence;date;held;reason         S08@2026-03-10;2026-03-11;oui;
      step;date;held;reason               S08;11/03/2026;non;client absent
      person;customer;date;held;reason    cd;Banque Régionale du Centre;2026-03-11;yes;

    French headers are accepted too (visite, étape, commercial, client, date, tenue,
    motif). A line given by date is matched to its step's visit that day, else to the
    nearest one still to be held within --tolerance days. A visit held that matches no
    planned one is reported with FILE:LINE and nothing is recorded, unless --extra records
    it as an extra visit of its step. A visit not held is cancelled with the line's reason
    (or --reason).

    What the plan already says is left as it is, so running the same import twice records
    nothing. A visit held on another day than the one recorded is refused, unless --reason
    is given: then the file's date is recorded as a correction. Every line is checked
    first; an error names FILE:LINE:COLUMN and nothing is recorded.

    \b
    Examples:
      pacflow visit import PAC-2026 crm-visites-mars.csv --dry-run
      pacflow visit import PAC-2026 crm-visites-mars.csv --extra
      pacflow visit import PAC-2026 rdv.csv --column date=Date_RDV --tolerance 5
    """
    from pacflow.app.visit_imports import import_visits as run_import

    data, name = read_input(file)
    found = run_import(
        app.app,
        plan,
        data,
        name=name,
        actor=app.actor,
        reason=reason,
        columns=column_mapping(columns),
        delimiter=DELIMITERS[delimiter] if delimiter else None,
        tolerance=tolerance,
        extra=extra,
        dry_run=dry_run,
    )
    if as_json:
        echo_json(found.as_json())
        return
    click.echo(_summary(found))
    if found.lines:
        click.echo(_lines_table(found))
    for warning in found.outcome.warnings:
        click.echo(f"warning: {warning}", err=True)


def _summary(found: VisitsImport) -> str:
    def counted(number: int, one: str, many: str) -> str:
        return f"{number} {one if number == 1 else many}"

    parts = [
        counted(number, one, many)
        for number, one, many in (
            (found.count("held"), "visit held", "visits held"),
            (found.count("not-held"), "visit not held", "visits not held"),
            (found.count("extra"), "extra visit", "extra visits"),
            (found.count("correct"), "corrected date", "corrected dates"),
        )
        if number
    ]
    unchanged = found.count("unchanged")
    tail = f"; {counted(unchanged, 'line', 'lines')} already recorded" if unchanged else ""
    if not parts:
        return f"{found.plan}: nothing to record from {found.file}{tail}"
    verb = "would record" if found.dry_run else "recorded"
    return f"{found.plan}: {verb} {', '.join(parts)} from {found.file}{tail}"


def _lines_table(found: VisitsImport) -> str:
    words = {
        "held": "held",
        "not-held": "not held",
        "extra": "extra visit",
        "correct": "correct",
        "unchanged": "already recorded",
    }
    rows: list[list[Any]] = []
    for line in found.lines:
        change = words[line.action]
        if line.action == "correct" and line.previous is not None:
            change = f"correct {line.previous.isoformat()} → {line.day}"
        elif line.action == "not-held" and line.reason:
            change = f"not held: {line.reason}"
        rows.append([line.line, line.occurrence, line.day or "", change, line.matched_by])
    return table(rows, ["line", "visit", "date", "change", "matched by"])
