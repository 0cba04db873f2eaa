"""pacflow demo: the worked example and its year, at historical times."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from events import EventStore
from pacflow.cli import main
from pacflow.service import PlanService


def test_demo_records_the_year_and_shows_the_plan_by_theme(runner: CliRunner, db_url: str) -> None:
    result = runner.invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("PAC-2025 — Plan d'action commerciale 2025 — by theme")
    assert "Sales — farming (élevage)" in result.output
    assert f"pacflow --db {db_url} plan show PAC-2025" in result.output
    with EventStore.from_url(db_url) as store:
        state = PlanService(store).require("PAC-2025")
        assert (state.status, state.revision) == ("published", 3)
        # The mid-year re-actualisation: objective, visit schedule and due dates changed.
        assert state.objectives[("T1", "main")].value == 400
        assert str(state.steps["S10"].schedule.due) == "2025-10-15"  # type: ignore[union-attr]
        assert state.occurrences["S08@2025-08-12"].status == "cancelled"
        assert "S08@2025-08-26" not in state.occurrences
        assert state.steps["S15"].responsible == "pg"
        # The plan as it stood before the revision, from the log alone.
        before = PlanService(store).load("PAC-2025", until=datetime(2025, 6, 1, tzinfo=UTC))
        assert before is not None
        assert before.objectives[("T1", "main")].value == 600
        # The late entry: recorded on 10 March about a webinar held on 20 February.
        late = [
            e
            for e in store.read_stream("PAC-2025")
            if e.type == "OccurrenceMoved" and e.data["occurrence"] == "S21@2025-02-13"
        ]
        assert late[0].recorded_at == datetime(2025, 3, 10, 9, 15, tzinfo=UTC)
        assert late[0].metadata["actor"] == "nr"
        assert store.verify().ok


def test_demo_refuses_a_store_that_already_holds_the_plan(runner: CliRunner, db_url: str) -> None:
    assert runner.invoke(main, ["demo", "--json"]).exit_code == 0
    events = json.loads(runner.invoke(main, ["info", "--json"]).output)["events"]
    again = runner.invoke(main, ["demo"])
    assert again.exit_code == 1
    assert "already holds plan PAC-2025" in again.stderr
    assert json.loads(runner.invoke(main, ["info", "--json"]).output)["events"] == events


def test_demo_without_a_store_rebuilds_its_own(runner: CliRunner, tmp_path: Path) -> None:
    env = {"PACFLOW_DB": None, "XDG_DATA_HOME": str(tmp_path)}
    for _ in range(2):
        result = runner.invoke(main, ["demo", "--json"], env=env)
        assert result.exit_code == 0, result.output
        facts = json.loads(result.output)
        assert facts["store"] == f"sqlite:///{tmp_path}/pacflow/demo.db"
    with EventStore.from_url(facts["store"]) as store:
        assert store.head_position() == facts["events"]


def test_demo_keeps_its_store_when_it_holds_other_plans(runner: CliRunner, tmp_path: Path) -> None:
    env = {"PACFLOW_DB": None, "XDG_DATA_HOME": str(tmp_path)}
    first = runner.invoke(main, ["demo", "--json"], env=env)
    assert first.exit_code == 0, first.output
    url = json.loads(first.output)["store"]
    create = [
        "--db", url, "plan", "create", "PAC-2026", "--title", "Mine", "--start", "2026-01-01",
        "--end", "2026-12-31", "--timezone", "Europe/Paris", "--owner", "hg",
    ]  # fmt: skip
    assert runner.invoke(main, create, env={"PACFLOW_ACTOR": "hg"}).exit_code == 0
    again = runner.invoke(main, ["demo"], env=env)
    assert again.exit_code == 1
    assert again.stderr.strip() == (
        f"error: the demo store {url} also holds PAC-2026; it is kept as it is: record the "
        "demo into another store with --db (see `pacflow --db sqlite:///pac-2025-demo.db demo`)"
    )
    with EventStore.from_url(url) as store:
        assert sorted(PlanService(store).plan_keys()) == ["PAC-2025", "PAC-2026"]
