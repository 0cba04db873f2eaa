"""`pacflow export ics` and `pacflow calendar connect|list`: plans in people's calendars.

Connections are kept outside the event log, with the name of a variable or a command that
gives the password, never the password itself (see `integrations.accounts`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

from pacflow.cli.common import creates_store, json_option, pass_app, plan_argument
from pacflow.cli.context import AppContext
from pacflow.cli.render import echo_json, table
from pacflow.files import write_atomically

if TYPE_CHECKING:
    from integrations.accounts import CalendarAccount


@click.command(name="ics")
@plan_argument
@click.option(
    "--person",
    metavar="KEY",
    help="Only the items this person is responsible for (their calendar) [whole plan].",
)
@click.option(
    "--as-of",
    metavar="DATETIME",
    help="The plan as recorded at that moment: a date (end of day), a local date-time, "
    "or one with an offset.",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="File [stdout]."
)
@pass_app
def export_ics(
    app: AppContext, plan: str, person: str | None, as_of: str | None, output: Path | None
) -> None:
    """Write the plan's steps (VTODO) and visits or sessions (VEVENT) as an iCalendar file.

    Steps with a due date become tasks; each occurrence of a visit series or session list
    becomes an event. With --person, only what that person is responsible for: import it
    into their calendar app. The same plan always gives the same file.

    \b
    Examples:
      pacflow export ics PAC-2025 --person cd -o claire.ics
      pacflow export ics PAC-2025 --as-of 2025-06-01 > pac-2025-june.ics
    """
    from pacflow.app.piloting import calendar_file

    data = calendar_file(app.app, plan, person=person, as_of=as_of)
    if output is None:
        click.echo(data, nl=False)
        return
    write_atomically(output, data, "the calendar")
    click.echo(f"wrote {output}", err=True)


# --- calendar connections ----------------------------------------------------------------


@click.group()
def calendar() -> None:
    """Connect people's CalDAV calendars to a plan (where their steps and visits go)."""


@calendar.command()
@plan_argument
@click.argument("person", metavar="PERSON")
@click.option(
    "--url",
    required=True,
    metavar="URL",
    help="The person's CalDAV server or calendar home, e.g. https://dav.example.com/cd/.",
)
@click.option("--username", required=True, metavar="USER", help="Login on that server.")
@click.option(
    "--password-env",
    metavar="VAR",
    help="Environment variable that holds the password when pacflow runs.",
)
@click.option(
    "--password-command",
    metavar="CMD",
    help="Command that prints the password, e.g. 'pass show caldav/cd' (run without a shell).",
)
@json_option
@creates_store
@pass_app
def connect(
    app: AppContext,
    plan: str,
    person: str,
    url: str,
    username: str,
    password_env: str | None,
    password_command: str | None,
    as_json: bool,
) -> None:
    """Record where PERSON's calendar is; connecting again replaces the connection.

    The password is never stored: only the variable's name or the command is, and it is
    read when pacflow talks to the server.

    \b
    Examples:
      pacflow calendar connect PAC-2025 cd --url https://dav.example.com/cd/ \\
        --username claire --password-env PACFLOW_CALDAV_CD
      pacflow calendar connect PAC-2025 kb --url https://dav.example.com/kb/ \\
        --username karim --password-command 'pass show caldav/karim'
    """
    from pacflow.app.calendars import connect_calendar

    connection = connect_calendar(
        app.app,
        plan,
        person,
        url=url,
        username=username,
        password_env=password_env,
        password_command=password_command,
        actor=app.actor,
    )
    account = connection.account
    if as_json:
        echo_json(_account_json(account))
        return
    click.echo(
        f"{plan}: calendar of {person} ({connection.person_name}) at {account.url} as "
        f"{username}, password from {account.password_hint}"
    )


@calendar.command(name="list")
@plan_argument
@json_option
@pass_app
def list_accounts(app: AppContext, plan: str, as_json: bool) -> None:
    """Show the plan's calendar connections (never a password), last sync and state.

    \b
    Examples:
      pacflow calendar list PAC-2025
      pacflow calendar list PAC-2025 --json
    """
    from pacflow.app.calendars import calendar_accounts

    listed = calendar_accounts(app.app, plan)
    if as_json:
        echo_json([_account_json(item.account) for item in listed])
        return
    if not listed:
        click.echo(f"{plan}: no calendar connected (see `pacflow calendar connect --help`)")
        return
    rows = [
        (
            item.account.person,
            item.account.url,
            item.account.username,
            item.account.password_hint,
            _local(item.account.last_sync_at, item.zone),
            item.account.last_sync_state or "never synced",
        )
        for item in listed
    ]
    click.echo(table(rows, ["PERSON", "URL", "USERNAME", "PASSWORD", "LAST SYNC", "STATE"]))


def _local(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "-"
    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"


def _account_json(account: CalendarAccount) -> dict[str, object]:
    return {
        "plan": account.plan,
        "person": account.person,
        "url": account.url,
        "username": account.username,
        "password_source": account.password_source.value,
        "password_ref": account.password_ref,
        "connected_at": account.connected_at,
        "connected_by": account.connected_by,
        "last_sync_at": account.last_sync_at,
        "state": account.last_sync_state or "never synced",
    }
