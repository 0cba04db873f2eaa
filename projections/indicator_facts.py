"""The indicator facts read model: what `indicator history` and the dashboard need, as rows.

One row per fact, never updated: each definition of an indicator, each period target set,
each value typed in or corrected, and each visit held or step done (what derived
indicators count), with its log position and when it was recorded. "As known at T" is
then a filter on `recorded_at <= T`, and the same small fold `projections.indicators` does
on events runs on a few hundred rows instead of decoding a plan's whole stream.

Two small lookup tables (steps: their track and schedule; tracks: their target) let the
projector place a visit or a step done without folding the plan. A step's occurrence keys
start with the step's key (`S08@2025-03-11`, see `pacflow.domain.schedule`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from events import RecordedEvent
from pacflow.domain import events as ev
from pacflow.domain.derivation import Derivation
from pacflow.domain.kinds import occurrence_step
from pacflow.domain.schedule import DueDate
from pacflow.domain.touches import names_where
from projections.done_facts import DONE_KINDS, DoneKind
from projections.engine import Projected, Projector
from projections.plan_events import plan_event
from projections.rows import RowWriter
from projections.versions import INDICATOR_FACTS_VERSION

metadata = sa.MetaData()


def _plan() -> sa.Column[Any]:
    return sa.Column("plan", sa.String(200), nullable=False)


def _key(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.String(40), nullable=False)


def _position() -> sa.Column[Any]:
    return sa.Column("position", sa.BigInteger, nullable=False)


def _recorded_at() -> sa.Column[Any]:
    return sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False)


def _text(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.Text, nullable=nullable)


plans = sa.Table(
    "rm_ind_plans",
    metadata,
    sa.Column("plan", sa.String(200), primary_key=True),
    _text("timezone"),
    sa.Column("start", sa.Date, nullable=False),
    sa.Column("end", sa.Date, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
definitions = sa.Table(
    "rm_ind_definitions",
    metadata,
    _plan(),
    _key("indicator"),
    _position(),
    _recorded_at(),
    _text("name"),
    _text("kind"),
    _text("unit"),
    _text("aggregation"),
    _text("direction"),
    _text("owner"),
    _text("per"),
    _text("serves"),
    _text("derived", nullable=True),
    sa.PrimaryKeyConstraint("plan", "indicator", "position"),
)
targets = sa.Table(
    "rm_ind_targets",
    metadata,
    _plan(),
    _key("indicator"),
    _position(),
    sa.Column("period", sa.String(20), nullable=False),
    _recorded_at(),
    _text("value"),
    sa.PrimaryKeyConstraint("plan", "indicator", "position", "period"),
)
values = sa.Table(
    "rm_ind_values",
    metadata,
    _plan(),
    _key("indicator"),
    _position(),
    sa.Column("period", sa.String(20), nullable=False),
    _recorded_at(),
    _text("actor"),
    _text("value"),
    _text("previous", nullable=True),
    _text("reason", nullable=True),
    _text("note", nullable=True),
    sa.PrimaryKeyConstraint("plan", "indicator", "position"),
)
done = sa.Table(
    "rm_ind_done",
    metadata,
    _plan(),
    _position(),
    _recorded_at(),
    _text("actor"),
    _key("step"),
    _key("track"),
    sa.Column("target", sa.String(40)),
    _text("schedule"),
    sa.Column("on", sa.Date, nullable=False),
    sa.Column("occurrence", sa.Boolean, nullable=False),
    sa.Column("on_time", sa.Boolean, nullable=False),
    sa.Column("subject", sa.String(80), nullable=False),
    sa.Column("weight", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("plan", "position", "weight"),
)
steps = sa.Table(
    "rm_ind_steps",
    metadata,
    _plan(),
    _key("step"),
    _key("track"),
    _text("schedule"),
    sa.Column("due", sa.Date),
    sa.PrimaryKeyConstraint("plan", "step"),
)
tracks = sa.Table(
    "rm_ind_tracks",
    metadata,
    _plan(),
    _key("track"),
    sa.Column("target", sa.String(40)),
    sa.PrimaryKeyConstraint("plan", "track"),
)

HANDLES = names_where(lambda kind: kind.indicator_facts)
"""What the rows come from (`pacflow.domain.touches`): the plan's period, definitions,
targets and values, and where a visit held or a step done belongs."""


def _utc(moment: datetime) -> datetime:
    """A moment as stored: UTC (SQLite keeps it without its offset)."""
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def _derivation_text(derivation: Derivation | None) -> str | None:
    """A derivation as its column keeps it: compact JSON (`Derivation.from_data` reads it)."""
    if derivation is None:
        return None
    return json.dumps(derivation.as_data(), separators=(",", ":"))


def _actor(recorded: RecordedEvent) -> str:
    return str(recorded.metadata.get("actor", "unknown"))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class IndicatorFacts(Projector[ev.PlanEvent]):
    """Keeps the rm_ind_* tables: indicator definitions, targets, values and things done."""

    name = "indicator_facts"
    version = INDICATOR_FACTS_VERSION
    handles = HANDLES
    metadata = metadata
    decode = staticmethod(plan_event)

    def __init__(self) -> None:
        self._batch: _Batch | None = None

    def apply(self, connection: sa.Connection, events: Sequence[Projected[ev.PlanEvent]]) -> None:
        if self._batch is None:
            self._batch = _Batch(connection)
        for recorded, event in events:
            self._batch.add(recorded, event)

    def flush(self, connection: sa.Connection) -> None:
        if self._batch is not None:
            self._batch.flush(RowWriter(connection))
            self._batch = None

    def reset(self) -> None:
        self._batch = None


class _Batch:
    """The rows of one window of events, written at its end; steps and tracks are looked
    up as the window goes (a step moved earlier in the window has its new schedule for the
    visits after it). Every row is keyed by its event's position, so a window applied again
    after a crash finds its rows there and skips them."""

    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection
        self._rows: defaultdict[sa.Table, list[dict[str, Any]]] = defaultdict(list)
        self._moves: list[tuple[str, date | None, str, str]] = []
        self._steps: dict[tuple[str, str], tuple[str, str, date | None]] = {}
        self._tracks: dict[tuple[str, str], str | None] = {}
        self._removed: list[tuple[str, str]] = []
        self._removed_tracks: list[tuple[str, str]] = []
        self._dropped: list[tuple[str]] = []
        # The completion standing for each (plan, subject) as the window goes (None: none).
        self._standing: dict[tuple[str, str], dict[str, Any] | None] = {}

    def add(self, recorded: RecordedEvent, event: ev.PlanEvent) -> None:
        done_kind = DONE_KINDS.get(type(event))
        if done_kind is not None:  # most events of a long plan: a visit held, a step done
            self._done(recorded, event, done_kind)
            return
        plan = recorded.stream_id
        common = {
            "plan": plan,
            "position": recorded.position,
            "recorded_at": _utc(recorded.recorded_at),
        }
        if isinstance(event, ev.PlanCreated):
            self._rows[plans].append(
                {
                    "plan": plan,
                    "timezone": event.timezone,
                    "start": event.start,
                    "end": event.end,
                    "created_at": common["recorded_at"],
                }
            )
        elif isinstance(event, ev.TrackAdded):
            self._tracks[(plan, event.key)] = event.target
            self._rows[tracks].append({"plan": plan, "track": event.key, "target": event.target})
        elif isinstance(event, ev.StepAdded | ev.StepMoved):
            self._step_scheduled(plan, event)
        elif isinstance(event, ev.StepRemoved):
            # Its key may come back, in another track: the lookup row goes with it.
            self._steps.pop((plan, event.step), None)
            pending = self._rows[steps]
            self._rows[steps] = [r for r in pending if (r["plan"], r["step"]) != (plan, event.step)]
            self._moves = [m for m in self._moves if (m[2], m[3]) != (plan, event.step)]
            self._removed.append((plan, event.step))
        elif isinstance(event, ev.TargetRemoved):
            # Its tracks' keys may come back, under another target.
            for track in event.tracks:
                self._tracks.pop((plan, track), None)
                self._removed_tracks.append((plan, track))
            pending = self._rows[tracks]
            self._rows[tracks] = [
                r for r in pending if (r["plan"], r["track"]) not in set(self._removed_tracks)
            ]
        elif isinstance(event, ev.PlanDropped):
            self._plan_dropped(plan)
        elif isinstance(event, ev.IndicatorDefined):
            self._rows[definitions].append(
                {
                    **common,
                    "indicator": event.key,
                    "name": event.name,
                    "kind": str(event.kind),
                    "unit": event.unit,
                    "aggregation": str(event.aggregation),
                    "direction": str(event.direction),
                    "owner": event.owner,
                    "per": str(event.per),
                    "serves": json.dumps(list(event.serves)),
                    "derived": _derivation_text(event.derived),
                }
            )
        elif isinstance(event, ev.IndicatorTargetsSet):
            self._rows[targets] += [
                {**common, "indicator": event.indicator, "period": period, "value": str(value)}
                for period, value in event.targets.items()
            ]
        elif isinstance(event, ev.IndicatorValueRecorded | ev.IndicatorValueCorrected):
            previous, reason, note = (
                (str(event.previous), event.reason, None)
                if isinstance(event, ev.IndicatorValueCorrected)
                else (None, None, event.note)
            )
            self._rows[values].append(
                {
                    **common,
                    "indicator": event.indicator,
                    "period": event.period,
                    "actor": _actor(recorded),
                    "value": str(event.value),
                    "previous": previous,
                    "reason": reason,
                    "note": note,
                }
            )

    def _step_scheduled(self, plan: str, event: ev.StepAdded | ev.StepMoved) -> None:
        key = event.key if isinstance(event, ev.StepAdded) else event.step
        schedule = event.schedule
        due = schedule.due if isinstance(schedule, DueDate) else None
        if isinstance(event, ev.StepAdded):
            track = event.track
            self._rows[steps].append(
                {"plan": plan, "step": key, "track": track, "schedule": schedule.kind, "due": due}
            )
        else:
            track = self._step(plan, key)[0]
            self._moves.append((schedule.kind, due, plan, key))
        self._steps[(plan, key)] = (track, schedule.kind, due)

    def _step(self, plan: str, key: str) -> tuple[str, str, date | None]:
        found = self._steps.get((plan, key))
        if found is None:
            row = self._connection.execute(
                sa.select(steps.c.track, steps.c.schedule, steps.c.due).where(
                    steps.c.plan == plan, steps.c.step == key
                )
            ).one()
            found = self._steps[(plan, key)] = (row.track, row.schedule, row.due)
        return found

    def _target(self, plan: str, track: str) -> str | None:
        if (plan, track) not in self._tracks:
            self._tracks[(plan, track)] = self._connection.execute(
                sa.select(tracks.c.target).where(tracks.c.plan == plan, tracks.c.track == track)
            ).scalar_one()
        return self._tracks[(plan, track)]

    def _done(self, recorded: RecordedEvent, event: Any, kind: DoneKind) -> None:
        """A visit held or a step done (`completed`), its done date corrected, or reopened:
        a row counting it, and for a correction or a reopening one taking back the one that
        stood (`kind`: which, see `projections.derived.DONE_KINDS`)."""
        plan = recorded.stream_id
        if kind.visit:
            subject = event.occurrence
            step = occurrence_step(subject)
        else:
            step = event.step
            subject = f"step:{step}"
        common = {
            "plan": plan,
            "position": recorded.position,
            "recorded_at": _utc(recorded.recorded_at),
        }
        actor = _actor(recorded)
        rows = self._rows[done]
        if not kind.completed:
            before = self._standing_row(plan, subject)
            if before is not None:
                rows.append({**before, **common, "actor": actor, "weight": -1})
            self._standing[(plan, subject)] = None
        if kind.reopened:
            return
        on = event.on
        track, schedule, due = self._step(plan, step)
        row = {
            **common,
            "actor": actor,
            "step": step,
            "track": track,
            "target": self._target(plan, track),
            "schedule": schedule,
            "on": on,
            "occurrence": kind.visit,
            "on_time": not kind.visit and due is not None and on <= due,
            "subject": subject,
            "weight": 1,
        }
        rows.append(row)
        self._standing[(plan, subject)] = row

    def _standing_row(self, plan: str, subject: str) -> dict[str, Any] | None:
        """The completion of `subject` a correction takes back: the latest one recorded
        (a correction needs the subject done, so its latest completion still stands)."""
        if (plan, subject) in self._standing:
            return self._standing[(plan, subject)]
        found = self._connection.execute(
            sa.select(done)
            .where(done.c.plan == plan, done.c.subject == subject, done.c.weight == 1)
            .order_by(done.c.position.desc())
            .limit(1)
        ).first()
        return dict(found._mapping) if found is not None else None

    def _plan_dropped(self, plan: str) -> None:
        # A draft dropped leaves nothing to count, and its key may start a new plan: its
        # rows go (the log keeps its events), a later PlanCreated starts the plan afresh.
        for table, pending in self._rows.items():
            self._rows[table] = [r for r in pending if r["plan"] != plan]
        for lookup in (self._steps, self._tracks, self._standing):
            for key in [key for key in lookup if key[0] == plan]:
                del lookup[key]
        self._moves = [m for m in self._moves if m[2] != plan]
        self._removed = [r for r in self._removed if r[0] != plan]
        self._removed_tracks = [r for r in self._removed_tracks if r[0] != plan]
        self._dropped.append((plan,))

    def flush(self, writer: RowWriter) -> None:
        for table in (plans, definitions, targets, values, done, steps, tracks):
            writer.delete(table, ["plan"], self._dropped)
        # Before the inserts: a step removed then added again in one window ends added.
        writer.delete(steps, ["plan", "step"], self._removed)
        writer.delete(tracks, ["plan", "track"], self._removed_tracks)
        for table in (plans, tracks, steps):
            writer.insert(table, self._rows.pop(table, []), skip_existing=True)
        # After the inserts: a step added then moved in one window ends with its last move.
        writer.update(steps, ["schedule", "due"], ["plan", "step"], self._moves)
        for table in (definitions, targets, values, done):
            writer.insert(table, self._rows.pop(table, []), skip_existing=True)
