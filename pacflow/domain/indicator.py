"""A follow-up indicator as the plan holds it: a plain dataclass, with no pydantic behind it.

Kept apart from `pacflow.domain.state` (which re-exports it) so that reads answered from the
indicator read model (the dashboard, an indicator's history) build indicators without
importing the domain's models.
"""

from __future__ import annotations

from dataclasses import field
from decimal import Decimal

from pacflow.domain.derivation import Derivation
from pacflow.domain.kinds import Aggregation, Direction, IndicatorKind, Per
from slotted import MutableRecord, mutable_record


@mutable_record
class Indicator(MutableRecord):
    """A follow-up indicator, its period targets and the actual values known so far (typed
    in; a derived indicator's values are counted from events by the projections)."""

    key: str
    name: str
    kind: IndicatorKind
    unit: str
    aggregation: Aggregation
    direction: Direction
    owner: str
    per: Per
    serves: tuple[str, ...]
    targets: dict[str, Decimal] = field(default_factory=dict)
    actuals: dict[str, Decimal] = field(default_factory=dict)
    derived: Derivation | None = None
