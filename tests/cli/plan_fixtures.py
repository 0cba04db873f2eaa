"""Shared setup for the plan CLI tests: the worked example's commands and checked runners.

The worked example is `../shared/data/ssii-example.yaml` (plan PAC-2025, Europe/Paris,
people hg, cd, kb, jm, target T1 = Banque Régionale du Centre, tracks T1-INFO and T1-ELEV,
steps S01, S02 and the S08 visit series, indicators I1 and I2), typed as a user would.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from pacflow.cli import main

PLAN = "PAC-2025"

CREATE = [
    "plan", "create", PLAN, "--title", "Plan d'action commerciale 2025",
    "--start", "2025-01-01", "--end", "2025-12-31", "--timezone", "Europe/Paris", "--owner", "hg",
    "--country", "none",  # these tests' dates are not about public holidays (test_time_policy)
]  # fmt: skip

TEAM = [
    ["person", "add", PLAN, "hg", "--name", "Hélène Garnier", "--kind", "manager",
     "--email", "helene.garnier@numeria.example", "--role", "Directrice commerciale"],
    ["person", "add", PLAN, "cd", "--name", "Claire Dubois", "--kind", "rep",
     "--email", "claire.dubois@numeria.example", "--sector", "SEG-BA"],
    ["person", "add", PLAN, "kb", "--name", "Karim Benali", "--kind", "rep", "--sector", "SEG-BA"],
    ["person", "add", PLAN, "jm", "--name", "Julien Moreau", "--kind", "back_office"],
]  # fmt: skip

TARGET_T1 = [
    ["target", "add", PLAN, "T1", "--kind", "customer", "--title", "Banque Régionale du Centre",
     "--responsible", "cd", "--ref", "ACC-BRC", "--rationale", "A' potential, B customer"],
]  # fmt: skip

INDICATORS = [
    ["indicator", "define", PLAN, "I1", "--name", "Prises de commandes Banque & Assurance 2025",
     "--kind", "result", "--unit", "kEUR", "--owner", "hg", "--aggregation", "cumulative_ytd",
     "--serves", "T1"],
    ["indicator", "define", PLAN, "I2", "--name", "Visites chez BRC", "--kind", "activity",
     "--unit", "count", "--owner", "cd", "--serves", "T1"],
    ["indicator", "set-targets", PLAN, "I2", "--from", "2025-01", "--values",
     "2,2,2,2,2,2,2,2,2,2,2,2"],
]  # fmt: skip

OBJECTIVE_T1 = [
    ["objective", "set", PLAN, "T1", "--statement",
     "Porter les prises de commandes BRC de 180 kEUR (2024) à 600 kEUR en 2025",
     "--value", "600", "--unit", "kEUR", "--due", "2025-12-31", "--indicator", "I1",
     "--baseline", "180"],
]  # fmt: skip

TRACKS = [
    ["track", "add", PLAN, "T1-INFO", "--target", "T1", "--domain", "information",
     "--title", "Connaître BRC (organisation, projets, concurrents)"],
    ["track", "add", PLAN, "T1-ELEV", "--target", "T1", "--domain", "sales",
     "--approach", "farming", "--title", "Développer BRC en client partenaire"],
]  # fmt: skip

STEPS = [
    ["step", "add", PLAN, "S01", "--track", "T1-INFO",
     "--title", "Cartographier l'organigramme DSI et directions métiers de BRC",
     "--responsible", "cd", "--participant", "jm",
     "--means", "Sales Navigator, rapport annuel, entretiens internes", "--due", "2025-01-31"],
    ["step", "add", PLAN, "S02", "--track", "T1-INFO",
     "--title", "Rendez-vous de découverte avec le DSI adjoint de BRC",
     "--responsible", "cd", "--participant", "hg", "--means", "RDV sur site (2 h)",
     "--due", "2025-02-14"],
]  # fmt: skip

VISITS = [
    ["step", "add", PLAN, "S08", "--track", "T1-ELEV", "--title", "Visite de suivi chez BRC",
     "--responsible", "cd", "--means", "RDV sur site", "--location", "BRC, siège",
     "--rrule", "FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=24", "--dtstart", "2025-01-14T10:00",
     "--duration", "PT1H30M", "--indicator", "I2"],
]  # fmt: skip

WORKED_EXAMPLE = [CREATE, *TEAM, *TARGET_T1, *INDICATORS, *OBJECTIVE_T1, *TRACKS, *STEPS, *VISITS]
"""The worked example's January plan (a draft), command by command."""

WORKED_EXAMPLE_EVENTS = 16
"""Events the worked example records (S08 records its step and its 24 occurrences)."""

S08_DATES = [
    "2025-01-14", "2025-01-28", "2025-02-11", "2025-02-25", "2025-03-11", "2025-03-25",
    "2025-04-08", "2025-04-22", "2025-05-13", "2025-05-27", "2025-06-10", "2025-06-24",
    "2025-07-08", "2025-07-22", "2025-08-12", "2025-08-26", "2025-09-09", "2025-09-23",
    "2025-10-14", "2025-10-28", "2025-11-11", "2025-11-25", "2025-12-09", "2025-12-23",
]  # fmt: skip
"""The 2nd and 4th Tuesdays of 2025: the 24 visits of S08."""


