"""The read models pacflow keeps, wired to a store (the composition of `projections`)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from projections.versions import INDICATOR_FACTS_VERSION, PLANS_VERSION, STEP_EVENTS_VERSION

if TYPE_CHECKING:
    from collections.abc import Callable

    from events import EventStore
    from projections.engine import ProjectionEngine

READ_MODEL_VERSIONS = {
    "plans": PLANS_VERSION,
    "indicator_facts": INDICATOR_FACTS_VERSION,
    "step_events": STEP_EVENTS_VERSION,
}
"""Each read model's name and version, known without importing the projectors (a command
checks them against the stored checkpoints before it decides to load anything more)."""


def read_models(
    store: EventStore,
    *,
    workers: int | None = None,
    parallel_from: int | None = None,
    one_pass: bool = False,
) -> ProjectionEngine:
    """The projection engine with every read model pacflow keeps for `store`.

    A long pass is shared by `workers` processes (`projections.workers`; by default one per
    processor, at most four) from `parallel_from` events (`projections.engine.PARALLEL_FROM`
    by default), where the store can be opened again in another process.

    `one_pass`: the engine runs one pass and is dropped (a worker's): the plans' read model
    keeps no folded plan in memory once its rows are written, beyond a stream the next
    window goes on with (a cache only pays across catch-ups of a long-lived process)."""
    from projections.engine import PARALLEL_FROM, ProjectionEngine, projection_engine_for
    from projections.indicator_facts import IndicatorFacts
    from projections.plans import PlanReadModel
    from projections.step_events import StepEvents

    reopen = store.reopener()
    return ProjectionEngine(
        store,
        [
            PlanReadModel(store, cache_size=0) if one_pass else PlanReadModel(store),
            IndicatorFacts(),
            StepEvents(),
        ],
        projection_engine_for(store),
        recipe=None if reopen is None else functools.partial(_read_models_of, reopen),
        workers=workers,
        parallel_from=PARALLEL_FROM if parallel_from is None else parallel_from,
    )


def _read_models_of(reopen: Callable[[], EventStore]) -> ProjectionEngine:
    """The read models of the store `reopen` opens: how a worker process builds them."""
    return read_models(reopen(), one_pass=True)
