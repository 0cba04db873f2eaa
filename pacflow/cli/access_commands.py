"""`pacflow access grant|list|revoke`: the links that let people reach the plan served by
`pacflow serve` (their calendar feed, their page, reporting, the JSON API)."""

from __future__ import annotations

import click

from pacflow.cli.common import json_option, pass_app, plan_argument
from pacflow.cli.context import AppContext
from pacflow.cli.render import echo_json, table

DEFAULT_SERVER_URL = "http://127.0.0.1:8000"

reason_option = click.option(
    "--reason",
    metavar="TEXT",
    help="Why: recorded in the audit trail with the grant or revocation (optional, even on "
    "a published plan: handing out a link changes nothing in the plan).",
)


@click.group()
def access() -> None:
    """Hand people links to the plan served by `pacflow serve`, list and revoke them.

    \b
    Scopes (each includes the one before, except api):
      feed    their calendar feed (a manager's: the team's too)
      read    also their page (a manager's or back office's: every page of the plan)
      report  also report from their page: visit held or not, moved, step done
      api     the JSON API, with an Authorization: Bearer header

    \b
    Examples:
      pacflow access grant PAC-2026 cd --scope report
      pacflow access grant PAC-2026 hg --scope read --url https://pac.example.com
      pacflow access list PAC-2026
      pacflow access revoke PAC-2026 3f9a1c0d2b4e --reason "phone lost"
    """


@access.command()
@plan_argument
@click.argument("person", metavar="PERSON")
@click.option(
    "--scope",
    required=True,
    metavar="feed|read|report|api",
    help="What the link allows (see `pacflow access --help`).",
)
@click.option(
    "--url",
    "server_url",
    envvar="PACFLOW_SERVER_URL",
    default=DEFAULT_SERVER_URL,
    show_default=True,
    metavar="URL",
    help="The server's address as people reach it [env PACFLOW_SERVER_URL].",
)
@reason_option
@json_option
@pass_app
def grant(
    app: AppContext,
    plan: str,
    person: str,
    scope: str,
    server_url: str,
    reason: str | None,
    as_json: bool,
) -> None:
    """Give PERSON a link to PLAN; the link is printed once and never stored.

    The grant (who, which scope, when, by whom) goes into the plan's audit trail; only a
    hash of its secret is kept. Hand the link over through a channel you trust.

    \b
    Examples:
      pacflow access grant PAC-2026 cd --scope report
      pacflow access grant PAC-2026 hg --scope read --url https://pac.example.com
      pacflow access grant PAC-2026 hg --scope api --json
    """
    from pacflow.app.access import grant as grant_access

    handed = grant_access(app.app, plan, person, scope, actor=app.actor, reason=reason)
    links = _links(server_url, handed.token, scope)
    if as_json:
        echo_json({**handed.as_json(), "links": links})
        return
    click.echo(
        f"{plan}: {scope} access for {person} (grant {handed.grant.grant_id}). "
        "Hand these over now; they are not shown again:"
    )
    width = max(len(name) for name in links) + 1
    for name, link in links.items():
        click.echo(f"  {name + ':':<{width}} {link}")


def _links(server_url: str, token: str, scope: str) -> dict[str, str]:
    base = server_url.rstrip("/")
    if scope == "api":
        return {"api": f"{base}/api/v1/", "token": token}
    feed = f"{base}/feeds/{token}.ics"
    links = {"feed": feed, "webcal": "webcal://" + feed.split("://", 1)[-1]}
    if scope != "feed":
        links = {"page": f"{base}/p/{token}", **links}
    return links


@access.command(name="list")
@plan_argument
@click.option("--person", metavar="KEY", help="Only this person's grants.")
@json_option
@pass_app
def list_grants(app: AppContext, plan: str, person: str | None, as_json: bool) -> None:
    """The plan's grants, revoked ones included (never their secrets).

    \b
    Examples:
      pacflow access list PAC-2026
      pacflow access list PAC-2026 --person cd --json
    """
    from pacflow.app.access import grant_json, grants
    from pacflow.app.plans import origin

    found = grants(app.app, plan, person=person)
    if as_json:
        echo_json([grant_json(one) for one in found])
        return
    if not found:
        click.echo(f"{plan}: no grant yet (pacflow access grant {plan} PERSON --scope feed)")
        return
    local = origin(app.app, plan).local
    rows = [
        (
            one.grant_id,
            one.person,
            one.scope,
            local(one.granted_at),
            one.granted_by,
            "active" if one.active else f"revoked {local(one.revoked_at)}",  # type: ignore[arg-type]
        )
        for one in found
    ]
    click.echo(table(rows, ["grant", "person", "scope", "granted", "by", "state"]))


@access.command()
@plan_argument
@click.argument("grant_id", metavar="GRANT")
@reason_option
@json_option
@pass_app
def revoke(app: AppContext, plan: str, grant_id: str, reason: str | None, as_json: bool) -> None:
    """Stop a grant from working at once (its feed, page and API calls answer 404).

    \b
    Examples:
      pacflow access revoke PAC-2026 3f9a1c0d2b4e --reason "phone lost"
    """
    from pacflow.app.access import grant_json
    from pacflow.app.access import revoke as revoke_access

    revoked = revoke_access(app.app, plan, grant_id, actor=app.actor, reason=reason)
    if as_json:
        echo_json(grant_json(revoked))
    else:
        click.echo(f"{plan}: grant {grant_id} ({revoked.person}, {revoked.scope}) revoked")


__all__ = ["access"]
