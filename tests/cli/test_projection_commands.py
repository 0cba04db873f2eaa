"""pacflow projections status / rebuild."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pacflow.cli import main


def _status(runner: CliRunner) -> dict[str, int]:
    rows = json.loads(runner.invoke(main, ["projections", "status", "--json"]).output)
    return {"checkpoint": rows[0]["checkpoint"], "head": rows[0]["head"], "lag": rows[0]["lag"]}


def test_status_shows_the_lag_and_reading_catches_up(runner: CliRunner, db_url: str) -> None:
    assert runner.invoke(main, ["demo", "--json"]).exit_code == 0
    before = _status(runner)
    assert before["lag"] == before["head"] > 400
    assert "plans" in runner.invoke(main, ["projections", "status"]).output
    rebuilt = runner.invoke(main, ["projections", "rebuild", "plans", "--json"])
    assert json.loads(rebuilt.output) == {
        "rebuilt": ["plans"],
        "events": before["head"],
        "head": before["head"],
    }
    assert _status(runner)["lag"] == 0
    blocked = runner.invoke(
        main, ["step", "block", "PAC-2025", "S40", "--on", "2025-08-01", "--reason", "customer"]
    )
    assert blocked.exit_code == 0, blocked.output
    assert _status(runner)["lag"] == 1
    shown = runner.invoke(main, ["plan", "show", "PAC-2025", "--json"])
    s40 = [s for t in json.loads(shown.output)["tracks"] for s in t["steps"] if s["key"] == "S40"]
    assert s40[0]["status"] == "blocked"  # read its own write, through the read model
    assert _status(runner)["lag"] == 0


def test_rebuilding_an_unknown_projection_is_a_one_line_error(
    runner: CliRunner, db_url: str
) -> None:
    runner.invoke(main, ["init"])
    result = runner.invoke(main, ["projections", "rebuild", "nope"])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: projection nope: unknown; choose one of plans, indicator_facts\n"
    )


def test_a_long_catch_up_says_so_when_no_bar_can_be_shown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from events import EventStore
    from pacflow.cli.progress import SHOW_AFTER, catch_up_with_progress
    from pacflow.read_models import read_models

    engine = read_models(EventStore.from_url("memory://"))
    catch_up_with_progress(engine, SHOW_AFTER)  # stderr is captured: not a terminal
    assert (
        capsys.readouterr().err == f"updating read models: {SHOW_AFTER:,} events to read first…\n"
    )
    catch_up_with_progress(engine, SHOW_AFTER - 1)
    assert capsys.readouterr().err == ""
