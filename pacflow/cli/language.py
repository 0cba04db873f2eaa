"""The command language's old spellings, kept working for a release (docs/cli.md).

An option renamed so that one name means one thing everywhere keeps its old spelling as a
hidden option: the command runs as if the new one was given, after a one-line notice on
stderr saying what to type instead (scripts and muscle memory keep working, and learn).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def deprecation_notice(old: str, new: str) -> None:
    """The one line that says an old spelling still works, and what replaces it."""
    click.echo(f"warning: {old} is deprecated, use {new} (docs/cli.md)", err=True)


def renamed(old: str, new: str, dest: str, **attributes: Any) -> Callable[[F], F]:
    """A hidden option `old` that fills the parameter `dest` of the option `new`, with a
    deprecation notice; giving both is a usage error. `attributes` are the old option's
    (`multiple=True`, `is_flag=True`, `metavar`…), as they were."""
    hidden_dest = f"deprecated_{dest}_{old.strip('-').replace('-', '_')}"

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            value = kwargs.pop(hidden_dest)
            given = value not in (None, (), False)
            if given:
                current = kwargs.get(dest)
                if current not in (None, (), False):
                    raise click.UsageError(f"give {new} only ({old} is its old spelling)")
                deprecation_notice(old, new)
                kwargs[dest] = value
            return function(*args, **kwargs)

        option = click.option(old, hidden_dest, hidden=True, **attributes)
        return option(wrapper)  # type: ignore[return-value]

    return decorate


def renamed_value(option: str, old: str, new: str, value: str) -> str:
    """An option value renamed (`--format json` → `--json`): the new value, and the notice."""
    if value == old:
        deprecation_notice(f"{option} {old}", new)
    return value
