"""Errors in French (`--lang fr`, or PACFLOW_LANG=fr): the core raises each error with its
code and details, the CLI words the ones people meet most in French and keeps the core's
English for any other; the exit code, and nothing written, stay the same in both."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pacflow.cli import main
from tests.cli.plan_fixtures import assert_one_line_error, invoke, ok
from tests.cli.test_history_commands import use_demo


@pytest.fixture(autouse=True)
def demo(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    use_demo(db_url, tmp_path_factory)


def _log_length(runner: CliRunner) -> int:
    return len(json.loads(ok(runner, ["store", "log", "--json"]).stdout))


@pytest.mark.parametrize(
    ("args", "code", "english", "french"),
    [
        (
            ["plan", "show", "PAC-1999"],
            1,
            "plan PAC-1999: no such plan (see `pacflow plan list`, or create it)",
            "plan PAC-1999 : aucun plan de ce nom (voir `pacflow plan list`, ou le créer)",
        ),
        (
            ["plan", "show", "PAC-2025", "--as-of", "2024-01-01"],
            1,
            "plan PAC-2025 did not exist yet on 2024-01-01 (created 2024-12-16 10:00)",
            "le plan PAC-2025 n'existait pas encore le 2024-01-01 (créé le 2024-12-16 10:00)",
        ),
        (
            ["step", "add", "PAC-2025", "S77", "--track", "T1-INFO", "--title", "Veille",
             "--responsible", "hg", "--due", "2025-09-30"],
            1,
            "step S77: plan PAC-2025 is published; open a revision (with a reason) before "
            "changing it",
            "étape S77 : le plan PAC-2025 est publié ; ouvrez une révision (avec une raison) "
            "avant de le modifier",
        ),
        (
            ["plan", "revise", "PAC-2025"],
            1,
            "plan PAC-2025: opening a revision needs a reason",
            "plan PAC-2025 : ouvrir une révision demande une raison",
        ),
        (
            ["plan", "show", "PAC-2025", "--as-of", "2025-13-01"],
            2,
            "--as-of '2025-13-01': expected a date (2025-06-01), a local date-time "
            "(2025-06-30T17:00, ~2 for the second of two repeated times) or one with an "
            "offset (2025-06-30T15:00Z)",
            "--as-of '2025-13-01' : attendu une date (2025-06-01), une date et heure locales "
            "(2025-06-30T17:00, ~2 pour la seconde de deux heures répétées) ou avec un "
            "décalage (2025-06-30T15:00Z)",
        ),
    ],
    ids=["no-such-plan", "plan-not-yet", "revision-needed", "reason", "moment"],
)  # fmt: skip
def test_the_errors_people_meet_most_are_worded_in_french(
    runner: CliRunner, args: list[str], code: int, english: str, french: str
) -> None:
    before = _log_length(runner)
    assert assert_one_line_error(invoke(runner, args), code) == english
    assert assert_one_line_error(invoke(runner, ["--lang", "fr", *args]), code) == french
    # The environment says it as well as the option.
    in_french = runner.invoke(main, args, env={"PACFLOW_LANG": "fr"})
    assert assert_one_line_error(in_french, code) == french
    assert _log_length(runner) == before  # refused in either language: nothing written


def test_an_unknown_key_is_named_in_french_with_what_it_was_for(runner: CliRunner) -> None:
    ok(runner, ["plan", "revise", "PAC-2025", "--reason", "rotation"])
    before = _log_length(runner)
    args = ["step", "assign", "PAC-2025", "S22", "--responsible", "zz", "--reason", "r"]
    assert assert_one_line_error(invoke(runner, args)) == (
        "responsible zz of step S22: unknown person in plan PAC-2025"
    )
    assert assert_one_line_error(invoke(runner, ["--lang", "fr", *args])) == (
        "responsable zz de l'étape S22 : personne inconnue dans le plan PAC-2025"
    )
    args = ["step", "assign", "PAC-2025", "S99", "--responsible", "hg", "--reason", "r"]
    assert assert_one_line_error(invoke(runner, ["--lang", "fr", *args])) == (
        "étape S99 : étape inconnue dans le plan PAC-2025"
    )
    assert _log_length(runner) == before


def test_an_error_without_french_words_keeps_the_core_english(runner: CliRunner) -> None:
    result = invoke(runner, ["--lang", "fr", "step", "start", "PAC-2025", "S01"])
    message = assert_one_line_error(result)
    assert "S01" in message
    assert " : " not in message  # the core's sentence, not a half-translated one


def test_an_unknown_language_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["plan", "list"], env={"PACFLOW_LANG": "de"})
    assert result.exit_code == 2
    assert "'de' is not one of 'en', 'fr'" in result.stderr


def test_documents_take_the_global_language_unless_told(runner: CliRunner) -> None:
    french = ok(runner, ["--lang", "fr", "report", "PAC-2025", "--by", "target"]).stdout
    english = ok(runner, ["report", "PAC-2025", "--by", "target"]).stdout
    told = ok(runner, ["--lang", "fr", "report", "PAC-2025", "--by", "target", "--lang", "en"])
    assert "par cible" in french
    assert "par cible" not in english
    assert told.stdout == english
