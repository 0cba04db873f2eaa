"""docs/replanning.md: its worked example runs as written, and prints what it shows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.plan_fixtures import assert_one_line_error, invoke, ok

DOC = Path(__file__).resolve().parents[2] / "docs" / "replanning.md"


def _blocks() -> list[tuple[str, str]]:
    """(language, text) of every fenced block of the page, in order."""
    text = DOC.read_text(encoding="utf-8")
    return [(m[1], m[2]) for m in re.finditer(r"```(\w*)\n(.*?)\n```", text, re.DOTALL)]


def test_the_worked_example_runs_and_prints_what_the_page_shows(
    runner: CliRunner, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    output: list[str] = []
    ran = 0
    for language, text in _blocks():
        if language == "sh":
            output = []
            for line in text.splitlines():
                words = shlex.split(line)
                if words[0] == "export":
                    for assignment in words[1:]:
                        name, _, value = assignment.partition("=")
                        assert name in ("PACFLOW_DB", "PACFLOW_ACTOR"), name
                        if name == "PACFLOW_ACTOR":
                            monkeypatch.setenv(name, value)
                    continue  # the store is the test's own (PACFLOW_DB=db_url)
                assert words[0] == "pacflow", line
                output.extend(ok(runner, words[1:]).stdout.splitlines())
                ran += 1
        elif output:  # what the commands just above print
            shown = [line for line in text.splitlines() if "..." not in line]
            missing = [line for line in shown if line not in output]
            assert not missing, f"the page shows lines the commands did not print: {missing}"
    assert ran >= 15


@pytest.mark.parametrize(
    ("until", "expected"),
    [
        ("June", "--until 'June': expected a date (2025-06-01), a local date-time"),
        ("2025-03-30T02:30", "--until 2025-03-30T02:30 does not exist in Europe/Paris"),
    ],
)
def test_demo_until_needs_a_moment_that_exists(runner: CliRunner, db_url: str, until: str,
                                            expected: str) -> None:  # fmt: skip
    message = assert_one_line_error(invoke(runner, ["demo", "--until", until]))
    assert message.startswith(expected)
    assert ok(runner, ["plan", "list", "--json"]).stdout.strip() == "[]"  # nothing recorded
