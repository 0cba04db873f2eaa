"""Indicator history queries on a long-lived plan: 50 indicators x 10 years, monthly.

Builds, with the domain itself, a plan over 2016-2025 with 50 monthly indicators, their
targets, each month's actual recorded on day 5 of the next month and 10 % of them corrected
later. Then times (median of repeated runs, in-process):

- `pacflow indicator history KPI I17` (and with `--as-of` mid-life) as one CLI call costs
  it: open the store, catch the read models up (nothing to do), read the indicator facts
  read model, render the table. Goal: <= 20 ms each.
- the same query without the CLI (an open database), and its floor: the raw SQL selects
  of the same rows (definitions, targets, values) through the database driver;
- for comparison, the way it was done before the read model: load the plan's stream,
  decode and fold it (`projections.indicators`), and the pure fold on records in memory;
- `pacflow dashboard KPI` (all 50 indicators) and the one-off first catch-up.

    python -m benchmarks.indicators
    python -m benchmarks.indicators --indicators 50 --years 10 --json
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from click.testing import CliRunner

from events import EventStore, NewEvent
from pacflow.cli import main as main_cli
from pacflow.domain import commands as c
from pacflow.domain import decide, event_type_name, evolve, to_payload
from pacflow.domain.state import PlanState
from pacflow.read_models import read_models
from pacflow.service import PlanService
from projections.indicator_folds import indicator_history
from projections.indicator_queries import indicator_history_at

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


def _median_ms(work: Any, runs: int = 15) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _cli(runner: CliRunner, url: str, *args: str) -> None:
    result = runner.invoke(main_cli, ["--db", url, *args])
    if result.exit_code != 0:
        raise SystemExit(f"pacflow {' '.join(args)} failed: {result.output}")


def _floor(path: str, as_of: datetime | None) -> None:
    """The rows the read model query reads for I17, selected with the driver alone."""
    connection = sqlite3.connect(path)
    try:
        moment = (as_of or datetime(9999, 1, 1, tzinfo=UTC)).strftime("%Y-%m-%d %H:%M:%S.%f")
        for table in ("rm_ind_definitions", "rm_ind_targets", "rm_ind_values"):
            connection.execute(
                f"SELECT * FROM {table} WHERE plan = ? AND indicator = ? AND recorded_at <= ? "
                "ORDER BY position",
                ("KPI", "I17", moment),
            ).fetchall()
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as directory:
        path = f"{directory}/kpi.db"
        url = f"sqlite:///{path}"
        clock = _Clock()
        store = EventStore.from_url(url, clock=clock)
        print("building the plan", file=sys.stderr)
        middle = _build(store, clock, args.indicators, args.years)
        as_of = middle.strftime("%Y-%m-%dT%H:%M")
        service = PlanService(store)
        records = service.records("KPI")
        started = time.perf_counter()
        database = read_models(store).database
        read_models(store).catch_up()
        first_catch_up = (time.perf_counter() - started) * 1000
        now = clock.now
        figures = {
            "events": len(records),
            "cli_history_now_ms": _median_ms(
                lambda: _cli(runner, url, "indicator", "history", "KPI", "I17")
            ),
            "cli_history_as_of_ms": _median_ms(
                lambda: _cli(runner, url, "indicator", "history", "KPI", "I17", "--as-of", as_of)
            ),
            "query_now_ms": _median_ms(
                lambda: indicator_history_at(database, "KPI", "I17", now=now)
            ),
            "query_as_of_ms": _median_ms(
                lambda: indicator_history_at(database, "KPI", "I17", middle, now=now)
            ),
            "floor_now_ms": _median_ms(lambda: _floor(path, None)),
            "floor_as_of_ms": _median_ms(lambda: _floor(path, middle)),
            "cli_dashboard_ms": _median_ms(lambda: _cli(runner, url, "dashboard", "KPI"), 5),
            "fold_loaded_records_ms": _median_ms(lambda: indicator_history(records, "I17")),
            "load_and_fold_ms": _median_ms(
                lambda: indicator_history(service.records("KPI"), "I17"), 5
            ),
            "first_catch_up_ms": first_catch_up,
        }
        store.close()
    if args.json:
        print(json.dumps({k: round(v, 1) for k, v in figures.items()}, indent=2))
        return
    print(
        f"{args.indicators} indicators x {args.years} years monthly, {figures['events']:,} events"
    )
    print(f"{'measure':<58} {'ms':>8}  {'goal':<8} verdict")
    for name, key, goal in (
        ("CLI indicator history I17, now", "cli_history_now_ms", QUERY_GOAL_MS),
        (f"CLI indicator history I17 --as-of {as_of}", "cli_history_as_of_ms", QUERY_GOAL_MS),
        ("  read model query alone, now", "query_now_ms", None),
        ("  read model query alone, as of mid-life", "query_as_of_ms", None),
        ("  floor: raw SQL select of the same rows, now", "floor_now_ms", None),
        ("  floor: raw SQL select of the same rows, as of mid-life", "floor_as_of_ms", None),
        ("CLI dashboard (all indicators)", "cli_dashboard_ms", None),
        ("before: load the plan's stream and fold it", "load_and_fold_ms", None),
        ("before: fold records already in memory", "fold_loaded_records_ms", None),
        ("first catch-up of the read models (once)", "first_catch_up_ms", None),
    ):
        value = figures[key]
        if goal is None:
            print(f"{name:<58} {value:>8.1f}")
            continue
        verdict = "ok" if value <= goal else "below goal"
        print(f"{name:<58} {value:>8.1f}  <= {goal:<5.0f} {verdict}")


if __name__ == "__main__":
    main()
