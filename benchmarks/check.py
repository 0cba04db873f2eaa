"""`pacflow check` on a plan of 1,000 steps: the obsolescence rules and what revisions answered.

Builds, with the domain itself, a plan over 2025 with 1,000 steps (four in five with a due
date, one in five a visit cadence of 2 a month), 10 monthly indicators with their actuals,
progress through the year (steps done, most visits held), three revisions that move steps
and two market changes; then times, in-process (median of repeated runs), `check` as of
mid-November on records already loaded and including loading them from the store (what
one CLI call costs), next to the floor of just loading and decoding the plan's events and
to the findings alone (without weighing what each revision answered, which folds the
indicators once more just before each revision opens and once after it is published).
Goal: `check` ≤ 200 ms.

    python -m benchmarks.check
    python -m benchmarks.check --steps 1000 --json
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
from projections.obsolescence import check, report

CHECK_GOAL_MS = 200.0
PLAN = "BIG"
REPS = 10
INDICATORS = 10
AS_OF = datetime(2025, 11, 15, 12, tzinfo=UTC)


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 12, 1, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class _Builder:
    """Runs commands through the domain and appends their events, at the clock's time."""

    def __init__(self, store: EventStore, clock: _Clock) -> None:
        self.store, self.clock = store, clock
        self.state: PlanState | None = None
        self.batch: list[NewEvent] = []

    def run(self, command_type: type[c.Command], **fields: Any) -> None:
        data = {"plan": PLAN, "actor": "hg", "reason": "benchmark", **fields}
        for event in decide(self.state, c.build_command(command_type, data)):
            self.state = evolve(self.state, event)
            self.batch.append(NewEvent(event_type_name(event), to_payload(event)))

    def flush(self, at: datetime) -> None:
        """Append what was run, recorded at `at`."""
        self.clock.now = at
        if self.batch:
            self.store.append(PLAN, list(self.batch))
            self.batch.clear()


