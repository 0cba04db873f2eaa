"""Every command explains itself, with an example."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from pacflow.cli import main


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        path = (*prefix, name)
        yield path
        if isinstance(command, click.Group):
            yield from _commands(command, path)


ALL_COMMANDS = sorted(_commands(main))


def test_there_are_commands_to_check() -> None:
    assert ("store", "verify") in ALL_COMMANDS


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]  # type: ignore[assignment]
    assert command.help, f"pacflow {' '.join(path)} has no help text"
    if not isinstance(command, click.Group):
        assert "Example" in result.output, f"pacflow {' '.join(path)} --help shows no example"
