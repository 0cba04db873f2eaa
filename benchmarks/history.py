"""`plan history` and `plan history --step X` through the library, on a small and a big plan.

Generates, straight from events (no decider, to build fast), two plans in SQLite stores: one
of about 1,000 events and one of `--events` (default 50,000), each with one step per 50
events (so a step has about as many changes in both: the answer of `--step` stays the same
size while the log grows). Each query then runs in a fresh process, so that its peak RSS is
its own: the whole history formatted as lines (what `pacflow plan history` prints), the same
for one step and one target, and two floors: reading the plan's stream, and decoding it too
(history asked about one step decodes only that step's events, and the plan's others).
Prints seconds, peak RSS (and what the process held before the query), and the ratio big /
small of each.

    python -m benchmarks.history
    python -m benchmarks.history --events 200000 --json
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from events import EventStore, NewEvent
from pacflow.domain import PlanEvent, event_type_name, expand, to_payload
from pacflow.domain import events as ev
from pacflow.domain.schedule import DueDate, PlanPeriod, Session, SessionList
from pacflow.domain.values import (
    Aggregation,
    Direction,
    Domain,
    IndicatorKind,
    PersonKind,
    TargetKind,
)
from projections.workers import peak_rss_mb

PLAN = "HIST"
SMALL = 1_000
REPS = 10
SEGMENTS = ("SEG-BA", "SEG-IND", "SEG-AUT")
QUERIES = ("read", "decode", "history", "step", "target")
START = date(2025, 1, 1)
END = date(2025, 12, 31)


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 12, 1, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _events(count: int) -> list[PlanEvent]:
    """A plan of about `count` events: a team, targets, one step per 50 events, then changes."""
    chooser = random.Random(7)
    reps = [f"r{n}" for n in range(REPS)]
    created = ev.PlanCreated(
        key=PLAN, title="History plan", start=START, end=END, timezone="Europe/Paris", owner="hg"
    )
    found: list[PlanEvent] = [
        created,
        ev.PersonAdded(key="hg", name="Hélène", kind=PersonKind.MANAGER),
    ]
    for number, person in enumerate(reps):
        found += [
            ev.PersonAdded(key=person, name=f"Rep {person}", kind=PersonKind.REP),
            ev.TargetAdded(
                key=f"T{number}",
                kind=TargetKind.CUSTOMER,
                title=f"Account {number}",
                responsible=person,
                ref=f"ACC-{number}",
                segments=(SEGMENTS[number % len(SEGMENTS)],),
            ),
            ev.TrackAdded(key=f"K{number}", target=f"T{number}", domain=Domain.SALES, title="Grow"),
            ev.IndicatorDefined(
                key=f"I{number}",
                name=f"Orders {number}",
                kind=IndicatorKind.RESULT,
                unit="kEUR",
                aggregation=Aggregation.PER_PERIOD,
                direction=Direction.UP,
                owner="hg",
                serves=(f"T{number}",),
            ),
        ]
    plan_period = PlanPeriod(START, END, "Europe/Paris")
    steps = max(10, count // 50)
    visits: dict[str, list[str]] = {}
    for number in range(steps):
        key = f"S{number:05}"
        rep = number % REPS
        if number % 5 == 4:
            sessions = tuple(
                Session(start=datetime(2025, month, 10 + rep, 14), duration=timedelta(hours=1))
                for month in (2, 5, 8, 11)
            )
            schedule: Any = SessionList(sessions=sessions)
        else:
            schedule = DueDate(due=START + timedelta(days=chooser.randrange(365)))
        found.append(
            ev.StepAdded(
                key=key,
                track=f"K{rep}",
                title=f"Step {number}",
                order=number,
                responsible=reps[rep],
                schedule=schedule,
                parallel=True,
            )
        )
        slots = expand(key, schedule, plan_period)
        if slots:
            found.append(ev.OccurrencesScheduled(step=key, occurrences=slots))
            visits[key] = [slot.key for slot in slots]
    found += [ev.PlanApproved(), ev.PlanPublished(revision=1)]
    revision = 1
    months = [f"2025-{month:02}" for month in range(1, 13)]
    while len(found) < count:
        roll = chooser.random()
        key = f"S{chooser.randrange(steps):05}"
        if len(found) % 5_000 == 0:
            revision += 1
            found += [
                ev.RevisionOpened(revision=revision, reason="review"),
                ev.PlanPublished(revision=revision),
            ]
        elif len(found) % 1_000 == 0:
            segment = SEGMENTS[chooser.randrange(len(SEGMENTS))]
            found.append(
                ev.MarketChangeRecorded(
                    summary="Market move", affects=(f"segment:{segment}",), effective=START
                )
            )
        elif roll < 0.05:
            indicator = f"I{chooser.randrange(REPS)}"
            value = Decimal(chooser.randrange(200))
            month = months[chooser.randrange(12)]
            found.append(ev.IndicatorValueRecorded(indicator=indicator, period=month, value=value))
        elif roll < 0.35 and key not in visits:
            due = START + timedelta(days=chooser.randrange(365))
            found.append(ev.StepMoved(step=key, schedule=DueDate(due=due)))
        elif roll < 0.6:
            others = tuple(reps[(chooser.randrange(REPS))] for _ in range(2))
            found.append(
                ev.StepAssigned(
                    step=key, responsible=reps[chooser.randrange(REPS)], participants=others
                )
            )
        elif roll < 0.8 and key in visits:
            occurrence = visits[key][chooser.randrange(len(visits[key]))]
            moved = datetime(2025, chooser.randrange(1, 13), chooser.randrange(1, 28), 15)
            found.append(ev.OccurrenceMoved(occurrence=occurrence, start=moved, all_day=False))
        else:
            found.append(
                ev.StepEdited(
                    step=key,
                    title=f"Step {key} v{len(found)}",
                    order=1,
                    predecessor=None,
                    parallel=True,
                    means=None,
                    budget=None,
                    days=None,
                    indicators=(),
                    location=None,
                )
            )
    return found


def _build(path: Path, count: int) -> int:
    clock = _Clock()
    store = EventStore.from_url(f"sqlite:///{path}", clock=clock)
    events = _events(count)
    metadata = {"actor": "hg", "source": "cli", "command": "Benchmark"}
    for start in range(0, len(events), 500):
        clock.now += timedelta(minutes=10)
        batch = [
            NewEvent(event_type_name(event), to_payload(event), metadata=metadata)
            for event in events[start : start + 500]
        ]
        store.append(PLAN, batch)
    store.close()
    return len(events)


def _query(path: str, query: str) -> dict[str, Any]:
    """Run one query in this process: seconds, entries, peak RSS before and after."""
    from zoneinfo import ZoneInfo

    from pacflow.service import PlanService
    from projections.history import HistoryFilter, PlanHistory

    store = EventStore.from_url(f"sqlite:///{path}")
    service = PlanService(store)
    zone = ZoneInfo("Europe/Paris")
    before = peak_rss_mb()
    started = time.perf_counter()
    count = 0
    if query == "read":
        count = sum(1 for _ in store.read_stream(PLAN))
    elif query == "decode":
        count = sum(1 for _ in service.history(PLAN))
    else:
        wanted = {
            "history": HistoryFilter(),
            "step": HistoryFilter(step="S00003"),
            "target": HistoryFilter(target="T3"),
        }[query]
        for entry in PlanHistory().entries_of_records(store.read_stream(PLAN), wanted):
            entry.line(zone)
            count += 1
    seconds = time.perf_counter() - started
    after = peak_rss_mb()
    store.close()
    return {"seconds": seconds, "entries": count, "rss_before_mb": before, "peak_rss_mb": after}


def _measure(path: Path, query: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.history", "--query", query, "--db", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000, help="Events of the big plan.")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--query", choices=QUERIES, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.query:  # a child process: one query
        print(json.dumps(_query(args.db, args.query)))
        return
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as directory:
        for size in (SMALL, args.events):
            path = Path(directory) / f"history-{size}.db"
            print(f"building a plan of {size:,} events", file=sys.stderr)
            events = _build(path, size)
            results[str(size)] = {"events": events}
            for query in QUERIES:
                results[str(size)][query] = _measure(path, query)
    small, big = results[str(SMALL)], results[str(args.events)]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"plan history through the library: {small['events']:,} vs {big['events']:,} events")
    print(f"{'query':<28} {'small s':>8} {'big s':>8} {'ratio':>6}   "
          f"{'small MB':>8} {'big MB':>8} {'ratio':>6}  entries")  # fmt: skip
    names = {
        "read": "floor: read the stream",
        "decode": "floor: read and decode",
        "history": "plan history",
        "step": "plan history --step S00003",
        "target": "plan history --target T3",
    }
    for query in QUERIES:
        s, b = small[query], big[query]
        print(
            f"{names[query]:<28} {s['seconds']:>8.2f} {b['seconds']:>8.2f} "
            f"{b['seconds'] / s['seconds']:>6.1f}   {s['peak_rss_mb']:>8.0f} "
            f"{b['peak_rss_mb']:>8.0f} {b['peak_rss_mb'] / s['peak_rss_mb']:>6.2f}  "
            f"{s['entries']:,} / {b['entries']:,}"
        )
    print(f"(RSS before the query: {big['history']['rss_before_mb']:.0f} MB, imports and store)")


if __name__ == "__main__":
    main()
