"""Calendar feeds: a person's items (or a plan's) as the iCalendar file `export ics` writes,
with what an HTTP cache needs to answer `304 Not Modified`.

A feed is rendered once per stream version: the file depends only on the plan's events
(every time stamp in it is an event's), so its ETag is a hash of the bytes and stays valid
until the next event of the plan. Asking whether anything changed costs one query.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pacflow.app.root import App

CACHED_FEEDS = 512


@dataclass(frozen=True, slots=True)
class Feed:
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

    def feed(self, plan: str, person: str | None) -> Feed:
        """The feed as the plan stands now (`person`'s items, or the whole plan's)."""
        store = self._app.store()
        version = store.stream_version(plan)
        key = (plan, person)
        with self._lock:
            found = self._cache.get(key)
            if found is not None and found.version == version:
                self._cache.move_to_end(key)
                return found
        fresh = self._render(plan, person, version)
        with self._lock:
            self._cache[key] = fresh
            self._cache.move_to_end(key)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return fresh

    def _render(self, plan: str, person: str | None, version: int) -> Feed:
        from integrations.ics import export_ics
        from pacflow.errors import no_such_plan

        store = self._app.store()
        last = list(store.read_stream(plan, from_version=version, to_version=version))
        if not last:
            raise no_such_plan(plan)
        # An event appended meanwhile may be in the body already: the next request renders
        # again for the newer version, and the same bytes keep the same ETag.
        body = export_ics(self._app.service(), plan, person=person)
        digest = hashlib.sha256(body).hexdigest()[:32]
        return Feed(body, f'"{digest}"', last[0].recorded_at, version)
