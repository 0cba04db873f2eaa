"""The read models pacflow keeps, wired to a store (the composition of `projections`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from projections.versions import INDICATOR_FACTS_VERSION, PLANS_VERSION

if TYPE_CHECKING:
    from events import EventStore
    from projections.engine import ProjectionEngine

READ_MODEL_VERSIONS = {"plans": PLANS_VERSION, "indicator_facts": INDICATOR_FACTS_VERSION}
"""Each read model's name and version, known without importing the projectors (a command
checks them against the stored checkpoints before it decides to load anything more)."""


def read_models(store: EventStore) -> ProjectionEngine:
    """The projection engine with every read model pacflow keeps for `store`."""
    from projections.engine import ProjectionEngine, projection_engine_for
    from projections.indicator_facts import IndicatorFacts
    from projections.plans import PlanReadModel

    return ProjectionEngine(
        store, [PlanReadModel(store), IndicatorFacts()], projection_engine_for(store)
    )
