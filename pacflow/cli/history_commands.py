"""`pacflow plan history|diff|revisions`, and `plan show --as-of`.

Moments are read by `pacflow.app.moments` (the plan's time zone; a bare date is the end of
that day, except for `--since`, where it is its start); the queries are
`pacflow.app.plans`. This module parses options and formats answers.
"""

from __future__ import annotations

from datetime import datetime

import click

from pacflow.cli.common import json_option, pass_app, plan_argument
from pacflow.cli.context import AppContext
from pacflow.cli.language import renamed
from pacflow.cli.render import echo_json, echo_json_array


def register(plan: click.Group) -> None:
    """Attach history, diff and revisions to the `plan` group."""
    for command in (history, diff, revisions):
        plan.add_command(command)


def show_as_of(app: AppContext, key: str, text: str, *, as_json: bool) -> None:
    """`plan show --as-of`: the plan as recorded at moment `text`, as text or JSON."""
    from pacflow.app.plans import plan_as_of
    from pacflow.cli.plan_commands import render_plan

    then = plan_as_of(app.app, key, text)
    if as_json:
        echo_json(then.as_json())
        return
    zone = then.origin.zone
    local = then.moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    click.echo(
        f"As recorded at {local} {zone.key}: revision {then.state.revision} "
        f"({then.state.status}), {then.state.version} events"
    )
    click.echo(render_plan(then.view()))


# --- history -----------------------------------------------------------------------------


@click.command()
@plan_argument
@click.option(
    "--from", "since", metavar="DATETIME", help="Changes recorded from then (a date: its start)."
)
@click.option(
    "--to", "until", metavar="DATETIME", help="Changes recorded until then (a date: its end)."
)
@click.option("--changed-by", "actor", metavar="ACTOR", help="Changes made by that actor only.")
@renamed("--since", "--from", "since", metavar="DATETIME")
@renamed("--until", "--to", "until", metavar="DATETIME")
@renamed("--actor", "--changed-by", "actor", metavar="PERSON")
@click.option("--target", metavar="TARGET", help="Changes touching that target only.")
@click.option("--step", metavar="STEP", help="Changes touching that step (or its visits).")
@click.option(
    "--limit", type=int, metavar="N", help="Only the newest N changes that match (oldest first)."
)
@json_option
@pass_app
def history(
    app: AppContext,
    plan: str,
    since: str | None,
    until: str | None,
    actor: str | None,
    target: str | None,
    step: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """Show who changed the plan, when, why, one line per change.

    Times are when changes were recorded, in the plan's time zone; each line ends with the
    revision it belongs to and where it came from (cli, plan-file, calendar).

    \b
    Examples:
      pacflow plan history PAC-2025 --from 2025-03-10 --to 2025-03-11
      pacflow plan history PAC-2025 --step S08 --changed-by cd
      pacflow plan history PAC-2025 --target T1 --json
      pacflow plan history PAC-2025 --limit 20
    """
    from pacflow.app.plans import plan_history

    found = plan_history(
        app.app,
        plan,
        since=since,
        until=until,
        actor=actor,
        labels={"since": "--from", "until": "--to"},
        target=target,
        step=step,
        limit=limit,
    )
    if as_json:
        echo_json_array(found.as_json())
    elif not found.entries:
        click.echo("no change matches")
    else:
        for line in found.lines():
            click.echo(line)


# --- diff --------------------------------------------------------------------------------


@click.command(name="diff")
@plan_argument
@click.option("--from", "from_", metavar="DATETIME", help="Compare the plan as it was then…")
@click.option("--to", metavar="DATETIME", help="…with the plan as it was then [default: now].")
@click.option("--from-revision", metavar="N", help="Compare revision N as published…")
@click.option("--to-revision", metavar="N", help="…with revision N as published.")
@json_option
@pass_app
def diff(
    app: AppContext,
    plan: str,
    from_: str | None,
    to: str | None,
    from_revision: str | None,
    to_revision: str | None,
    as_json: bool,
) -> None:
    """Show what changed in the plan between two moments or two revisions.

    Targets, objectives, steps added, moved, reassigned, edited or cancelled, visits added,
    removed, moved or cancelled, team and indicator targets; progress (steps done, visits
    held) is not a change to the plan and is left out. A revision is the plan right after
    it was published (an open revision: as it is now).

    \b
    Examples:
      pacflow plan diff PAC-2025 --from 2025-06-01 --to 2025-07-01
      pacflow plan diff PAC-2025 --from-revision 1 --to-revision 2 --json
    """
    from pacflow.app.plans import plan_diff

    found = plan_diff(
        app.app,
        plan,
        from_=from_,
        to=to,
        from_revision=from_revision,
        to_revision=to_revision,
    )
    if as_json:
        echo_json(found.as_json())
        return
    for line in found.lines():
        click.echo(line)


# --- revisions ---------------------------------------------------------------------------


@click.command()
@plan_argument
@json_option
@pass_app
def revisions(app: AppContext, plan: str, as_json: bool) -> None:
    """List the plan's revisions: when and by whom each was opened and published, why, and
    which `pacflow check` findings each answered (open just before it was opened, gone once
    it was published; thresholds as they were then).

    Revision 1 is the plan as first drafted, approved and published; each later one was
    opened with `plan revise` and closed with `plan publish`.

    \b
    Examples:
      pacflow plan revisions PAC-2025
      pacflow plan revisions PAC-2025 --json
    """
    from pacflow.app.plans import plan_revisions

    found = plan_revisions(app.app, plan)
    if as_json:
        echo_json(found.as_json())
        return
    origin = found.origin

    def when(moment: datetime, actor: str | None, reason: str | None) -> str:
        return f"{origin.local(moment)} by {actor}" + (f" — {reason}" if reason else "")

    for revision in found.revisions:
        click.echo(f"revision {revision.number}  {revision.status}")
        click.echo(f"  opened     {when(revision.opened_at, revision.opened_by, revision.reason)}")
        if revision.approved_at is not None:
            approved = when(revision.approved_at, revision.approved_by, revision.approve_reason)
            click.echo(f"  approved   {approved}")
        if revision.published_at is not None:
            published = when(revision.published_at, revision.published_by, revision.publish_reason)
            click.echo(f"  published  {published}")
        noun = "change" if revision.changes == 1 else "changes"
        click.echo(f"  {revision.changes} {noun} while open")
        for answer in found.answered_by(revision.number):
            finding = answer.finding
            click.echo(f"  answered   [{finding.rule} {finding.subject}] {finding.message}")
