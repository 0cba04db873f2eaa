"""Hostile input against pacflow, counted: cases tried, tracebacks, wrong exit codes,
partial writes (the log or a file changed by a refused case), views broken by an accepted
value, and the slowest case (the 342-byte YAML bomb used to take 84 s).

Runs the corpus of issue 12 (tests/fuzz/corpus.py) and N generated cases of each kind
(tests/fuzz/strategies.py: command lines, plan files) on SQLite and, when it answers, on
PostgreSQL (PACFLOW_TEST_POSTGRES_URL, or the local default the tests use). Exit 1 when
any case is not clean, listing the first few.

    python -m benchmarks.fuzz_report
    python -m benchmarks.fuzz_report --examples 1000 --backend sqlite --seed 7
    python -m benchmarks.fuzz_report --json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import hypothesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fuzz.corpus import CORPUS
from tests.fuzz.harness import Case, Sandbox, Verdict
from tests.fuzz.strategies import cli_cases, plan_file_cases

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class Tally:
    """What the cases of one source on one backend did."""

    tried: int = 0
    accepted: int = 0
    tracebacks: int = 0
    wrong_exits: int = 0
    partial_writes: int = 0
    broken_reads: int = 0
    slowest: float = 0.0
    slowest_case: str = ""
    problems: list[str] = field(default_factory=list)

    def add(self, verdict: Verdict) -> None:
        self.tried += 1
        self.accepted += verdict.exit_code == 0
        self.tracebacks += verdict.traceback is not None
        self.wrong_exits += verdict.exit_code not in verdict.case.exits
        self.partial_writes += bool(verdict.damaged_files) or (
            verdict.wrote_log and verdict.exit_code != 0
        )
        self.broken_reads += bool(verdict.broken_reads)
        if verdict.seconds > self.slowest:
            self.slowest, self.slowest_case = verdict.seconds, verdict.case.label
        if not verdict.clean and len(self.problems) < 5:
            self.problems.append(verdict.explain()[:600])

    @property
    def bad(self) -> int:
        return self.tracebacks + self.wrong_exits + self.partial_writes + self.broken_reads


def _run_generated(
    strategy: st.SearchStrategy[Case], count: int, seed: int, sandbox: Sandbox, tally: Tally
) -> None:
    """Run `count` examples of `strategy` (the same ones for the same seed) into `tally`."""

    @hypothesis.seed(seed)
    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def each(case: Case) -> None:
        tally.add(sandbox.run(case))

    each()


@contextmanager
def _postgres_urls(base: str) -> Iterator[Callable[[], str] | None]:
    """A factory of fresh PostgreSQL schemas (dropped afterwards), or None without a server."""
    try:
        import psycopg

        with psycopg.connect(base, connect_timeout=3):
            pass
    except Exception:
        yield None
        return
    run, counter, made = secrets.token_hex(3), itertools.count(1), []

    def new_url() -> str:
        name = f"fuzz_report_{run}_{next(counter)}"
        made.append(name)
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{name}"')
        plain = base.split("://", 1)[1]
        return f"postgresql+psycopg://{plain}?options=-csearch_path%3D{name}"

    try:
        yield new_url
    finally:
        with psycopg.connect(base, autocommit=True) as connection:
            for name in made:
                connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def run_backend(new_url: Callable[[], str], examples: int, seed: int) -> dict[str, Tally]:
    """The tallies of the corpus and of the generated cases on one backend."""
    with tempfile.TemporaryDirectory(prefix="pacflow-fuzz-") as directory:
        sandbox = Sandbox(new_url, Path(directory) / "work")
        tallies = {name: Tally() for name in ("corpus", "command lines", "plan files")}
        for case in CORPUS:
            tallies["corpus"].add(sandbox.run(case))
        _run_generated(cli_cases(), examples, seed, sandbox, tallies["command lines"])
        _run_generated(plan_file_cases(), examples, seed + 1, sandbox, tallies["plan files"])
        return tallies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=200, help="generated cases per kind")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args(argv)
    postgres = os.environ.get("PACFLOW_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    postgres = postgres.replace("postgresql+psycopg://", "postgresql://")
    results: dict[str, dict[str, Tally]] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pacflow-fuzz-db-") as directory:
        counter = itertools.count(1)
        if options.backend in ("sqlite", "both"):
            results["sqlite"] = run_backend(
                lambda: f"sqlite:///{Path(directory) / f'{next(counter)}.db'}",
                options.examples,
                options.seed,
            )
        if options.backend in ("postgres", "both"):
            with _postgres_urls(postgres) as new_url:
                if new_url is None:
                    print("PostgreSQL does not answer: SQLite only", file=sys.stderr)
                else:
                    results["postgresql"] = run_backend(new_url, options.examples, options.seed)
    elapsed = time.perf_counter() - started
    bad = sum(tally.bad for tallies in results.values() for tally in tallies.values())
    if options.json:
        print(
            json.dumps(
                {
                    backend: {
                        name: {k: v for k, v in vars(tally).items() if k != "problems"}
                        for name, tally in tallies.items()
                    }
                    for backend, tallies in results.items()
                },
                indent=2,
            )
        )
    else:
        _print_table(results, elapsed)
    for tallies in results.values():
        for tally in tallies.values():
            for problem in tally.problems:
                print(f"\n{problem}", file=sys.stderr)
    return 1 if bad else 0


def _print_table(results: dict[str, dict[str, Tally]], elapsed: float) -> None:
    header = (
        f"{'backend':<11}{'source':<15}{'tried':>6}{'accepted':>9}{'tracebacks':>11}"
        f"{'wrong exit':>11}{'partial writes':>15}{'broken reads':>13}{'slowest s':>10}"
    )
    print(header)
    print("-" * len(header))
    for backend, tallies in results.items():
        for name, t in tallies.items():
            print(
                f"{backend:<11}{name:<15}{t.tried:>6}{t.accepted:>9}{t.tracebacks:>11}"
                f"{t.wrong_exits:>11}{t.partial_writes:>15}{t.broken_reads:>13}"
                f"{t.slowest:>10.2f}"
            )
    slowest = max(
        (t for tallies in results.values() for t in tallies.values()), key=lambda t: t.slowest
    )
    print(
        f"\nslowest case: {slowest.slowest_case} ({slowest.slowest:.2f} s); total {elapsed:.0f} s"
    )


if __name__ == "__main__":
    sys.exit(main())
