"""The current-plan read model: plans, people, targets, objectives, tracks, steps,
occurrences and indicators as SQL rows, so that showing and reporting a plan does not
replay its stream.

The rows are not computed by a second copy of the domain's rules: the projector folds each
plan with the domain's own `evolve`, then, once per window of the engine, rewrites only the
rows the window's events touched, straight from that state (all of a plan's rows when the
plan is new in the window: one insert per table on a rebuild). Folded states are kept in a
cache bounded in plans and entities; a plan that fell out of it is loaded again from its
latest snapshot and the events after it.
"""

from __future__ import annotations

import json
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa

from events import EventStore, RecordedEvent
from pacflow.domain import EVENT_TYPES, PlanEvent, PlanState, evolve, fold
from pacflow.domain import events as ev
from pacflow.domain.plain import to_plain, without_none
from pacflow.domain.state import Indicator, Objective, Occurrence, Person, Step, Target, Track
from pacflow.domain.values import format_duration
from projections.engine import Projected, Projector
from projections.plan_events import plan_event
from projections.rows import RowWriter
from projections.state_json import dump_snapshot, load_state
from projections.versions import PLANS_VERSION
from slotted import MutableRecord, mutable_record

metadata = sa.MetaData()
E = TypeVar("E")


def _table(name: str, *columns: sa.Column[Any], keys: Sequence[str] = ("key",)) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("plan", sa.String(200), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("plan", *keys),
    )


def _text(name: str, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.Text, nullable=nullable)


