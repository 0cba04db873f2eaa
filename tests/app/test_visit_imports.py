"""Visit reports imported through the application layer, on SQLite and PostgreSQL; and a
reader's App that finds no store there creates none."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from pacflow.app import App
from pacflow.app.visit_imports import import_visits
from pacflow.cli import main
from pacflow.errors import StoreError
from tests.cli.plan_fixtures import PLAN, WORKED_EXAMPLE

NOW = datetime(2025, 4, 2, 8, 0, tzinfo=UTC)
REPORTS = "step;date;held;reason\nS08;2025-03-12;yes;\nS08;2025-03-25;no;grève\n".encode()


@pytest.fixture
def app(sql_store_url: str) -> Iterator[App]:
    runner = CliRunner()
    with freeze_time("2025-01-05 09:00:00"):
        for command in WORKED_EXAMPLE:
            result = runner.invoke(main, ["--db", sql_store_url, "--actor", "hg", *command])
            assert result.exit_code == 0, result.output
    application = App(sql_store_url, clock=lambda: NOW)
    yield application
    application.close()


def test_an_import_is_one_append_by_the_actor_from_import(app: App) -> None:
    found = import_visits(app, PLAN, REPORTS, name="crm.csv", actor="cd")
    assert [(line.occurrence, line.action) for line in found.lines] == [
        ("S08@2025-03-11", "held"),
        ("S08@2025-03-25", "not-held"),
    ]
    records = app.service().records(PLAN)[-2:]
    assert {record.metadata["actor"] for record, _event in records} == {"cd"}
    assert {record.metadata["source"] for record, _event in records} == {"import"}
    assert len({record.metadata["command_id"] for record, _event in records}) == 1
    again = import_visits(app, PLAN, REPORTS, name="crm.csv", actor="cd")
    assert [line.action for line in again.lines] == ["unchanged", "unchanged"]
    assert again.outcome.events == []


def test_a_reader_finds_no_store_and_makes_none(sql_store_url: str) -> None:
    reader = App(sql_store_url, create=False)
    with pytest.raises(StoreError) as refused:
        reader.store()
    assert refused.value.code == "no-store"
    reader.close()
    again = App(sql_store_url, create=False)
    with pytest.raises(StoreError):  # still none: the reader created nothing
        again.store()
    again.close()
    writer = App(sql_store_url)
    assert writer.store().head_position() == 0
    writer.close()
    opened = App(sql_store_url, create=False)
    assert opened.store().head_position() == 0
    opened.close()
