"""Indicator history queries on a long-lived plan: 50 indicators x 10 years, monthly.

Builds, with the domain itself, a plan over 2016-2025 with 50 monthly indicators, their
targets, each month's actual recorded on day 5 of the next month and 10 % of them corrected
later; then times, in-process (median of repeated runs), `indicator history` now and as of
a past moment, both on records already loaded and including loading them from the store
(what one CLI call costs). Goal: each query ≤ 20 ms.

    python -m benchmarks.indicators
    python -m benchmarks.indicators --indicators 50 --years 10 --json
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from events import EventStore, NewEvent
from pacflow.domain import commands as c
from pacflow.domain import decide, event_type_name, evolve, to_payload
from pacflow.domain.state import PlanState
from pacflow.service import PlanService
from projections.indicators import indicator_history

QUERY_GOAL_MS = 20.0


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2015, 12, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _build(store: EventStore, clock: _Clock, indicators: int, years: int) -> datetime:
    """The plan; returns a moment half-way through its life (for as-of queries)."""
    start = date(2026 - years, 1, 1)
    state: PlanState | None = None
    batch: list[NewEvent] = []

    def run(command_type: type[c.Command], **fields: Any) -> None:
        nonlocal state
        command = c.build_command(command_type, {"plan": "KPI", "actor": "lf", **fields})
        for event in decide(state, command):
            state = evolve(state, event)
            batch.append(NewEvent(event_type_name(event), to_payload(event)))

    def flush() -> None:
        if batch:
            store.append("KPI", list(batch))
            batch.clear()

    months = [f"{year}-{month:02}" for year in range(start.year, 2026) for month in range(1, 13)]
    run(
        c.CreatePlan,
        title="KPI plan",
        start=start,
        end=date(2025, 12, 31),
        timezone="Europe/Paris",
        owner="lf",
    )
    run(c.AddPerson, key="lf", name="Laura", kind="back_office")
    for number in range(indicators):
        run(
            c.DefineIndicator,
            key=f"I{number}",
            name=f"Indicator {number}",
            kind="result",
            unit="kEUR",
            owner="lf",
            aggregation="per_period",
        )
        run(
            c.SetIndicatorTargets, indicator=f"I{number}", targets={m: 100 + number for m in months}
        )
    flush()
    chooser = random.Random(7)
    middle = datetime(2026 - years // 2, 1, 1, tzinfo=UTC)
    for index, month in enumerate(months):
        year, number = int(month[:4]), int(month[5:])
        clock.now = datetime(year + number // 12, number % 12 + 1, 5, 8, tzinfo=UTC)
        for key in range(indicators):
            run(
                c.RecordIndicatorValue,
                indicator=f"I{key}",
                period=month,
                value=90 + chooser.randint(0, 30),
            )
        flush()
        if index >= 2:
            clock.now += timedelta(days=20)
            earlier = months[index - 2]
            for key in chooser.sample(range(indicators), max(1, indicators // 10)):
                run(
                    c.CorrectIndicatorValue,
                    indicator=f"I{key}",
                    period=earlier,
                    value=95 + chooser.randint(0, 20),
                    reason="late invoice",
                )
            flush()
    return middle


def _median_ms(work: Any, runs: int = 9) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        clock = _Clock()
        store = EventStore.from_url(f"sqlite:///{directory}/kpi.db", clock=clock)
        print("building the plan", file=sys.stderr)
        middle = _build(store, clock, args.indicators, args.years)
        service = PlanService(store)
        records = list(service.history("KPI"))
        figures = {
            "events": len(records),
            "history_now_ms": _median_ms(lambda: indicator_history(records, "I17")),
            "history_as_of_ms": _median_ms(lambda: indicator_history(records, "I17", middle)),
            "load_and_history_ms": _median_ms(
                lambda: indicator_history(list(service.history("KPI")), "I17")
            ),
        }
        store.close()
    if args.json:
        print(json.dumps({k: round(v, 1) for k, v in figures.items()}, indent=2))
        return
    print(
        f"{args.indicators} indicators x {args.years} years monthly, {figures['events']:,} events"
    )
    print(f"{'query':<44} {'ms':>8}  {'goal':<8} verdict")
    for name, key in (
        ("history, now (records loaded)", "history_now_ms"),
        ("history, as of mid-life (records loaded)", "history_as_of_ms"),
        ("history, loading the plan's records too", "load_and_history_ms"),
    ):
        value = figures[key]
        verdict = "ok" if value <= QUERY_GOAL_MS else "below goal"
        print(f"{name:<44} {value:>8.1f}  <= {QUERY_GOAL_MS:<5.0f} {verdict}")


if __name__ == "__main__":
    main()
