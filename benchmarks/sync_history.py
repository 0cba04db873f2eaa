"""`python -m benchmarks.sync --steps N --edits E`: a sync's cost against the plan's history.

Two stores hold the same plan of N steps over ten reps (four steps in five a task with a
due date, one in five a visit cadence of two a month): the short one as built (about N
events), the long one followed by E more events, recorded in batches over the year:
mostly `StepEdited` (a new title), one in twenty a reschedule (`StepMoved`), one in fifty
a reassignment (`StepAssigned`) between reps. The rep `cd`'s calendar home on a local
Radicale is connected on each, and the CLI runs in this process (click's runner):

1. `sync --dry-run --person cd` on a calendar never synced: the first read of the plan's
   calendar view (on the long history, this is where its cost is paid, once);
2. `sync --person cd`: every item created;
3. `sync --person cd` again, nothing to do: the events it reads from the store are
   counted (every decoded event goes through `EventStore._decode`) and those older than
   the previous sync are reported apart (the goal: none);
4. `sync --dry-run --person cd`, nothing to do, three times: the fastest CPU time is the
   figure, and long / short is the ratio the issue sets (goal: <= 2).
"""

from __future__ import annotations

import json
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from events import EventStore, NewEvent, RecordedEvent
from events.store import RawRow
from pacflow.domain import commands as c
from pacflow.domain import decide, event_type_name, evolve, to_payload
from pacflow.domain.schedule import DueDate
from pacflow.domain.state import PlanState
from pacflow.storage import open_store
from tests.integrations.faultproxy import FaultProxy

PLAN = "BENCH-HISTORY"
REP = "cd"
REPS = [REP, *(f"r{n}" for n in range(1, 10))]
BATCH = 1_000
PASSWORD_VARIABLE = "PACFLOW_BENCH_CALDAV_PASSWORD"
RATIO_GOAL = 2.0
DRY_RUNS = 3


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 12, 1, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class _Builder:
    """Runs commands through the domain and appends their events in batches."""

    def __init__(self, store: EventStore, clock: _Clock) -> None:
        self.store, self.clock = store, clock
        self.state: PlanState | None = None
        self.batch: list[NewEvent] = []

    def run(self, command_type: type[c.Command], **fields: Any) -> None:
        data = {"plan": PLAN, "actor": "hg", **fields}
        for event in decide(self.state, c.build_command(command_type, data)):
            self.state = evolve(self.state, event)
            self.batch.append(NewEvent(event_type_name(event), to_payload(event)))
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.store.append(PLAN, list(self.batch))
            self.batch.clear()
            self.clock.now += timedelta(minutes=7)


