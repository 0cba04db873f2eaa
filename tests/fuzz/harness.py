"""Running bad input against a real store and judging what came out.

A `Sandbox` is one store (a SQLite file or a PostgreSQL schema) holding a small plan,
PAC-F, recorded from `SEED_PLAN`, and a working directory for the files a case brings
(plan files, previous outputs). `Sandbox.run(case)` drives the CLI through click's
`CliRunner` and returns a `Verdict`: the exit code, any traceback, whether the log changed
(head position or `verify`), and whether a file in the working directory was damaged or
left behind. What the project promises for bad input is that every verdict is `clean`.
"""

from __future__ import annotations

import json
import os
import stat
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner

from events import EventStore
from pacflow.cli import main

PLAN = "PAC-F"

SEED_PLAN = """\
plan:
  key: PAC-F
  title: Plan for fuzzing
  start: 2026-01-01
  end: 2026-12-31
  timezone: Europe/Paris
  owner: hg
people:
  - {key: hg, name: Hélène Garnier, kind: manager}
  - {key: cd, name: Claire Dubois, kind: rep, sector: SEG-BA}
targets:
  - key: T1
    kind: customer
    title: Banque Régionale du Centre
    responsible: cd
    objectives:
      - {statement: Orders to 600 kEUR, value: 600, unit: kEUR, due: 2026-12-31, indicator: I1}
    tracks:
      - key: T1-ELEV
        domain: sales
        approach: farming
        title: Grow BRC
        steps:
          - {key: S01, title: Map the IT org, responsible: cd, due: 2026-01-31, budget: 5}
          - key: S08
            title: Visit BRC
            responsible: cd
            parallel: true
            recurrence:
              rules:
                - {dtstart: 2026-01-13T10:00:00, rrule: "FREQ=MONTHLY;BYDAY=2TU;COUNT=6"}
              duration: PT1H30M
indicators:
  - key: I1
    name: Orders
    kind: result
    unit: kEUR
    owner: hg
    aggregation: cumulative_ytd
    direction: up
    serves: [T1]
    targets: {2026-01: 40, 2026-02: 90, 2026-03: 170}
"""

READS: tuple[tuple[str, ...], ...] = (
    ("plan", "show", "{plan}"),
    ("plan", "show", "{plan}", "--json"),
    ("export", "yaml", "{plan}"),
    ("export", "ics", "{plan}"),
    ("dashboard", "{plan}"),
    ("check", "{plan}", "--json"),
    ("report", "{plan}", "--by", "theme", "--format", "html"),
    ("plan", "history", "{plan}"),
)
"""What must still work (exit 0; `check` may exit 1 for its findings) on every plan after
an input was accepted."""

CLEAN_EXITS = frozenset({1, 2})
"""Exit codes of refused input: 1 a value pacflow refuses, 2 a command-line usage error."""

PREVIOUS_OUTPUT = "previous output: must survive a failed write\n"


@dataclass(frozen=True)
class Case:
    """One input: CLI arguments (after `--db`), with `{dir}` standing for the working
    directory, and the files it needs there (name → bytes)."""

    label: str
    args: tuple[str, ...]
    files: Mapping[str, bytes] = field(default_factory=dict)
    exits: frozenset[int] = CLEAN_EXITS
    db: str | None = None
    """Another `--db` than the sandbox's store (a malformed URL, say)."""
    fifo: str | None = None
    """A named pipe to create in the working directory (an output that is no regular file)."""


@dataclass(frozen=True)
class Verdict:
    """What one case did."""

    case: Case
    exit_code: int
    output: str
    traceback: str | None
    wrote_log: bool
    damaged_files: tuple[str, ...]
    seconds: float
    broken_reads: tuple[str, ...] = ()
    """Views that failed after the case was accepted (a value stored that breaks a reader)."""

    @property
    def clean(self) -> bool:
        """A one-line refusal: no traceback, an expected exit code, nothing written."""
        return (
            self.traceback is None
            and self.exit_code in self.case.exits
            and (not self.wrote_log or self.exit_code == 0)
            and not self.damaged_files
            and not self.broken_reads
        )

    def explain(self) -> str:
        """Why the verdict is not clean, for an assertion message."""
        problems = []
        if self.traceback is not None:
            problems.append(f"traceback:\n{self.traceback}")
        if self.exit_code not in self.case.exits:
            problems.append(f"exit {self.exit_code}, expected one of {sorted(self.case.exits)}")
        if self.wrote_log and self.exit_code != 0:
            problems.append("the log changed")
        if self.broken_reads:
            problems.append(f"then these views failed: {'; '.join(self.broken_reads)}")
        if self.damaged_files:
            problems.append(f"files damaged or left behind: {', '.join(self.damaged_files)}")
        return f"{self.case.label}: {'; '.join(problems)}\noutput: {self.output[:2000]}"


