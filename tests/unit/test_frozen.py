"""The domain's frozen values (`pacflow.domain.frozen`) behave as frozen dataclasses do."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from datetime import date

import pytest
from pydantic import ValidationError

from pacflow.domain.checked import validate
from pacflow.domain.events import PlanApproved, StepCompleted
from pacflow.domain.findings import AmontAval, Quadrant, WonLost
from pacflow.domain.frozen import FrozenValue, frozen_record
from pacflow.domain.schedule import Cadence
from pacflow.domain.values import Per


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
