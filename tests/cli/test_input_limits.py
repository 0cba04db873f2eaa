"""The bounds of accepted input, at their edges, and what `-o` does to the file it replaces
(docs/errors-and-limits.md). The fuzzing suite (tests/fuzz) tries the hostile side at
large; these say what a user sees at each bound."""

from __future__ import annotations

import os
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from events import NO_STREAM, EventStore, NewEvent
from pacflow.app import App
from pacflow.app.changes import execute
from pacflow.cli import main
from pacflow.domain.storable import check_number
from pacflow.errors import InvalidInputError
from pacflow.planfile import parse_plan_file
from tests.fuzz.harness import PLAN, SEED_PLAN


@pytest.fixture
def seeded(runner: CliRunner, db_url: str, tmp_path: Path) -> str:
    plan_file = tmp_path / "seed.yaml"
    plan_file.write_text(SEED_PLAN, encoding="utf-8")
    assert runner.invoke(main, ["apply", str(plan_file)]).exit_code == 0
    return db_url


def _error(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(main, list(args))
    return result.exit_code, result.stderr


def test_moments_are_read_from_1900_to_2200(runner: CliRunner, seeded: str) -> None:
    assert runner.invoke(main, ["plan", "show", PLAN, "--as-of", "2200-12-31"]).exit_code == 0
    code, message = _error(runner, "plan", "show", PLAN, "--as-of", "2201-01-01")
    assert (code, message) == (
        1,
        "error: --as-of '2201-01-01': expected a date between 1900 and 2200\n",
    )
    code, message = _error(runner, "dashboard", PLAN, "--as-of", "9999-12-31T23:59Z")
    assert code == 1
    assert "expected a date between 1900 and 2200" in message


@pytest.mark.parametrize("typed", ["9999-12-31T23:59Z", "0001-01-01T00:00+05:00"])
def test_a_time_with_an_offset_past_the_bounds_is_refused_as_typed(
    runner: CliRunner, seeded: str, typed: str
) -> None:
    # In Paris time the first is in year 10,000 and the second before year 1: converting
    # them used to end in a traceback (OverflowError) instead of the bound's message.
    store = EventStore.from_url(seeded)
    before = store.head_position()
    add = ["step", "add", PLAN, "S99", "--track", "T1-ELEV", "--title", "Visit"]
    add += ["--responsible", "cd", "--rrule", "FREQ=WEEKLY", "--dtstart", typed]
    code, message = _error(runner, *add)
    assert (code, message) == (
        1,
        f"error: schedule.rules[0].dtstart '{typed}': expected a date between 1900 and 2200\n",
    )
    code, message = _error(runner, "step", "move", PLAN, "S08", "--session", typed)
    assert (code, message) == (
        1,
        f"error: schedule.sessions[0].start '{typed}': expected a date between 1900 and 2200\n",
    )
    assert store.head_position() == before
    store.close()


def test_a_folder_of_the_zone_database_is_no_time_zone(runner: CliRunner, seeded: str) -> None:
    code, message = _error(
        runner, "person", "add", PLAN, "zz", "--name", "Z", "--kind", "rep", "--timezone", "Europe"
    )
    assert code == 2  # a value the option cannot take: usage (docs/cli.md)
    assert "--timezone 'Europe': expected an IANA time zone name such as Europe/Paris" in message
    added = runner.invoke(
        main, ["person", "add", PLAN, "zz", "--name", "Z", "--kind", "rep", "--timezone", "UTC"]
    )
    assert added.exit_code == 0, added.output


def test_text_with_a_control_character_is_refused_naming_it(runner: CliRunner, seeded: str) -> None:
    code, message = _error(runner, "step", "start", PLAN, "S01", "--reason", "ok\x1b[2J")
    assert code == 1
    assert message == (
        "error: reason 'ok\\x1b[2J': holds the control character U+001B, which pacflow "
        "cannot store; remove it\n"
    )
    multiline = runner.invoke(main, ["step", "start", PLAN, "S01", "--reason", "one\ntwo"])
    assert multiline.exit_code == 0, multiline.output


def test_the_application_layer_refuses_a_nul_for_every_front_end(seeded: str) -> None:
    app = App(seeded)
    try:
        before = app.store().head_position()
        with pytest.raises(InvalidInputError) as refused:
            execute(
                app,
                "StartStep",
                {"plan": PLAN, "step": "S01", "on": "2026-01-05", "reason": "a\x00b"},
                actor="web",
            )
        assert app.store().head_position() == before
    finally:
        app.close()
    assert refused.value.code == "control-character"
    assert refused.value.subject == "reason"


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("999999999999999", True),
        ("1000000000000000", False),
        ("-999999999999999.5", True),
        ("0.123456789", True),
        ("0.1234567891", False),
        ("1.50000000000000", True),  # trailing zeros are no decimals
        ("1E+999999999", False),
        ("1E-999999999", False),
    ],
)
def test_numbers_are_bounded_for_every_view(value: str, accepted: bool) -> None:
    if accepted:
        check_number(Decimal(value), "value")
    else:
        with pytest.raises(InvalidInputError, match="expected a number below 10\\^15"):
            check_number(Decimal(value), "value")


