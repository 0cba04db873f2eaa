"""`pacflow indicator import`: a CRM export's actuals, recorded in one all-or-nothing change."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from pacflow.cli.common import change_options, pass_app, plan_argument
from pacflow.cli.context import AppContext
from pacflow.cli.render import echo_json, table
from pacflow.errors import InvalidInputError

if TYPE_CHECKING:
    from pacflow.app.imports import ActualsImport

_DELIMITERS = {";": ";", ",": ",", "tab": "\t"}


def read_input(file: str) -> tuple[bytes, str]:
    """The bytes of FILE (`-`: standard input) and the name errors give it."""
    if file == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    try:
        with open(file, "rb") as handle:
            return handle.read(), file
    except OSError as error:
        raise InvalidInputError(f"{file}: cannot be read ({error.strerror})") from None


def column_mapping(items: tuple[str, ...]) -> dict[str, str]:
    """`--column FIELD=HEADER` options as a mapping."""
    mapping: dict[str, str] = {}
    for item in items:
        field, _, header = item.partition("=")
        if not header.strip():
            raise InvalidInputError(f"--column {item!r}: expected FIELD=HEADER, e.g. value=CA_HT")
        mapping[field.strip().casefold()] = header.strip()
    return mapping


@click.command(name="import")
@plan_argument
@click.argument("file", metavar="FILE.csv")
@click.option(
    "--indicator",
    metavar="INDICATOR",
    help="The indicator of every line, when the file has no indicator column.",
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=HEADER",
    help="Which header holds indicator, period, value or note, e.g. value=CA_HT; repeat.",
)
@click.option(
    "--delimiter",
    type=click.Choice(sorted(_DELIMITERS)),
    help="The field separator [guessed from the header line: ; , or tab].",
)
@change_options
@pass_app
def import_actuals(
    app: AppContext,
    plan: str,
    file: str,
    indicator: str | None,
    columns: tuple[str, ...],
    delimiter: str | None,
    reason: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Record indicator actuals from a CSV file (a CRM export); all lines or none.

    \b
    The file is either long: one value per line, with columns
      indicator;period;value[;note]   (or indicateur;période;valeur;commentaire)
    or wide: a period column and one column per indicator key
      période;I1;I2;I7
    Fields are separated by ; , or tabs; numbers may use a decimal comma (28,5);
    periods are months (2026-01, 01/2026), quarters (2026-Q1, T1 2026) or dates.

    A value the plan already has is left as it is, so running the same import twice
    records nothing. A different value for a period that has one is refused, unless
    --reason is given: then it is recorded as a correction with that reason. Every line
    is checked first; an error names FILE:LINE:COLUMN and nothing is recorded.

    \b
    Examples:
      pacflow indicator import PAC-2026 crm-mars.csv --dry-run
      pacflow indicator import PAC-2026 crm-mars.csv
      pacflow indicator import PAC-2026 ca.csv --indicator I1 --column value=CA_HT
      pacflow indicator import PAC-2026 crm-mars.csv --reason "avoirs de mars"
    """
    from pacflow.app.imports import import_actuals as run_import

    data, name = read_input(file)
    found = run_import(
        app.app,
        plan,
        data,
        name=name,
        actor=app.actor,
        reason=reason,
        indicator=indicator,
        columns=column_mapping(columns),
        delimiter=_DELIMITERS[delimiter] if delimiter else None,
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


def _summary(found: ActualsImport) -> str:
    def counted(number: int, word: str) -> str:
        return f"{number} {word}{'s' if number != 1 else ''}"

    verb = "would record" if found.dry_run else "recorded"
    recorded, corrected = found.count("record"), found.count("correct")
    parts = [counted(recorded, "value")] if recorded else []
    if corrected:
        parts.append(counted(corrected, "correction"))
    unchanged = found.count("unchanged")
    tail = f"; {counted(unchanged, 'value')} already recorded" if unchanged else ""
    if not parts:
        return f"{found.plan}: nothing to record from {found.file}{tail}"
    return f"{found.plan}: {verb} {' and '.join(parts)} from {found.file}{tail}"


def _lines_table(found: ActualsImport) -> str:
    words = {"record": "record", "correct": "correct", "unchanged": "already recorded"}
    rows: list[list[Any]] = []
    for line in found.lines:
        change = words[line.action]
        if line.action == "correct":
            change = f"correct {line.previous} → {line.value}"
        rows.append([line.line, line.indicator, line.period, line.value, change])
    return table(rows, ["line", "indicator", "period", "value", "change"])
