"""`pacflow store verify` with and without a checkpoint key, and `store checkpoint`."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from pacflow.cli import main
from tests.cli.plan_fixtures import CREATE, PLAN, TEAM, ok, run_all

KEY = "team-checkpoint-key-0123456789abcdef"


@pytest.fixture
def keyed(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store whose every command runs with the checkpoint key; a small plan in it."""
    monkeypatch.setenv("PACFLOW_CHECKPOINT_KEY", KEY)
    runner = CliRunner()
    ok(runner, CREATE)
    run_all(runner, TEAM)
    return db_url


def _sql(url: str, *statements: str) -> None:
    """Edit the SQLite file behind pacflow's back, triggers dropped first."""
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db, db:
        db.execute("DROP TRIGGER IF EXISTS events_append_only_delete")
        db.execute("DROP TRIGGER IF EXISTS events_checkpoints_append_only_delete")
        for statement in statements:
            db.execute(statement)


def _head(url: str) -> int:
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
        return int(db.execute("SELECT max(position) FROM events").fetchone()[0])


def test_without_a_key_verify_says_plainly_what_it_cannot_detect(
    runner: CliRunner, db_url: str
) -> None:
    ok(runner, CREATE)
    result = runner.invoke(main, ["store", "verify"])
    assert result.exit_code == 0
    assert result.stdout == "ok: 1 events, hash chain intact\n"
    [note] = result.stderr.splitlines()
    assert note.startswith("note: no checkpoint key (PACFLOW_CHECKPOINT_KEY")
    assert "deletion of the newest events" in note
    assert "rewrite whose hash chain was recomputed" in note
    as_json = json.loads(runner.invoke(main, ["store", "verify", "--json"]).stdout)
    assert as_json["anchored"] is False
    assert len(as_json["cannot_detect"]) == 3


def test_with_a_key_every_command_that_appends_is_anchored(runner: CliRunner, keyed: str) -> None:
    result = runner.invoke(main, ["store", "verify", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["ok"], report["anchored"], report["cannot_detect"]) == (True, True, [])
    assert report["checkpoints_checked"] == 1 + len(TEAM)
    text = runner.invoke(main, ["store", "verify"])
    assert text.stdout.endswith(f"{1 + len(TEAM)} signed checkpoints agree\n")
    assert text.stderr == ""


@pytest.mark.parametrize("deleted", ["position = (SELECT max(position) FROM events)", "1 = 1"])
def test_a_truncation_is_exit_5_naming_the_events_and_since_when(
    runner: CliRunner, keyed: str, deleted: str
) -> None:
    head = _head(keyed)
    _sql(keyed, f"DELETE FROM events WHERE {deleted}")

    result = runner.invoke(main, ["store", "verify"])

    assert result.exit_code == 5
    [line] = result.stderr.splitlines()
    assert line.startswith("error: the log does not match its signed checkpoints: events ")
    assert f"..{head} were deleted (truncation)" in line
    assert "signed 20" in line
    assert KEY not in result.output


def test_checkpoints_deleted_too_are_caught_against_an_export(
    runner: CliRunner, keyed: str, tmp_path: Path
) -> None:
    archive = tmp_path / "anchors.jsonl"
    exported = runner.invoke(main, ["store", "checkpoint", "export", "-o", str(archive)])
    assert exported.exit_code == 0, exported.output
    assert len(archive.read_text().splitlines()) == 1 + len(TEAM)
    ok(runner, ["person", "add", PLAN, "zz", "--name", "Zoé Z", "--kind", "rep"])
    _sql(
        keyed,
        "DELETE FROM events WHERE position > 2",
        "DELETE FROM events_checkpoints WHERE position > 2",
    )
    assert runner.invoke(main, ["store", "verify"]).exit_code == 0  # agrees with itself

    result = runner.invoke(main, ["store", "verify", "--against", str(archive)])

    assert result.exit_code == 5
    assert "were deleted (truncation)" in result.stderr
    report = json.loads(
        runner.invoke(main, ["store", "verify", "--json", "--against", str(archive)]).stdout
    )
    assert any("missing from the store" in problem for problem in report["problems"])


def test_checkpoint_create_and_its_errors(
    runner: CliRunner, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ok(runner, CREATE)  # made without a key: not anchored yet
    monkeypatch.setenv("PACFLOW_CHECKPOINT_KEY", KEY)
    unanchored = runner.invoke(main, ["store", "verify"])
    assert unanchored.exit_code == 5
    assert "pacflow store checkpoint create" in unanchored.stderr

    made = runner.invoke(main, ["store", "checkpoint", "create", "--json"])

    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["position"] == 1
    assert runner.invoke(main, ["store", "verify"]).exit_code == 0

    monkeypatch.setenv("PACFLOW_CHECKPOINT_KEY", "short")
    short = runner.invoke(main, ["store", "verify"])
    assert short.exit_code == 1
    assert short.stderr.startswith("error: checkpoint key in PACFLOW_CHECKPOINT_KEY: shorter")
    monkeypatch.delenv("PACFLOW_CHECKPOINT_KEY")
    for args, message, code in [
        (["store", "checkpoint", "create"], "error: no checkpoint key: set", 1),
        # An option that cannot be used as given is a usage error (docs/cli.md).
        (["store", "verify", "--against", str(tmp_path / "x.jsonl")], "Error: --against needs", 2),
    ]:
        refused = runner.invoke(main, args)
        assert refused.exit_code == code, refused.output
        last = refused.stderr.splitlines()[-1]  # click's usage lines come first for exit 2
        assert last.startswith(message), refused.stderr
        assert code == 2 or len(refused.stderr.splitlines()) == 1
    monkeypatch.setenv("PACFLOW_CHECKPOINT_KEY", KEY)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"position": "x"}\n')
    refused = runner.invoke(main, ["store", "verify", "--against", str(bad)])
    assert refused.exit_code == 2  # a file the option cannot take: a usage error
    assert f"--against {bad}:1: not a checkpoint" in refused.stderr.splitlines()[-1]


def test_a_key_file_rotates_keys(
    runner: CliRunner, keyed: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    keys = tmp_path / "checkpoint-keys"
    keys.write_text(f"# newest first\nthe-new-key-of-this-quarter-42424242\n{KEY}\n")
    monkeypatch.delenv("PACFLOW_CHECKPOINT_KEY")
    monkeypatch.setenv("PACFLOW_CHECKPOINT_KEY_FILE", str(keys))
    ok(runner, ["person", "add", PLAN, "zz", "--name", "Zoé Z", "--kind", "rep"])

    result = runner.invoke(main, ["store", "verify", "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["checkpoints_checked"] == 2 + len(TEAM)
    keys.write_text("the-new-key-of-this-quarter-42424242\n")
    forgot = runner.invoke(main, ["store", "verify"])
    assert forgot.exit_code == 0
    assert "were not checked" in forgot.stderr
    keys.unlink()
    missing = runner.invoke(main, ["store", "verify"])
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error: PACFLOW_CHECKPOINT_KEY_FILE: cannot read")
