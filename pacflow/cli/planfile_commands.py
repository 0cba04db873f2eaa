"""`pacflow apply FILE`, `pacflow export yaml PLAN`, `pacflow schema plan-file`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pacflow.cli.common import change_options, pass_app, print_outcome
from pacflow.cli.context import AppContext
from pacflow.files import write_atomically


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@change_options
@pass_app
def apply(app: AppContext, file: Path, reason: str | None, dry_run: bool, as_json: bool) -> None:
    """Make the stored plan what a plan file (YAML) says, recording only the differences.

    Prints the changes as a list. Applying the same file twice records nothing the second
    time. The format is in docs/plan-file.md; `pacflow schema plan-file` prints its JSON
    Schema; `pacflow export yaml PLAN` writes a stored plan in it.

    \b
    Examples:
      pacflow apply pac-2026.yaml --dry-run
      pacflow apply pac-2025.yaml --reason "mid-year re-actualisation"
    """
    from pacflow.app.changes import apply_plan_file

    outcome = apply_plan_file(app.app, file, actor=app.actor, reason=reason, dry_run=dry_run)
    print_outcome(outcome, as_json=as_json, dry_run=dry_run)


@click.group()
def export() -> None:
    """Write a stored plan out in another format."""


@export.command(name="yaml")
@click.argument("plan", metavar="PLAN")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="File [stdout]."
)
@pass_app
def export_yaml(app: AppContext, plan: str, output: Path | None) -> None:
    """Write the current plan as a plan file (what `pacflow apply` reads).

    A plan file holds each step's current schedule, not progress. When a step's visits are
    not what its schedule gives (some kept from an earlier schedule after `step
    reschedule`, moved or cancelled one by one), a warning on stderr names it: applied to an
    empty store, the file would give that step's schedule only.

    \b
    Examples:
      pacflow export yaml PAC-2025 -o pac-2025.yaml
      pacflow export yaml PAC-2025 | less
    """
    from pacflow.planfile import dump_yaml, export_losses, export_plan

    state = app.service().require(plan)
    text = dump_yaml(export_plan(state))
    for loss in export_losses(state):
        click.echo(f"warning: {loss}", err=True)
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomically(output, text, "the plan file")
    click.echo(f"wrote {output}", err=True)


@click.group()
def schema() -> None:
    """JSON Schemas of pacflow's file formats."""


@schema.command(name="plan-file")
def schema_plan_file() -> None:
    """Print the JSON Schema of plan files (for editors and validators).

    \b
    Example:
      pacflow schema plan-file > plan-file.schema.json
    """
    from pacflow.planfile import PlanFile

    click.echo(json.dumps(PlanFile.model_json_schema(), indent=2, ensure_ascii=False))