def invoke(runner: CliRunner, args: Sequence[str]) -> Result:
    """Run `pacflow ARGS` in-process."""
    return runner.invoke(main, list(args))


def ok(runner: CliRunner, args: Sequence[str]) -> Result:
    """Run a command that must succeed; its output explains a failure."""
    result = invoke(runner, args)
    assert result.exit_code == 0, (
        f"pacflow {' '.join(args)} exited {result.exit_code}\n"
        f"stdout: {result.stdout}\nstderr: {result.stderr}\nexception: {result.exception!r}"
    )
    return result


def run_all(runner: CliRunner, commands: Iterable[Sequence[str]]) -> list[Result]:
    """Run every command in turn, each of which must succeed."""
    return [ok(runner, command) for command in commands]


def ok_json(runner: CliRunner, args: Sequence[str]) -> Any:
    """Run a command with --json that must succeed; its stdout parsed."""
    return json.loads(ok(runner, [*args, "--json"]).stdout)


_SNAPSHOTS: dict[tuple[tuple[str, ...], ...], Path] = {}
"""Stores built before by the same commands, kept as SQLite files (see build_example)."""

_SNAPSHOT_DIR = Path(tempfile.mkdtemp(prefix="pacflow-cli-snapshots-"))
atexit.register(shutil.rmtree, _SNAPSHOT_DIR, ignore_errors=True)


def _fresh_sqlite_file() -> Path | None:
    """The test's own SQLite store file (PACFLOW_DB), if it does not exist yet."""
    url = os.environ.get("PACFLOW_DB", "")
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    return None if path.exists() else path


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database, whatever its journal (WAL) holds."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def build_example(runner: CliRunner, *extra: Sequence[str]) -> None:
    """Record the worked example, then the extra commands, into the test's fresh store.

    The commands run through the CLI the first time; later tests that build the same thing
    get a copy of that store (same events, same hash chain), which keeps the suite fast.
    """
    commands = [*WORKED_EXAMPLE, *extra]
    key = tuple(tuple(command) for command in commands)
    path = _fresh_sqlite_file()
    if path is not None and key in _SNAPSHOTS:
        _copy_database(_SNAPSHOTS[key], path)
        return
    run_all(runner, commands)
    if path is not None:
        snapshot = _SNAPSHOT_DIR / f"{len(_SNAPSHOTS)}.db"
        _copy_database(path, snapshot)
        _SNAPSHOTS[key] = snapshot


def event_count(runner: CliRunner) -> int:
    """How many events the store holds (`pacflow info --json`)."""
    count: int = ok_json(runner, ["info"])["events"]
    return count


def plan_json(runner: CliRunner, plan: str = PLAN) -> Any:
    """`pacflow plan show PLAN --json`, parsed."""
    return ok_json(runner, ["plan", "show", plan])


def step_json(runner: CliRunner, key: str, plan: str = PLAN) -> Any:
    """One step of `plan show --json`."""
    for track in plan_json(runner, plan)["tracks"]:
        for step in track["steps"]:
            if step["key"] == key:
                return step
    raise AssertionError(f"no step {key} in plan show --json")


def occurrence_json(runner: CliRunner, key: str, plan: str = PLAN) -> Any:
    """One occurrence (`S08@2025-03-11`) of `plan show --json`."""
    step = step_json(runner, key.partition("@")[0], plan)
    for occurrence in step["occurrences"]:
        if occurrence["key"] == key:
            return occurrence
    raise AssertionError(f"no occurrence {key} in plan show --json")


def assert_one_line_error(result: Result, code: int = 1) -> str:
    """The command failed with `code` and one `error: ...` line on stderr; its message."""
    assert result.exception is None or isinstance(
        result.exception, SystemExit
    ), f"uncaught {type(result.exception).__name__}: {result.exception}"
    assert "Traceback" not in result.output
    assert result.exit_code == code, (
        f"exit {result.exit_code}, expected {code}\nstdout: {result.stdout}\n"
        f"stderr: {result.stderr}"
    )
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
    assert lines[0].startswith("error: "), lines[0]
    assert result.stdout == "", f"nothing on stdout after an error, got {result.stdout!r}"
    return lines[0].removeprefix("error: ")


def refused(runner: CliRunner, args: Sequence[str], code: int = 1) -> str:
    """Run a command that must be refused with a one-line error and record nothing."""
    before = event_count(runner)
    message = assert_one_line_error(invoke(runner, args), code)
    assert event_count(runner) == before, f"pacflow {' '.join(args)} recorded events"
    return message


def usage_error(runner: CliRunner, args: Sequence[str]) -> str:
    """Run a command click refuses (exit 2, nothing recorded); its `Error: ...` line."""
    before = event_count(runner)
    result = invoke(runner, args)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert event_count(runner) == before
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]
