"""The calendar view of a plan, kept by stream version so that a sync or an export folds
only the events recorded since the last one.

The view is `integrations.revisions.CalendarFold`: the plan's state, and every item the plan
ever had with its SEQUENCE, CREATED and LAST-MODIFIED. Folding it from the first event costs
the plan's whole history; so each time it is brought up to date it is stored, with the
stream version it stops at, in `calendar_views` and `calendar_view_items` (migration
`integrations_0002`), and the next reader loads it and folds the newer events only. A
sync with nothing new reads no event at all.

It is a cache, not a fact: the same events give the same view whether it is folded from
the start or continued from a stored one (a test compares the bytes), and what is stored
is dropped and folded again from the start when

- its `FORMAT` is not this code's (items, revisions or their encoding changed: bump it),
- the stream is shorter than the version stored (another store under the same tables),
- the event at the stored version, read with the newer ones, has another hash.

Like the projections, it is brought up to date by any reader, a `sync --dry-run` or an
`export ics` included. Items are stored as JSON, never pickled, so that reading a row can
never run code; the plan's state uses the snapshots' encoding (`projections.state_json`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from events import EventStore, EventStoreError, RecordedEvent
from integrations.items import CalendarItem, ItemKind
from integrations.revisions import CalendarFold, CalendarHistory, ItemRecord
from integrations.schema import ensure_schema
from pacflow.domain import PlanEvent, from_payload
from slotted import MutableRecord, mutable_record

FORMAT = 2  # 2: a visit held stays with who held it (owner, people named)
"""What the stored rows mean; bump it when items, revisions or their encoding change."""

_CHUNK = 500  # keys per IN (...): well under every database's parameter limit

_metadata = sa.MetaData()
views_table = sa.Table(
    "calendar_views",
    _metadata,
    sa.Column("plan", sa.String(200), primary_key=True),
    sa.Column("format", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("event_hash", sa.String(64), nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("state", sa.Text, nullable=False),
)
view_items_table = sa.Table(
    "calendar_view_items",
    _metadata,
    sa.Column("plan", sa.String(200), primary_key=True),
    sa.Column("uid", sa.Text, primary_key=True),
    sa.Column("step", sa.Text, nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("created", sa.String(40), nullable=False),
    sa.Column("modified", sa.String(40), nullable=False),
    sa.Column("present", sa.Boolean, nullable=False),
    sa.Column("item", sa.Text, nullable=False),
)


@mutable_record
class _Folded(MutableRecord):
    """A plan's view in this process: the fold, and what the stored row says it is."""

    fold: CalendarFold
    stored: int | None  # the version stored in the database (None: nothing valid stored)
    boundary: tuple[str, datetime]  # hash and recorded time of the event at fold.version
    shared: bool = False  # its state was handed out: copy before folding more into it


