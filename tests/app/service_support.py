"""Plans built through PlanService, and a way to count the events a service reads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from events import EventStore, RecordedEvent
from pacflow.domain import commands as c
from pacflow.service import PlanService

PLAN = "PAC-2025"


@dataclass
class ReadCounter:
    """How many events the store yielded through `read_stream` since it was installed."""

    events: int = 0


def count_reads(monkeypatch: pytest.MonkeyPatch, store: EventStore) -> ReadCounter:
    """Count the events `store.read_stream` yields from now on."""
    counter = ReadCounter()
    read_stream = store.read_stream

    def counting(*args: object, **kwargs: object) -> Iterator[RecordedEvent]:
        for recorded in read_stream(*args, **kwargs):  # type: ignore[arg-type]
            counter.events += 1
            yield recorded

    monkeypatch.setattr(store, "read_stream", counting)
    return counter


C = TypeVar("C", bound=c.Command)


def command(command_type: type[C], *, plan: str, actor: str = "hg", **fields: Any) -> C:
    """A command on `plan`, by hg unless told otherwise."""
    return command_type(plan=plan, actor=actor, **fields)


def create_plan(service: PlanService, plan: str = PLAN) -> None:
    """A draft plan with a rep, a target and an indicator that takes monthly values."""
    service.execute_all(
        plan,
        [
            command(
                c.CreatePlan,
                plan=plan,
                title=f"Plan {plan}",
                start=date(2025, 1, 1),
                end=date(2025, 12, 31),
                timezone="Europe/Paris",
                owner="hg",
                country="none",  # the event counts below are these tests' subject
            ),
            command(c.AddPerson, plan=plan, key="cd", name="Claire Dubois", kind="rep"),
            command(
                c.AddTarget,
                plan=plan,
                key="T1",
                kind="segment",
                title="Banque",
                responsible="cd",
            ),
            command(
                c.DefineIndicator,
                plan=plan,
                key="I1",
                name="Visites",
                kind="activity",
                unit="count",
                owner="cd",
                per="month",
            ),
        ],
    )


def record_value(plan: str, period: str, value: int, actor: str = "cd") -> c.Command:
    """Record indicator I1's value for a month."""
    return command(
        c.RecordIndicatorValue,
        actor=actor,
        plan=plan,
        indicator="I1",
        period=period,
        value=Decimal(value),
    )


def market_change(plan: str, number: int) -> c.Command:
    """A market change touching target T1."""
    return command(
        c.RecordMarketChange,
        plan=plan,
        summary=f"Change {number}",
        affects=("target:T1",),
        effective=date(2025, 3, 1),
    )


def month(number: int) -> str:
    """One of the plan's twelve months, cycling."""
    return f"2025-{number % 12 + 1:02d}"
