"""A plan's periods, computed once per (start, end, per): histories walk them for every
indicator, and a dashboard builds dozens of histories."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from pacflow.domain.kinds import Per
from pacflow.domain.periods import period_bounds, periods_between


@lru_cache(maxsize=64)
def plan_periods(start: date, end: date, per: Per) -> tuple[tuple[str, date, date], ...]:
    """Every period overlapping `start..end`, in order: its key, first and last day."""
    return tuple((key, *period_bounds(key, per)) for key in periods_between(start, end, per))
