"""pacflow projections status / rebuild."""

from __future__ import annotations

import io
import json
import sys
import threading

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
        "processes": 1,  # short: not worth a worker's start
    }
    assert _status(runner)["lag"] == 0
    said = runner.invoke(main, ["projections", "rebuild", "indicator_facts"])
    assert said.stdout == f"rebuilt indicator_facts from {before['head']:,} events\n"
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
        "error: projection nope: unknown; choose one of plans, indicator_facts, step_events\n"
    )


def test_workers_must_be_a_positive_count(runner: CliRunner, db_url: str) -> None:
    assert runner.invoke(main, ["demo", "--until", "2025-01-06T12:00"]).exit_code == 0
    before = _status(runner)
    result = runner.invoke(main, ["projections", "rebuild", "--workers", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--workers': 0 is not in the range 1<=x<=64." in result.stderr
    assert _status(runner) == before  # nothing rebuilt


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


class _RecordedBar:
    """Stands in for click's bar on a terminal (a real one cannot be had in a test)."""

    def __init__(self, length: int, label: str = "", **_options: object) -> None:
        self.length = length
        self.label = label
        self.steps: list[int] = []
        made.append(self)

    def __enter__(self) -> _RecordedBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def update(self, steps: int) -> None:
        self.steps.append(steps)


made: list[_RecordedBar] = []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_catch_up_bar_ends_at_the_events_read_once_whatever_the_projectors(
    runner: CliRunner, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pacflow.cli import progress
    from pacflow.read_models import read_models
    from pacflow.storage import open_store
    from projections import engine as projection_engine

    assert runner.invoke(main, ["demo", "--until", "2025-01-06T12:00"]).exit_code == 0
    store = open_store(db_url)
    engine = read_models(store)
    lag = store.head_position()
    monkeypatch.setattr(progress, "SHOW_AFTER", 10)
    monkeypatch.setattr(projection_engine, "COMMIT_EVERY", 50)  # several windows
    monkeypatch.setattr("click.progressbar", _RecordedBar)
    monkeypatch.setattr(sys, "stderr", _Terminal())
    made.clear()
    progress.catch_up_with_progress(engine, lag)
    store.close()
    (bar,) = made
    assert bar.length == lag
    assert bar.label == f"updating read models ({lag:,} events)"  # says how far behind
    assert len(bar.steps) >= 3  # one step per window, not one jump
    assert sum(bar.steps) == lag  # two projectors, one pass: the bar does not overshoot
    assert engine.status()[0].lag == 0


def test_a_read_that_waits_for_another_catch_up_says_so(runner: CliRunner, db_url: str) -> None:
    from pacflow.read_models import read_models
    from pacflow.storage import open_store
    from projections.engine import exclusive

    assert runner.invoke(main, ["demo", "--until", "2025-01-06T12:00"]).exit_code == 0
    store = open_store(db_url)
    engine = read_models(store)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with exclusive(engine.database):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    timer = threading.Timer(0.5, release.set)
    timer.start()
    try:
        result = runner.invoke(main, ["plan", "list"])
    finally:
        release.set()
        holder.join()
        timer.cancel()
        store.close()
    assert result.exit_code == 0, result.output
    assert "PAC-2025" in result.stdout
    assert result.stderr == (
        "waiting for another pacflow process to finish updating the read models…\n"
    )
