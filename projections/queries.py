"""Reading the plan read model: the same plain data as `pacflow.views.plan_view(state)`,
from SQL rows instead of a replayed stream."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from pacflow.domain.localtime import with_fold_text
from projections import plans as rm


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def _local_iso(value: datetime, fold: int) -> str:
    """A local time of the plan, `~2` when it is the second of two repeated ones."""
    return with_fold_text(value.replace(fold=fold), value.isoformat())


def plan_summaries(connection: sa.Connection) -> list[dict[str, Any]]:
    """Every plan's key, title, status, revision, period and owner, by key."""
    rows = connection.execute(sa.select(rm.plans).order_by(rm.plans.c.plan))
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
        for row in rows
    ]


def plan_view(connection: sa.Connection, plan: str) -> dict[str, Any] | None:
    """The whole plan as plain data, or None if the read model has no such plan."""
    header = connection.execute(sa.select(rm.plans).where(rm.plans.c.plan == plan)).first()
    if header is None:
        return None

    def rows(table: sa.Table, *order: Any) -> list[Any]:
        query = sa.select(table).where(table.c.plan == plan)
        return list(connection.execute(query.order_by(*order) if order else query))

    objectives: dict[str, list[dict[str, Any]]] = defaultdict(list)
    main_first = sa.case((rm.objectives.c.key == "main", 0), else_=1)
    for o in rows(rm.objectives, main_first, rm.objectives.c.key):
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
    for o in rows(rm.occurrences, rm.occurrences.c.scheduled_start, rm.occurrences.c.key):
        occurrences[o.step].append(
            {
                "key": o.key,
                "start": _local_iso(o.start, o.start_fold),
                "all_day": o.all_day,
                "status": o.status,
                "done_on": _iso(o.done_on),
                "cancel_reason": o.cancel_reason,
            }
        )
    steps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in rows(rm.steps, rm.steps.c.seq):
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
                "parallel": s.parallel,
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
    return {
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
            for p in rows(rm.people, rm.people.c.seq)
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
                "dropped": t.dropped,
                "objectives": objectives[t.key],
            }
            for t in rows(rm.targets, rm.targets.c.seq)
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
            for t in rows(rm.tracks, rm.tracks.c.seq)
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
            for i in rows(rm.indicators, rm.indicators.c.seq)
        ],
    }
