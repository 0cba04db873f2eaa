"""pacflow init / info / store verify / store log, as a user runs them."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from events import NO_STREAM, EventStore, NewEvent
from pacflow.cli import main


def _fill(url: str, count: int) -> None:
    moments = iter(datetime(2025, 1, 6, 9, 0, second, tzinfo=UTC) for second in range(60))
    with EventStore.from_url(url, clock=lambda: next(moments)) as store:
        store.append(
            "PAC-2025",
            [
                NewEvent("StepAdded", {"step": f"S{i:02}"}, {"actor": "hg", "reason": "v1"})
                for i in range(1, count + 1)
            ],
            NO_STREAM,
        )
        store.append("PAC-2026", [NewEvent("PlanCreated", {"plan": "PAC-2026"}, {"actor": "cd"})])


def test_init_creates_the_store_and_is_safe_to_repeat(runner: CliRunner, db_url: str) -> None:
    first = runner.invoke(main, ["init"])
    second = runner.invoke(main, ["init", "--json"])
    assert first.exit_code == 0, first.output
    assert "Store ready at sqlite:///" in first.output
    assert json.loads(second.output)["schema"] == "0002"


def test_default_store_lives_in_the_user_data_directory(runner: CliRunner, tmp_path: Path) -> None:
    env = {"PACFLOW_DB": None, "XDG_DATA_HOME": str(tmp_path)}
    result = runner.invoke(main, ["init", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["store"] == f"sqlite:///{tmp_path}/pacflow/pacflow.db"
    assert runner.invoke(main, ["info", "--json"], env=env).exit_code == 0


def test_info_counts_events_and_hides_the_password(runner: CliRunner, db_url: str) -> None:
    _fill(db_url, 3)
    result = runner.invoke(main, ["info", "--json"])
    facts = json.loads(result.output)
    assert facts["events"] == 4
    assert facts["head_position"] == 4
    assert facts["actor"] == "hg"
    text = runner.invoke(main, ["info"]).output
    assert "head position: 4" in text


def test_log_lists_events_in_commit_order(runner: CliRunner, db_url: str) -> None:
    _fill(db_url, 3)
    result = runner.invoke(main, ["store", "log"])
    lines = result.output.splitlines()
    assert result.exit_code == 0
    assert len(lines) == 4
    assert lines[0].split() == [
        "1",
        "2025-01-06",
        "09:00:00Z",
        "PAC-2025@1",
        "StepAdded",
        "by",
        "hg",
        "—",
        "v1",
    ]
    assert "PAC-2026@1  PlanCreated  by cd" in lines[3]


def test_log_filters_by_stream_position_and_limit(runner: CliRunner, db_url: str) -> None:
    _fill(db_url, 5)
    result = runner.invoke(
        main, ["store", "log", "--stream", "PAC-2025", "--after", "2", "--limit", "2", "--json"]
    )
    events = json.loads(result.output)
    assert [e["position"] for e in events] == [4, 5]  # the newest two after position 2
    assert events[0]["data"] == {"step": "S04"}
    assert events[0]["recorded_at"] == "2025-01-06T09:00:00Z"
    newest = runner.invoke(main, ["store", "log", "--limit", "2", "--json"])
    assert [e["position"] for e in json.loads(newest.output)] == [5, 6]
    text = runner.invoke(main, ["store", "log", "--after", "4", "--limit", "5"]).output
    assert [int(line.split()[0]) for line in text.splitlines()] == [5, 6]
    empty = runner.invoke(main, ["store", "log", "--stream", "nope", "--json"])
    assert json.loads(empty.output) == []


def test_verify_passes_on_an_intact_log(runner: CliRunner, db_url: str) -> None:
    _fill(db_url, 3)
    result = runner.invoke(main, ["store", "verify"])
    assert result.exit_code == 0
    assert result.stdout == "ok: 4 events, hash chain intact\n"
    assert result.stderr.startswith("note: no checkpoint key")


def test_verify_names_the_tampered_position_and_exits_5(runner: CliRunner, db_url: str) -> None:
    _fill(db_url, 3)
    path = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TRIGGER events_append_only_update")
        raw.execute("""UPDATE events SET data = '{"step":"S99"}' WHERE position = 2""")
    result = runner.invoke(main, ["store", "verify"])
    assert result.exit_code == 5
    assert result.stderr.strip().startswith("error: hash chain broken at position 2")
    as_json = runner.invoke(main, ["store", "verify", "--json"])
    assert json.loads(as_json.stdout)["first_broken_position"] == 2


def test_unavailable_store_is_one_line_exit_3_and_hides_secrets(
    runner: CliRunner, tmp_path: Path
) -> None:
    cases = [
        "mysql://me:s3cret@127.0.0.1/plans",
        f"sqlite:///{tmp_path}/missing/dir/p.db",
        "postgresql+psycopg://me:s3cret@127.0.0.1:1/plans",
    ]
    for url in cases:
        result = runner.invoke(main, ["--db", url, "info"])
        assert result.exit_code == 3, (url, result.output)
        assert result.stderr.startswith("error: ")
        assert result.stderr.count("\n") == 1
        assert "s3cret" not in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "missing").exists()


def test_bad_option_values_are_usage_errors(runner: CliRunner, db_url: str) -> None:
    result = runner.invoke(main, ["store", "log", "--limit", "0"])
    assert result.exit_code == 2
    assert "--limit" in result.stderr
