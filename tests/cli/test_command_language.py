"""One command language (docs/cli.md), checked over the whole click tree."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pacflow.cli import main
from tests.cli.plan_fixtures import PLAN, build_example, invoke, ok, ok_json

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"

NO_JSON = {
    ("export", "ics"): "writes an iCalendar file",
    ("export", "yaml"): "writes a plan file",
    ("schema", "plan-file"): "prints a JSON Schema",
    ("serve",): "runs the team server",
    ("store", "checkpoint", "export"): "writes the checkpoints as JSON lines",
}
"""Commands that write a file of their own format instead of printing data."""


def commands(group: click.Command = main, path: tuple[str, ...] = ()) -> Iterator[
    tuple[tuple[str, ...], click.Command]
]:  # fmt: skip
    if isinstance(group, click.Group):
        for name, command in sorted(group.commands.items()):
            yield from commands(command, (*path, name))
    else:
        yield path, group


def options(command: click.Command) -> Iterator[click.Option]:
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            yield param


def documented() -> set[str]:
    """Every option name docs/cli.md explains (in backquotes)."""
    return set(re.findall(r"`(--[a-z][a-z-]*)", DOC.read_text(encoding="utf-8")))


def test_every_option_is_in_the_command_language() -> None:
    known = documented()
    missing = sorted(
        f"{' '.join(path)} {name}"
        for path, command in commands()
        for option in options(command)
        for name in (*option.opts, *option.secondary_opts)
        if name.startswith("--") and name not in known
    )
    assert missing == [], f"options not in docs/cli.md: {missing}"


def test_every_command_that_prints_data_has_json() -> None:
    without = [
        " ".join(path)
        for path, command in commands()
        if path not in NO_JSON and not any(o.name == "as_json" for o in options(command))
    ]
    assert without == []


def test_format_never_means_json() -> None:
    for path, command in commands():
        for option in options(command):
            if "--format" in option.opts:
                shown = option.metavar or ""
                assert "json" not in shown, f"{' '.join(path)} --format offers json"
                assert not isinstance(option.type, click.Choice), " ".join(path)


def test_old_spellings_are_hidden() -> None:
    for path, command in commands():
        names = {name for option in options(command) for name in option.opts}
        assert not names & {"--since", "--until", "--effective"} or path == ("demo",), path
        if path != ("report",):
            assert "--by" not in names, path


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    build_example(runner)
    return runner


@pytest.mark.parametrize(
    ("old", "new", "notice"),
    [
        (
            ["step", "assign", PLAN, "S02", "--to", "kb"],
            ["step", "assign", PLAN, "S02", "--responsible", "kb"],
            "--to is deprecated, use --responsible",
        ),
        (
            ["indicator", "set-targets", PLAN, "I2", "--target", "2025-03=3"],
            ["indicator", "set-targets", PLAN, "I2", "--period-target", "2025-03=3"],
            "--target is deprecated, use --period-target",
        ),
        (
            ["market", "record", PLAN, "--summary", "Fusion", "--affects", "target:T1",
             "--effective", "2025-06-16"],
            ["market", "record", PLAN, "--summary", "Fusion", "--affects", "target:T1",
             "--on", "2025-06-16"],
            "--effective is deprecated, use --on",
        ),
    ],
)  # fmt: skip
def test_an_old_spelling_still_works_with_a_one_line_notice(
    example: CliRunner, old: list[str], new: list[str], notice: str
) -> None:
    expected = ok_json(example, [*new, "--dry-run"])
    result = ok(example, [*old, "--dry-run", "--json"])
    assert result.stderr == f"warning: {notice} (docs/cli.md)\n"
    assert [e["data"] for e in ok_json(example, [*old, "--dry-run"])["events"]] == [
        e["data"] for e in expected["events"]
    ]
    both = invoke(example, [*old, *new[len(old) - 1 :], "--dry-run"])
    assert both.exit_code == 2


def test_french_method_words_in_the_cli(example: CliRunner) -> None:
    ok(example, ["track", "add", PLAN, "T1-NOTO", "--target", "T1", "--domain", "Vente",
                 "--approach", "notoriété", "--title", "Faire connaître"])  # fmt: skip
    ok(example, ["person", "add", PLAN, "sm", "--name", "Sophie Martin", "--kind", "commercial"])
    people = {p["key"]: p["kind"] for p in ok_json(example, ["person", "list", PLAN])}
    assert people["sm"] == "rep"
    track = ok_json(example, ["plan", "show", PLAN])["tracks"][-1]
    assert (track["domain"], track["approach"]) == ("sales", "notoriety")


def test_objective_revise_takes_objective_as_objective_set_does(example: CliRunner) -> None:
    ok(example, ["plan", "approve", PLAN])
    ok(example, ["plan", "publish", PLAN])
    ok(example, ["plan", "revise", PLAN, "--reason", "fusion"])
    new = ["objective", "revise", PLAN, "T1", "--objective", "main", "--value", "400",
           "--reason", "fusion"]  # fmt: skip
    assert ok_json(example, [*new, "--dry-run"])["events"][0]["data"]["value"] == "400"
    old = ok(example, ["objective", "revise", PLAN, "T1", "main", "--value", "400",
                       "--reason", "fusion", "--dry-run"])  # fmt: skip
    assert old.stderr.startswith("warning: the OBJECTIVE argument is deprecated")


def test_set_limits_changes_only_what_is_given(example: CliRunner) -> None:
    ok(example, ["plan", "set-limits", PLAN, "--total", "9"])
    limits = ok_json(example, ["plan", "show", PLAN])["limits"]
    assert limits == {"max_targets_per_rep": 2, "max_targets_total": 9}
    assert invoke(example, ["plan", "set-limits", PLAN]).exit_code == 2


def test_no_help_prints_a_literal_backslash_b(runner: CliRunner) -> None:
    shown = [
        " ".join(path)
        for path, _command in commands()
        if "\\b" in runner.invoke(main, [*path, "--help"]).output
    ]
    assert shown == []
