"""Read-model figures: rebuild throughput and memory, as-of and show latency.

In one run, on one machine and database: (1) rebuilding the plan read model from position
0 over `--events` events spread across `--plans` plans (appended in interleaved chunks, as
teams working at the same time would), in events/s and peak RSS of the rebuilding process,
next to the raw read floor (a raw SELECT of the same rows with json.loads); (2) `plan show
--as-of` (snapshot + fold) on one plan stream of `--long` events; (3) `plan show` from the
read model on a plan of `--steps` steps. Latencies are in-process medians of repeated runs.

    python -m benchmarks.projections                       # 1,000,000 events, 1,000 plans
    python -m benchmarks.projections --events 100000 --plans 100 --long 20000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.domain import plan_events
from events import EventStore, NewEvent
from pacflow.domain import commands as c
from pacflow.domain import decide, event_type_name, evolve, to_payload
from pacflow.domain.state import PlanState
from pacflow.read_models import read_models
from projections.queries import plan_view
from projections.snapshots import load_as_of

REBUILD_GOAL = 50_000
RSS_GOAL_MB = 200.0
AS_OF_GOAL_MS = 100.0
SHOW_GOAL_MS = 50.0
CHUNK = 200  # events of one plan appended before moving to the next plan
MOMENT = datetime(2025, 3, 11, 9, 30, tzinfo=UTC)


class _Clock:
    """Advances one second per append, so as-of has moments to aim at."""

    def __init__(self) -> None:
        self.now = MOMENT

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _payloads(count: int) -> list[tuple[str, dict[str, Any]]]:
    return [(event_type_name(e), to_payload(e)) for e in plan_events(count)]


def _fill(store: EventStore, plans: int, per_plan: int) -> None:
    template = _payloads(per_plan)
    offsets = dict.fromkeys(range(plans), 0)
    done = 0
    while offsets:
        for plan in list(offsets):
            start = offsets[plan]
            chunk = template[start : start + CHUNK]
            batch = [
                NewEvent(kind, {**data, "key": f"P{plan:04}"} if kind == "PlanCreated" else data)
                for kind, data in chunk
            ]
            store.append(f"P{plan:04}", batch, expected_version=start)
            offsets[plan] = start + len(chunk)
            done += len(chunk)
            if offsets[plan] >= len(template):
                del offsets[plan]
        print(f"  filled {done:,} events", file=sys.stderr)


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _rebuild_child(url: str) -> None:
    """Runs in a fresh process: rebuild, print events/s and peak RSS as JSON."""
    store = EventStore.from_url(url)
    engine = read_models(store)
    started = time.perf_counter()
    applied = engine.rebuild()
    seconds = time.perf_counter() - started
    print(json.dumps({"events_per_s": applied / seconds, "peak_rss_mb": _peak_rss_mb()}))


def _raw_read_floor(url: str) -> float:
    import sqlite3

    path = url.removeprefix("sqlite:///")
    connection = sqlite3.connect(path)
    started = time.perf_counter()
    count = 0
    for data, metadata in connection.execute("SELECT data, metadata FROM events"):
        json.loads(data)
        json.loads(metadata)
        count += 1
    return count / (time.perf_counter() - started)


def _median_ms(work: Any, runs: int = 15) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _long_plan(store: EventStore, events: int) -> None:
    """One plan of 200 steps whose long life is mostly reassignments (a bounded state)."""
    state: PlanState | None = None
    batch: list[NewEvent] = []

    def run(command_type: type[c.Command], **fields: Any) -> None:
        nonlocal state
        command = c.build_command(command_type, {"plan": "LONG", "actor": "hg", **fields})
        for event in decide(state, command):
            state = evolve(state, event)
            batch.append(NewEvent(event_type_name(event), to_payload(event)))

    run(
        c.CreatePlan,
        title="Long plan",
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        timezone="Europe/Paris",
        owner="hg",
    )
    run(c.AddPerson, key="hg", name="H", kind="manager")
    run(c.AddPerson, key="cd", name="C", kind="rep")
    run(c.AddTarget, key="T1", kind="customer", title="T1", responsible="hg")
    run(c.AddTrack, key="K1", target="T1", domain="sales", approach="farming", title="K1")
    for index in range(200):
        run(
            c.AddStep,
            key=f"S{index}",
            track="K1",
            title="Step",
            responsible="hg",
            parallel=True,
            schedule={"kind": "due", "due": date(2025, 6, 1)},
        )
    turn = 0
    while len(batch) < events:
        step = f"S{turn % 200}"
        who = "cd" if (turn // 200) % 2 == 0 else "hg"
        run(c.AssignStep, step=step, responsible=who)
        turn += 1
        if len(batch) >= 1000:
            store.append("LONG", batch)
            events -= len(batch)
            batch = []
    if batch:
        store.append("LONG", batch)


def _big_plan(store: EventStore, steps: int) -> None:
    state: PlanState | None = None
    batch: list[NewEvent] = []

    def run(command_type: type[c.Command], **fields: Any) -> None:
        nonlocal state
        command = c.build_command(command_type, {"plan": "BIG", "actor": "hg", **fields})
        for event in decide(state, command):
            state = evolve(state, event)
            batch.append(NewEvent(event_type_name(event), to_payload(event)))

    run(
        c.CreatePlan,
        title="Big plan",
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        timezone="Europe/Paris",
        owner="hg",
        max_targets_per_rep=100,
        max_targets_total=100,
    )
    run(c.AddPerson, key="hg", name="H", kind="manager")
    run(c.AddTarget, key="T1", kind="customer", title="T1", responsible="hg")
    for track in range(steps // 50):
        run(
            c.AddTrack,
            key=f"K{track}",
            target="T1",
            domain="sales",
            approach="farming",
            title=f"Track {track}",
        )
        for index in range(50):
            run(
                c.AddStep,
                key=f"S{track}-{index}",
                track=f"K{track}",
                title="Step",
                responsible="hg",
                parallel=True,
                schedule={"kind": "due", "due": date(2025, 2, 1) + timedelta(days=index * 5)},
            )
    store.append("BIG", batch)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--plans", type=int, default=1_000)
    parser.add_argument("--long", type=int, default=100_000, help="events of the as-of plan")
    parser.add_argument("--steps", type=int, default=1_000, help="steps of the shown plan")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rebuild-child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rebuild_child:
        _rebuild_child(args.rebuild_child)
        return

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        store = EventStore.from_url(url, clock=_Clock())
        print(f"filling {args.events:,} events across {args.plans:,} plans", file=sys.stderr)
        _fill(store, args.plans, args.events // args.plans)
        floor = _raw_read_floor(url)
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.projections", "--rebuild-child", url],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ},
        )
        rebuild = json.loads(child.stdout)

        print(
            f"one plan of {args.long:,} events; one plan of {args.steps:,} steps", file=sys.stderr
        )
        long_url = f"sqlite:///{directory}/long.db"
        long_store = EventStore.from_url(long_url, clock=_Clock())
        _long_plan(long_store, args.long)
        _big_plan(long_store, args.steps)
        engine = read_models(long_store)
        engine.catch_up()
        length = long_store.stream_version("LONG")
        moment = next(iter(long_store.read_stream("LONG", from_version=length - 10))).recorded_at
        as_of_ms = _median_ms(lambda: load_as_of(long_store, engine.database, "LONG", moment))
        with engine.database.connect() as connection:
            show_ms = _median_ms(lambda: plan_view(connection, "BIG"))

    figures = {
        "events": args.events,
        "plans": args.plans,
        "rebuild_events_per_s": round(rebuild["events_per_s"]),
        "raw_read_floor_per_s": round(floor),
        "rebuild_peak_rss_mb": round(rebuild["peak_rss_mb"], 1),
        "as_of_ms": round(as_of_ms, 1),
        "show_ms": round(show_ms, 1),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    rows = [
        (
            "rebuild (events/s)",
            f"{rebuild['events_per_s']:,.0f}",
            f"{floor:,.0f}",
            f">= {REBUILD_GOAL:,}",
            rebuild["events_per_s"] >= REBUILD_GOAL,
        ),
        (
            "rebuild peak RSS (MB)",
            f"{rebuild['peak_rss_mb']:.1f}",
            "",
            f"<= {RSS_GOAL_MB:.0f}",
            rebuild["peak_rss_mb"] <= RSS_GOAL_MB,
        ),
        (
            f"as-of, {args.long:,}-event plan (ms)",
            f"{as_of_ms:.1f}",
            "",
            f"<= {AS_OF_GOAL_MS:.0f}",
            as_of_ms <= AS_OF_GOAL_MS,
        ),
        (
            f"show, {args.steps:,}-step plan (ms)",
            f"{show_ms:.1f}",
            "",
            f"<= {SHOW_GOAL_MS:.0f}",
            show_ms <= SHOW_GOAL_MS,
        ),
    ]
    print(f"{args.events:,} events across {args.plans:,} plans (chunks of {CHUNK}, interleaved)")
    print(f"{'measure':<32} {'pacflow':>10} {'raw floor':>10}  {'goal':<11} verdict")
    for name, value, floor_text, goal, ok in rows:
        print(f"{name:<32} {value:>10} {floor_text:>10}  {goal:<11} {'ok' if ok else 'below goal'}")


if __name__ == "__main__":
    main()
