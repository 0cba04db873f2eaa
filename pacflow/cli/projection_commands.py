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
@json_option
@pass_app
def rebuild(app: AppContext, name: str | None, as_json: bool) -> None:
    """Drop a read model (all by default) and rebuild it from position 0.

    \b
    Examples:
      pacflow projections rebuild
      pacflow projections rebuild plans
    """
    from pacflow.cli.progress import catch_up_with_progress
    from pacflow.read_models import read_models

    engine = read_models(app.store())
    if name is not None and name not in engine.names():
        raise NotFoundError(
            f"projection {name}: unknown; choose one of {', '.join(engine.names())}"
        )
    names = [name] if name else engine.names()
    head = app.store().head_position()
    applied = catch_up_with_progress(engine, head, names, rebuild=True)
    if as_json:
        echo_json({"rebuilt": names, "events": applied, "head": head})
    else:
        click.echo(f"rebuilt {', '.join(names)} from {head} events")
