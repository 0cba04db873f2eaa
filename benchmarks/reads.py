"""Reads bounded by their answer: `check`, `plan diff`, `plan history --step`, `dashboard`
and `report` on a long plan, next to the same commands on a short plan with the same
content, in one run.

Both plans are built from the same stream (the domain benchmark's plan up to `--base`
events, then step reassignments: a long life over a bounded plan, see `benchmarks.writes`),
one `--small` events long, the other `--events` long, in one SQLite file whose read models
are caught up; the answer of each command is about the same size on both. Each command
runs as a user runs it, `pacflow --db … COMMAND` in a fresh interpreter, `--runs` times;
printed: the median CPU time (user + system, steadier than wall time on a shared machine)
and the peak RSS of the process (VmHWM), for both plans, and the ratio long / short.
Goal (issue 10): each ≤ 2x the short plan's, peak RSS ≤ 150 MB. `plan list` is the floor:
what any command costs before it reads a plan. Last, one write as a user makes it
(`market record`), whose goal is ≤ 1.5x (`benchmarks.writes` times the same write inside
one process, without the command's start-up).

With `--filler N --plans P` the store also holds N events over P other plans (the same
stream's first N/P events each, appended in turns as teams would), so the two plans are
read from a store of the issue's size (1M events over 1,000 plans); with `--db` it is a
fresh schema of that PostgreSQL database (dropped after).

    python -m benchmarks.reads
    python -m benchmarks.reads --events 200000 --runs 3 --json
    python -m benchmarks.reads --filler 799000 --plans 998
    python -m benchmarks.reads --db postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.projections import _database
from benchmarks.writes import generated
from events import EventStore, NewEvent
from pacflow.domain import fold, from_payload
from pacflow.read_models import read_models

RATIO_GOAL = 2.0
RSS_GOAL_MB = 150
WRITE_GOAL = 1.5
BATCH = 1000
START = datetime(2025, 1, 6, 8, tzinfo=UTC)

# Runs the CLI in this process, then reports its own CPU time and peak RSS (VmHWM: the
# high-water mark of this process only, whatever its parent held).
_RUNNER = """
import json, resource, sys
from pacflow.cli import main
code = 0
try:
    main(sys.argv[2:], prog_name="pacflow")
except SystemExit as exit:
    code = exit.code if isinstance(exit.code, int) else 1
usage = resource.getrusage(resource.RUSAGE_SELF)
peak = 0
with open("/proc/self/status") as status:
    for line in status:
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) * 1024
with open(sys.argv[1], "w") as out:
    json.dump({"cpu_s": usage.ru_utime + usage.ru_stime, "rss": peak, "exit": code}, out)