def test_a_large_indicator_value_is_refused_before_it_breaks_the_dashboard(
    runner: CliRunner, seeded: str
) -> None:
    args = ["indicator", "record", PLAN, "I1", "--period", "2026-01", "--value"]
    code, message = _error(runner, *args, "1e999999999")
    assert code == 2  # a value the option cannot take: usage (docs/cli.md)
    # Refused as typed (no exponents: `1e5` is not how people write an actual), before any
    # bound: either way, nothing reaches the dashboard.
    assert "Error: --value '1e999999999': expected a number such as 28.5" in message
    assert runner.invoke(main, [*args, "123456789012.5"]).exit_code == 0
    assert runner.invoke(main, ["dashboard", PLAN]).exit_code == 0


def test_plan_files_keep_their_anchors_and_merge_keys() -> None:
    with_anchors = SEED_PLAN.replace(
        "  - {key: hg, name: Hélène Garnier, kind: manager}\n"
        "  - {key: cd, name: Claire Dubois, kind: rep, sector: SEG-BA}\n",
        "  - &hg {key: hg, name: Hélène Garnier, kind: manager, role: Sales}\n"
        "  - {<<: *hg, key: cd, name: Claire Dubois, kind: rep}\n",
    )
    assert with_anchors != SEED_PLAN
    people = parse_plan_file(with_anchors, "plan.yaml").people
    assert [(p.key, p.kind, p.role) for p in people] == [
        ("hg", "manager", "Sales"),
        ("cd", "rep", "Sales"),
    ]


def test_export_replaces_a_previous_file_whole_keeping_its_permissions(
    runner: CliRunner, seeded: str, tmp_path: Path
) -> None:
    target = tmp_path / "pac.yaml"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o600)
    link = tmp_path / "latest.yaml"
    link.symlink_to(target)
    result = runner.invoke(main, ["export", "yaml", PLAN, "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8").startswith("plan:\n  key: PAC-F\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".part")]


def test_no_output_replaces_something_that_is_not_a_regular_file(
    runner: CliRunner, seeded: str, tmp_path: Path
) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    for command in (
        ["export", "yaml", PLAN],
        ["export", "ics", PLAN],
        ["report", PLAN, "--by", "rep", "--format", "md"],  # no extension to read it from
    ):
        code, message = _error(runner, *command, "-o", str(pipe))
        assert code == 1
        assert "it is not a regular file (a device, a pipe or a socket)" in message
        assert stat.S_ISFIFO(os.lstat(pipe).st_mode)


@pytest.mark.postgres
def test_an_event_postgresql_cannot_project_is_one_line_not_a_traceback(
    runner: CliRunner, postgres_store_url: str
) -> None:
    # Recorded by a pacflow that did not check text yet: the log took it, PostgreSQL's
    # read models cannot (no NUL in a text column).
    nul_title = {"key": "OLD", "title": "Plan\x00file", "start": "2026-01-01",
                 "end": "2026-12-31", "timezone": "UTC", "owner": "hg"}  # fmt: skip
    with EventStore.from_url(postgres_store_url) as store:
        store.append(
            "OLD", [NewEvent("PlanCreated", nul_title, metadata={"actor": "hg"})], NO_STREAM
        )
    listed = runner.invoke(main, ["--db", postgres_store_url, "plan", "list"])
    assert listed.exit_code == 5
    assert listed.stderr == (
        "error: the read models cannot take the events after position 0 "
        '(CharacterNotInRepertoire: invalid byte sequence for encoding "UTF8": 0x00); the log '
        "itself is untouched (see `pacflow store log --after 0 --limit 20`)\n"
    )
    verified = runner.invoke(main, ["--db", postgres_store_url, "store", "verify"])
    assert verified.exit_code == 0
