"""Read-model figures: rebuild and catch-up throughput and memory, as-of and show latency.

In one run, on one machine and database (SQLite by default, PostgreSQL with `--db`):

1. a store of `--events` events over `--plans` plans, one of which has `--big-plan-events`
   events (the others share the rest), appended through the store API in chunks of one
   plan's events, interleaved as teams working at the same time would (a seeded draw
   weighted by what each plan has left, so the big plan runs through the whole log);
2. the raw read floor: a plain driver SELECT of every event's data and metadata, each
   decoded with json.loads;
3. catch-up: the read models built once when `--caught-up` of the log was written, then
   caught up over the rest in a fresh process (events/s; memory as the peak RSS of the
   largest process, as the largest total of that process and the workers sharing its pass
   at one moment, sampled every 20 ms, in PSS (a page they share counts once) and in RSS
   (counted in each), and as the sum of each one's own peak, an upper bound:
   `projections.workers`);
4. rebuild: every read model dropped and rebuilt from position 0 in a fresh process, as
   pacflow runs it (shared by one process per processor, at most four), then again in one
   process alone (`PACFLOW_PROJECTION_WORKERS=1`);
5. `plan show --as-of` (snapshot + fold) on a long-lived plan of `--long` events and
   `plan show` from the read model on a plan of `--steps` steps (in-process medians);
   skipped with `--no-latency`.

    python -m benchmarks.projections       # 1,000,000 events, 1,000 plans, one of 200,000
    python -m benchmarks.projections --events 200000 --plans 200 --big-plan-events 40000
    python -m benchmarks.projections --db postgresql+psycopg://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.domain import plan_events
from events import EventStore, NewEvent
from pacflow.domain import commands as c
from pacflow.domain import decide, event_type_name, evolve, to_payload
from pacflow.domain.state import PlanState
from pacflow.read_models import read_models
from projections.queries import plan_view
from projections.snapshots import load_as_of
from projections.workers import peak_rss_mb

GOALS = {"sqlite": 50_000, "postgresql": 30_000}
RSS_GOAL_MB = 200.0
AS_OF_GOAL_MS = 100.0
SHOW_GOAL_MS = 50.0
CHUNK = 200  # events of one plan appended at once
MOMENT = datetime(2025, 3, 11, 9, 30, tzinfo=UTC)


class _Clock:
    """Advances one second per append, so as-of has moments to aim at."""

    def __init__(self) -> None:
        self.now = MOMENT

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


Template = list[tuple[str, dict[str, Any]]]


def _template(count: int) -> Template:
    """A realistic plan stream of `count` events (the prefix of a longer one is a valid plan)."""
    return [(event_type_name(e), to_payload(e)) for e in plan_events(count)]


def _schedule(plans: int, total: int, big: int, seed: int = 7) -> list[tuple[str, int, int]]:
    """The appends that build the store, in order: (plan, first event, end) of each chunk."""
    sizes = [big] + [0] * (plans - 1) if plans > 1 else [total]
    rest = total - big if plans > 1 else 0
    for index in range(1, plans):
        sizes[index] = rest // (plans - 1) + (1 if index <= rest % (plans - 1) else 0)
    names = ["BIG" if index == 0 and plans > 1 else f"P{index:04}" for index in range(plans)]
    done = [0] * plans
    left = list(sizes)
    draw = random.Random(seed)
    appends = []
    while any(left):
        index = draw.choices(range(plans), weights=left)[0]
        size = min(CHUNK, left[index])
        appends.append((names[index], done[index], done[index] + size))
        done[index] += size
        left[index] -= size
    return appends


def _append(store: EventStore, template: Template, appends: list[tuple[str, int, int]]) -> None:
    for count, (plan, start, end) in enumerate(appends, start=1):
        batch = [
            NewEvent(kind, {**data, "key": plan} if kind == "PlanCreated" else data)
            for kind, data in template[start:end]
        ]
        store.append(plan, batch, expected_version=start)
        if count % 500 == 0:
            print(f"  appended {count:,} of {len(appends):,} chunks", file=sys.stderr)


def _child(kind: str, url: str) -> None:
    """Runs in a fresh process: catch up or rebuild, print events/s and peak RSS as JSON.

    A long pass is shared by worker processes (`projections.workers`): their CPU time and
    their peak memory count too (memory as the sum of every process's peak)."""
    store = EventStore.from_url(url)
    engine = read_models(store)
    head = store.head_position()
    behind = max(status.lag for status in engine.status())
    started = time.perf_counter()
    cpu = _cpu_with_children()
    sampler = _TotalRss()
    sampler.start()
    try:
        if kind == "rebuild":
            engine.rebuild()
            behind = head
        else:
            engine.catch_up()
    finally:
        sampler.stop.set()
        sampler.join()
    seconds = time.perf_counter() - started
    cpu = _cpu_with_children() - cpu
    shared = engine.last_pass
    workers_mb = sum(shared.worker_peak_rss_mb) if shared is not None else 0.0
    print(
        json.dumps(
            {
                "events": behind,
                "seconds": seconds,
                "events_per_s": behind / seconds if seconds else 0.0,
                "cpu_events_per_s": behind / cpu if cpu else 0.0,
                "processes": shared.processes if shared is not None else 1,
                "peak_rss_mb": peak_rss_mb() + workers_mb,
                "peak_total_rss_mb": max(sampler.peak_kb / 1024, peak_rss_mb()),
                "peak_total_pss_mb": sampler.peak_pss_kb / 1024,
                "largest_process_rss_mb": max(
                    [peak_rss_mb(), *(shared.worker_peak_rss_mb if shared is not None else ())]
                ),
            }
        )
    )


MEMORY_ROWS = (
    ("RSS, largest process", "largest_process_rss_mb"),
    ("PSS, all at once", "peak_total_pss_mb"),
    ("RSS, all at once", "peak_total_rss_mb"),
    ("RSS, sum of peaks", "peak_rss_mb"),
)
"""The memory figures of each pass: label, and key in a child's figures."""

PSS_EVERY = 10
"""PSS is sampled every 10th tick (200 ms): reading it walks every page of a process, and
at every tick it slowed the pass measured by a fifth. Memory grows with the pass and
peaks at its end, so the coarser samples still find the peak."""


class _TotalRss(threading.Thread):
    """The largest memory of this process and its children together at one moment, sampled
    every 20 ms, two ways: the sum of their RSS, where pages they share (the interpreter,
    libpq, the C extensions) count once per process, as in the sum of each one's own peak
    (an upper bound: peaks need not coincide); and the sum of their PSS, where a shared page
    counts once, split among the processes that map it (what the machine needs), sampled
    every `PSS_EVERY` ticks."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.peak_kb = 0
        self.peak_pss_kb = 0

    def run(self) -> None:
        tick = 0
        while not self.stop.wait(0.02):
            pids = ["self"]
            for children in Path("/proc/self/task").glob("*/children"):
                pids += children.read_text().split()
            self.peak_kb = max(self.peak_kb, sum(_kb(pid, "status", "VmRSS:") for pid in pids))
            tick += 1
            if tick % PSS_EVERY == 1:  # from the first tick; the kernel walks every page for it
                pss = sum(_kb(pid, "smaps_rollup", "Pss:") for pid in pids)
                self.peak_pss_kb = max(self.peak_pss_kb, pss)


def _kb(pid: str, name: str, field: str) -> int:
    """A figure in KiB from `/proc/PID/NAME` (0 once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_with_children() -> float:
    """CPU seconds of this process and of its children that ended (the workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _run_child(kind: str, url: str, workers: int | None = None) -> dict[str, float]:
    environment = {**os.environ}
    if workers is not None:
        environment["PACFLOW_PROJECTION_WORKERS"] = str(workers)
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.projections", "--child", kind, url],
        check=True,
        capture_output=True,
        text=True,
        env=environment,
    )
    figures: dict[str, float] = json.loads(child.stdout)
    return figures


def _raw_read_floor(url: str) -> float:
    """Events/s of a plain SELECT of data and metadata, each decoded with json.loads."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        connection: Any = engine.raw_connection()
        try:
            postgres = engine.dialect.name == "postgresql"
            cursor = connection.cursor("floor") if postgres else connection.cursor()
            if postgres:
                cursor.itersize = 10_000
            started = time.perf_counter()
            count = 0
            cursor.execute("SELECT data, metadata FROM events ORDER BY position")
            for data, metadata in cursor:
                json.loads(data)
                json.loads(metadata)
                count += 1
            seconds = time.perf_counter() - started
        finally:
            connection.close()
    finally:
        engine.dispose()
    return count / seconds


@contextmanager
def _database(db: str | None) -> Iterator[str]:
    """A store URL on an empty database: a temporary SQLite file, or a fresh schema of `db`."""
    if db is None:
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/bench.db"
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(db, poolclass=sa.NullPool)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        url = sa.make_url(db).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


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


def _latencies(long: int, steps: int) -> tuple[float, float]:
    """As-of on a long-lived plan and show of a big plan, on a SQLite store of their own."""
    with tempfile.TemporaryDirectory() as directory:
        long_store = EventStore.from_url(f"sqlite:///{directory}/long.db", clock=_Clock())
        _long_plan(long_store, long)
        _big_plan(long_store, steps)
        engine = read_models(long_store)
        engine.catch_up()
        length = long_store.stream_version("LONG")
        moment = next(iter(long_store.read_stream("LONG", from_version=length - 10))).recorded_at
        as_of_ms = _median_ms(lambda: load_as_of(long_store, engine.database, "LONG", moment))
        with engine.database.connect() as connection:
            show_ms = _median_ms(lambda: plan_view(connection, "BIG"))
        long_store.close()
    return as_of_ms, show_ms


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", help="a PostgreSQL URL (a fresh schema is used, then dropped)")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--plans", type=int, default=1_000)
    parser.add_argument("--big-plan-events", type=int, default=200_000)
    parser.add_argument(
        "--caught-up", type=float, default=0.1, help="share of the log built before catch-up"
    )
    parser.add_argument("--long", type=int, default=100_000, help="events of the as-of plan")
    parser.add_argument("--steps", type=int, default=1_000, help="steps of the shown plan")
    parser.add_argument("--no-latency", action="store_true", help="skip as-of and show")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return
    big = min(args.big_plan_events, args.events) if args.plans > 1 else args.events
    appends = _schedule(args.plans, args.events, big)
    longest = max(end for _plan, _start, end in appends)
    print(f"generating a plan stream of {longest:,} events", file=sys.stderr)
    template = _template(longest)
    split = int(len(appends) * args.caught_up)
    with _database(args.db) as url:
        store = EventStore.from_url(url, clock=_Clock())
        backend = store.engine.dialect.name  # type: ignore[attr-defined]
        print(f"appending {args.events:,} events to {backend}", file=sys.stderr)
        started = time.perf_counter()
        _append(store, template, appends[:split])
        read_models(store).catch_up()
        _append(store, template, appends[split:])
        fill_s = time.perf_counter() - started
        store.close()
        print("raw read floor", file=sys.stderr)
        floor = _raw_read_floor(url)
        print("catch-up", file=sys.stderr)
        catch_up = _run_child("catch-up", url)
        print("rebuild", file=sys.stderr)
        rebuild = _run_child("rebuild", url)
        print("rebuild in one process", file=sys.stderr)
        alone = _run_child("rebuild", url, workers=1)
    as_of_ms, show_ms = (None, None) if args.no_latency else _latencies(args.long, args.steps)

    goal = GOALS.get(backend, GOALS["sqlite"])
    figures: dict[str, Any] = {
        "backend": backend,
        "events": args.events,
        "plans": args.plans,
        "big_plan_events": big,
        "fill_s": round(fill_s, 1),
        "raw_read_floor_per_s": round(floor),
        "catch_up_events": catch_up["events"],
        "catch_up_events_per_s": round(catch_up["events_per_s"]),
        "catch_up_cpu_events_per_s": round(catch_up["cpu_events_per_s"]),
        "catch_up_peak_rss_mb": round(catch_up["peak_rss_mb"], 1),
        "catch_up_peak_total_rss_mb": round(catch_up["peak_total_rss_mb"], 1),
        "catch_up_peak_total_pss_mb": round(catch_up["peak_total_pss_mb"], 1),
        "catch_up_largest_process_rss_mb": round(catch_up["largest_process_rss_mb"], 1),
        "rebuild_events_per_s": round(rebuild["events_per_s"]),
        "rebuild_cpu_events_per_s": round(rebuild["cpu_events_per_s"]),
        "rebuild_peak_rss_mb": round(rebuild["peak_rss_mb"], 1),
        "rebuild_peak_total_rss_mb": round(rebuild["peak_total_rss_mb"], 1),
        "rebuild_peak_total_pss_mb": round(rebuild["peak_total_pss_mb"], 1),
        "rebuild_largest_process_rss_mb": round(rebuild["largest_process_rss_mb"], 1),
        "processes": rebuild["processes"],
        "rebuild_alone_events_per_s": round(alone["events_per_s"]),
        "rebuild_alone_peak_rss_mb": round(alone["peak_rss_mb"], 1),
        "as_of_ms": None if as_of_ms is None else round(as_of_ms, 1),
        "show_ms": None if show_ms is None else round(show_ms, 1),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    rows: list[tuple[str, str, str, str, bool]] = []
    for kind, measured in (
        ("catch-up", catch_up),
        ("rebuild", rebuild),
        ("rebuild, 1 process", alone),
    ):
        rows.append(
            (
                f"{kind} (events/s)",
                f"{measured['events_per_s']:,.0f}",
                f"{floor:,.0f}",
                f">= {goal:,}",
                measured["events_per_s"] >= goal,
            )
        )
        rows += [
            (
                f"{kind} {label} (MB)",
                f"{measured[key]:.1f}",
                "",
                f"<= {RSS_GOAL_MB:.0f}",
                measured[key] <= RSS_GOAL_MB,
            )
            for label, key in MEMORY_ROWS
        ]
    if as_of_ms is not None and show_ms is not None:
        rows += [
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
    print(
        f"{backend}: {args.events:,} events across {args.plans:,} plans, one of {big:,} "
        f"(chunks of {CHUNK}, interleaved); catch-up over {catch_up['events']:,.0f} new events"
    )
    print(f"{'measure':<46} {'pacflow':>10} {'raw floor':>10}  {'goal':<11} verdict")
    for name, value, floor_text, goal_text, ok in rows:
        verdict = "ok" if ok else "below goal"
        print(f"{name:<46} {value:>10} {floor_text:>10}  {goal_text:<11} {verdict}")
    print(
        f"(processes sharing a pass: {rebuild['processes']:.0f}; all at once: the largest total "
        "of every process's PSS (shared pages split among the processes mapping them) or RSS "
        "(shared pages counted in each), sampled every 20 ms; sum of peaks: an upper bound. "
        f"CPU-bound rates: catch-up {catch_up['cpu_events_per_s']:,.0f}, "
        f"rebuild {rebuild['cpu_events_per_s']:,.0f}, "
        f"in 1 process {alone['cpu_events_per_s']:,.0f} events per CPU second)"
    )


if __name__ == "__main__":
    main()