def build(url: str, steps: int, edits: int) -> int:
    """The plan of `steps` steps, then `edits` more events; the number of events."""
    clock = _Clock()
    with open_store(url, clock=clock) as store:
        plan = _Builder(store, clock)
        plan.run(c.CreatePlan, title="History benchmark", start=date(2025, 1, 1),
                 end=date(2025, 12, 31), timezone="Europe/Paris", owner="hg",
                 max_targets_per_rep=5, max_targets_total=20)  # fmt: skip
        plan.run(c.AddPerson, key="hg", name="Hélène Garnier", kind="manager")
        for rep in REPS:
            plan.run(c.AddPerson, key=rep, name=f"Rep {rep}", kind="rep")
            plan.run(c.AddTarget, key=f"T-{rep}", kind="customer", title=f"Account of {rep}",
                     responsible=rep)  # fmt: skip
            plan.run(c.AddTrack, key=f"K-{rep}", target=f"T-{rep}", domain="sales",
                     approach="farming", title="Grow the account")  # fmt: skip
        chooser = random.Random(7)
        for number in range(steps):
            rep = REPS[number // 5 % len(REPS)]  # blocks of five: a cadence for each rep
            schedule: dict[str, Any]
            if number % 5 == 4:
                schedule = {"kind": "cadence", "count": 2, "per": "month"}
            else:
                schedule = {
                    "kind": "due",
                    "due": date(2025, 1, 1) + timedelta(chooser.randrange(360)),
                }
            plan.run(c.AddStep, key=f"S{number:05}", track=f"K-{rep}", title=f"Step {number}",
                     responsible=rep, schedule=schedule, parallel=True)  # fmt: skip
        plan.flush()
        state = plan.state
        assert state is not None
        keys = list(state.steps)
        for number in range(edits):
            key = chooser.choice(keys)
            step = state.steps[key]
            if number % 50 == 49:
                others = [rep for rep in REPS if rep != step.responsible]
                plan.run(c.AssignStep, step=key, responsible=chooser.choice(others))
            elif number % 20 == 19 and isinstance(step.schedule, DueDate):
                due = date(2025, 1, 1) + timedelta(chooser.randrange(360))
                plan.run(c.MoveStep, step=key, schedule={"kind": "due", "due": due})
            else:
                plan.run(c.EditStep, step=key, title=f"Step {key} (edit {number})")
        plan.flush()
        return store.stream_version(PLAN)


@contextmanager
def counted_reads() -> Iterator[list[tuple[str, int]]]:
    """(stream, version) of every event decoded meanwhile, in this process."""
    seen: list[tuple[str, int]] = []
    original = EventStore._decode

    def counting(self: EventStore, row: RawRow) -> RecordedEvent:
        seen.append((row.stream_id, row.stream_version))
        return original(self, row)

    EventStore._decode = counting  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        EventStore._decode = original  # type: ignore[method-assign]


def cli(*args: str) -> tuple[float, float, dict[str, Any]]:
    """One `pacflow ARGS --json` in this process: wall and CPU seconds, and its JSON."""
    from click.testing import CliRunner

    from pacflow.cli import main

    wall, cpu = time.perf_counter(), time.process_time()
    result = CliRunner().invoke(main, [*args, "--json"])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if result.exit_code != 0:
        raise SystemExit(f"pacflow {' '.join(args)} failed ({result.exit_code}): {result.output}")
    found: dict[str, Any] = json.loads(result.stdout)
    return wall, cpu, found


def measure(url: str, home: str, user: str, events: int) -> dict[str, Any]:
    """Steps 1 to 4 of the module docstring on the store at `url`."""
    from click.testing import CliRunner

    from pacflow.cli import main

    os.environ["PACFLOW_DB"] = url
    os.environ["PACFLOW_ACTOR"] = "hg"
    connected = CliRunner().invoke(
        main,
        ["calendar", "connect", PLAN, REP, "--url", home, "--username", user,
         "--password-env", PASSWORD_VARIABLE],
    )  # fmt: skip
    if connected.exit_code != 0:
        raise SystemExit(f"calendar connect failed: {connected.output}")
    sync = ("sync", PLAN, "--person", REP)
    progress(f"  {events:,} events: first dry run")
    _wall, first_cpu, first = cli(*sync, "--dry-run")
    items = first["totals"]["created"]
    progress(f"  {events:,} events: first sync ({items:,} items)")
    cli(*sync)
    with open_store(url) as store:
        synced_at = store.stream_version(PLAN)
    progress(f"  {events:,} events: no-change sync")
    with counted_reads() as seen:
        _wall, quiet_cpu, _quiet = cli(*sync)
    older = sum(1 for stream, version in seen if stream == PLAN and version <= synced_at)
    dry: list[tuple[float, float]] = []
    for _run in range(DRY_RUNS):
        wall, cpu, report = cli(*sync, "--dry-run")
        if report["totals"]["created"] or report["totals"]["updated"]:
            raise SystemExit(f"the no-change dry run has writes: {report['totals']}")
        dry.append((wall, cpu))
    best = min(dry, key=lambda pair: pair[1])
    return {
        "events": events,
        "items": items,
        "first_dry_run_cpu_s": first_cpu,
        "no_change_sync_cpu_s": quiet_cpu,
        "no_change_sync_events_read": len(seen),
        "no_change_sync_events_read_older_than_last_sync": older,
        "dry_run_wall_s": best[0],
        "dry_run_cpu_s": best[1],
    }


def run_history(steps: int, edits: int) -> dict[str, Any]:
    from benchmarks.sync import radicale

    user, password = "bench", secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="pacflow-bench-history-") as directory:
        folder = Path(directory)
        short_url = f"sqlite:///{folder / 'short.db'}"
        long_url = f"sqlite:///{folder / 'long.db'}"
        progress(f"building a plan of {steps:,} steps, then one with {edits:,} more events")
        begun = time.perf_counter()
        short_events = build(short_url, steps, 0)
        long_events = build(long_url, steps, edits)
        progress(f"  built in {time.perf_counter() - begun:.0f} s")
        os.environ[PASSWORD_VARIABLE] = password
        with radicale(folder, user, password) as server, FaultProxy(server) as proxy:
            short = measure(short_url, f"{proxy.url}{user}/", user, short_events)
            # Another user: the second plan gets a calendar home of its own.
            (folder / "users").write_text(
                f"{user}:{password}\n{user}2:{password}\n", encoding="utf-8"
            )
            long = measure(long_url, f"{proxy.url}{user}2/", f"{user}2", long_events)
    ratio = long["dry_run_cpu_s"] / short["dry_run_cpu_s"]
    return {
        "steps": steps,
        "python": sys.version.split()[0],
        "short": short,
        "long": long,
        "dry_run_cpu_ratio": ratio,
        "goal_ratio": RATIO_GOAL,
        "ratio_ok": ratio <= RATIO_GOAL,
        "no_change_reads_nothing_older": long["no_change_sync_events_read_older_than_last_sync"]
        == 0
        and short["no_change_sync_events_read_older_than_last_sync"] == 0,
    }


def render_history(found: dict[str, Any]) -> str:
    rows = [
        ("plan", "events", "rep's items", "first dry run CPU s", "no-change sync: CPU s",
         "events read", "older than last sync", "dry run CPU s", "dry run wall s"),
    ]  # fmt: skip
    for name in ("short", "long"):
        s = found[name]
        rows.append(
            (
                name,
                f"{s['events']:,}",
                f"{s['items']:,}",
                f"{s['first_dry_run_cpu_s']:.2f}",
                f"{s['no_change_sync_cpu_s']:.2f}",
                f"{s['no_change_sync_events_read']:,}",
                f"{s['no_change_sync_events_read_older_than_last_sync']:,}",
                f"{s['dry_run_cpu_s']:.2f}",
                f"{s['dry_run_wall_s']:.2f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        f"pacflow sync against the plan's history, {found['steps']:,} steps, one rep "
        f"(Python {found['python']})",
        "",
    ]
    for row in rows:
        lines.append("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    verdict = "ok" if found["ratio_ok"] else "missed"
    lines.append("")
    lines.append(
        f"dry run, long / short history: {found['dry_run_cpu_ratio']:.2f}x "
        f"(goal <= {found['goal_ratio']:.0f}x: {verdict})"
    )
    quiet = "ok" if found["no_change_reads_nothing_older"] else "missed"
    lines.append(f"a no-change sync reads no event older than its last sync: {quiet}")
    return "\n".join(lines)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
