"""Turning errors into one line on stderr and an exit code (see pacflow.errors)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

import click

from events import EventStoreError
from pacflow.cli.context import language
from pacflow.errors import PacflowError
from pacflow.storage import translate_store_error


@contextmanager
def report_errors(ctx: click.Context) -> Iterator[None]:
    """Print pacflow and store errors as `error: ...` and exit with their code."""
    from pacflow.app.words import error_text

    try:
        yield
    except PacflowError as error:
        click.echo(f"error: {one_line(error_text(error, language(ctx)))}", err=True)
        ctx.exit(error.exit_code)
    except EventStoreError as error:
        translated = translate_store_error(error)
        click.echo(f"error: {one_line(error_text(translated, language(ctx)))}", err=True)
        ctx.exit(translated.exit_code)


def one_line(text: str) -> str:
    """`text` with line breaks and other control characters escaped (`\\x1b`): what a user
    typed may end up in a message, and must not drive their terminal or split the line."""
    if text.isprintable():
        return text
    return "".join(
        repr(character)[1:-1] if unicodedata.category(character) in _ESCAPED else character
        for character in text
    )


_ESCAPED = frozenset({"Cc", "Cs", "Zl", "Zp"})
