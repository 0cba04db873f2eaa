"""Reading the plan read model: the same plain data as `pacflow.views.plan_view(state)`,
from SQL rows instead of a replayed stream.

Plain SQL through the driver (`projections.driver_rows`): showing or listing plans from
read models that are up to date imports neither SQLAlchemy nor the domain.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from projections.driver_rows import DriverRows
from projections.driver_rows import iso as _iso


def plan_summaries(connection: Any) -> list[dict[str, Any]]:
    """Every plan's key, title, status, revision, period and owner, by key (`connection`: a
    `DriverRows` or a SQLAlchemy connection)."""
    found = DriverRows.of(connection).all(
        'SELECT plan, title, status, revision, start, "end", owner FROM rm_plans ORDER BY plan'
    )
    return [
        {
            "key": row.plan,
            "title": row.title,
            "status": row.status,
            "revision": row.revision,
            "start": _iso(row.start),
            "end": _iso(row.end),
            "owner": row.owner,
        }
        for row in found
    ]


def plan_timezone(connection: Any, plan: str) -> str | None:
    """The time zone of `plan` (of its current life, for a draft dropped and created
    again); None if the read model has no such plan."""
    header = DriverRows.of(connection).first(
        "SELECT timezone FROM rm_plans WHERE plan = ?", (plan,)
    )
    return None if header is None else str(header.timezone)


def step_event_versions(connection: Any, plan: str, step: str) -> list[int]:
    """The stream versions, in order, of `plan`'s plan-wide events and of those about
    `step` or its visits (`projections.step_events`): what a view of one step reads."""
    found = DriverRows.of(connection).all(  # '': the plan-wide events' subject
        "SELECT versions FROM rm_step_events WHERE plan = ? AND subject IN ('', ?)",
        (plan, step),
    )
    versions: set[int] = set()
    for row in found:  # a row may repeat another's versions (see projections.step_events)
        versions.update(map(int, row.versions.split(",")))
    return sorted(versions)


def plan_view(connection: Any, plan: str) -> dict[str, Any] | None:
    """The whole plan as plain data, or None if the read model has no such plan."""
    found = plan_view_and_grace_days(connection, plan)
    return None if found is None else found[0]


def plan_view_and_grace_days(connection: Any, plan: str) -> tuple[dict[str, Any], int] | None:
    """`plan_view`, and the days past its end before a step counts as late in `plan` (`plan
    set-check --overdue-grace-days`), read with it: what judging the view takes
    (`pacflow.view_facts`). None if the read model has no such plan."""
    reader = DriverRows.of(connection)
    header = reader.first("SELECT * FROM rm_plans WHERE plan = ?", (plan,))
    if header is None:
        return None

    def rows(table: str, order: str) -> list[Any]:
        return reader.all(f"SELECT * FROM {table} WHERE plan = ? ORDER BY {order}", (plan,))

    objectives: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in rows("rm_objectives", "CASE WHEN key = 'main' THEN 0 ELSE 1 END, key"):
        objectives[o.target].append(
            {
                "key": o.key,
                "statement": o.statement,
                "indicator": o.indicator,
                "baseline": o.baseline,
                "value": o.value,
                "unit": o.unit,
                "due": _iso(o.due),
            }
        )
    occurrences: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in rows("rm_occurrences", "scheduled_start, key"):
        occurrences[o.step].append(
            {
                "key": o.key,
                # `~2`: the second of two repeated local times (docs/time.md)
                "start": f"{_iso(o.start)}{'~2' if o.start_fold else ''}",
                "all_day": bool(o.all_day),
                "status": o.status,
                "done_on": _iso(o.done_on),
                "cancel_reason": o.cancel_reason,
            }
        )
    steps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in rows("rm_steps", "seq"):
        steps[s.track].append(
            {
                "key": s.key,
                "title": s.title,
                "order": s.step_order,
                "status": s.status,
                "responsible": s.responsible,
                "participants": json.loads(s.participants),
                "schedule": json.loads(s.schedule),
                "predecessor": s.predecessor,
                "parallel": bool(s.parallel),
                "means": s.means,
                "budget": s.budget,
                "days": s.days,
                "indicators": json.loads(s.indicators),
                "location": s.location,
                "started_on": _iso(s.started_on),
                "done_on": _iso(s.done_on),
                "blocked_reason": s.blocked_reason,
                "cancel_reason": s.cancel_reason,
                "occurrences": occurrences[s.key],
            }
        )
    view = {
        "key": header.plan,
        "title": header.title,
        "period": {"start": _iso(header.start), "end": _iso(header.end)},
        "timezone": header.timezone,
        "owner": header.owner,
        "scope": header.scope,
        "status": header.status,
        "revision": header.revision,
        "version": header.version,
        "limits": {
            "max_targets_per_rep": header.max_targets_per_rep,
            "max_targets_total": header.max_targets_total,
        },
        "people": [
            {
                "key": p.key,
                "name": p.name,
                "kind": p.kind,
                "email": p.email,
                "role": p.role,
                "sector": p.sector,
                "timezone": p.timezone,
                "left_on": _iso(p.left_on),
            }
            for p in rows("rm_people", "seq")
        ],
        "targets": [
            {
                "key": t.key,
                "kind": t.kind,
                "title": t.title,
                "responsible": t.responsible,
                "ref": t.ref,
                "segments": json.loads(t.segments),
                "rationale": t.rationale,
                "dropped": bool(t.dropped),
                "objectives": objectives[t.key],
            }
            for t in rows("rm_targets", "seq")
        ],
        "tracks": [
            {
                "key": t.key,
                "target": t.target,
                "domain": t.domain,
                "approach": t.approach,
                "title": t.title,
                "steps": steps[t.key],
            }
            for t in rows("rm_tracks", "seq")
        ],
        "indicators": [
            {
                "key": i.key,
                "name": i.name,
                "kind": i.kind,
                "unit": i.unit,
                "aggregation": i.aggregation,
                "direction": i.direction,
                "owner": i.owner,
                "per": i.per,
                "serves": json.loads(i.serves),
                "targets": json.loads(i.targets),
            }
            for i in rows("rm_indicators", "seq")
        ],
    }
    return view, int(header.overdue_grace_days)
