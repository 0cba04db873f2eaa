"""The application layer: what the CLI and a web server share, used without click.

A front end builds an `App`, calls its queries and gets plain data: the same answer the
CLI prints with --json, the same errors with a code, a subject and a suggestion as data.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from events import EventStore
from pacflow.app import App
from pacflow.app.changes import execute
from pacflow.app.encoding import to_json
from pacflow.app.piloting import calendar_file, check, dashboard, plan_report
from pacflow.app.plans import plan_as_of, plan_diff, plan_history, plan_now
from pacflow.app.words import error_text
from pacflow.cli import main
from pacflow.demo import DEMO_PLAN, SettableClock, build_demo
from pacflow.errors import NotFoundError, RuleViolationError

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'demo.db'}"

    def opener(clock: SettableClock) -> EventStore:
        return EventStore.from_url(url, clock=clock)

    build_demo(opener)
    return url


@pytest.fixture
def app(demo_url: str) -> Iterator[App]:
    application = App(demo_url, clock=lambda: NOW)
    yield application
    application.close()


def cli_json(url: str, *args: str) -> object:
    result = CliRunner().invoke(main, ["--db", url, *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_queries_answer_with_what_the_cli_prints_as_json(app: App, demo_url: str) -> None:
    history = plan_history(app, DEMO_PLAN, step="S15")
    assert history.entries, "S15 has a history in the demo"
    assert json.loads(to_json(history.as_json())) == cli_json(
        demo_url, "plan", "history", DEMO_PLAN, "--step", "S15"
    )
    diff = plan_diff(app, DEMO_PLAN, from_="2025-06-01", to="2025-07-01")
    printed = cli_json(
        demo_url, "plan", "diff", DEMO_PLAN, "--from", "2025-06-01", "--to", "2025-07-01"
    )
    assert json.loads(to_json(diff.as_json())) == printed


def test_a_moment_is_read_in_the_plans_zone_by_every_query(app: App) -> None:
    then = plan_as_of(app, DEMO_PLAN, "2025-06-01")
    # the end of 1 June in Paris (summer time): 21:59:59.999999 UTC
    assert then.moment == datetime(2025, 6, 1, 21, 59, 59, 999999, tzinfo=UTC)
    board = dashboard(app, DEMO_PLAN, as_of="2025-06-01")
    found = check(app, DEMO_PLAN, as_of="2025-06-01")
    assert board.moment == then.moment == found.moment
    assert plan_report(app, DEMO_PLAN, "theme", as_of="2025-06-01").as_of is not None


def test_before_the_plan_existed_every_view_says_the_same(app: App) -> None:
    messages = set()
    for query in (
        lambda: plan_as_of(app, DEMO_PLAN, "2024-01-01"),
        lambda: calendar_file(app, DEMO_PLAN, as_of="2024-01-01"),
        lambda: dashboard(app, DEMO_PLAN, as_of="2024-01-01"),
        lambda: check(app, DEMO_PLAN, as_of="2024-01-01"),
    ):
        with pytest.raises(NotFoundError) as caught:
            query()
        assert caught.value.code == "plan-not-yet"
        messages.add(caught.value.message)
    assert messages == {"plan PAC-2025 did not exist yet on 2024-01-01 (created 2024-12-16 10:00)"}


def test_errors_are_data_and_each_front_end_words_them(app: App) -> None:
    with pytest.raises(NotFoundError) as caught:
        plan_now(app, "PAC-1999")
    error = caught.value
    assert error.as_json() == {
        "code": "no-such-plan",
        "message": "plan PAC-1999: no such plan",
        "subject": "PAC-1999",
        "details": {"plan": "PAC-1999"},
        "suggestion": {"command": ["plan", "list"], "note": "or create it"},
    }
    assert error_text(error) == (
        "plan PAC-1999: no such plan (see `pacflow plan list`, or create it)"
    )
    assert error_text(error, "fr") == (
        "plan PAC-1999 : aucun plan de ce nom (voir `pacflow plan list`, ou le créer)"
    )


def test_a_write_through_the_app_records_its_source_and_actor(tmp_path: Path) -> None:
    app = App(f"sqlite:///{tmp_path / 'w.db'}", clock=lambda: NOW)
    fields = {
        "plan": "PAC-2026",
        "title": "PAC 2026",
        "start": "2026-01-01",
        "end": "2026-12-31",
        "timezone": "Europe/Paris",
        "owner": "hg",
    }
    outcome = execute(app, "CreatePlan", fields, actor="cd", source="web")
    assert outcome.changed
    created, holidays = app.store().read_stream("PAC-2026")  # FR: from Europe/Paris
    for recorded in (created, holidays):
        assert recorded.metadata["actor"] == "cd"
        assert recorded.metadata["source"] == "web"
    with pytest.raises(RuleViolationError):
        execute(app, "CreatePlan", fields, actor="cd", source="web")
    assert app.store().stream_version("PAC-2026") == 2  # nothing written on error
    app.close()


def test_the_application_layer_needs_no_click() -> None:
    code = (
        "import sys\n"
        "import pacflow.app, pacflow.app.plans, pacflow.app.piloting, pacflow.app.changes\n"
        "import pacflow.app.words\n"
        "app = pacflow.app.App('memory://')\n"
        "app.read_models()\n"
        "assert 'click' not in sys.modules, 'click was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_history_with_a_limit_gives_the_newest_changes_oldest_first(
    app: App, demo_url: str
) -> None:
    everything = plan_history(app, DEMO_PLAN, step="S08").as_json()
    newest = cli_json(demo_url, "plan", "history", DEMO_PLAN, "--step", "S08", "--limit", "3")
    assert len(everything) > 3
    assert newest == json.loads(to_json(everything[-3:]))
    result = CliRunner().invoke(
        main, ["--db", demo_url, "plan", "history", DEMO_PLAN, "--limit", "0"]
    )
    assert result.exit_code == 2  # a value the option cannot take: usage
    assert result.output.splitlines()[-1].startswith(
        "Error: --limit 0: expected a number of changes"
    )
