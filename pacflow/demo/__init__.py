"""`pacflow demo`: the worked example's plan (PAC-2025 of Numéria Services) and its year.

`pac-2025.yaml` is the plan as validated in January 2025; `history.yaml` is every later
command in the order it was entered, with its local time. The demo replays both into a
store with a clock set to each entry's time, so the log reads as if the year had been
recorded live: the draft in December 2024, approval, visits held, moved and cancelled,
the March adjustments (one entered after the fact), the mid-year re-actualisation, and
each month's indicator actuals with the late correction of I7 for March, and the BRC
merger recorded as a market change the day it was announced. I2 (visits to BRC) is
derived from the S08 visits held rather than typed in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from events import EventStore
from pacflow.domain import Command, PlanState, build_command
from pacflow.domain import commands as c
from pacflow.errors import IntegrityError, RuleViolationError
from pacflow.planfile import parse_plan_file, plan_commands
from pacflow.service import PlanService
from slotted import FrozenValue, frozen_record

DEMO_PLAN = "PAC-2025"
DEMO_TIMEZONE = "Europe/Paris"
"""The demo plan's zone (its plan file says so too; a test checks they agree)."""
DRAFTED_AT = "2024-12-16T10:00"
"""When the plan file is applied: the draft written before the January validation."""

_COMMANDS: dict[str, type[Command]] = {
    command.__name__: command
    for command in (
        c.ApprovePlan,
        c.PublishPlan,
        c.RevisePlan,
        c.AddStep,
        c.AssignStep,
        c.MoveStep,
        c.StartStep,
        c.CompleteStep,
        c.SetObjective,
        c.SetIndicatorTargets,
        c.RecordIndicatorValue,
        c.CorrectIndicatorValue,
        c.RecordMarketChange,
        c.CompleteOccurrence,
        c.CancelOccurrence,
        c.MoveOccurrence,
    )
}


class SettableClock:
    """A clock the demo moves to each entry's time (and tests can move too)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@frozen_record
class DemoResult(FrozenValue):
    """What the demo recorded."""

    plan: PlanState
    commands: int
    events: int


def _text(name: str) -> str:
    return resources.files("pacflow.demo").joinpath(name).read_text(encoding="utf-8")


def history() -> list[dict[str, Any]]:
    """The demo's history entries, oldest first."""
    entries: list[dict[str, Any]] = yaml.safe_load(_text("history.yaml"))
    return entries


def build_demo(
    open_store: Callable[[SettableClock], EventStore],
    progress: Callable[[int, int], None] | None = None,
    *,
    until: str | None = None,
) -> DemoResult:
    """Record the demo plan and its history into the store `open_store(clock)` returns.

    With `until` (a local time such as `2025-06-30T17:55`), only the history entries
    before that moment are recorded: `replay_demo` goes on from there. Refuses a store
    that already holds the demo plan (nothing is written then).
    """
    plan_file = parse_plan_file(_text("pac-2025.yaml"), "pac-2025.yaml")
    zone = ZoneInfo(plan_file.plan.timezone)

    def local(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)

    clock = SettableClock(local(DRAFTED_AT))
    store = open_store(clock)
    service = PlanService(store, source="cli")
    if service.load(DEMO_PLAN) is not None:
        raise RuleViolationError(
            f"the store at {store.url} already holds plan {DEMO_PLAN}: give another store, "
            "e.g. pacflow --db sqlite:///demo.db demo"
        )
    first = plan_commands(
        None,
        plan_file,
        actor="hg",
        reason="PAC 2025 v1, draft for the executive committee",
        today=clock.now.astimezone(zone).date(),
    )
    outcome = service.execute_all(DEMO_PLAN, first, source="plan-file")
    entries = _between(None, until)
    events = len(outcome.recorded) + _replay(service, clock, entries, local, progress)
    final = service.load(DEMO_PLAN)
    assert final is not None
    return DemoResult(final, len(entries) + 1, events)


def replay_demo(
    open_store: Callable[[SettableClock], EventStore], since: str, until: str | None = None
) -> DemoResult:
    """Record the demo's history entries from `since` (local time) to before `until`,
    into a store that holds the demo plan up to `since` (see `build_demo(until=...)`)."""
    zone = ZoneInfo(parse_plan_file(_text("pac-2025.yaml"), "pac-2025.yaml").plan.timezone)

    def local(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)

    clock = SettableClock(local(since))
    service = PlanService(open_store(clock), source="cli")
    entries = _between(since, until)
    events = _replay(service, clock, entries, local, None)
    final = service.load(DEMO_PLAN)
    if final is None:
        raise RuleViolationError(f"the store does not hold plan {DEMO_PLAN}: build it first")
    return DemoResult(final, len(entries), events)


def _between(since: str | None, until: str | None) -> list[dict[str, Any]]:
    def moment(text: str) -> datetime:
        return datetime.fromisoformat(text)

    return [
        entry
        for entry in history()
        if (since is None or moment(str(entry["at"])) >= moment(since))
        and (until is None or moment(str(entry["at"])) < moment(until))
    ]


def _replay(
    service: PlanService,
    clock: SettableClock,
    entries: list[dict[str, Any]],
    local: Callable[[str], datetime],
    progress: Callable[[int, int], None] | None,
) -> int:
    events = 0
    for done, entry in enumerate(entries, start=1):
        fields = dict(entry)
        clock.now = local(str(fields.pop("at")))
        command_type = _COMMANDS.get(str(fields.pop("command")))
        if command_type is None:
            raise IntegrityError(f"demo history entry {done} names an unknown command")
        command = build_command(command_type, {"plan": DEMO_PLAN, **fields})
        events += len(service.execute(command).recorded)
        if progress is not None:
            progress(done, len(entries))
    return events
