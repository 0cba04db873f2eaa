"""Slotted dataclasses (`slotted`) behave as the standard library's dataclasses do."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import pickle
import pkgutil
from datetime import date
from typing import Any, ClassVar

import pytest
from pydantic import ValidationError

from pacflow.domain.checked import validate
from pacflow.domain.events import PlanApproved, StepCompleted
from pacflow.domain.findings import AmontAval, Quadrant, WonLost
from pacflow.domain.schedule import Cadence
from pacflow.domain.values import Per
from slotted import FrozenValue, MutableRecord, frozen_record, frozen_value, mutable_record


def test_a_value_is_built_by_keyword_compared_by_its_fields_and_never_changed() -> None:
    done = StepCompleted(step="S01", on=date(2025, 1, 28))
    assert done == StepCompleted(step="S01", on=date(2025, 1, 28))
    assert done != StepCompleted(step="S02", on=date(2025, 1, 28))
    assert len({done, StepCompleted(step="S01", on=date(2025, 1, 28))}) == 1
    assert repr(done) == "StepCompleted(step='S01', on=datetime.date(2025, 1, 28))"
    assert PlanApproved() == PlanApproved()
    with pytest.raises(dataclasses.FrozenInstanceError):
        done.step = "S02"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del done.step
    with pytest.raises(TypeError, match="positional"):
        StepCompleted("S01", date(2025, 1, 28))  # type: ignore[misc]
    with pytest.raises(TypeError, match="on"):
        StepCompleted(step="S01")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="actor"):
        StepCompleted(step="S01", on=date(2025, 1, 28), actor="cd")  # type: ignore[call-arg]


def test_defaults_are_their_own_for_each_value_and_replace_makes_a_new_one() -> None:
    first, second = Cadence(count=2), Cadence(count=3)
    assert first.per is Per.MONTH
    assert first.exceptions == {}
    assert first.exceptions is not second.exceptions
    moved = dataclasses.replace(first, count=4)
    assert (moved.count, first.count) == (4, 2)


def test_values_copy_and_pickle_whole() -> None:
    done = StepCompleted(step="S01", on=date(2025, 1, 28))
    assert copy.copy(done) == done
    assert copy.deepcopy(done) == done
    assert pickle.loads(pickle.dumps(done)) == done


def test_a_value_checks_itself_however_it_is_built() -> None:
    with pytest.raises(ValueError, match="no deal"):
        AmontAval(quadrants={Quadrant.FARMING: WonLost()})
    with pytest.raises(ValidationError, match="no deal"):
        validate(AmontAval, {"quadrants": {"farming": {"won": 0, "lost": 0}}})
    checked = validate(AmontAval, {"quadrants": {"farming": {"won": 2}}})
    assert checked == AmontAval(quadrants={Quadrant.FARMING: WonLost(won=2)})


@frozen_record
class _Answer(FrozenValue):
    plan: str
    lines: tuple[str, ...] = ()


def test_a_record_takes_its_fields_in_order_or_by_name() -> None:
    assert _Answer("PAC-2025", ("a",)) == _Answer(plan="PAC-2025", lines=("a",))
    assert _Answer("PAC-2025").lines == ()
    with pytest.raises(TypeError):
        _Answer("PAC-2025", ("a",), "extra")  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        _Answer("PAC-2025").plan = "PAC-2026"  # type: ignore[misc]


@mutable_record
class _Tally(MutableRecord):
    name: str
    count: int = 0
    seen: list[str] = dataclasses.field(default_factory=list)


def test_a_mutable_record_is_changed_in_place_and_compared_by_its_fields() -> None:
    tally = _Tally("visits")
    assert (tally.name, tally.count, tally.seen) == ("visits", 0, [])
    tally.count += 2
    tally.seen.append("S08")
    assert tally == _Tally(name="visits", count=2, seen=["S08"])
    assert tally != _Tally("visits")
    assert repr(tally) == "_Tally(name='visits', count=2, seen=['S08'])"
    assert _Tally("a").seen is not _Tally("b").seen
    with pytest.raises(TypeError, match="unhashable"):
        hash(tally)
    with pytest.raises(AttributeError):
        tally.other = 1  # type: ignore[attr-defined]
    assert copy.deepcopy(tally) == tally
    assert pickle.loads(pickle.dumps(tally)) == tally
    assert dataclasses.asdict(tally) == {"name": "visits", "count": 2, "seen": ["S08"]}
    assert dataclasses.replace(tally, count=5).count == 5


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class _Standard:
    kind: ClassVar[str] = "standard"
    key: str
    due: date | None = None
    tags: tuple[str, ...] = ()
    notes: dict[str, str] = dataclasses.field(default_factory=dict, metadata={"omit": True})


@frozen_value
class _Lean(FrozenValue):
    kind: ClassVar[str] = "lean"
    key: str
    due: date | None = None
    tags: tuple[str, ...] = ()
    notes: dict[str, str] = dataclasses.field(default_factory=dict, metadata={"omit": True})


def _described(kind: type[Any]) -> list[tuple[object, ...]]:
    return [
        (f.name, f.type, f.default, f.default_factory, f.kw_only, f.init, f.metadata)
        for f in dataclasses.fields(kind)
    ]


def test_a_value_has_the_fields_and_slots_the_standard_dataclass_would_give_it() -> None:
    assert _described(_Lean) == _described(_Standard)
    assert _Lean.__slots__ == _Standard.__slots__ == ("key", "due", "tags", "notes")
    assert _Lean.kind == "lean"  # a class variable stays one, and is no field
    assert not hasattr(_Lean(key="a"), "__dict__")
    checked = validate(_Lean, {"key": "S01", "due": "2025-03-31", "tags": ["x"]})
    assert checked == _Lean(key="S01", due=date(2025, 3, 31), tags=("x",))
    with pytest.raises(ValidationError):
        validate(_Lean, {"key": "S01", "due": "someday"})


def test_a_declaration_the_standard_dataclass_refuses_is_refused() -> None:
    with pytest.raises(ValueError, match="default_factory"):

        @frozen_value
        class _Shared(FrozenValue):
            keys: list[str] = []  # noqa: RUF012

    with pytest.raises(TypeError, match="__slots__"):

        @mutable_record
        class _Slotted(MutableRecord):
            __slots__ = ("key",)
            key: str


def _slotted_classes() -> set[type[Any]]:
    """The record classes of every module, and those nested in their classes."""
    found: set[type[Any]] = set()
    for package in ("events", "pacflow", "projections", "integrations"):
        path = importlib.import_module(package).__path__
        for info in pkgutil.walk_packages(path, f"{package}."):
            # Alembic's scripts run under Alembic only; `__main__` runs the CLI
            if ".migrations" in info.name or info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, type) and value.__module__ == module.__name__:
                    found.update(k for k in (value, *vars(value).values()) if _is_record(k))
    return found


def _is_record(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, MutableRecord)


def test_every_declared_class_has_a_slot_for_each_field_and_nothing_else() -> None:
    classes = _slotted_classes()
    assert len(classes) > 150
    for kind in classes:
        assert "__slots__" in kind.__dict__, f"{kind.__qualname__} is not declared"
        assert "__dict__" not in dir(kind), kind.__qualname__
        if dataclasses.is_dataclass(kind):
            slots = [
                name
                for base in reversed(kind.__mro__)
                for name in base.__dict__.get("__slots__", ())
            ]
            assert [f.name for f in dataclasses.fields(kind)] == slots, kind.__qualname__
