"""Turning errors into one line on stderr and an exit code (see pacflow.errors)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from events import EventStoreError
from pacflow.errors import PacflowError
from pacflow.storage import translate_store_error


@contextmanager
def report_errors(ctx: click.Context) -> Iterator[None]:
    """Print pacflow and store errors as `error: ...` and exit with their code."""
    from pacflow.app.words import error_text

    try:
        yield
    except PacflowError as error:
        click.echo(f"error: {error_text(error)}", err=True)
        ctx.exit(error.exit_code)
    except EventStoreError as error:
        translated = translate_store_error(error)
        click.echo(f"error: {error_text(translated)}", err=True)
        ctx.exit(translated.exit_code)
