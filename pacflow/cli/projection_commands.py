"""`pacflow projections status|rebuild`: the read models built from the event log."""

from __future__ import annotations

import click

from pacflow.cli.common import json_option, pass_app
from pacflow.cli.context import AppContext
from pacflow.cli.render import echo_json, table
from pacflow.errors import NotFoundError


@click.group()
def projections() -> None:
    """Read models computed from the event log (the plan tables reports read).

    They are caught up automatically before every command that reads them; these commands
    show where they stand and rebuild them from the start of the log.
    """


@projections.command()
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Each read model's version, checkpoint (last position applied) and lag.

    \b
    Example:
      pacflow projections status --json
    """
    from pacflow.read_models import read_models

    rows = [
        {
            "name": s.name,
            "version": s.version,
            "stored_version": s.stored_version,
            "checkpoint": s.checkpoint,
            "head": s.head,
            "lag": s.lag,
        }
        for s in read_models(app.store()).status()
    ]
    if as_json:
        echo_json(rows)
        return
    click.echo(
        table(
            [[r["name"], r["version"], r["checkpoint"], r["head"], r["lag"]] for r in rows],
            ["projection", "version", "checkpoint", "head", "lag"],
        )
    )


@projections.command()
@click.argument("name", required=False)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes sharing a long rebuild (default: one per processor, at most 4; "
    "PACFLOW_PROJECTION_WORKERS sets the default; 1: this process alone).",
)
@json_option
@pass_app
def rebuild(app: AppContext, name: str | None, workers: int | None, as_json: bool) -> None:
    """Drop a read model (all by default) and rebuild it from position 0.

    Safe beside other commands: those reading the plan wait until it is done (they never
    see half-built tables); those writing go on. From 100,000 events, the log is dealt
    plan by plan to several processes, which build their plans' rows side by side.

    \b
    Examples:
      pacflow projections rebuild
      pacflow projections rebuild plans
      pacflow projections rebuild --workers 1 --json
    """
    from pacflow.cli.progress import catch_up_with_progress
    from pacflow.read_models import read_models

    engine = read_models(app.store(), workers=workers)
    if name is not None and name not in engine.names():
        raise NotFoundError(
            f"projection {name}: unknown; choose one of {', '.join(engine.names())}"
        )
    names = [name] if name else engine.names()
    head = app.store().head_position()
    applied = catch_up_with_progress(engine, head, names, rebuild=True)
    processes = engine.last_pass.processes if engine.last_pass is not None else 1
    if as_json:
        echo_json({"rebuilt": names, "events": applied, "head": head, "processes": processes})
    else:
        shared = f" in {processes} processes" if processes > 1 else ""
        click.echo(f"rebuilt {', '.join(names)} from {head:,} events{shared}")
