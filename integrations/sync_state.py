"""What the sync remembers about each calendar, next to `calendar_accounts`.

Two tables in the same database (made by the migrations of `integrations.schema`):

- `calendar_sync_calendars`: per plan and person, the calendar collection actually used
  (the connected URL, or the plan's calendar created in the connected home) and the last
  sync token the server gave for it;
- `calendar_sync_items`: per plan, person and UID, where the item is (href), its ETag, the
  hash of the bytes pacflow rendered for it, its SEQUENCE, what it showed (status,
  start, end, due), so that a rep's change can be told from the plan's, and the reminders
  (VALARM) the rep set on it, which pacflow's next write of the item keeps.

Every write commits at once: an interrupted sync leaves what it did recorded, and the next
one goes on from there. No password is ever written here.
"""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from integrations.accounts import metadata
from integrations.schema import ensure_schema
from slotted import FrozenValue, frozen_record

calendars_table = sa.Table(
    "calendar_sync_calendars",
    metadata,
    sa.Column("plan", sa.String(40), primary_key=True),
    sa.Column("person", sa.String(40), primary_key=True),
    sa.Column("calendar_url", sa.Text, nullable=False),
    sa.Column("sync_token", sa.Text, nullable=True),
)

items_table = sa.Table(
    "calendar_sync_items",
    metadata,
    sa.Column("plan", sa.String(40), primary_key=True),
    sa.Column("person", sa.String(40), primary_key=True),
    sa.Column("uid", sa.Text, primary_key=True),
    sa.Column("href", sa.Text, nullable=True),
    sa.Column("etag", sa.Text, nullable=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("start", sa.String(40), nullable=True),
    sa.Column("end", sa.String(40), nullable=True),
    sa.Column("due", sa.String(10), nullable=True),
    sa.Column("alarms", sa.Text, nullable=True),
)


@frozen_record
class ItemState(FrozenValue):
    """One item as pacflow last wrote it (or adopted it) in a calendar.

    `href` None: the rep deleted it and the plan took that; it is not created again
    unless the plan changes it.
    """

    uid: str
    href: str | None
    etag: str | None
    content_hash: str
    sequence: int
    status: str
    start: str | None
    end: str | None
    due: str | None
    alarms: str = ""  # reminders the rep set on it, kept when pacflow writes it again

    def moved_to(self, href: str | None, etag: str | None) -> ItemState:
        return replace(self, href=href, etag=etag)


class SyncStateStore:
    """The sync's memory for one plan and person, committed row by row."""

    def __init__(self, engine: sa.Engine, plan: str, person: str) -> None:
        self._engine = engine
        self._key = {"plan": plan, "person": person}
        ensure_schema(engine)

    def _where(self, table: sa.Table) -> sa.ColumnElement[bool]:
        return (table.c.plan == self._key["plan"]) & (table.c.person == self._key["person"])

    def calendar(self) -> tuple[str, str | None] | None:
        """The calendar's URL and its last sync token, if it was ever found."""
        query = sa.select(calendars_table.c.calendar_url, calendars_table.c.sync_token).where(
            self._where(calendars_table)
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else (str(row[0]), None if row[1] is None else str(row[1]))

    def save_calendar(self, url: str, token: str | None) -> None:
        with self._engine.begin() as connection:
            connection.execute(calendars_table.delete().where(self._where(calendars_table)))
            connection.execute(
                calendars_table.insert().values(**self._key, calendar_url=url, sync_token=token)
            )

    def items(self) -> dict[str, ItemState]:
        query = sa.select(items_table).where(self._where(items_table))
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return {
            str(row["uid"]): ItemState(
                uid=str(row["uid"]),
                href=row["href"],
                etag=row["etag"],
                content_hash=str(row["content_hash"]),
                sequence=int(row["sequence"]),
                status=str(row["status"]),
                start=row["start"],
                end=row["end"],
                due=row["due"],
                alarms=row["alarms"] or "",
            )
            for row in rows
        }

    def save_item(self, item: ItemState) -> None:
        where = self._where(items_table) & (items_table.c.uid == item.uid)
        values = {
            **self._key,
            "uid": item.uid,
            "href": item.href,
            "etag": item.etag,
            "content_hash": item.content_hash,
            "sequence": item.sequence,
            "status": item.status,
            "start": item.start,
            "end": item.end,
            "due": item.due,
            "alarms": item.alarms or None,
        }
        with self._engine.begin() as connection:
            connection.execute(items_table.delete().where(where))
            connection.execute(items_table.insert().values(**values))

    def forget_item(self, uid: str) -> None:
        where = self._where(items_table) & (items_table.c.uid == uid)
        with self._engine.begin() as connection:
            connection.execute(items_table.delete().where(where))

    def forget_all(self) -> None:
        """Start afresh (the person connected another calendar)."""
        with self._engine.begin() as connection:
            connection.execute(items_table.delete().where(self._where(items_table)))
            connection.execute(calendars_table.delete().where(self._where(calendars_table)))
