"""The `pacflow` command line: parses, calls the library, formats. Nothing else.

Heavy modules (SQLAlchemy, pydantic, the store) are imported inside commands so that
`pacflow --help` starts fast.
"""

from __future__ import annotations

import getpass
from typing import Any

import click

from pacflow import __version__
from pacflow.cli.context import AppContext


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class PacflowGroup(click.Group):
    """A click group that reports pacflow errors as one line and their exit code."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # A NUL cannot come from a shell (argv is C strings) but can from a program calling
        # pacflow; no key or text holds one, and PostgreSQL fails on it even in a lookup.
        if any("\0" in arg for arg in args):
            raise click.UsageError("an argument holds a NUL character (\\x00); remove it", ctx)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        from pacflow.cli.errors import report_errors

        with report_errors(ctx):
            return super().invoke(ctx)


@click.group(cls=PacflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="PACFLOW_DB",
    metavar="URL",
    help="Event store URL: sqlite:///FILE.db or postgresql+psycopg://USER@HOST/DB "
    "[env PACFLOW_DB; default: pacflow.db in your user data directory].",
)
@click.option(
    "--actor",
    envvar="PACFLOW_ACTOR",
    default=_default_actor,
    show_default="your OS user name",
    help="Who is making the change, as recorded in the audit trail [env PACFLOW_ACTOR].",
)
@click.option(
    "--lang",
    envvar="PACFLOW_LANG",
    type=click.Choice(["en", "fr"]),
    default="en",
    show_default=True,
    help="Language of errors, and the default of documents' --lang [env PACFLOW_LANG].",
)
@click.version_option(__version__, prog_name="pacflow")
@click.pass_context
def main(ctx: click.Context, db: str | None, actor: str, lang: str) -> None:
    """pacflow: run a commercial action plan (PAC) as a living, audited plan.

    Every change is an event in an append-only store; the plan, its history and its
    indicators are computed from those events.

    \b
    Examples:
      pacflow init
      pacflow info
      pacflow --db postgresql+psycopg://me@localhost/pacflow store verify
      PACFLOW_LANG=fr pacflow plan show PAC-2025 --as-of 2024-06-01
    """
    ctx.obj = AppContext(db_url=db, actor=actor, lang=lang)
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    from pacflow.cli import (
        calendar_commands,
        demo_command,
        history_commands,
        indicator_commands,
        plan_commands,
        planfile_commands,
        projection_commands,
        step_commands,
        store_commands,
        sync_command,
        team_commands,
    )

    store_commands.register(main)
    main.add_command(demo_command.demo)
    main.add_command(projection_commands.projections)
    main.add_command(planfile_commands.apply)
    main.add_command(planfile_commands.export)
    planfile_commands.export.add_command(calendar_commands.export_ics)
    main.add_command(calendar_commands.calendar)
    main.add_command(sync_command.sync)
    main.add_command(planfile_commands.schema)
    main.add_command(plan_commands.plan)
    history_commands.register(plan_commands.plan)
    indicator_commands.register(team_commands.indicator)
    from pacflow.cli.list_commands import register as register_lists

    register_lists(
        visit=step_commands.visit,
        step=step_commands.step,
        person=team_commands.person,
        target=team_commands.target,
        indicator=team_commands.indicator,
    )
    from pacflow.cli.visit_import_command import import_visits

    step_commands.visit.add_command(import_visits)
    for group in (
        team_commands.person,
        team_commands.target,
        team_commands.objective,
        team_commands.track,
        step_commands.step,
        step_commands.visit,
        team_commands.indicator,
    ):
        main.add_command(group)

    from pacflow.cli.report_command import report

    main.add_command(report)
    from pacflow.cli.access_commands import access
    from pacflow.cli.serve_command import serve

    main.add_command(access)
    main.add_command(serve)
    from pacflow.cli.piloting_commands import register as register_piloting

    register_piloting(main)
    from pacflow.cli.replan_commands import register as register_replanning

    register_replanning(main, team_commands.objective, step_commands.step)
    from pacflow.cli.diagnostic_commands import register as register_diagnostic

    register_diagnostic(main, team_commands.target)
    from pacflow.cli.cycle_commands import register as register_cycle

    register_cycle(main, plan_commands.plan)


_register()

__all__ = ["main"]