class Sandbox:
    """A store holding PAC-F and a working directory, for running cases one after another."""

    def __init__(self, new_url: Callable[[], str], workdir: Path) -> None:
        self.new_url = new_url
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.runner = CliRunner()
        self.url = ""
        self.reseed()

    def reseed(self) -> None:
        """Start again from a new store holding PAC-F (after a case wrote to the log)."""
        self.url = self.new_url()
        seed = self.workdir / "seed.yaml"
        seed.write_text(SEED_PLAN, encoding="utf-8")
        result = self.invoke(["apply", str(seed)])
        if result.exit_code != 0:  # type: ignore[attr-defined]
            raise RuntimeError(f"cannot seed the fuzzing store: {result.output}")  # type: ignore[attr-defined]
        seed.unlink()

    def invoke(self, args: Iterable[str], db: str | None = None) -> object:
        """Run `pacflow --db URL ARGS` and return click's result."""
        env = {"PACFLOW_ACTOR": "fuzz", "PACFLOW_DB": None, "CI": None}
        return self.runner.invoke(
            main, ["--db", db or self.url, *args], env=env, catch_exceptions=True
        )

    def _log_state(self) -> tuple[int, bool, int]:
        with EventStore.from_url(self.url) as store:
            verified = store.verify()
            return store.head_position(), verified.ok, verified.events_checked

    def run(self, case: Case) -> Verdict:
        """Run `case` and judge it (see `Verdict.clean`)."""
        for name in os.listdir(self.workdir):
            _remove(self.workdir / name)
        for name, content in case.files.items():
            (self.workdir / name).write_bytes(content)
        previous = self.workdir / "previous.out"
        previous.write_text(PREVIOUS_OUTPUT, encoding="utf-8")
        if case.fifo is not None:
            os.mkfifo(self.workdir / case.fifo)
        before_files = set(os.listdir(self.workdir))
        before_log = self._log_state()
        args = [arg.replace("{dir}", str(self.workdir)) for arg in case.args]
        started = time.perf_counter()
        result = self.invoke(args, case.db)
        seconds = time.perf_counter() - started
        exit_code: int = result.exit_code  # type: ignore[attr-defined]
        output: str = result.output  # type: ignore[attr-defined]
        exception = result.exception  # type: ignore[attr-defined]
        trace = None
        if exception is not None and not isinstance(exception, SystemExit):
            trace = "".join(traceback.format_exception(exception))
        elif "Traceback (most recent call last)" in output:
            trace = output
        damaged = sorted(set(os.listdir(self.workdir)) - before_files)
        if previous.read_text(encoding="utf-8") != PREVIOUS_OUTPUT:
            damaged.append(previous.name)
        if case.fifo is not None and not stat.S_ISFIFO(os.lstat(self.workdir / case.fifo).st_mode):
            damaged.append(case.fifo)
        if exit_code == 0:
            damaged = []  # a case that succeeds may write its output
        wrote_log = self._log_state() != before_log
        broken: list[str] = []
        if wrote_log:
            if exit_code == 0:
                broken = self.broken_reads()
            self.reseed()  # the next case starts from PAC-F as seeded
        return Verdict(
            case=case,
            exit_code=exit_code,
            output=output,
            traceback=trace,
            wrote_log=wrote_log,
            damaged_files=tuple(damaged),
            seconds=seconds,
            broken_reads=tuple(broken),
        )

    def broken_reads(self) -> list[str]:
        """The views of every plan in the store that fail (any exit but 0), each with its
        output: what an accepted value must never cause."""
        listed = self.invoke(["plan", "list", "--json"])
        if listed.exit_code != 0:  # type: ignore[attr-defined]
            return [f"plan list: {listed.output.strip()}"]  # type: ignore[attr-defined]
        keys = [plan["key"] for plan in json.loads(listed.output)]  # type: ignore[attr-defined]
        broken = []
        for key in keys:
            for read in READS:
                args = [part.replace("{plan}", key) for part in read]
                result = self.invoke(args)
                findings = read[0] == "check" and result.exit_code == 1  # type: ignore[attr-defined]
                if findings and "error:" not in result.stderr:  # type: ignore[attr-defined]
                    continue  # exit 1: the check found something, as it may
                if result.exit_code != 0:  # type: ignore[attr-defined]
                    broken.append(f"{' '.join(args)}: {result.output.strip()[-300:]}")  # type: ignore[attr-defined]
        verified = self.invoke(["store", "verify"])
        if verified.exit_code != 0:  # type: ignore[attr-defined]
            broken.append(f"store verify: {verified.output.strip()}")  # type: ignore[attr-defined]
        return broken


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        for child in path.iterdir():
            _remove(child)
        path.rmdir()
    else:
        path.unlink()
