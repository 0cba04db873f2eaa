"""A command that only reads never creates a store: on a --db where none exists it says so
in one line (exit 3, store unavailable) and leaves no file behind; only commands that
record (and `init`) create one."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pacflow.cli import main
from tests.cli.plan_fixtures import assert_one_line_error, ok
from tests.cli.test_command_language import commands

WRITERS = {
    ("init",),
    ("demo",),
    ("serve",),
    ("access", "grant"),
    ("access", "revoke"),
    ("calendar", "connect"),
}
"""Commands without --dry-run that record something, so may create the store."""

NO_STORE = {("schema", "plan-file")}
"""Commands that never open a store."""

EXTRA_ARGS: dict[tuple[str, ...], list[str]] = {("report",): ["--by", "theme"]}
"""What a command needs besides its arguments to get as far as reading the store."""


def _readers() -> list[tuple[str, ...]]:
    return [
        path
        for path, command in commands()
        if path not in WRITERS | NO_STORE
        and not any(param.name == "dry_run" for param in command.params)
    ]


def test_the_readers_are_what_they_seem() -> None:
    readers = {" ".join(path) for path in _readers()}
    assert {"info", "plan list", "plan show", "visit list", "store log"} <= readers
    assert not readers & {"plan create", "visit import", "sync", "init"}


@pytest.mark.parametrize("path", _readers(), ids=" ".join)
def test_a_read_command_on_a_missing_store_creates_nothing(
    runner: CliRunner, tmp_path: Path, path: tuple[str, ...]
) -> None:
    store = tmp_path / "typo.db"
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    arguments = ["X" for p in command.params if isinstance(p, click.Argument)]
    args = ["--db", f"sqlite:///{store}", *path, *arguments, *EXTRA_ARGS.get(path, [])]
    message = assert_one_line_error(runner.invoke(main, args), code=3)
    assert message == (
        f"no store at {store}: nothing was recorded there yet (see `pacflow init`, or record "
        "a first change)"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_default_store_is_not_made_by_reading(runner: CliRunner, tmp_path: Path) -> None:
    env = {"PACFLOW_DB": None, "XDG_DATA_HOME": str(tmp_path / "data")}
    result = runner.invoke(main, ["plan", "list"], env=env)
    assert result.exit_code == 3
    assert not (tmp_path / "data").exists()
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    assert runner.invoke(main, ["plan", "list", "--json"], env=env).output == "[]\n"


def test_a_change_creates_the_store(runner: CliRunner, tmp_path: Path) -> None:
    store = tmp_path / "new.db"
    create = ["plan", "create", "P", "--title", "P", "--start", "2026-01-01", "--end",
              "2026-12-31", "--timezone", "Europe/Paris", "--owner", "hg"]  # fmt: skip
    ok(runner, ["--db", f"sqlite:///{store}", *create])
    assert store.exists()
