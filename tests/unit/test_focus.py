"""Warnings for "choisir, c'est renoncer", never refusals, about too many targets."""

from __future__ import annotations

from datetime import date

from pacflow.domain import fold, warnings
from pacflow.domain.commands import AddTarget
from pacflow.domain.events import PersonLeft, TargetAdded, TargetDropped, TargetLimitsSet
from pacflow.domain.values import TargetKind

from .example import DRAFT, command
from .gwt import given


def extra_targets(count: int, responsible: str) -> list[TargetAdded]:
    return [
        TargetAdded(
            key=f"X{index}",
            kind=TargetKind.CUSTOMER,
            title=f"Compte {index}",
            responsible=responsible,
        )
        for index in range(count)
    ]


def test_the_worked_example_is_focused() -> None:
    state = fold(DRAFT)
    assert state is not None
    assert warnings(state) == []


def test_more_than_two_targets_for_one_rep() -> None:
    state = fold([*DRAFT, *extra_targets(2, "cd")])
    assert state is not None
    assert warnings(state) == [
        "choisir, c'est renoncer: cd is responsible for 3 live targets (T1, X0, X1), more than 2"
    ]


def test_more_than_six_targets_in_all() -> None:
    state = fold([*DRAFT, *extra_targets(3, "hg")])
    assert state is not None
    assert warnings(state) == [
        "choisir, c'est renoncer: plan PAC-2025 has 7 live targets, more than 6 in all"
    ]


def test_more_targets_than_the_reps_can_carry() -> None:
    reps_leave = [PersonLeft(person=rep, on=date(2025, 6, 30)) for rep in ("kb", "tl", "sm")]
    state = fold([*DRAFT, *reps_leave])
    assert state is not None
    assert warnings(state) == [
        "choisir, c'est renoncer: plan PAC-2025 has 4 live targets for 1 rep, more than 2 per rep"
    ]


def test_dropped_targets_do_not_count_and_thresholds_are_the_plans() -> None:
    history = [*DRAFT, *extra_targets(2, "cd")]
    dropped = fold([*history, TargetDropped(target="X1")])
    assert dropped is not None
    assert warnings(dropped) == []
    relaxed = fold([*history, TargetLimitsSet(max_targets_per_rep=3, max_targets_total=6)])
    assert relaxed is not None
    assert warnings(relaxed) == []


def test_a_warning_never_refuses() -> None:
    history = [*DRAFT, *extra_targets(3, "cd")]
    add = command(AddTarget, key="X9", kind="customer", title="Encore un", responsible="cd")
    state = (
        given(history)
        .when(add)
        .then(TargetAdded(key="X9", kind=TargetKind.CUSTOMER, title="Encore un", responsible="cd"))
    )
    assert state is not None
    assert len(warnings(state)) == 2