class CalendarViews:
    """The calendar views of the plans of one store, kept in `database` when it is given.

    Without a database (an in-memory store), views are folded in this process only. One
    instance serves one command: it keeps the views it read, and reads the store again
    only for events newer than them.
    """

    def __init__(self, store: EventStore, database: sa.Engine | None) -> None:
        self._store = store
        self._database = database
        self._views: dict[str, _Folded] = {}
        if database is not None:
            ensure_schema(database)

    def history(
        self,
        plan: str,
        *,
        until: datetime | None = None,
        extra: Sequence[tuple[datetime, PlanEvent]] = (),
    ) -> CalendarHistory | None:
        """The plan's calendar history (as recorded up to `until`, then with `extra`
        events that were not recorded); None when the plan did not exist (yet).

        Store errors come out as pacflow's own (StoreError, IntegrityError...).
        """
        try:
            return self._history(plan, until, extra)
        except EventStoreError as error:
            from pacflow.storage import translate_store_error

            raise translate_store_error(error) from error

    def _history(
        self,
        plan: str,
        until: datetime | None,
        extra: Sequence[tuple[datetime, PlanEvent]],
    ) -> CalendarHistory | None:
        if until is not None:
            fold = self._as_of(plan, until)
        else:
            folded = self._current(plan)
            fold = None if folded is None else folded.fold
            if folded is not None and not extra:
                folded.shared = True
                return folded.fold.history()
        if fold is None:
            return None
        if extra:
            fold = fold.copy()
            fold.fold(extra)
        return fold.history()

    # --- reading --------------------------------------------------------------------------

    def _current(self, plan: str) -> _Folded | None:
        """The view folded up to the stream's last event, stored again if it moved on."""
        head = self._store.stream_version(plan)
        if head == 0:
            return None
        folded = self._views.get(plan)
        if folded is None or folded.fold.version > head:
            folded = self._load(plan, head)
        if folded is not None and folded.fold.version < head:
            if folded.shared:
                folded.fold = folded.fold.copy()
                folded.shared = False
            if not self._continue(plan, folded):
                folded = None  # the stored view does not fit this log
        if folded is None:
            folded = self._from_start(plan)
            if folded is None:
                return None
        if folded.fold.changed or folded.stored != folded.fold.version:
            self._save(plan, folded)
        self._views[plan] = folded
        return folded

    def _as_of(self, plan: str, until: datetime) -> CalendarFold | None:
        """The view as recorded up to `until`: from the stored view when it is older."""
        folded = self._views.get(plan)
        if folded is None:
            folded = self._load(plan, self._store.stream_version(plan))
        if folded is not None and folded.boundary[1] <= until:
            fold = folded.fold.copy()
            events = list(self._store.read_stream(plan, from_version=fold.version, until=until))
            fits = bool(events) and (events[0].stream_version, events[0].hash) == (
                fold.version,
                folded.boundary[0],
            )
            if fits:
                fold.fold(_decoded(events[1:]))
                return fold
        fold = CalendarFold()
        fold.fold(_decoded(self._store.read_stream(plan, until=until)))
        return None if fold.state is None else fold

    def _continue(self, plan: str, folded: _Folded) -> bool:
        """Fold the events after the view's version; False if the log does not fit it."""
        fold = folded.fold
        events = self._store.read_stream(plan, from_version=fold.version)
        first = next(events, None)
        if first is None or first.stream_version != fold.version:
            return False
        if first.hash != folded.boundary[0]:
            return False
        last = first
        for recorded in events:
            fold.apply(recorded.recorded_at, _decode(recorded))
            last = recorded
        folded.boundary = (last.hash, last.recorded_at)
        return True

    def _from_start(self, plan: str) -> _Folded | None:
        fold = CalendarFold()
        last: RecordedEvent | None = None
        for recorded in self._store.read_stream(plan):
            fold.apply(recorded.recorded_at, _decode(recorded))
            last = recorded
        if last is None:
            return None
        return _Folded(fold, None, (last.hash, last.recorded_at))

    def _load(self, plan: str, head: int) -> _Folded | None:
        """The view stored for `plan`, if there is one this code can continue."""
        if self._database is None:
            return None
        from projections.state_json import load_state

        with self._database.connect() as connection:
            row = connection.execute(
                sa.select(views_table).where(views_table.c.plan == plan)
            ).first()
            if row is None or row.format != FORMAT or row.version > head:
                return None
            records = {
                str(item.uid): ItemRecord(
                    str(item.step),
                    None,
                    int(item.sequence),
                    datetime.fromisoformat(item.created),
                    datetime.fromisoformat(item.modified),
                    bool(item.present),
                    stored=str(item.item),
                )
                for item in connection.execute(
                    sa.select(view_items_table).where(view_items_table.c.plan == plan)
                )
            }
        fold = CalendarFold(load_state(row.state), records)
        if fold.version != row.version:
            return None
        boundary = (str(row.event_hash), datetime.fromisoformat(row.recorded_at))
        return _Folded(fold, int(row.version), boundary)

    # --- storing --------------------------------------------------------------------------

    def _save(self, plan: str, folded: _Folded) -> None:
        """Store the view; skipped when another process stored a different one meanwhile."""
        if self._database is None:
            folded.fold.changed.clear()
            return
        from projections.state_json import dump_state

        fold = folded.fold
        assert fold.state is not None
        header = {
            "format": FORMAT,
            "version": fold.version,
            "event_hash": folded.boundary[0],
            "recorded_at": folded.boundary[1].isoformat(),
            "state": dump_state(fold.state),
        }
        fresh = folded.stored is None
        uids = list(fold.records) if fresh else sorted(fold.changed)
        rows = [_item_row(plan, uid, fold.records[uid]) for uid in uids]
        with self._database.connect() as connection:
            connection = connection.execution_options(pacflow_write=True)
            with connection.begin() as transaction:
                if fresh:
                    for table in (views_table, view_items_table):
                        connection.execute(table.delete().where(table.c.plan == plan))
                    connection.execute(views_table.insert().values(plan=plan, **header))
                else:
                    moved = connection.execute(
                        views_table.update()
                        .where(
                            views_table.c.plan == plan,
                            views_table.c.version == folded.stored,
                            views_table.c.format == FORMAT,
                        )
                        .values(**header)
                    )
                    if moved.rowcount != 1:
                        # Another sync stored its own view meanwhile: keep theirs.
                        transaction.rollback()
                        return
                    for start in range(0, len(uids), _CHUNK):
                        chunk = uids[start : start + _CHUNK]
                        connection.execute(
                            view_items_table.delete().where(
                                view_items_table.c.plan == plan, view_items_table.c.uid.in_(chunk)
                            )
                        )
                if rows:
                    connection.execute(view_items_table.insert(), rows)
        folded.stored = fold.version
        fold.changed.clear()


