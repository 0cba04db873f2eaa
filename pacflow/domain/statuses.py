"""Where a step or a visit stands as recorded: plain enums, with no pydantic behind them.

Kept apart from `pacflow.domain.values` so that a plan shown from its read model can be
judged (`pacflow.domain.progress`) without importing the domain's models.
"""

from __future__ import annotations

import enum


class StepStatus(enum.StrEnum):
    """Lifecycle of a step: planned → in_progress → done | cancelled, plus blocked."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"
    BLOCKED = "blocked"


class OccurrenceStatus(enum.StrEnum):
    """Status of one occurrence of a series (one visit): moved still means 'to be held'."""

    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"
    MOVED = "moved"
