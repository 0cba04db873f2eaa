"""Calendar feeds: a person's items (or a plan's) as the iCalendar file `export ics` writes,
with what an HTTP cache needs to answer `304 Not Modified`.

A feed is rendered once per stream version: the file depends only on the plan's events
(every time stamp in it is an event's), so its ETag is a hash of the bytes and stays valid
until the next event of the plan. Asking whether anything changed costs one query.

An event makes every feed of its plan stale at once (200 reps polling, 200 renders), so
the calendar view they are rendered from is kept too, and folds only the events recorded
since: a render after a change costs the person's items, not a reload of the plan's whole
view from the database. Renders take turns (the view is not thread-safe; the interpreter
runs one of them at a time anyway), and a request that waited for another's render of the
same feed takes its result.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING

from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    from events import EventStore
    from integrations.calendar_view import CalendarViews
    from pacflow.app.root import App

CACHED_FEEDS = 512


@frozen_record
class Feed(FrozenValue):
    """One rendered feed: the bytes, their ETag and the time of the plan's last event."""

    body: bytes
    etag: str
    last_modified: datetime
    version: int


class Feeds:
    """Feeds of one store, cached by (plan, person, stream version)."""

    def __init__(self, app: App, size: int = CACHED_FEEDS) -> None:
        self._app = app
        self._size = size
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str | None], Feed] = OrderedDict()
        self._rendering = threading.Lock()
        self._views: tuple[EventStore, CalendarViews] | None = None

    def feed(self, plan: str, person: str | None) -> Feed:
        """The feed as the plan stands now (`person`'s items, or the whole plan's)."""
        store = self._app.store()
        version = store.stream_version(plan)
        key = (plan, person)
        found = self._cached(key, version)
        if found is not None:
            return found
        with self._rendering:
            found = self._cached(key, version)  # rendered while this request waited
            if found is not None:
                return found
            fresh = self._render(store, plan, person, version)
        with self._lock:
            self._cache[key] = fresh
            self._cache.move_to_end(key)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return fresh

    def _cached(self, key: tuple[str, str | None], version: int) -> Feed | None:
        with self._lock:
            found = self._cache.get(key)
            if found is None or found.version < version:
                return None
            self._cache.move_to_end(key)
            return found

    def _render(self, store: EventStore, plan: str, person: str | None, version: int) -> Feed:
        from integrations.ics import calendar_views, export_ics
        from pacflow.errors import no_such_plan

        last = list(store.read_stream(plan, from_version=version, to_version=version))
        if not last:
            raise no_such_plan(plan)
        service = self._app.service()
        if self._views is None or self._views[0] is not store:
            self._views = (store, calendar_views(service))
        # An event appended meanwhile may be in the body already: the next request renders
        # again for the newer version, and the same bytes keep the same ETag.
        body = export_ics(service, plan, person=person, views=self._views[1])
        digest = hashlib.sha256(body).hexdigest()[:32]
        return Feed(body, f'"{digest}"', last[0].recorded_at, version)
