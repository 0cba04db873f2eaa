"""How fast the PAC domain folds a long plan, and how fast `pacflow --help` starts.

In one run, on one machine: (1) `fold` of 100,000 events of one plan into its state
(events/s; goal >= 200,000), both for domain events already decoded and for stored JSON
payloads decoded with `from_payload` on the way (what loading a plan costs without a
snapshot); (2) the start-up time of `pacflow --help` next to `python -c pass`, its floor
(goal: under 0.3 s). Medians of repeated runs.

    python -m benchmarks.domain
    python -m benchmarks.domain --events 100000 --runs 5 --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from typing import Any

from pacflow.domain import PlanEvent, decide, evolve, fold, from_payload, to_payload
from pacflow.domain import commands as c
from pacflow.domain.events import event_type_name
from pacflow.domain.state import PlanState

FOLD_GOAL = 200_000
HELP_GOAL_S = 0.3
START = date(2025, 1, 1)


def plan_events(count: int) -> list[PlanEvent]:
    """A realistic plan stream: team, targets, tracks, then steps that are added, assigned,
    started and done, and visit series whose occurrences are held, until `count` events."""
    events: list[PlanEvent] = []
    state: PlanState | None = None

    def run(command_type: type[c.Command], **fields: Any) -> None:
        nonlocal state
        command = c.build_command(command_type, {"plan": "PAC-BENCH", "actor": "hg", **fields})
        for event in decide(state, command):
            state = evolve(state, event)
            events.append(event)

    run(
        c.CreatePlan,
        title="Benchmark plan",
        start=START,
        end=date(2025, 12, 31),
        timezone="Europe/Paris",
        owner="hg",
        max_targets_per_rep=1000,
        max_targets_total=1000,
    )
    people = [f"p{i}" for i in range(20)]
    for key in people:
        run(c.AddPerson, key=key, name=f"Person {key}", kind="rep")
    number = 0
    while len(events) < count:
        number += 1
        target, track = f"T{number}", f"K{number}"
        run(c.AddTarget, key=target, kind="customer", title=target, responsible="p0")
        run(c.AddTrack, key=track, target=target, domain="sales", approach="farming", title=track)
        for index in range(40):
            step = f"S{number}-{index}"
            who = people[index % len(people)]
            if index % 4 == 0:
                schedule: dict[str, Any] = {"kind": "cadence", "count": 2, "per": "month"}
            else:
                schedule = {"kind": "due", "due": START + timedelta(days=30 + index * 7)}
            run(
                c.AddStep,
                key=step,
                track=track,
                title=f"Step {step}",
                responsible=who,
                schedule=schedule,
                parallel=True,
            )
            run(c.AssignStep, step=step, responsible=people[(index + 1) % len(people)])
            run(c.StartStep, step=step, on=START + timedelta(days=10))
            assert state is not None
            for occurrence in state.steps[step].occurrences[:20]:
                day = state.occurrences[occurrence].start.date()
                run(c.CompleteOccurrence, occurrence=occurrence, on=day)
            run(c.CompleteStep, step=step, on=date(2025, 12, 30))
            if len(events) >= count:
                break
    return events[:count]


def _median_rate(count: int, runs: int, work: Any) -> float:
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        durations.append(time.perf_counter() - started)
    return count / statistics.median(durations)


def _median_seconds(command: list[str], runs: int) -> float:
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=100_000, help="events in the plan")
    parser.add_argument("--runs", type=int, default=5, help="repetitions (median kept)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)

    events = plan_events(args.events)
    stored = [(event_type_name(e), e.schema_version, to_payload(e)) for e in events]
    fold_rate = _median_rate(len(events), args.runs, lambda: fold(events))
    decode_rate = _median_rate(
        len(events), args.runs, lambda: fold(from_payload(t, v, p) for t, v, p in stored)
    )
    folded = fold(events)
    assert folded is not None
    assert folded.version == len(events)
    pacflow = [sys.executable, "-m", "pacflow.cli.__main__", "--help"]
    help_s = _median_seconds(pacflow, max(args.runs, 5))
    floor_s = _median_seconds([sys.executable, "-c", "pass"], max(args.runs, 5))
    figures = {
        "events": len(events),
        "fold_events_per_s": round(fold_rate),
        "decode_and_fold_events_per_s": round(decode_rate),
        "help_s": round(help_s, 3),
        "python_floor_s": round(floor_s, 3),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    rows = [
        ("fold (events/s)", f"{fold_rate:,.0f}", "", f">= {FOLD_GOAL:,}", fold_rate >= FOLD_GOAL),
        ("decode + fold (events/s)", f"{decode_rate:,.0f}", "", "(no goal)", None),
        (
            "pacflow --help (s)",
            f"{help_s:.3f}",
            f"{floor_s:.3f}",
            f"< {HELP_GOAL_S}",
            help_s < HELP_GOAL_S,
        ),
    ]
    print(f"{len(events):,} events of one plan, median of {args.runs} runs")
    print(f"{'measure':<26} {'pacflow':>12} {'floor':>8}  {'goal':<12} verdict")
    for name, value, floor, goal, ok in rows:
        verdict = "" if ok is None else ("ok" if ok else "below goal")
        print(f"{name:<26} {value:>12} {floor:>8}  {goal:<12} {verdict}")


if __name__ == "__main__":
    main()
