"""The read models pacflow keeps, wired to a store (the composition of `projections`)."""

from __future__ import annotations

from events import EventStore
from projections.engine import ProjectionEngine, projection_engine_for
from projections.indicator_facts import IndicatorFacts
from projections.plans import PlanReadModel


def read_models(store: EventStore) -> ProjectionEngine:
    """The projection engine with every read model pacflow keeps for `store`."""
    return ProjectionEngine(
        store, [PlanReadModel(store), IndicatorFacts()], projection_engine_for(store)
    )
