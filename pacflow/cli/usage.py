"""Bad option values are usage errors (exit 2), as click's own are (docs/cli.md).

The application layer refuses a malformed value with an `InvalidInputError`: either a
command field pydantic refused (code `invalid-value`, the field's path as subject), or a
message that starts with the option at fault (`--from 'June': expected a month…`). Where
that value came from an option the user typed, the CLI reports it as a usage error naming
the option, as click does for a bad `--delimiter`: "Error: --start '2025-13-01': …",
exit 2. Everything else, and every
rule the plan refuses, stays a one-line `error:` with exit 1.
"""

from __future__ import annotations

import re

import click
from click.core import ParameterSource

from pacflow.errors import InvalidInputError

_FIELD_OPTIONS = {
    "count": "cadence",
    "per": "cadence",
    "derived": "derive",
    "language": "lang",
    "report kind": "kind",
}
"""Fields (or what a refusal is about) filled from an option of another name."""

_GIVEN = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)

_MALFORMED = frozenset({"invalid-input", "invalid-moment"})
"""Codes of errors about a value's form; other codes say what the plan makes of it."""


def _given_option(ctx: click.Context, name: str, error: InvalidInputError) -> click.Option | None:
    """The option `name` if the user gave it, and gave the value `error` is about (the
    message starts `PATH 'VALUE':`, as `describe_validation_error` writes it)."""
    from pacflow.domain.validation_words import shown_input

    for param in ctx.command.params:
        if isinstance(param, click.Option) and param.name == name:
            if ctx.get_parameter_source(name) not in _GIVEN:
                return None
            value = ctx.params.get(name)
            values = value if isinstance(value, tuple | list) else (value,)
            heads = [f"{error.subject}{shown_input(v)}:" for v in values]
            return param if any(error.message.startswith(head) for head in heads) else None
    return None


def _by_field(error: InvalidInputError, ctx: click.Context) -> click.UsageError | None:
    """A command field refused: the option whose value it was, if the user gave it."""
    path = error.subject or ""
    parts = [part for part in re.split(r"[.\[\]]", path) if part and not part.isdigit()]
    for part in reversed(parts):  # `schedule.sessions[0].start`: --start, else --session
        option = _given_option(ctx, _FIELD_OPTIONS.get(part, part), error)
        if option is None:
            continue
        detail = error.message
        if detail.startswith(path):
            detail = detail[len(path) :].lstrip(":")
        return click.UsageError(f"{option.opts[0]}{detail}", ctx=ctx)
    return None


def _by_message(error: InvalidInputError, ctx: click.Context) -> click.UsageError | None:
    """A message that names an option of this command first (`--status 'x': …`, or after
    what it is about: `indicator I2: --from 2025-06 is after --to 2025-05`), about its form
    (not, say, a well-formed period outside the plan: code `outside-plan`, exit 1)."""
    match = re.match(r"(?:[^:'\s]+ [^:'\s]+: )?(--[a-z][a-z-]*)", error.message)
    if match is None or error.code not in _MALFORMED:
        return None
    names = {
        name
        for param in ctx.command.params
        if isinstance(param, click.Option)
        for name in (*param.opts, *param.secondary_opts)
    }
    if match[1] not in names:
        return None
    from pacflow.app.words import message
    from pacflow.cli.context import language

    return click.UsageError(message(error, language(ctx)), ctx=ctx)


def as_usage_error(error: InvalidInputError, ctx: click.Context) -> click.UsageError | None:
    """The usage error `error` is, when an option's value (or options missing or given
    together) caused it; None otherwise."""
    if error.code == "invalid-value":
        return _by_field(error, ctx)
    if error.code in ("missing-option", "conflicting-options"):
        return click.UsageError(error.message, ctx=ctx)
    return _by_message(error, ctx)
