"""The README's "Using it" runs as written: the year of PAC-2026, command after command on
the days its blocks name, with the CSV files it shows; then the demo plan's commands."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from freezegun import freeze_time

from tests.cli.plan_fixtures import invoke

ROOT = Path(__file__).resolve().parents[2]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip

NOT_RUN = {
    ("sync",): "talks to a CalDAV server (tests/integrations run sync against Radicale)",
    ("serve",): "runs until stopped (tests/web run the server)",
}
"""Commands of the README a test cannot run as written, and why."""

MAY_EXIT_1 = {("check",): "exit 1 when a finding is an error, as the README says"}


def _section(title: str, until: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split(title, 1)[1].split(until, 1)[0]


def _blocks(text: str) -> Iterator[tuple[str, str, str]]:
    """(language, body, the text just before it) of every fenced block."""
    previous = 0
    for match in re.finditer(r"```(\w*)\n(.*?)\n```", text, re.DOTALL):
        yield match[1], match[2], text[previous : match.start()]
        previous = match.end()


def _commands(body: str) -> Iterator[list[str]]:
    """Each `pacflow …` command of a shell block, as its words (continuations joined,
    `&&` split, comments dropped)."""
    joined = re.sub(r"\\\n\s*", " ", body)
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        while words:
            cut = words.index("&&") if "&&" in words else len(words)
            command, words = words[:cut], words[cut + 1 :]
            assert command[0] == "pacflow", line
            yield command[1:]


def _day(body: str) -> datetime:
    match = re.match(r"# (\d+) (\w+):", body)
    assert match is not None, f"a block of the year names its day first: {body[:40]!r}"
    return datetime(2026, MONTHS.index(match[2]) + 1, int(match[1]), 9, 0)


def _run(runner: CliRunner, words: list[str]) -> Result | None:
    path = tuple(w for w in words[:2] if not w.startswith("-") and not w.isupper())
    if any(path[: len(key)] == key for key in NOT_RUN):
        return None
    result = invoke(runner, words)
    allowed = (0, 1) if any(path[: len(key)] == key for key in MAY_EXIT_1) else (0,)
    assert result.exit_code in allowed, (
        f"pacflow {shlex.join(words)} exited {result.exit_code}\n"
        f"stdout: {result.stdout}\nstderr: {result.stderr}"
    )
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_year_of_one_plan_runs_as_written(runner: CliRunner, db_url: str, workdir: Path) -> None:
    ran = 0
    for language, body, before in _blocks(_section("### A year of one plan", "### On the demo")):
        if language == "csv":
            name = re.findall(r"`([\w.-]+\.csv)`", before)[-1]
            (workdir / name).write_text(body + "\n", encoding="utf-8")
            continue
        assert language == "sh"
        with freeze_time(_day(body)):
            for words in _commands(body):
                assert _run(runner, words) is not None
                ran += 1
    assert ran >= 50
    shown = invoke(runner, ["plan", "show", "PAC-2026", "--json"])
    assert '"status": "closed"' in shown.stdout
    march = invoke(runner, ["indicator", "history", "PAC-2026", "I1", "--to", "2026-03"])
    assert march.stdout.splitlines()[-1].split()[:3] == ["2026-03", "-", "180"]
    assert (workdir / "bilan-2026.html").exists()


def test_the_demo_commands_run_as_written(runner: CliRunner, db_url: str, workdir: Path) -> None:
    with freeze_time("2026-01-15 09:00:00"):
        assert invoke(runner, ["demo", "--json"]).exit_code == 0
        ran = skipped = 0
        for language, body, _before in _blocks(_section("### On the demo plan", "Global options")):
            assert language == "sh"
            for words in _commands(body):
                if _run(runner, words) is None:
                    skipped += 1
                else:
                    ran += 1
    assert skipped == 3  # sync twice, serve
    assert ran >= 25
    assert (workdir / "revue-mai.html").exists()
