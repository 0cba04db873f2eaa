"""pacflow plan diff: what changed between two moments or two revisions of the demo."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pacflow.cli import main
from tests.cli.plan_fixtures import assert_one_line_error, ok
from tests.cli.test_history_commands import use_demo


@pytest.fixture(autouse=True)
def demo(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    use_demo(db_url, tmp_path_factory)


MID_YEAR = [
    "PAC-2025: changes from 2025-06-01 (revision 2, published) to 2025-07-01 "
    "(revision 3, published)",
    "Objectives",
    "  T1 objective main changed: value 600 kEUR → 400 kEUR; statement “Porter les prises de "
    "commandes BRC de 180 kEUR (2024) à 600 kEUR en 2025, dont au moins un projet > 100 kEUR” "
    "→ “Porter les prises de commandes BRC à 400 kEUR en 2025 malgré le gel "
    "post-rapprochement, dont un projet > 100 kEUR signé avant le 15/12”",
    "Steps",
    "  S08 moved: schedule recurring FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=24 from 2025-01-14 10:00 "
    "→ recurring FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=12; FREQ=MONTHLY;BYDAY=2TU;COUNT=3; "
    "FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=6 from 2025-01-14 10:00",
    "  S10 moved: due 2025-06-30 → 2025-10-15",
    "  S24 moved: due 2025-06-30 → 2025-09-30",
    "  S44 added: Identifier les nouveaux décideurs SI après le rapprochement de BRC in "
    "T1-INFO, responsible cd, due 2025-09-15",
    "Occurrences",
    "  S08 occurrences removed: S08@2025-07-22, S08@2025-08-26, S08@2025-09-23",
    "Indicators",
    "  I1 targets changed: 2025-07 500 → 300; 2025-08 560 → 330; 2025-09 680 → 420; "
    "2025-10 800 → 560; 2025-11 920 → 700; 2025-12 1050 → 850",
    "  I2 targets changed: 2025-07 2 → 1; 2025-08 2 → 1; 2025-09 2 → 1",
]


def diff(runner: CliRunner, *args: str) -> list[str]:
    return ok(runner, ["plan", "diff", "PAC-2025", *args]).stdout.splitlines()


def test_the_mid_year_diff_lists_exactly_those_changes(runner: CliRunner) -> None:
    assert diff(runner, "--from", "2025-06-01", "--to", "2025-07-01") == MID_YEAR


def test_the_same_changes_by_revision_moment_or_instant(runner: CliRunner) -> None:
    # Revision 3 as published against the moment before it opened; then exact instants.
    by_revision = diff(runner, "--from", "2025-06-01", "--to-revision", "3")
    assert by_revision[1:] == MID_YEAR[1:]
    assert by_revision[0].endswith("to revision 3 (published)")
    instants = diff(runner, "--from", "2025-06-30T15:54:59Z", "--to", "2025-06-30T18:10+02:00")
    assert instants[1:] == MID_YEAR[1:]


def test_the_march_revision(runner: CliRunner) -> None:
    assert diff(runner, "--from-revision", "1", "--to-revision", "2") == [
        "PAC-2025: changes from revision 1 (published) to revision 2 (published)",
        "Steps",
        "  S15 reassigned: responsible jm → pg; participants pg, kb → jm, kb",
    ]


def test_to_defaults_to_now(runner: CliRunner) -> None:
    lines = diff(runner, "--from-revision", "3")
    assert lines[0] == (
        "PAC-2025: changes from revision 3 (published) to now (revision 3, published)"
    )
    # After the re-actualisation: visits cancelled or moved off a holiday (progress such as
    # visits held is not listed).
    assert lines[1:] == [
        "Occurrences",
        "  S08@2025-08-12 cancelled: Gel post-rapprochement, interlocuteurs en congés",
        "  S08@2025-11-11 moved: start 2025-11-11 10:00 → 2025-11-12 10:00",  # Armistice
        "  S08@2025-12-23 cancelled: Trêve de fin d'année chez BRC",
    ]


def test_no_change_between_two_quiet_moments(runner: CliRunner) -> None:
    assert diff(runner, "--from", "2025-06-02", "--to", "2025-06-02")[1:] == [
        "no change to the plan"
    ]


def test_the_diff_as_json(runner: CliRunner) -> None:
    result = ok(
        runner, ["plan", "diff", "PAC-2025", "--from", "2025-06-01", "--to", "2025-07-01", "--json"]
    )
    data = json.loads(result.stdout)
    assert data["from"] == {
        "revision": 2,
        "status": "published",
        "version": 298,
        "at": "2025-06-01T21:59:59.999999Z",
        "revision_asked": None,
    }
    assert data["to"]["revision"] == 3
    assert [(c["section"], c["key"], c["kind"]) for c in data["changes"]] == [
        ("objectives", "T1/main", "changed"),
        ("steps", "S08", "moved"),
        ("steps", "S10", "moved"),
        ("steps", "S24", "moved"),
        ("steps", "S44", "added"),
        ("occurrences", "S08", "occurrences removed"),
        ("indicators", "I1", "targets changed"),
        ("indicators", "I2", "targets changed"),
    ]
    objective = data["changes"][0]["fields"]
    assert objective["value"] == {"old": "600 kEUR", "new": "400 kEUR"}
    by_revision = json.loads(
        ok(runner, ["plan", "diff", "PAC-2025", "--from-revision", "1", "--json"]).stdout
    )
    assert by_revision["from"]["revision_asked"] == 1
    assert by_revision["to"]["at"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "2025-07-01", "--to", "2025-06-01"],
            "--from 2025-07-01 is after --to 2025-06-01",
        ),
        (
            ["--from-revision", "3", "--to-revision", "2"],
            "--from-revision 3 is after --to-revision 2",
        ),
        (
            ["--from-revision", "3", "--to", "2025-06-01"],
            "--from-revision 3 is after --to 2025-06-01",
        ),
        (
            ["--from-revision", "4"],
            "plan PAC-2025 has no revision 4: its revisions are 1 to 3 (see `pacflow plan "
            "revisions PAC-2025`)",
        ),
        (["--from-revision", "0"], "revision 0: revisions are numbered from 1"),
        (["--from-revision", "two"], "--from-revision 'two': expected a revision number"),
        (["--to", "2025-07-01"], "give --from DATETIME or --from-revision N"),
        (["--from", "2025-06-01", "--from-revision", "2"], "give --from or --from-revision"),
        (["--from", "2025-06-01", "--to", "2025-07-01", "--to-revision", "3"], "give --to or"),
        (
            ["--from", "2024-12-01"],
            "plan PAC-2025 did not exist yet on 2024-12-01 (created 2024-12-16 10:00)",
        ),
        (["--from", "2025-06-01", "--to", "01/07/2025"], "--to '01/07/2025': expected a date"),
    ],
)
def test_bad_input_is_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(main, ["plan", "diff", "PAC-2025", *args])
    assert assert_one_line_error(result).startswith(message)


def test_an_unknown_plan(runner: CliRunner) -> None:
    result = runner.invoke(main, ["plan", "diff", "PAC-2026", "--from-revision", "1"])
    assert assert_one_line_error(result).startswith("plan PAC-2026: no such plan")