def _build(store: EventStore, clock: _Clock, steps: int) -> None:
    chooser = random.Random(5)
    plan = _Builder(store, clock)
    plan.run(
        c.CreatePlan,
        title="Big plan",
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        timezone="Europe/Paris",
        owner="hg",
        max_targets_per_rep=5,
        max_targets_total=20,
    )
    plan.run(c.AddPerson, key="hg", name="Hélène", kind="manager")
    reps = [f"r{n}" for n in range(REPS)]
    for rep in reps:
        plan.run(c.AddPerson, key=rep, name=f"Rep {rep}", kind="rep")
        plan.run(c.AddTarget, key=f"T-{rep}", kind="customer", title=f"Account of {rep}",
                 responsible=rep, ref=f"ACC-{rep}")  # fmt: skip
        plan.run(c.AddTrack, key=f"K-{rep}", target=f"T-{rep}", domain="sales",
                 approach="farming", title="Grow the account")  # fmt: skip
    months = [f"2025-{month:02}" for month in range(1, 13)]
    for number in range(INDICATORS):
        key = f"I{number}"
        aggregation = "cumulative_ytd" if number % 2 else "per_period"
        plan.run(c.DefineIndicator, key=key, name=f"Indicator {number}", kind="result",
                 unit="kEUR", owner="hg", aggregation=aggregation)  # fmt: skip
        targets = {m: 100 * (i + 1) if number % 2 else 100 for i, m in enumerate(months)}
        plan.run(c.SetIndicatorTargets, indicator=key, targets=targets)
    due_steps = []
    for number in range(steps):
        rep = reps[number % REPS]
        key = f"S{number:04}"
        if number % 5 == 4:
            schedule: dict[str, Any] = {"kind": "cadence", "count": 2, "per": "month"}
        else:
            schedule = {"kind": "due", "due": date(2025, 1, 1) + timedelta(chooser.randrange(365))}
            due_steps.append(key)
        plan.run(c.AddStep, key=key, track=f"K-{rep}", title=f"Step {number}",
                 responsible=rep, schedule=schedule, parallel=True)  # fmt: skip
    plan.flush(datetime(2024, 12, 16, 9, tzinfo=UTC))
    plan.run(c.ApprovePlan)
    plan.run(c.PublishPlan)
    plan.flush(datetime(2025, 1, 6, 16, tzinfo=UTC))
    assert plan.state is not None
    revisions = {3: 2, 6: 3, 9: 4}
    for month in range(1, 12):
        day = datetime(2025, month + 1, 5, 8, tzinfo=UTC)
        for number in range(INDICATORS):  # last month's actuals, on the 5th
            value = 85 * month if number % 2 else 70 + chooser.randrange(40)
            plan.run(c.RecordIndicatorValue, indicator=f"I{number}", period=months[month - 1],
                     value=value)  # fmt: skip
        plan.flush(day)
        state = plan.state
        for key in due_steps:  # most steps due last month get done
            step = state.steps[key]
            due = step.schedule.due  # type: ignore[union-attr]
            if due.month == month and chooser.random() < 0.8 and step.status == "planned":
                plan.run(c.CompleteStep, step=key, on=due)
        for occurrence in list(state.occurrences.values()):  # most visits are held
            if occurrence.start.month == month and chooser.random() < 0.85:
                plan.run(c.CompleteOccurrence, occurrence=occurrence.key,
                         on=occurrence.start.date())  # fmt: skip
        plan.flush(day + timedelta(hours=9))
        if month in (5, 8):
            plan.run(c.RecordMarketChange, summary=f"Market change {month}",
                     affects=[f"target:T-{reps[month]}"], effective=date(2025, month, 20),
                     impact="high")  # fmt: skip
            plan.flush(datetime(2025, month, 20, 9, tzinfo=UTC))
        if month in revisions:
            plan.run(c.RevisePlan, reason=f"review {month}")
            for key in chooser.sample(due_steps, 30):
                if state.steps[key].status == "planned":
                    later = date(2025, 12, 1) + timedelta(chooser.randrange(30))
                    plan.run(c.MoveStep, step=key, schedule={"kind": "due", "due": later})
            plan.run(c.PublishPlan)
            plan.flush(datetime(2025, month, 28, 15, tzinfo=UTC))


def _median_ms(work: Any, runs: int = 9) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        clock = _Clock()
        store = EventStore.from_url(f"sqlite:///{directory}/check.db", clock=clock)
        print("building the plan", file=sys.stderr)
        _build(store, clock, args.steps)
        service = PlanService(store)
        records = service.records(PLAN)
        found = report(records, AS_OF)
        figures = {
            "events": len(records),
            "findings": len(found.findings),
            "answered": len(found.answered),
            "load_ms": _median_ms(lambda: service.records(PLAN)),
            "findings_only_ms": _median_ms(lambda: check(records, AS_OF)),
            "check_ms": _median_ms(lambda: report(records, AS_OF)),
            "load_and_check_ms": _median_ms(lambda: report(service.records(PLAN), AS_OF)),
        }
        store.close()
    if args.json:
        print(json.dumps({k: round(v, 1) for k, v in figures.items()}, indent=2))
        return
    print(
        f"{args.steps:,} steps, {figures['events']:,} events; as of {AS_OF:%Y-%m-%d}: "
        f"{figures['findings']} findings, {figures['answered']} answered by revisions"
    )
    print(f"{'query':<44} {'ms':>8}  {'goal':<8} verdict")
    print(f"{'floor: load and decode the events':<44} {figures['load_ms']:>8.1f}")
    print(
        f"{'findings only, no revision answers (loaded)':<44} {figures['findings_only_ms']:>8.1f}"
    )
    for name, key in (
        ("check (records loaded)", "check_ms"),
        ("check, loading the plan's records too", "load_and_check_ms"),
    ):
        value = figures[key]
        verdict = "ok" if value <= CHECK_GOAL_MS else "below goal"
        print(f"{name:<44} {value:>8.1f}  <= {CHECK_GOAL_MS:<5.0f} {verdict}")


if __name__ == "__main__":
    main()
