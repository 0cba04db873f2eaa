"""A step's schedule in a few words, from its plain data (`pacflow.domain.plain.to_plain`).

Kept apart from `pacflow.describe` so that showing a plan from its read model words its
schedules without importing the domain's schedule types.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def schedule_text(schedule: Mapping[str, Any]) -> str:
    """`due 2025-03-31`, `4 sessions from 2025-03-04 09:00`, `2 per month`…"""
    kind = schedule["kind"]
    if kind == "due":
        start = f"{schedule['start']} → " if schedule.get("start") else ""
        return f"{start}due {schedule['due']}"
    if kind == "sessions":
        sessions = schedule["sessions"]
        if len(sessions) == 1:
            return f"on {_moment(sessions[0]['start'])}"
        return f"{len(sessions)} sessions from {_moment(sessions[0]['start'])}"
    if kind == "recurrence":
        rules = schedule["rules"]
        return f"recurring {'; '.join(rule['rrule'] for rule in rules)} from " + _moment(
            rules[0]["dtstart"]
        )
    if kind == "cadence":
        exceptions = ", ".join(f"{p}: {n}" for p, n in sorted(schedule["exceptions"].items()))
        per = schedule.get("per", "month")
        return f"{schedule['count']} per {per}" + (f" (but {exceptions})" if exceptions else "")
    raise ValueError(f"unknown schedule kind {kind!r}")


def _moment(value: str) -> str:
    """A local date or date-time in ISO 8601, to the minute."""
    return value.replace("T", " ")[:16]