"""


class _Clock:
    """Recorded times a minute apart per batch, so that moments inside the log exist."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _fill(store: EventStore, clock: _Clock, plan: str, payloads: list[tuple[str, Any]]) -> None:
    first_type, first = payloads[0]
    rows = [(first_type, {**first, "key": plan}), *payloads[1:]]
    clock.now = START
    for index in range(0, len(rows), BATCH):
        clock.now = START + timedelta(minutes=index // BATCH)
        store.append(plan, [NewEvent(kind, data) for kind, data in rows[index : index + BATCH]])


def _fill_others(
    store: EventStore, clock: _Clock, stream: list[tuple[str, Any]], events: int, plans: int
) -> None:
    """`events` more events over `plans` other plans, a batch of each in turn."""
    if not events or not plans:
        return
    each = max(1, events // plans)
    first_type, first = stream[0]
    for start in range(0, each, BATCH):
        clock.now = START + timedelta(minutes=start // BATCH)
        for number in range(plans):
            key = f"OTHER-{number:04d}"
            rows = stream[max(start, 1) : min(start + BATCH, each)]
            if start == 0:
                rows = [(first_type, {**first, "key": key}), *rows]
            store.append(key, [NewEvent(kind, data) for kind, data in rows])


def _run(url: str, args: list[str], report: Path, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(report), "--db", url, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    found: dict[str, float] = json.loads(report.read_text())
    if found["exit"] not in (0, 1) or (found["exit"] == 1 and "check" not in args):
        # check exits 1 when it finds an error-level finding: that is an answer, not a failure
        raise SystemExit(f"pacflow {' '.join(args)} failed: {done.stderr.strip()}")
    return found


def _measure(run: Callable[[], dict[str, float]], runs: int) -> tuple[float, float]:
    """Median CPU ms and the largest peak RSS in MB of `runs` runs (after one to warm)."""
    run()
    results = [run() for _ in range(runs)]
    cpu = statistics.median(r["cpu_s"] for r in results) * 1000
    rss = max(r["rss"] for r in results) / 2**20
    return round(cpu, 1), round(rss, 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000, help="events of the short plan")
    parser.add_argument("--events", type=int, default=200_000, help="events of the long plan")
    parser.add_argument("--base", type=int, default=1_000, help="events before reassignments")
    parser.add_argument("--runs", type=int, default=3, help="repetitions (median kept)")
    parser.add_argument("--filler", type=int, default=0, help="events of the other plans")
    parser.add_argument("--plans", type=int, default=998, help="other plans (with --filler)")
    parser.add_argument("--db", help="a PostgreSQL URL (a fresh schema is used, then dropped)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)

    stream = generated(max(args.small, args.events), args.base)
    state = fold(from_payload(kind, 1, data) for kind, data in stream[: args.base])
    assert state is not None
    step = next(iter(state.steps))
    plans = {"short": ("SHORT", args.small), "long": ("LONG", args.events)}
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as directory, _database(args.db) as url:
        clock = _Clock()
        store = EventStore.from_url(url, clock=clock)
        for key, size in plans.values():
            _fill(store, clock, key, stream[:size])
        _fill_others(store, clock, stream, args.filler, args.plans)
        read_models(store).catch_up()
        total = store.head_position()
        backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        store.close()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PACFLOW_")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["XDG_DATA_HOME"] = str(Path(directory) / "data")
        report = Path(directory) / "run.json"

        def late(size: int) -> str:
            # A moment a few batches before the plan's last events (the plan's zone is
            # Europe/Paris: one hour ahead of UTC in January).
            minutes = max(0, size // BATCH - 2)
            return (START + timedelta(minutes=minutes, hours=1)).strftime("%Y-%m-%dT%H:%M")

        commands: list[tuple[str, Callable[[str, int], list[str]]]] = [
            ("plan list (floor)", lambda plan, size: ["plan", "list"]),
            ("check", lambda plan, size: ["check", plan]),
            (
                "plan diff --from late",
                lambda plan, size: ["plan", "diff", plan, "--from", late(size)],
            ),
            ("plan history --step", lambda plan, size: ["plan", "history", plan, "--step", step]),
            ("dashboard", lambda plan, size: ["dashboard", plan]),
            ("report --by theme", lambda plan, size: ["report", plan, "--by", "theme"]),
            # Last: a write leaves the read models one event behind.
            (
                "market record (a write)",
                lambda plan, size: [
                    "--actor",
                    "hg",
                    "market",
                    "record",
                    plan,
                    "--summary",
                    "Benchmark",
                    "--affects",
                    "target:T1",
                    "--effective",
                    "2025-03-01",
                    "--reason",
                    "benchmark",
                ],
            ),
        ]
        for name, make in commands:
            row: dict[str, Any] = {"command": name}
            for label, (plan, size) in plans.items():
                command = make(plan, size)
                cpu, rss = _measure(functools.partial(_run, url, command, report, env), args.runs)
                row[f"{label}_cpu_ms"], row[f"{label}_rss_mb"] = cpu, rss
            row["ratio"] = round(row["long_cpu_ms"] / row["short_cpu_ms"], 2)
            rows.append(row)
    if args.json:
        print(
            json.dumps(
                {
                    "goal_ratio": RATIO_GOAL,
                    "goal_rss_mb": RSS_GOAL_MB,
                    "events": {"short": args.small, "long": args.events},
                    "store_events": total,
                    "backend": backend,
                    "commands": rows,
                },
                indent=2,
            )
        )
        return
    print(
        f"CPU time (median of {args.runs}) and peak RSS per command, {backend}, plans of "
        f"{args.small:,} and {args.events:,} events with the same content, in a store of "
        f"{total:,} events"
    )
    print(
        f"{'command':<24} {'short ms':>9} {'short MB':>9} {'long ms':>9} {'long MB':>9} "
        f"{'x':>6}  verdict"
    )
    for row in rows:
        goal = WRITE_GOAL if row["command"].endswith("(a write)") else RATIO_GOAL
        verdict = (
            ""
            if row["command"].endswith("(floor)")
            else ", ".join(
                [
                    "time ok" if row["ratio"] <= goal else "time over goal",
                    "memory ok" if row["long_rss_mb"] <= RSS_GOAL_MB else "memory over goal",
                ]
            )
        )
        print(
            f"{row['command']:<24} {row['short_cpu_ms']:>9.1f} {row['short_rss_mb']:>9.1f} "
            f"{row['long_cpu_ms']:>9.1f} {row['long_rss_mb']:>9.1f} {row['ratio']:>6.2f}  "
            f"{verdict}"
        )
    print(
        f"goal: long plan <= {RATIO_GOAL}x the short one ({WRITE_GOAL}x for the write), "
        f"peak RSS <= {RSS_GOAL_MB} MB"
    )


if __name__ == "__main__":
    main()
