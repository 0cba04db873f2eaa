"""What commands import before they answer: `pacflow --help` none of the heavy parts, and
the common read commands on a store whose read models are up to date no SQLAlchemy (nor
Alembic) and no pydantic (it validates what comes in; reading the store needs none);
listing and showing plans, the dashboard and an indicator's history not even the domain's
models.

Each command runs in a fresh interpreter (a module imported by an earlier test would hide
an import), and its answer is checked too, so a command that failed early cannot pass.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from pacflow.cli import main

ENGINE = ("sqlalchemy", "alembic")
DOMAIN = ("pydantic", "pacflow.domain.events", "yaml")
WRITES = ("pacflow.domain.commands", "pacflow.domain.decider")
"""What only writes need: the command models (~12 ms of pydantic classes) and the decider."""
READ = (*ENGINE, *WRITES)
LEAN = (*READ, "holidays")
"""The holidays library (~90 ms, every country) is imported when a table of public holidays
is first worked out for this user (`pacflow.holiday_cache`); the demo, run first, did."""
FOLDS = (*LEAN, "pydantic")
"""Reads that decode events and fold or load the plan's state: the domain's dataclasses,
read back from what the store holds without pydantic (`pacflow.domain.plain`)."""

_SCRIPT = """
import json, sys
from click.testing import CliRunner
from pacflow.cli import main
result = CliRunner().invoke(main, json.loads(sys.argv[1]))
watched = json.loads(sys.argv[2])
print(json.dumps({
    "exit_code": result.exit_code,
    "output": result.output,
    "imported": [name for name in watched if name in sys.modules],
}))
"""


def _run(args: list[str], watched: tuple[str, ...]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps(args), json.dumps(list(watched))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout)
    return found


def test_help_imports_no_heavy_module() -> None:
    found = _run(["--help"], (*ENGINE, *DOMAIN, "pacflow.domain"))
    assert found["exit_code"] == 0
    assert found["imported"] == [], f"pacflow --help imports {found['imported']}"


@pytest.fixture
def demo_url(sql_store_url: str) -> str:
    """A store holding the demo plan as validated in January, its read models caught up."""
    runner = CliRunner()
    made = runner.invoke(main, ["--db", sql_store_url, "demo", "--until", "2025-01-06T12:00"])
    assert made.exit_code == 0, made.output
    listed = runner.invoke(main, ["--db", sql_store_url, "plan", "list"])
    assert listed.exit_code == 0, listed.output
    return sql_store_url


@pytest.mark.parametrize(
    ("args", "expected", "watched"),
    [
        (["plan", "list"], "PAC-2025", (*ENGINE, *DOMAIN)),
        # Showing a plan judges its steps and visits by the domain's one definition of done,
        # late and held (pacflow.domain.progress), from the read model's plain values: no
        # pydantic, no domain models, no SQLAlchemy.
        (["plan", "show", "PAC-2025"], "S01", (*READ, *DOMAIN, "pacflow.domain.state")),
        (
            ["plan", "show", "PAC-2025", "--json"],
            '"today"',
            (*READ, *DOMAIN, "pacflow.domain.state"),
        ),
        # The everyday lists too read the read model's view, judged the same way.
        (
            ["step", "list", "PAC-2025", "--person", "cd"],
            "S01",
            (*READ, *DOMAIN, "pacflow.domain.state"),
        ),
        (
            ["visit", "list", "PAC-2025", "--status", "to-report"],
            "S08@",
            (*READ, *DOMAIN, "pacflow.domain.state"),
        ),
        (["person", "list", "PAC-2025"], "cd", (*READ, *DOMAIN, "pacflow.domain.state")),
        (["target", "list", "PAC-2025"], "T1", (*READ, *DOMAIN, "pacflow.domain.state")),
        (["plan", "history", "PAC-2025", "--limit", "3"], "held on 2025-01-02", FOLDS),
        (["plan", "history", "PAC-2025", "--step", "S01"], "S01", FOLDS),
        # The dashboard and an indicator's history read the indicator read model, with
        # the plain enums, periods and indicators of the domain: no models either.
        (["dashboard", "PAC-2025"], "I1", (*LEAN, *DOMAIN, "pacflow.domain.state")),
        (
            ["indicator", "history", "PAC-2025", "I7"],
            "2025-01",
            (*LEAN, *DOMAIN, "pacflow.domain.state"),
        ),
        # The holiday rule weighs visits against the plan's public holidays (cached).
        (["check", "PAC-2025", "--as-of", "2025-01-06"], "PAC-2025", FOLDS),
        (["report", "PAC-2025", "--by", "theme"], "S01", FOLDS),
        (["plan", "show", "PAC-2025", "--as-of", "2025-01-02"], "S01", FOLDS),
        (["plan", "diff", "PAC-2025", "--from", "2025-01-02"], "PAC-2025", FOLDS),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_read_commands_on_an_up_to_date_store_import_no_database_toolkit_nor_writes(
    demo_url: str, args: list[str], expected: str, watched: tuple[str, ...]
) -> None:
    found = _run(["--db", demo_url, *args], watched)
    assert found["exit_code"] == 0, found["output"]
    assert expected in str(found["output"])
    assert found["imported"] == [], f"pacflow {' '.join(args)} imports {found['imported']}"


def test_a_read_after_a_write_catches_up_and_shows_it(demo_url: str) -> None:
    # The write leaves the read models behind the log: the next read brings in what it
    # needs to catch them up, and sees the change.
    runner = CliRunner()
    before = _run(["--db", demo_url, "plan", "list"], ENGINE)
    assert "draft" in str(before["output"])
    done = runner.invoke(main, ["--db", demo_url, "--actor", "hg", "plan", "approve", "PAC-2025"])
    assert done.exit_code == 0, done.output
    found = _run(["--db", demo_url, "plan", "list"], ENGINE)
    assert found["exit_code"] == 0, found["output"]
    assert "approved" in str(found["output"])
    assert "sqlalchemy" in list(found["imported"])  # type: ignore[call-overload]
