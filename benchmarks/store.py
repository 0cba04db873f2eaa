"""Throughput and memory of the pacflow event store against the database's own floor.

On one machine and database, in one run: (1) single-event appends (one `append`, so one
transaction, per event, as a CLI command does) vs one-row INSERT transactions; (2) appends of
10 events vs one `executemany` transaction; (3) `read_all()` with decoding vs a raw SELECT
with `json.loads` of data and metadata; (4) the peak RSS of a fresh child process
(`--read-only`) reading the store. The floor uses the DBAPI driver (sqlite3 / psycopg) on a
table `raw_events` in the same database, with the columns, types, key and unique constraints
of `events` (no triggers) and the store's connection settings (SQLite: WAL, synchronous=FULL,
busy_timeout, BEGIN IMMEDIATE/COMMIT; PostgreSQL: autocommit off). Its timed loops encode the
JSON of data and metadata (~400 + ~110 bytes).

    python -m benchmarks.store                       # 20,000 events, fresh SQLite file
    python -m benchmarks.store --events 5000 --db postgresql+psycopg://USER@HOST:5432/DB
    python -m benchmarks.store --read-events 1000000 --json

`--read-events` (default `--events`) first fills the store to that size, 1,000 events per
append. PostgreSQL runs use a new schema, dropped at the end; a SQLite `--db` must be new.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from events import EventStore, NewEvent
from events.clock import format_utc

if TYPE_CHECKING:
    import psycopg

STREAMS = 200
BATCH = 10
FILL_BATCH = 1_000
SLICES = 10  # single appends alternate floor and pacflow slices, so drift hits both
READ_RUNS = 2  # reads are repeated and the best run kept: they change nothing
RSS_GOAL_MB = 150.0
ENV_DB = "PACFLOW_BENCH_DB"
MOMENT = datetime(2025, 3, 11, 9, 30, tzinfo=UTC)  # the store's clock: no wall-clock data
FAKE_HASH = "5e" * 32
COLUMNS = (
    "position, stream_id, stream_version, event_id, type, schema_version, "
    "data, metadata, recorded_at, hash"
)
RAW_TABLE = (
    "CREATE TABLE raw_events (position {pk} PRIMARY KEY, stream_id VARCHAR(200) NOT NULL, "
    "stream_version INTEGER NOT NULL, event_id VARCHAR(36) NOT NULL, type VARCHAR(200) NOT "
    "NULL, schema_version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, "
    "recorded_at {at} NOT NULL, hash VARCHAR(64) NOT NULL, UNIQUE (event_id), "
    "UNIQUE (stream_id, stream_version))"
)
PEOPLE = ("hg", "cd", "mb", "lr", "ft", "jp")
TYPES = ("ActionPlanned", "ActionRescheduled", "ActionAssigned", "ActionCompleted")
TITLES = (
    "Relancer les distributeurs du secteur Ouest avant la revue trimestrielle",
    "Préparer la présentation de l'offre printemps pour les grands comptes",
    "Mettre à jour le plan de tournée et les objectifs par commercial",
)
REASONS = ("weekly review", "customer moved the meeting", "new regional objective")

Append = tuple[str, int, list[NewEvent]]
dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def new_event(rng: random.Random, index: int) -> NewEvent:
    """A realistic PAC action event: ~400 bytes of data, ~110 of metadata."""
    data = {
        "action_id": f"A-{index:07d}",
        "step": f"S{rng.randint(1, 12):02d}",
        "title": rng.choice(TITLES),
        "due": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "responsible": rng.choice(PEOPLE),
        "status": rng.choice(("planned", "in_progress", "done")),
        "budget_eur": rng.randint(0, 25_000),
        "customers": [f"C{rng.randint(1, 9999):04d}" for _ in range(3)],
        "notes": "Valider avec la direction régionale (Ouest, Île-de-France); prévoir les "
        "supports imprimés; objectif: taux de réassort >= 92 % sur les références du plan.",
    }
    metadata = {
        "actor": rng.choice(PEOPLE),
        "reason": rng.choice(REASONS),
        "command_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "source": "cli",
    }
    event_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    return NewEvent(rng.choice(TYPES), data, metadata, event_id)


def workload(
    rng: random.Random, prefix: str, start: int, count: int, per_call: int, streams: int
) -> list[Append]:
    """`count` events in append calls of `per_call`, round-robin over `streams` streams."""
    calls: list[Append] = []
    versions: dict[str, int] = {}
    for call in range(math.ceil(count / per_call)):
        first = start + call * per_call
        stream = f"{prefix}-{call % streams:06d}"
        size = min(per_call, start + count - first)
        version = versions.get(stream, 0)
        calls.append((stream, version, [new_event(rng, first + i) for i in range(size)]))
        versions[stream] = version + size
    return calls


def raw_rows(calls: Sequence[Append], position: int, stamp: object) -> Iterator[tuple[Any, ...]]:
    """The same events as plain rows (JSON encoded lazily, inside the floor's timed loop)."""
    for stream, version, events in calls:
        for offset, event in enumerate(events, start=1):
            data, metadata = dumps(event.data), dumps(event.metadata)
            head = (position, stream, version + offset, str(event.event_id), event.type, 1)
            yield (*head, data, metadata, stamp, FAKE_HASH)
            position += 1


def append_all(store: EventStore, calls: Sequence[Append]) -> None:
    for stream, version, events in calls:
        store.append(stream, events, expected_version=version)


class Floor:
    """The floor: the plain table through the DBAPI driver (sqlite3 / psycopg), no SQLAlchemy."""

    def __init__(self, store_url: str) -> None:
        url = sa.make_url(store_url)
        self.db: sqlite3.Connection | psycopg.Connection[Any]
        if url.get_backend_name() == "sqlite":
            self.db = sqlite3.connect(str(url.database), isolation_level=None, timeout=30)
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000"):
                self.db.execute(f"PRAGMA {pragma}")
            mark, key, at = "?", "INTEGER", "VARCHAR(27)"
            self.stamp: object = format_utc(MOMENT)
            self.version = f"SQLite {sqlite3.sqlite_version}"
        else:
            import psycopg

            conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
            self.db = psycopg.connect(conninfo, autocommit=False)
            mark, key, at = "%s", "BIGINT", "TIMESTAMPTZ"
            number = self.db.info.server_version
            self.stamp, self.version = MOMENT, f"PostgreSQL {number // 10000}.{number % 10000}"
        self.db.execute(RAW_TABLE.format(pk=key, at=at))
        self.db.commit()
        self.insert = f"INSERT INTO raw_events ({COLUMNS}) VALUES ({', '.join([mark] * 10)})"
        self.select = f"SELECT {COLUMNS} FROM raw_events ORDER BY position LIMIT {mark}"

    def insert_each(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """One row per transaction."""
        db, insert = self.db, self.insert
        if isinstance(db, sqlite3.Connection):
            for row in rows:
                db.execute("BEGIN IMMEDIATE")
                db.execute(insert, row)
                db.execute("COMMIT")
        else:
            for row in rows:
                db.execute(insert, row)
                db.commit()

    def insert_many(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """All rows in one executemany transaction."""
        if isinstance(self.db, sqlite3.Connection):
            self.db.execute("BEGIN IMMEDIATE")
        self.db.cursor().executemany(self.insert, rows)
        self.db.commit()

    def read(self, limit: int) -> int:
        """Select `limit` rows in order and decode their JSON columns."""
        count = 0
        for row in self.db.execute(self.select, (limit,)):
            json.loads(row[6])
            json.loads(row[7])
            count += 1
        self.db.commit()
        return count


@contextmanager
def fresh_database(db: str | None) -> Iterator[str]:
    """A store URL on an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if db is None:
        with tempfile.TemporaryDirectory(prefix="pacflow-bench-") as directory:
            yield f"sqlite:///{Path(directory) / 'store.db'}"
        return
    url = sa.make_url(db)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if not url.database or path.exists():
            raise SystemExit(f"--db {db}: name a new SQLite file (the benchmark needs it empty)")
        yield url.set(database=str(path.resolve())).render_as_string(hide_password=False)
        return
    import psycopg

    schema = f"pacflow_bench_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        options = {"options": f"-csearch_path={schema}"}
        yield url.update_query_dict(options).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # stdout is for the table or the JSON


def seconds(work: Callable[..., object], *args: Any) -> float:
    """How long `work(*args)` takes (the rows given to the floor are encoded lazily, inside)."""
    begun = time.perf_counter()
    work(*args)
    return time.perf_counter() - begun


def rate(count: int, work: Callable[[], object], runs: int = 1) -> float:
    """Items per second of `work` (the best of `runs` runs)."""
    return count / min(seconds(work) for _ in range(runs))


def fill(store: EventStore, raw: Floor, rng: random.Random, have: int, want: int) -> None:
    """Top both tables up to `want` rows, 1,000 events per append / transaction."""
    begun, start, report = time.perf_counter(), have, have
    while have < want:
        size = min(FILL_BATCH, want - have)
        calls = workload(rng, f"fill-{have:09d}", have, size, size, 1)
        append_all(store, calls)
        raw.insert_many(raw_rows(calls, have + 1, raw.stamp))
        have += size
        if have - report >= 50_000 or have == want:
            report, elapsed = have, time.perf_counter() - begun
            progress(f"  filled {have:,}/{want:,} ({(have - start) / elapsed:,.0f} events/s)")


def peak_rss_mb() -> float:
    """Peak RSS: VmHWM on Linux, where ru_maxrss would include the parent's RSS at spawn."""
    status = Path("/proc/self/status")
    if status.exists():
        line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def read_only(url: str, count: int) -> dict[str, float]:
    """The child's job: read `count` events with read_all() and report time and peak RSS."""
    with EventStore.from_url(url, migrate=False) as store:
        before = peak_rss_mb()
        speed = rate(count, lambda: sum(1 for _ in islice(store.read_all(), count)), READ_RUNS)
    return {"rate": speed, "rss_mb": before, "peak_rss_mb": peak_rss_mb()}


def read_in_child(url: str, count: int) -> dict[str, float]:
    command = [sys.executable, "-m", "benchmarks.store", "--read-only", "--read-events", str(count)]
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, ENV_DB: url}  # not in argv, where a password would show
    done = subprocess.run(command, cwd=root, env=env, stdout=subprocess.PIPE, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout)
    return result


@dataclass(frozen=True)
class Measure:
    name: str
    pacflow: float
    floor: float | None
    ratio: float | None
    goal: str
    ok: bool


def compare(name: str, pacflow: float, floor: float, goal: float) -> Measure:
    ratio = pacflow / floor
    return Measure(name, pacflow, floor, ratio, f">= {goal:.0%}", ratio >= goal)


def run(url: str, events: int, read_events: int) -> dict[str, Any]:
    rng = random.Random(20250311)
    single = workload(rng, "plan", 0, events, 1, STREAMS)
    batched = workload(rng, "batch", events, events, BATCH, STREAMS)
    store = EventStore.from_url(url, clock=lambda: MOMENT)
    raw = Floor(url)
    pg = not isinstance(raw.db, sqlite3.Connection)
    try:
        progress(f"single-event appends: {events:,} transactions each, in alternating slices")
        floor_time = ours_time = 0.0
        for first in range(0, events, step := math.ceil(events / SLICES)):
            part = single[first : first + step]
            floor_time += seconds(raw.insert_each, raw_rows(part, first + 1, raw.stamp))
            ours_time += seconds(append_all, store, part)
        floor_single, ours_single = events / floor_time, events / ours_time
        progress(f"batched appends: {events:,} events, {BATCH} per append")
        floor_batch = events / seconds(raw.insert_many, raw_rows(batched, events + 1, raw.stamp))
        ours_batch = events / seconds(append_all, store, batched)
        if read_events > 2 * events:
            progress(f"filling up to {read_events:,} events")
            fill(store, raw, rng, 2 * events, read_events)
        progress(f"reading {read_events:,} events (pacflow in a child process, then raw)")
        child = read_in_child(url, read_events)
        floor_read = rate(read_events, lambda: raw.read(read_events), READ_RUNS)
        version = raw.version
    finally:
        store.close()
        raw.db.close()
    peak = child["peak_rss_mb"]
    goal = f"<= {RSS_GOAL_MB:.0f} MB"
    measures = [
        compare("single-event appends (events/s)", ours_single, floor_single, 0.5 if pg else 0.7),
        compare(f"batched appends x{BATCH} (events/s)", ours_batch, floor_batch, 0.4),
        compare("read_all + decode (events/s)", child["rate"], floor_read, 0.6),
        Measure("peak RSS of the read (MB)", peak, None, None, goal, peak <= RSS_GOAL_MB),
    ]
    return {
        "database": sa.make_url(url).render_as_string(hide_password=True),
        "server": version,
        "python": sys.version.split()[0],
        "events": events,
        "read_events": read_events,
        "rss_before_read_mb": child["rss_mb"],
        "measures": [asdict(measure) for measure in measures],
    }


def render(report: dict[str, Any]) -> str:
    rows = [("measure", "pacflow", "floor", "ratio", "goal", "result")]
    for m in report["measures"]:
        figures = (f"{m['pacflow']:,.1f}", "-", "-")
        if m["floor"] is not None:
            figures = (f"{m['pacflow']:,.0f}", f"{m['floor']:,.0f}", f"{m['ratio']:.1%}")
        rows.append((m["name"], *figures, m["goal"], "ok" if m["ok"] else "below goal"))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    align = (str.ljust, str.rjust, str.rjust, str.rjust, str.ljust, str.ljust)
    lines = [
        f"pacflow event store vs raw {report['server']} (Python {report['python']}), "
        f"{report['database']}",
        f"{report['events']:,} events per write phase; {report['read_events']:,} events read",
        "",
    ]
    for row in rows:
        lines.append("  ".join(a(c, w) for a, c, w in zip(align, row, widths, strict=True)))
    lines.append(f"(the read's child process had {report['rss_before_read_mb']:.1f} MB before it)")
    return "\n".join(line.rstrip() for line in lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.store", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--events", type=int, default=20_000, help="events per write phase")
    parser.add_argument("--read-events", type=int, help="events to read (default: --events)")
    parser.add_argument("--db", help="sqlite:///NEW_FILE.db or postgresql+psycopg://... URL")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--read-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.events < 1 or (args.read_events or 1) < 1:
        parser.error("--events and --read-events must be at least 1")
    read_events: int = args.read_events or args.events
    if args.read_only:
        url = args.db or os.environ.get(ENV_DB)
        if not url:
            parser.error(f"--read-only needs --db or {ENV_DB}")
        print(json.dumps(read_only(url, read_events)))
        return
    with fresh_database(args.db) as url:
        report = run(url, args.events, read_events)
    print(json.dumps(report, indent=2) if args.json else render(report))


if __name__ == "__main__":
    main()
