"""`pacflow export ics`: files, stdout, as-of, and one-line errors that write nothing."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from events import EventStore
from integrations.ics import export_ics
from pacflow.cli import main
from pacflow.service import PlanService


@pytest.fixture
def pacflow(demo_store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner on the demo store; the user's own data directory is kept away."""
    monkeypatch.setenv("PACFLOW_DB", demo_store_url)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return CliRunner()


def test_writes_one_persons_calendar_to_a_file(
    pacflow: CliRunner, demo_store_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "claire.ics"
    result = pacflow.invoke(
        main, ["export", "ics", "PAC-2025", "--person", "cd", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {target}\n"
    with EventStore.from_url(demo_store_url) as store:
        assert target.read_bytes() == export_ics(PlanService(store), "PAC-2025", person="cd")
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    assert str(calendar["X-WR-CALNAME"]) == "PAC-2025 — Claire Dubois"


def test_writes_the_whole_plan_to_stdout_the_same_each_time(pacflow: CliRunner) -> None:
    first = pacflow.invoke(main, ["export", "ics", "PAC-2025"])
    second = pacflow.invoke(main, ["export", "ics", "PAC-2025"])
    assert first.exit_code == 0, first.output
    assert first.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\n")
    assert first.stdout_bytes == second.stdout_bytes
    assert b"UID:PAC-2025.S41." in first.stdout_bytes  # Sophie's visits are in the whole plan


def test_as_of_takes_a_local_date(pacflow: CliRunner) -> None:
    result = pacflow.invoke(
        main, ["export", "ics", "PAC-2025", "--person", "cd", "--as-of", "2025-06-01"]
    )
    assert result.exit_code == 0, result.output
    assert b"UID:PAC-2025.S08.2025-08-26.pacflow" in result.stdout_bytes  # before the revision


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["NOPE"], "error: plan NOPE: no such plan"),
        (["PAC-2025", "--person", "zz"], "error: person zz: not in plan PAC-2025 (its people: cd,"),
        (
            ["PAC-2025", "--as-of", "2024-01-01"],
            "error: plan PAC-2025 did not exist yet on 2024-01-01 (created",
        ),
        (["PAC-2025", "--as-of", "soon"], "error: --as-of 'soon': expected a date"),
    ],
    ids=["plan", "person", "before-the-plan", "bad-moment"],
)
def test_mistakes_are_one_line_and_write_nothing(
    pacflow: CliRunner, tmp_path: Path, arguments: list[str], message: str
) -> None:
    target = tmp_path / "out.ics"
    result = pacflow.invoke(main, ["export", "ics", *arguments, "-o", str(target)])
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert not target.exists()


def test_an_unwritable_file_is_a_one_line_error(pacflow: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.ics"
    result = pacflow.invoke(main, ["export", "ics", "PAC-2025", "-o", str(target)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: cannot write the calendar to {target}: directory {target.parent} does not exist\n"
    )
    assert not target.parent.exists()
