"""`pacflow visit|step|person|target|indicator list`: what a plan holds, filtered.

Text tables for people, `--json` for scripts (one object per row, the same shape as the
API). The filters use the same option names everywhere (docs/cli.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from pacflow.cli.common import json_option, pass_app, plan_argument
from pacflow.cli.context import AppContext
from pacflow.cli.render import echo_json, table

if TYPE_CHECKING:
    from pacflow.app.lists import Listing

person_filter = click.option(
    "--person", metavar="PERSON", help="Only what this person is responsible for or takes part in."
)


def register(
    *, visit: click.Group, step: click.Group, person: click.Group, target: click.Group,
    indicator: click.Group,
) -> None:  # fmt: skip
    """Attach a `list` command to each group."""
    visit.add_command(visit_list, "list")
    step.add_command(step_list, "list")
    person.add_command(person_list, "list")
    target.add_command(target_list, "list")
    indicator.add_command(indicator_list, "list")


def _show(
    listing: Listing,
    as_json: bool,
    headers: Sequence[str],
    row: Callable[[dict[str, Any]], Sequence[object]],
    empty: str,
) -> None:
    if as_json:
        echo_json(listing.as_json())
    elif not listing.rows:
        click.echo(f"{listing.plan}: {empty}")
    else:
        click.echo(table([row(r) for r in listing.rows], headers))


@click.command()
@plan_argument
@person_filter
@click.option("--step", metavar="STEP", help="Only the occurrences of this step.")
@click.option("--from", "first", metavar="DATE", help="From this local date (inclusive).")
@click.option("--to", "last", metavar="DATE", help="Up to this local date (inclusive).")
@click.option(
    "--status",
    metavar="STATUS",
    help="planned, done, cancelled, or to-report (planned, dated today or earlier).",
)
@json_option
@pass_app
def visit_list(
    app: AppContext,
    plan: str,
    person: str | None,
    step: str | None,
    first: str | None,
    last: str | None,
    status: str | None,
    as_json: bool,
) -> None:
    """List visits and sessions (occurrences) with their keys, by date.

    The KEY column is what `visit done`, `visit move` and `visit cancel` take.

    \b
    Examples:
      pacflow visit list PAC-2026 --person cd --status to-report
      pacflow visit list PAC-2026 --person cd --from 2026-05-04 --to 2026-05-10
      pacflow visit list PAC-2026 --step S08 --status done --json
    """
    from pacflow.app.lists import visit_list as query

    found = query(app.app, plan, person=person, step=step, first=first, last=last, status=status)
    _show(
        found,
        as_json,
        ["key", "start", "status", "responsible", "title"],
        lambda r: [
            r["key"],
            r["start"][:10] if r["all_day"] else r["start"].replace("T", " "),
            r["status"] + (f" {r['done_on']}" if r["done_on"] else ""),
            r["responsible"],
            r["title"],
        ],
        "no visit matches",
    )


@click.command()
@plan_argument
@person_filter
@click.option("--track", metavar="TRACK", help="Only the steps of this track.")
@click.option("--target", metavar="TARGET", help="Only the steps of this target's tracks.")
@click.option(
    "--status",
    metavar="STATUS",
    help="planned, in_progress, done, blocked, cancelled, open (not finished) or late.",
)
@json_option
@pass_app
def step_list(
    app: AppContext,
    plan: str,
    person: str | None,
    track: str | None,
    target: str | None,
    status: str | None,
    as_json: bool,
) -> None:
    """List steps in track order, with their status and schedule.

    \b
    Examples:
      pacflow step list PAC-2026 --person cd --status open
      pacflow step list PAC-2026 --target T1 --json
    """
    from pacflow.app.lists import step_list as query

    found = query(app.app, plan, person=person, track=track, target=target, status=status)
    _show(
        found,
        as_json,
        ["key", "track", "status", "responsible", "schedule", "title"],
        lambda r: [
            r["key"],
            r["track"],
            r["status"] + (" (late)" if r["late"] else ""),
            r["responsible"],
            r["schedule"]
            + (f" ({r['occurrences_done']}/{r['occurrences']} done)" if r["occurrences"] else ""),
            r["title"],
        ],
        "no step matches",
    )


@click.command()
@plan_argument
@click.option("--kind", metavar="KIND", help="rep, manager or back_office.")
@json_option
@pass_app
def person_list(app: AppContext, plan: str, kind: str | None, as_json: bool) -> None:
    """List the team, with each person's open steps.

    \b
    Example:
      pacflow person list PAC-2026 --kind rep
    """
    from pacflow.app.lists import person_list as query

    _show(
        query(app.app, plan, kind=kind),
        as_json,
        ["key", "kind", "name", "sector", "open steps", "left"],
        lambda r: [
            r["key"], r["kind"], r["name"], r["sector"] or "", r["open_steps"], r["left_on"] or ""
        ],
        "no person matches",
    )  # fmt: skip


@click.command()
@plan_argument
@person_filter
@json_option
@pass_app
def target_list(app: AppContext, plan: str, person: str | None, as_json: bool) -> None:
    """List the targets (cibles), their main objective and tracks.

    \b
    Example:
      pacflow target list PAC-2026 --person cd
    """
    from pacflow.app.lists import target_list as query

    def objective(r: dict[str, Any]) -> str:
        o = r["objective"]
        return f"{o['value']} {o['unit']} by {o['due']}" if o else ""

    _show(
        query(app.app, plan, person=person),
        as_json,
        ["key", "kind", "responsible", "objective", "title"],
        lambda r: [
            r["key"],
            r["kind"] + (" (dropped)" if r["dropped"] else ""),
            r["responsible"],
            objective(r),
            r["title"],
        ],
        "no target matches",
    )


@click.command()
@plan_argument
@person_filter
@json_option
@pass_app
def indicator_list(app: AppContext, plan: str, person: str | None, as_json: bool) -> None:
    """List the indicators: per what period, fed how (typed in or derived), last value.

    \b
    Example:
      pacflow indicator list PAC-2026
    """
    from pacflow.app.lists import indicator_list as query

    _show(
        query(app.app, plan, person=person),
        as_json,
        ["key", "per", "unit", "owner", "fed by", "last value", "name"],
        lambda r: [
            r["key"],
            r["per"],
            r["unit"],
            r["owner"],
            r["fed_by"],
            r["last_recorded"] or "",
            r["name"],
        ],
        "no indicator matches",
    )