def _decode(recorded: RecordedEvent) -> PlanEvent:
    return from_payload(recorded.type, recorded.schema_version, recorded.data)


def _decoded(events: Iterable[RecordedEvent]) -> Iterable[tuple[datetime, PlanEvent]]:
    return ((recorded.recorded_at, _decode(recorded)) for recorded in events)


def _item_row(plan: str, uid: str, record: ItemRecord) -> dict[str, Any]:
    return {
        "plan": plan,
        "uid": uid,
        "step": record.step,
        "sequence": record.sequence,
        "created": record.created.isoformat(),
        "modified": record.modified.isoformat(),
        "present": record.present,
        "item": record.text(),
    }


# --- items as JSON ---------------------------------------------------------------------------
#
# Moments keep exactly what CalendarItem equality compares: an aware time as its wall-clock
# time, fold and zone (times of one zone compare by wall clock, of two zones by instant),
# a date as a date. A changed item compared with a decoded one is then equal exactly when
# it was equal to the item before it was stored.


def _moment(value: datetime | date | None) -> object:
    if value is None:
        return None
    if isinstance(value, datetime):
        zone = value.tzinfo
        if zone is not None and not isinstance(zone, ZoneInfo):
            raise TypeError(f"calendar item time with a tzinfo other than ZoneInfo: {value!r}")
        wall = value.replace(tzinfo=None, fold=0).isoformat()
        return {"t": wall, "z": None if zone is None else zone.key, "f": value.fold}
    return {"d": value.isoformat()}


def _moment_back(value: Any) -> datetime | date | None:
    if value is None:
        return None
    if "d" in value:
        return date.fromisoformat(value["d"])
    moment = datetime.fromisoformat(value["t"]).replace(fold=value["f"])
    return moment if value["z"] is None else moment.replace(tzinfo=ZoneInfo(value["z"]))


def item_to_text(item: CalendarItem) -> str:
    """A calendar item as JSON text (`item_from_text` reads it back, equal)."""
    due = item.due.isoformat() if item.due is not None else None
    completed = item.completed.isoformat() if item.completed is not None else None
    return json.dumps(
        [
            item.uid,
            item.kind.value,
            item.plan,
            item.step,
            item.occurrence,
            item.owner,
            item.summary,
            item.timezone,
            _moment(item.start),
            _moment(item.end),
            due,
            item.status,
            item.plan_status,
            completed,
            item.priority,
            list(item.categories),
            item.description,
            item.location,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def item_from_text(text: str) -> CalendarItem:
    """The calendar item `item_to_text` wrote."""
    (
        uid,
        kind,
        plan,
        step,
        occurrence,
        owner,
        summary,
        timezone,
        start,
        end,
        due,
        status,
        plan_status,
        completed,
        priority,
        categories,
        description,
        location,
    ) = json.loads(text)
    return CalendarItem(
        uid=uid,
        kind=ItemKind(kind),
        plan=plan,
        step=step,
        occurrence=occurrence,
        owner=owner,
        summary=summary,
        timezone=timezone,
        start=_moment_back(start),
        end=_moment_back(end),
        due=None if due is None else date.fromisoformat(due),
        status=status,
        plan_status=plan_status,
        completed=None if completed is None else date.fromisoformat(completed),
        priority=priority,
        categories=tuple(categories),
        description=description,
        location=location,
    )
