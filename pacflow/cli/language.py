"""The command language's old spellings, kept working for a release (docs/cli.md).

An option renamed so that one name means one thing everywhere keeps its old spelling as a
hidden option: the command runs as if the new one was given, after a one-line notice on
stderr saying what to type instead (scripts and muscle memory keep working, and learn).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
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


EXTENSIONS = {".html": "html", ".htm": "html", ".json": "json", ".md": "md", ".markdown": "md",
              ".csv": "csv"}  # fmt: skip
"""What each file extension `-o` accepts is written as."""


def output_format(
    *,
    as_json: bool,
    fmt: str | None,
    output: str | None,
    formats: tuple[str, ...],
    default: str,
) -> str:
    """The one format a command writes, from `--json`, `--format` and `-o`'s extension.

    `--json` is how JSON is asked for everywhere (`--format json` still works, with a
    notice). Without either, `-o`'s extension decides; an extension this command cannot
    write, one that contradicts the format asked, or `--json` with another `--format`, are
    usage errors: nothing is guessed (an explicit format may go to any other file name).
    """
    if fmt is not None:
        fmt = "md" if fmt.strip().lower() == "markdown" else fmt.strip().lower()
        if fmt not in formats:
            raise click.BadParameter(
                f"{fmt!r}: expected one of {', '.join(f for f in formats if f != 'json')}",
                param_hint="--format",
            )
    if fmt == "json":
        deprecation_notice("--format json", "--json")
    elif as_json and fmt is not None:
        raise click.UsageError(f"--json and --format {fmt} ask for two formats: give one")
    chosen = "json" if as_json else fmt
    if output is not None and output != "-" and not Path(output).is_dir():
        suffix = Path(output).suffix.lower()
        by_name = EXTENSIONS.get(suffix)
        if chosen is None:
            if by_name is None or by_name not in formats:
                writable = sorted(e for e, f in EXTENSIONS.items() if f in formats)
                raise click.UsageError(
                    f"-o {output}: cannot write {suffix or 'a file without extension'}; "
                    f"give a name ending in {', '.join(writable)} (or --format)"
                )
            return by_name
        if by_name is not None and by_name != chosen:
            raise click.UsageError(f"-o {output} is a {by_name} file name, but {chosen} was asked")
    return chosen or default
