"""Throughput and memory of the pacflow event store against the database's own floor.

On one machine and one database, in one run, it measures:

1. single-event appends (one `append` call, so one transaction, per event, as a CLI command
   does), against raw INSERTs of the same rows into a plain table, one row per transaction;
2. batched appends (10 events per `append`), against all rows in one `executemany`;
3. `read_all()` with decoding, against a raw SELECT of the plain table with `json.loads` of
   data and metadata through the DBAPI driver (sqlite3 / psycopg);
4. the peak RSS of a fresh child process (`--read-only`) reading the store with `read_all()`.

The plain table `raw_events` lives in the same database, has the same columns, types, primary
key and unique constraints as `events` (no triggers), and its connection has the store's
settings (SQLite: WAL, synchronous=FULL, busy_timeout, BEGIN IMMEDIATE ... COMMIT;
PostgreSQL: psycopg, autocommit off, a commit per row). Payloads are ~400-byte JSON objects.
The floor's timed loops encode data and metadata to JSON; ids, hash and timestamp are given.

    python -m benchmarks.store                       # 20,000 events, fresh SQLite file
    python -m benchmarks.store --events 5000 --db postgresql+psycopg://USER@HOST:5432/DB
    python -m benchmarks.store --read-events 1000000 --json

`--read-events` (default: `--events`) tops the store up to that many events with batched
appends of 1,000 before the read phase. On PostgreSQL the run uses a fresh schema
`pacflow_bench_<random>`, dropped at the end; on SQLite, `--db` must name a new file.
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
SELECT_RAW = f"SELECT {COLUMNS} FROM raw_events ORDER BY position LIMIT "
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
        "accountable": rng.choice(PEOPLE),
        "status": rng.choice(("planned", "in_progress", "done")),
        "priority": rng.randint(1, 4),
        "budget_eur": rng.randint(0, 25_000),
        "customers": [f"C{rng.randint(1, 9999):04d}" for _ in range(3)],
        "notes": "Valider avec la direction régionale; prévoir les supports imprimés.",
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
        calls.append(
            (stream, versions.get(stream, 0), [new_event(rng, first + i) for i in range(size)])
        )
        versions[stream] = versions.get(stream, 0) + size
    return calls


def raw_rows(calls: Sequence[Append], position: int, stamp: object) -> Iterator[tuple[Any, ...]]:
    """The same events as plain rows (JSON encoded lazily, inside the floor's timed loop)."""
    for stream, version, events in calls:
        for offset, event in enumerate(events, start=1):
            yield (
                position,
                stream,
                version + offset,
                str(event.event_id),
                event.type,
                event.schema_version,
                dumps(event.data),
                dumps(event.metadata),
                stamp,
                FAKE_HASH,
            )
            position += 1


def append_all(store: EventStore, calls: Sequence[Append]) -> None:
    for stream, version, events in calls:
        store.append(stream, events, expected_version=version)


class RawDb:
    """The floor: a plain table driven through the DBAPI driver, without SQLAlchemy."""

    stamp: object
    version: str

    def insert_each(self, rows: Iterable[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def insert_many(self, rows: Iterable[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def read(self, limit: int) -> int:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class SqliteRaw(RawDb):
    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute(RAW_TABLE.format(pk="INTEGER", at="VARCHAR(27)"))
        self.insert = f"INSERT INTO raw_events ({COLUMNS}) VALUES ({', '.join('?' * 10)})"
        self.stamp, self.version = format_utc(MOMENT), f"SQLite {sqlite3.sqlite_version}"

    def insert_each(self, rows: Iterable[tuple[Any, ...]]) -> None:
        for row in rows:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(self.insert, row)
            self.db.execute("COMMIT")

    def insert_many(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        self.db.executemany(self.insert, rows)
        self.db.execute("COMMIT")

    def read(self, limit: int) -> int:
        count = 0
        for row in self.db.execute(SELECT_RAW + "?", (limit,)):
            json.loads(row[6])
            json.loads(row[7])
            count += 1
        return count

    def close(self) -> None:
        self.db.close()


class PostgresRaw(RawDb):
    def __init__(self, conninfo: str) -> None:
        import psycopg

        self.db: psycopg.Connection[Any] = psycopg.connect(conninfo, autocommit=False)
        self.db.execute(RAW_TABLE.format(pk="BIGINT", at="TIMESTAMPTZ"))
        self.db.commit()
        self.insert = f"INSERT INTO raw_events ({COLUMNS}) VALUES ({', '.join(['%s'] * 10)})"
        self.stamp, self.version = MOMENT, f"PostgreSQL {self.db.info.server_version}"

    def insert_each(self, rows: Iterable[tuple[Any, ...]]) -> None:
        for row in rows:
            self.db.execute(self.insert, row)
            self.db.commit()

    def insert_many(self, rows: Iterable[tuple[Any, ...]]) -> None:
        with self.db.cursor() as cursor:
            cursor.executemany(self.insert, rows)
        self.db.commit()

    def read(self, limit: int) -> int:
        count = 0
        for row in self.db.execute(SELECT_RAW + "%s", (limit,)):
            json.loads(row[6])
            json.loads(row[7])
            count += 1
        self.db.rollback()
        return count

    def close(self) -> None:
        self.db.close()


def open_raw(store_url: str) -> RawDb:
    url = sa.make_url(store_url)
    if url.get_backend_name() == "sqlite":
        return SqliteRaw(str(url.database))
    return PostgresRaw(url.set(drivername="postgresql").render_as_string(hide_password=False))


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
    print(message, file=sys.stderr, flush=True)


def rate(count: int, work: Callable[[], object]) -> float:
    begun = time.perf_counter()
    work()
    return count / (time.perf_counter() - begun)


def fill(store: EventStore, raw: RawDb, rng: random.Random, have: int, want: int) -> None:
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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def read_only(url: str, count: int) -> dict[str, float]:
    """The child's job: read `count` events with read_all() and report time and peak RSS."""
    with EventStore.from_url(url, migrate=False) as store:
        before = peak_rss_mb()
        begun = time.perf_counter()
        read = sum(1 for _event in islice(store.read_all(), count))
        seconds = time.perf_counter() - begun
    return {
        "events": read,
        "seconds": seconds,
        "rss_before_mb": before,
        "peak_rss_mb": peak_rss_mb(),
    }


def read_in_child(url: str, count: int) -> dict[str, float]:
    command = [sys.executable, "-m", "benchmarks.store", "--read-only", "--read-events", str(count)]
    done = subprocess.run(
        command,
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, ENV_DB: url},  # not in argv: the URL may hold a password
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
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
    raw = open_raw(url)
    postgres = isinstance(raw, PostgresRaw)
    try:
        progress(f"single-event appends: {events:,} transactions each")
        floor_single = rate(events, lambda: raw.insert_each(raw_rows(single, 1, raw.stamp)))
        ours_single = rate(events, lambda: append_all(store, single))
        progress(f"batched appends: {events:,} events, {BATCH} per append")
        floor_batch = rate(
            events, lambda: raw.insert_many(raw_rows(batched, events + 1, raw.stamp))
        )
        ours_batch = rate(events, lambda: append_all(store, batched))
        if read_events > 2 * events:
            progress(f"filling up to {read_events:,} events")
            fill(store, raw, rng, 2 * events, read_events)
        progress(f"reading {read_events:,} events (pacflow in a child process, then raw)")
        child = read_in_child(url, read_events)
        floor_read = rate(read_events, lambda: raw.read(read_events))
        version = raw.version
    finally:
        store.close()
        raw.close()
    if child["events"] != read_events:
        raise SystemExit(f"the child read {child['events']:.0f} events, not {read_events}")
    peak = child["peak_rss_mb"]
    measures = [
        compare(
            "single-event appends (events/s)", ours_single, floor_single, 0.5 if postgres else 0.7
        ),
        compare(f"batched appends x{BATCH} (events/s)", ours_batch, floor_batch, 0.4),
        compare("read_all + decode (events/s)", read_events / child["seconds"], floor_read, 0.6),
        Measure(
            "peak RSS of the read (MB)",
            peak,
            None,
            None,
            f"<= {RSS_GOAL_MB:.0f} MB",
            peak <= RSS_GOAL_MB,
        ),
    ]
    return {
        "database": sa.make_url(url).render_as_string(hide_password=True),
        "server": version,
        "python": sys.version.split()[0],
        "events": events,
        "read_events": read_events,
        "rss_before_read_mb": child["rss_before_mb"],
        "measures": [asdict(measure) for measure in measures],
    }


def render(report: dict[str, Any]) -> str:
    header = ("measure", "pacflow", "floor", "ratio", "goal", "result")
    rows = [header]
    for m in report["measures"]:
        rss = m["floor"] is None
        rows.append(
            (
                m["name"],
                f"{m['pacflow']:,.1f}" if rss else f"{m['pacflow']:,.0f}",
                "-" if rss else f"{m['floor']:,.0f}",
                "-" if m["ratio"] is None else f"{m['ratio']:.1%}",
                m["goal"],
                "ok" if m["ok"] else "below goal",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        f"pacflow event store vs raw {report['server']} (Python {report['python']}), "
        f"{report['database']}",
        f"{report['events']:,} events per write phase; {report['read_events']:,} events read",
        "",
    ]
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:4], widths[1:4], strict=True)]
        cells += [row[4].ljust(widths[4]), row[5]]
        lines.append("  ".join(cells).rstrip())
    lines.append(
        f"(RSS of the read's child process before reading: {report['rss_before_read_mb']:.1f} MB)"
    )
    return "\n".join(lines)


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.store", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--events", type=positive, default=20_000, help="events per write phase")
    parser.add_argument("--read-events", type=positive, help="events to read (default: --events)")
    parser.add_argument("--db", help="sqlite:///NEW_FILE.db or postgresql+psycopg://... URL")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--read-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
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