plans = sa.Table(
    "rm_plans",
    metadata,
    sa.Column("plan", sa.String(200), primary_key=True),
    _text("title", False),
    sa.Column("start", sa.Date, nullable=False),
    sa.Column("end", sa.Date, nullable=False),
    _text("timezone", False),
    _text("owner", False),
    _text("scope"),
    _text("status", False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("max_targets_per_rep", sa.Integer, nullable=False),
    sa.Column("max_targets_total", sa.Integer, nullable=False),
    sa.Column("overdue_grace_days", sa.Integer, nullable=False),
)
people = _table(
    "rm_people",
    sa.Column("key", sa.String(40)),
    _text("name", False),
    _text("kind", False),
    _text("email"),
    _text("role"),
    _text("sector"),
    _text("timezone"),
    sa.Column("left_on", sa.Date),
    sa.Column("seq", sa.Integer, nullable=False),
)
targets = _table(
    "rm_targets",
    sa.Column("key", sa.String(40)),
    _text("kind", False),
    _text("title", False),
    _text("responsible", False),
    _text("ref"),
    _text("segments", False),
    _text("rationale"),
    sa.Column("dropped", sa.Boolean, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
)
objectives = _table(
    "rm_objectives",
    sa.Column("target", sa.String(40)),
    sa.Column("key", sa.String(40)),
    _text("statement", False),
    _text("value", False),
    _text("unit", False),
    sa.Column("due", sa.Date, nullable=False),
    _text("indicator"),
    _text("baseline"),
    keys=("target", "key"),
)
tracks = _table(
    "rm_tracks",
    sa.Column("key", sa.String(40)),
    _text("target"),
    _text("domain", False),
    _text("approach"),
    _text("title", False),
    sa.Column("seq", sa.Integer, nullable=False),
)
steps = _table(
    "rm_steps",
    sa.Column("key", sa.String(40)),
    sa.Column("track", sa.String(40), nullable=False),
    _text("title", False),
    sa.Column("step_order", sa.Integer, nullable=False),
    _text("responsible", False),
    _text("participants", False),
    _text("schedule", False),
    _text("predecessor"),
    sa.Column("parallel", sa.Boolean, nullable=False),
    _text("means"),
    _text("budget"),
    _text("days"),
    _text("indicators", False),
    _text("location"),
    _text("status", False),
    sa.Column("started_on", sa.Date),
    sa.Column("done_on", sa.Date),
    sa.Column("blocked_on", sa.Date),
    _text("blocked_reason"),
    sa.Column("cancelled_on", sa.Date),
    _text("cancel_reason"),
    sa.Column("seq", sa.Integer, nullable=False),
)
occurrences = _table(
    "rm_occurrences",
    sa.Column("key", sa.String(80)),
    sa.Column("step", sa.String(40), nullable=False),
    sa.Column("scheduled_start", sa.DateTime, nullable=False),
    sa.Column("start", sa.DateTime, nullable=False),
    # 1: `start` is the second of two repeated local times (a DateTime column keeps no fold)
    sa.Column("start_fold", sa.SmallInteger, nullable=False),
    sa.Column("all_day", sa.Boolean, nullable=False),
    _text("duration"),
    _text("timezone", False),
    _text("status", False),
    sa.Column("done_on", sa.Date),
    _text("cancel_reason"),
)
indicators = _table(
    "rm_indicators",
    sa.Column("key", sa.String(40)),
    _text("name", False),
    _text("kind", False),
    _text("unit", False),
    _text("aggregation", False),
    _text("direction", False),
    _text("owner", False),
    _text("per", False),
    _text("serves", False),
    _text("targets", False),
    sa.Column("seq", sa.Integer, nullable=False),
)

snapshots = sa.Table(
    "rm_snapshots",
    metadata,
    sa.Column("plan", sa.String(200), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # projections.state_json.dump_snapshot: compressed JSON lines, read back by load_state.
    sa.Column("state", sa.LargeBinary, nullable=False),
)
SNAPSHOT_EVERY = 1000
"""A snapshot of a plan every this many events of its stream (see projections.snapshots)."""
SNAPSHOT_WEIGHT = 1.0
"""...and no sooner than this many events per entity of the state (see PlanReadModel)."""
CACHE_ENTITIES = 50_000
"""Entities of folded states kept in memory between windows (about 400 bytes each)."""

Touched = dict[sa.Table, set[Any]]


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _decimal(value: Any) -> str | None:
    return None if value is None else str(value)


def _person_row(plan: str, person: Person, seq: int) -> dict[str, Any]:
    return {
        "plan": plan,
        "key": person.key,
        "name": person.name,
        "kind": str(person.kind),
        "email": person.email,
        "role": person.role,
        "sector": person.sector,
        "timezone": person.timezone,
        "left_on": person.left_on,
        "seq": seq,
    }


def _target_row(plan: str, target: Target, seq: int) -> dict[str, Any]:
    return {
        "plan": plan,
        "key": target.key,
        "kind": str(target.kind),
        "title": target.title,
        "responsible": target.responsible,
        "ref": target.ref,
        "segments": _dump(list(target.segments)),
        "rationale": target.rationale,
        "dropped": target.dropped,
        "seq": seq,
    }


def _objective_row(plan: str, objective: Objective) -> dict[str, Any]:
    return {
        "plan": plan,
        "target": objective.target,
        "key": objective.key,
        "statement": objective.statement,
        "value": str(objective.value),
        "unit": objective.unit,
        "due": objective.due,
        "indicator": objective.indicator,
        "baseline": _decimal(objective.baseline),
    }


def _track_row(plan: str, track: Track, seq: int) -> dict[str, Any]:
    return {
        "plan": plan,
        "key": track.key,
        "target": track.target,
        "domain": str(track.domain),
        "approach": str(track.approach) if track.approach else None,
        "title": track.title,
        "seq": seq,
    }


def _step_row(plan: str, step: Step, seq: int) -> dict[str, Any]:
    return {
        "plan": plan,
        "key": step.key,
        "track": step.track,
        "title": step.title,
        "step_order": step.order,
        "responsible": step.responsible,
        "participants": _dump(list(step.participants)),
        "schedule": _dump(without_none(to_plain(step.schedule))),
        "predecessor": step.predecessor,
        "parallel": step.parallel,
        "means": step.means,
        "budget": _decimal(step.budget),
        "days": _decimal(step.days),
        "indicators": _dump(list(step.indicators)),
        "location": step.location,
        "status": str(step.status),
        "started_on": step.started_on,
        "done_on": step.done_on,
        "blocked_on": step.blocked_on,
        "blocked_reason": step.blocked_reason,
        "cancelled_on": step.cancelled_on,
        "cancel_reason": step.cancel_reason,
        "seq": seq,
    }


def _occurrence_row(plan: str, occurrence: Occurrence) -> dict[str, Any]:
    return {
        "plan": plan,
        "key": occurrence.key,
        "step": occurrence.step,
        "scheduled_start": occurrence.scheduled_start,
        "start": occurrence.start,
        "start_fold": occurrence.start.fold,
        "all_day": occurrence.all_day,
        "duration": format_duration(occurrence.duration) if occurrence.duration else None,
        "timezone": occurrence.timezone,
        "status": str(occurrence.status),
        "done_on": occurrence.done_on,
        "cancel_reason": occurrence.cancel_reason,
    }


def _indicator_row(plan: str, indicator: Indicator, seq: int) -> dict[str, Any]:
    return {
        "plan": plan,
        "key": indicator.key,
        "name": indicator.name,
        "kind": str(indicator.kind),
        "unit": indicator.unit,
        "aggregation": str(indicator.aggregation),
        "direction": str(indicator.direction),
        "owner": indicator.owner,
        "per": str(indicator.per),
        "serves": _dump(list(indicator.serves)),
        "targets": _dump({p: str(v) for p, v in sorted(indicator.targets.items())}),
        "seq": seq,
    }


def _plan_row(state: PlanState) -> dict[str, Any]:
    return {
        "plan": state.key,
        "title": state.title,
        "start": state.start,
        "end": state.end,
        "timezone": state.timezone,
        "owner": state.owner,
        "scope": state.scope,
        "status": str(state.status),
        "revision": state.revision,
        "version": state.version,
        "max_targets_per_rep": state.max_targets_per_rep,
        "max_targets_total": state.max_targets_total,
        "overdue_grace_days": state.checks.overdue_grace_days,
    }


def rows_of(state: PlanState) -> dict[sa.Table, list[dict[str, Any]]]:
    """Every row of one plan, from its state (what the tables must hold for it)."""
    plan = state.key
    seq = {
        table: {key: n for n, key in enumerate(entities)}
        for table, entities in (
            (people, state.people),
            (targets, state.targets),
            (tracks, state.tracks),
            (indicators, state.indicators),
        )
    }
    step_seq = {key: n for n, key in enumerate(state.steps)}
    return {
        plans: [_plan_row(state)],
        people: [_person_row(plan, p, seq[people][p.key]) for p in state.people.values()],
        targets: [_target_row(plan, t, seq[targets][t.key]) for t in state.targets.values()],
        objectives: [_objective_row(plan, o) for o in state.objectives.values()],
        tracks: [_track_row(plan, t, seq[tracks][t.key]) for t in state.tracks.values()],
        steps: [_step_row(plan, s, step_seq[s.key]) for s in state.steps.values()],
        occurrences: [_occurrence_row(plan, o) for o in state.occurrences.values()],
        indicators: [
            _indicator_row(plan, i, seq[indicators][i.key]) for i in state.indicators.values()
        ],
    }


def _touched(event: PlanEvent, state: PlanState, into: Touched) -> None:
    """Record which rows an event may have changed (`state`: the plan after it)."""
    mark = _MARKS.get(type(event))
    if mark is None:
        mark = _MARKS[type(event)] = _marking(type(event))
    mark(event, state, into)


Mark = Callable[[Any, PlanState, Touched], None]
_MARKS: dict[type[PlanEvent], Mark] = {}
"""How `_touched` records an event, by its type (each found once: an event's rows are
recorded millions of times in a rebuild)."""

_ONE_ROW: tuple[tuple[Any, sa.Table, str], ...] = (
    (ev.PersonAdded, people, "key"),
    (ev.PersonLeft, people, "person"),
    (ev.TargetAdded, targets, "key"),
    (ev.TargetDropped, targets, "target"),
    (ev.TrackAdded, tracks, "key"),
    (ev.StepAdded, steps, "key"),
    (
        ev.OccurrenceCompleted
        | ev.OccurrenceCancelled
        | ev.OccurrenceMoved
        | ev.OccurrenceReopened
        | ev.OccurrenceDoneDateCorrected,
        occurrences,
        "occurrence",
    ),
    (ev.IndicatorDefined, indicators, "key"),
    (ev.IndicatorTargetsSet, indicators, "indicator"),
)
"""Event types that touch one row, of which table, keyed by which field."""


def _marking(kind: type[PlanEvent]) -> Mark:
    for types, table, field in _ONE_ROW:
        if issubclass(kind, types):
            return lambda event, _state, into: into[table].add(getattr(event, field))
    if issubclass(kind, ev.ObjectiveSet):
        return lambda event, _state, into: into[objectives].add((event.target, event.objective))
    if issubclass(kind, ev.OccurrencesScheduled):
        return _scheduled
    if issubclass(kind, ev.OccurrencesUnscheduled):
        return _unscheduled
    if issubclass(kind, ev.StepRemoved):
        return _step_removed
    return _its_step


def _scheduled(event: ev.OccurrencesScheduled, _state: PlanState, into: Touched) -> None:
    into[steps].add(event.step)
    into[occurrences].update(slot.key for slot in event.occurrences)


def _unscheduled(event: ev.OccurrencesUnscheduled, _state: PlanState, into: Touched) -> None:
    into[steps].add(event.step)
    into[occurrences].update(event.occurrences)


def _step_removed(event: ev.StepRemoved, state: PlanState, into: Touched) -> None:
    """The removed step's row, and every other step's: those after it move up one place,
    their rows' `seq` with them (rare: drafts only)."""
    into[steps].add(event.step)
    into[steps].update(state.steps)


def _its_step(event: PlanEvent, _state: PlanState, into: Touched) -> None:
    """Any other event: the row of the step it names, if it names one."""
    step = getattr(event, "step", None)
    if isinstance(step, str):
        into[steps].add(step)


_ENTITY_TABLES = (people, targets, objectives, tracks, steps, occurrences, indicators)


def entity_count(state: PlanState) -> int:
    """How many entities a plan holds: what its snapshot and its rows cost to write."""
    return (
        len(state.people)
        + len(state.targets)
        + len(state.objectives)
        + len(state.tracks)
        + len(state.steps)
        + len(state.occurrences)
        + len(state.indicators)
    )


@mutable_record
class _Folded(MutableRecord):
    """A plan's state as folded so far, the version of its latest snapshot, and the rows
    its events since the last flush touched (None: all of them, the plan is new here)."""

    state: PlanState | None
    snapshot: int
    touched: Touched | None = None


class PlanReadModel(Projector[PlanEvent]):
    """Keeps the rm_* tables equal to the rows of each plan's folded state, and snapshots.

    Snapshots are due every `snapshot_every` events of a stream, and never sooner than
    `snapshot_weight` events per entity of the state since the previous one: a snapshot
    costs the size of the state, so on a stream whose state keeps growing (a plan of 200k
    events holds some 150k steps and visits) snapshots thin out as it grows and their total
    cost stays proportional to the stream, not to its square; a reader then folds at most
    about as many events as the snapshot it starts from holds entities.

    Folded states are kept in a cache bounded in plans and in entities (memory); a plan
    that fell out of it is loaded again from its latest snapshot and the events after it.
    """

    name = "plans"
    version = PLANS_VERSION
    handles = frozenset(EVENT_TYPES)
    metadata = metadata
    decode = staticmethod(plan_event)

    def __init__(
        self,
        store: EventStore,
        cache_size: int = 256,
        snapshot_every: int = SNAPSHOT_EVERY,
        snapshot_weight: float = SNAPSHOT_WEIGHT,
        cache_entities: int = CACHE_ENTITIES,
    ) -> None:
        self._store = store
        self._snapshot_every = snapshot_every
        self._snapshot_weight = snapshot_weight
        self._cache: OrderedDict[str, _Folded] = OrderedDict()
        self._cache_size = cache_size
        self._cache_entities = cache_entities
        self._dirty: dict[str, _Folded] = {}
        self._snapshot_rows: list[dict[str, Any]] = []

    def reset(self) -> None:
        self._cache.clear()
        self._dirty.clear()
        self._snapshot_rows.clear()

    def _folded(self, connection: sa.Connection, recorded: RecordedEvent) -> _Folded:
        """The plan just before `recorded`: cached, else from its latest snapshot and stream."""
        plan = recorded.stream_id
        wanted = recorded.stream_version - 1
        folded = self._dirty.get(plan) or self._cache.pop(plan, None)
        if folded is not None and _version(folded.state) == wanted:
            return folded
        state = None
        row = connection.execute(
            sa.select(snapshots.c.version, snapshots.c.state)
            .where(snapshots.c.plan == plan, snapshots.c.version <= wanted)
            .order_by(snapshots.c.version.desc())
            .limit(1)
        ).first()
        if row is not None:
            state = load_state(row.state)
        start = state.version + 1 if state is not None else 1
        previous = self._store.read_stream(plan, from_version=start, to_version=wanted)
        state = fold((plan_event(r) for r in previous), state)
        # A plan new in this window has no rows yet (or, replayed after a crash, rows this
        # very pass will write again): all its rows are written at the flush.
        return _Folded(
            state, row.version if row is not None else 0, None if state is None else _no_rows()
        )

    def apply(self, connection: sa.Connection, events: Sequence[Projected[PlanEvent]]) -> None:
        every = self._snapshot_every
        for recorded, event in events:
            plan = recorded.stream_id
            folded = self._dirty.get(plan)
            if folded is None or _version(folded.state) != recorded.stream_version - 1:
                folded = self._dirty[plan] = self._folded(connection, recorded)
            state = folded.state = evolve(folded.state, event)
            if type(event) in (ev.TargetRemoved, ev.PlanDropped, ev.PlanCreated):
                # Rare: a target's objectives and tracks go, a draft dropped leaves only its
                # plan row (status dropped), a key created again starts afresh: all rows again.
                folded.touched = None
            elif folded.touched is not None:
                _touched(event, state, folded.touched)
            since = state.version - folded.snapshot
            if since >= every and since >= self._snapshot_weight * entity_count(state):
                folded.snapshot = state.version
                self._snapshot_rows.append(
                    {
                        "plan": plan,
                        "version": state.version,
                        "recorded_at": recorded.recorded_at,
                        "hash": recorded.hash,
                        "state": dump_snapshot(state),
                    }
                )

    def flush(self, connection: sa.Connection) -> None:
        writer = RowWriter(connection)
        if self._snapshot_rows:
            writer.insert(snapshots, self._snapshot_rows, skip_existing=True)
            self._snapshot_rows.clear()
        changed: list[tuple[str, PlanState, Touched]] = []
        whole: list[PlanState] = []
        for plan, folded in self._dirty.items():
            assert folded.state is not None  # an applied event leaves a state
            if folded.touched is None:
                whole.append(folded.state)
            else:
                changed.append((plan, folded.state, folded.touched))
        for table in _ALL_TABLES if changed else ():
            # The rows are made as they are sent: a window of a long plan touches tens of
            # thousands of them, never all held at once.
            touched = [(plan, state, keys) for plan, state, t in changed if (keys := t.get(table))]
            if table is plans:
                writer.delete(plans, _key_columns(plans), [(plan,) for plan, _, _ in changed])
                writer.insert(plans, (_plan_row(state) for _, state, _ in changed))
            elif touched:
                writer.delete(table, _key_columns(table), _touched_keys(table, touched))
                writer.insert(
                    table,
                    (row for _, state, keys in touched for row in _entity_rows(state, table, keys)),
                )
        for state in whole:
            for table in _ALL_TABLES:
                writer.delete(table, ["plan"], [(state.key,)])
                writer.insert(table, _all_rows(state, table))
        self._keep(self._dirty)
        self._dirty = {}

    def _keep(self, folded: dict[str, _Folded]) -> None:
        """Move the flushed plans into the cache, then evict the least recently used ones
        while the cache holds too many plans or too many entities. The plans just flushed
        stay whatever their size: the next window most likely goes on with one of them (a
        long stream spans several windows), and they were in memory anyway."""
        for plan, entry in folded.items():
            entry.touched = _no_rows()
            self._cache.pop(plan, None)
            self._cache[plan] = entry
        total = sum(entity_count(e.state) for e in self._cache.values() if e.state is not None)
        while len(self._cache) > len(folded) and (
            len(self._cache) > self._cache_size or total > self._cache_entities
        ):
            _plan, evicted = self._cache.popitem(last=False)
            if evicted.state is not None:
                total -= entity_count(evicted.state)


def _version(state: PlanState | None) -> int:
    return 0 if state is None else state.version


def _no_rows() -> Touched:
    return defaultdict(set)


_ALL_TABLES = (plans, *_ENTITY_TABLES)


def _key_columns(table: sa.Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _touched_keys(
    table: sa.Table, touched: Sequence[tuple[str, PlanState, set[Any]]]
) -> Iterator[tuple[Any, ...]]:
    """The primary keys of the rows `touched` names (an objective's key is a pair)."""
    for plan, _, keys in touched:
        if table is objectives:
            yield from ((plan, *key) for key in keys)
        else:
            yield from ((plan, key) for key in keys)


def _all_rows(state: PlanState, table: sa.Table) -> Iterator[dict[str, Any]]:
    """Every row of one table for one plan, made as they are sent (never all held at once)."""
    plan = state.key
    if table is plans:
        yield _plan_row(state)
    elif table is people:
        for n, p in enumerate(state.people.values()):
            yield _person_row(plan, p, n)
    elif table is targets:
        for n, t in enumerate(state.targets.values()):
            yield _target_row(plan, t, n)
    elif table is objectives:
        for objective in state.objectives.values():
            yield _objective_row(plan, objective)
    elif table is tracks:
        for n, k in enumerate(state.tracks.values()):
            yield _track_row(plan, k, n)
    elif table is steps:
        for n, s in enumerate(state.steps.values()):
            yield _step_row(plan, s, n)
    elif table is occurrences:
        for occurrence in state.occurrences.values():
            yield _occurrence_row(plan, occurrence)
    elif table is indicators:
        for n, i in enumerate(state.indicators.values()):
            yield _indicator_row(plan, i, n)


def _entity_rows(state: PlanState, table: sa.Table, keys: set[Any]) -> Iterator[dict[str, Any]]:
    plan = state.key
    if table is objectives:
        for key in keys:
            objective = state.objectives.get(key)
            if objective is not None:
                yield _objective_row(plan, objective)
        return
    if table is occurrences:
        for key in keys:
            occurrence = state.occurrences.get(key)
            if occurrence is not None:
                yield _occurrence_row(plan, occurrence)
        return
    if table is people:
        yield from _ordered(state.people, keys, lambda e, n: _person_row(plan, e, n))
    elif table is targets:
        yield from _ordered(state.targets, keys, lambda e, n: _target_row(plan, e, n))
    elif table is tracks:
        yield from _ordered(state.tracks, keys, lambda e, n: _track_row(plan, e, n))
    elif table is steps:
        yield from _ordered(state.steps, keys, lambda e, n: _step_row(plan, e, n))
    elif table is indicators:
        yield from _ordered(state.indicators, keys, lambda e, n: _indicator_row(plan, e, n))


def _ordered(
    entities: Mapping[str, E], keys: set[Any], build: Callable[[E, int], dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """Rows of the entities named by `keys` that still exist, with their position."""
    positions = {key: n for n, key in enumerate(entities)}
    for key in keys:
        entity = entities.get(key)
        if entity is not None:
            yield build(entity, positions[key])
