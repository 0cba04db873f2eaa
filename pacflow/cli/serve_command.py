"""`pacflow serve`: the plan for the whole team over HTTP (pages, feeds, JSON API)."""

from __future__ import annotations

import ipaddress
import os

import click

from pacflow.cli.common import pass_app
from pacflow.cli.context import AppContext
from pacflow.errors import InvalidInputError

APP_FACTORY = "pacflow.web.process:application"
"""What each worker process imports when there are several (its store from PACFLOW_DB)."""


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    metavar="ADDRESS",
    help="Address to listen on. Loopback by default: put a reverse proxy with TLS in front "
    "(docs/serve.md) rather than listening on a public address.",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes (several need a store they can share: PostgreSQL, or SQLite on "
    "one machine).",
)
@click.option(
    "--public-url",
    envvar="PACFLOW_SERVER_URL",
    metavar="URL",
    help="The address people reach the server at, for the links on its pages "
    "[env PACFLOW_SERVER_URL; default: the address of each request].",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    help="What the server logs (requests at info, with every token replaced by <token>).",
)
@pass_app
def serve(
    app: AppContext,
    host: str,
    port: int,
    workers: int,
    public_url: str | None,
    log_level: str,
) -> None:
    """Serve the plans of the store to the team: pages, calendar feeds, a JSON API.

    Everyone reaches it through a link from `pacflow access grant`: a rep sees their own
    page and calendar feed and reports visits from their phone; a manager sees every page
    of the plan (by theme, rep, sector, target; dashboard; check; history; diff, each
    as of any date). The OpenAPI description is at /api/v1/openapi.json.

    \b
    Examples:
      pacflow serve
      pacflow --db postgresql+psycopg://pacflow@db/pacflow serve --workers 4
      pacflow serve --port 8080 --public-url https://pac.example.com
    """
    import uvicorn

    _check_host(host)
    url = app.url  # the default SQLite file, made absolute, when none was given
    if workers > 1:
        os.environ["PACFLOW_DB"] = url
        if public_url:
            os.environ["PACFLOW_SERVER_URL"] = public_url
        target: object = APP_FACTORY
    else:
        from pacflow.web import create_app

        target = create_app(app.app, public_url=public_url)
    click.echo(f"pacflow serving {_safe(url)} on http://{host}:{port} (Ctrl+C to stop)", err=True)
    uvicorn.run(
        target,  # type: ignore[arg-type]
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        factory=workers > 1,
        access_log=False,  # ours (pacflow.web.access) writes paths without their tokens
        log_level=log_level,
        log_config=_log_config(log_level),
        server_header=False,
    )


def _log_config(level: str) -> dict[str, object]:
    """uvicorn's logging, with pacflow's loggers (the access log) on the same handler; each
    worker process applies it."""
    from uvicorn.config import LOGGING_CONFIG

    config = {**LOGGING_CONFIG, "loggers": dict(LOGGING_CONFIG["loggers"])}
    config["formatters"] = {
        **LOGGING_CONFIG["formatters"],
        "pacflow": {"format": "%(asctime)s %(name)s %(message)s"},
    }
    config["handlers"] = {
        **LOGGING_CONFIG["handlers"],
        "pacflow": {
            "formatter": "pacflow",
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
        },
    }
    config["loggers"]["pacflow"] = {
        "handlers": ["pacflow"],
        "level": level.upper(),
        "propagate": False,
    }
    return config


def _check_host(host: str) -> None:
    if host in ("localhost", ""):
        return
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise InvalidInputError(
            f"--host {host!r}: expected an IP address to listen on (127.0.0.1, ::1, 0.0.0.0)"
        ) from None


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the store"


__all__ = ["serve"]
