"""What one write costs as a plan's log grows: a market change recorded through PlanService.

In one run, on one SQLite file: plans of `--small` events and of each `--events` size are
appended directly in batches (the domain benchmark's plan up to `--base` events, i.e. its
first few hundred steps with their visits, then step reassignments: a long life over a
bounded plan, as a real plan has), the read models caught up (which writes a snapshot every
1,000 events of a plan), then one `RecordMarketChange` is timed on each plan (median of
`--runs`):

- cold: a new service, as a CLI command has: newest snapshot + the events after it;
- warm: one service running command after command, as a server has: the events appended
  since its last command only;
- full fold: a new service without snapshot source (what every write cost before);

next to the floor, a raw `store.append` of one event. Goal (issue 10): a write to a big plan
at most 1.5x the same write to a small one. The snapshot a plan starts from lags by less
than 1,000 events after a catch-up; the tail printed is what is folded on top of it. What
a cold write adds on a big plan is mostly reading the snapshot (`load_state`), which grows
with the plan's state (steps, visits), not with its log.

    python -m benchmarks.writes
    python -m benchmarks.writes --cpu --runs 15
    python -m benchmarks.writes --events 10000 50000 200000 --runs 5 --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.domain import plan_events
from events import EventStore, NewEvent
from pacflow.domain import PlanState, event_type_name, fold, to_payload
from pacflow.domain import commands as c
from pacflow.domain.events import MarketChangeRecorded, StepAssigned
from pacflow.read_models import read_models
from pacflow.service import PlanService, Snapshots
from projections.snapshots import latest_snapshot

RATIO_GOAL = 1.5
BATCH = 1000
FLOOR = MarketChangeRecorded(summary="Floor", affects=("target:T1",), effective=date(2025, 3, 1))


Payloads = list[tuple[str, dict[str, Any]]]


def generated(events: int, base: int) -> Payloads:
    """`base` events of the domain benchmark's plan, then step reassignments up to `events`."""
    built = plan_events(min(events, base))
    state = fold(built)
    assert state is not None
    payloads = [(event_type_name(e), to_payload(e)) for e in built]
    steps, people = list(state.steps), list(state.people)
    turn = 0
    while len(payloads) < events:
        step = steps[turn % len(steps)]
        who = people[(turn // len(steps)) % len(people)]
        assigned = StepAssigned(step=step, responsible=who, participants=())
        payloads.append((event_type_name(assigned), to_payload(assigned)))
        turn += 1
    return payloads


def _fill(store: EventStore, plan: str, payloads: Payloads) -> None:
    """The generated stream under `plan`'s key, appended in batches."""
    first_type, first = payloads[0]
    rows = [(first_type, {**first, "key": plan}), *payloads[1:]]
    for index in range(0, len(rows), BATCH):
        store.append(plan, [NewEvent(kind, data) for kind, data in rows[index : index + BATCH]])


def _change(plan: str, number: int) -> c.Command:
    return c.build_command(
        c.RecordMarketChange,
        {
            "plan": plan,
            "actor": "hg",
            "summary": f"Change {number}",
            "affects": ["target:T1"],
            "effective": date(2025, 3, 1),
        },
    )


CLOCK: Callable[[], float] = time.perf_counter


def _median_ms(runs: int, work: Callable[[int], object]) -> float:
    timings = []
    for run in range(runs):
        started = CLOCK()
        work(run)
        timings.append((CLOCK() - started) * 1000)
    return statistics.median(timings)


def measure(store: EventStore, snapshot: Snapshots, plan: str, runs: int) -> dict[str, float]:
    """Milliseconds per write on `plan`: cold, warm, full fold, and the raw append floor."""
    counter = iter(range(10**9))
    warm_service = PlanService(store, snapshot=snapshot)
    warm_service.execute(_change(plan, next(counter)))
    figures = {
        "cold_ms": _median_ms(
            runs,
            lambda _run: PlanService(store, snapshot=snapshot).execute(
                _change(plan, next(counter))
            ),
        ),
        "warm_ms": _median_ms(
            runs, lambda _run: warm_service.execute(_change(plan, next(counter)))
        ),
        "full_fold_ms": _median_ms(
            max(1, runs // 2),
            lambda _run: PlanService(store).execute(_change(plan, next(counter))),
        ),
        "floor_ms": _median_ms(
            runs,
            lambda _run: store.append(plan, [NewEvent(event_type_name(FLOOR), to_payload(FLOOR))]),
        ),
    }
    return {key: round(value, 2) for key, value in figures.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--small", type=int, default=100, help="events of the small plan")
    parser.add_argument(
        "--events", type=int, nargs="+", default=[5_000, 10_000, 50_000], help="big plans' events"
    )
    parser.add_argument(
        "--base", type=int, default=5_000, help="events before reassignments (plan size)"
    )
    parser.add_argument("--runs", type=int, default=7, help="repetitions (median kept)")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time CPU of this process, not wall time (steadier on a shared machine)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.cpu else time.perf_counter

    sizes = [args.small, *args.events]
    stream = generated(max(sizes), args.base)
    with tempfile.TemporaryDirectory() as directory:
        store = EventStore.from_url(f"sqlite:///{Path(directory) / 'writes.db'}")
        plans = {size: f"PLAN-{size}" for size in sizes}
        for size, plan in plans.items():
            _fill(store, plan, stream[:size])
        engine = read_models(store)
        engine.catch_up()
        database = engine.database

        def snapshot(plan: str) -> tuple[PlanState, str] | None:
            return latest_snapshot(database, plan)

        rows = []
        for size, plan in plans.items():
            found = snapshot(plan)
            at = found[0].version if found is not None else 0
            rows.append(
                {
                    "events": size,
                    "steps": len(PlanService(store).require(plan).steps),
                    "snapshot_at": at,
                    "tail": size - at,
                }
                | measure(store, snapshot, plan, args.runs)
            )
        store.close()
    clock = "CPU" if args.cpu else "wall"
    small = rows[0]
    for row in rows:
        row["cold_ratio"] = round(row["cold_ms"] / small["cold_ms"], 2)
        row["warm_ratio"] = round(row["warm_ms"] / small["warm_ms"], 2)
    if args.json:
        print(json.dumps({"goal_ratio": RATIO_GOAL, "clock": clock, "plans": rows}, indent=2))
        return
    print(
        f"one RecordMarketChange through PlanService, SQLite file, {clock} time, "
        f"median of {args.runs} runs"
    )
    header = (
        f"{'events':>8} {'steps':>6} {'snapshot':>8} {'tail':>5} {'floor ms':>9} {'cold ms':>8} "
        f"{'warm ms':>8} {'full fold ms':>12} {'cold x':>7} {'warm x':>7}  verdict"
    )
    print(header)
    for row in rows:
        verdict = "" if row is small else _verdict(row)
        print(
            f"{row['events']:>8,} {row['steps']:>6} {row['snapshot_at']:>8,} {row['tail']:>5} "
            f"{row['floor_ms']:>9.2f} {row['cold_ms']:>8.2f} {row['warm_ms']:>8.2f} "
            f"{row['full_fold_ms']:>12.2f} {row['cold_ratio']:>7.2f} {row['warm_ratio']:>7.2f}"
            f"  {verdict}"
        )
    print(f"goal: a write to a big plan <= {RATIO_GOAL}x the same write to a small one")


def _verdict(row: dict[str, Any]) -> str:
    return ", ".join(
        f"{mode} {'ok' if row[f'{mode}_ratio'] <= RATIO_GOAL else 'over goal'}"
        for mode in ("cold", "warm")
    )


if __name__ == "__main__":
    main()
