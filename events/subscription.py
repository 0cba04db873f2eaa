"""Subscriptions: catch up from a position, then follow new events as they commit."""

from __future__ import annotations

import abc
import threading
import time
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Self

from events.records import RecordedEvent

if TYPE_CHECKING:
    from events.store import EventStore


class Waiter(abc.ABC):
    """Blocks a subscription until the store may have news (a wake-up or a poll tick)."""

    @abc.abstractmethod
    def wait(self, timeout: float) -> None:
        """Return after at most `timeout` seconds, sooner if events may have arrived."""

    def close(self) -> None:
        """Release what the waiter holds (a listening connection)."""
        return


class SleepWaiter(Waiter):
    """Short polling: wake up every poll interval (or when the subscription closes)."""

    def __init__(self, stop: threading.Event, poll_interval: float) -> None:
        self._stop = stop
        self._poll_interval = poll_interval

    def wait(self, timeout: float) -> None:
        self._stop.wait(min(timeout, self._poll_interval))


class Subscription:
    """Events after a position: first the backlog, then new ones as they commit.

    Iterate it (blocks until `close()` is called, from any thread), or call `poll(timeout)`
    for the next batch, possibly empty. Use it as a context manager to close it.
    """

    def __init__(self, store: EventStore, after_position: int, poll_interval: float) -> None:
        self._store = store
        self.position = after_position
        self._poll_interval = poll_interval
        self._stop = threading.Event()
        self._waiter: Waiter | None = None
        self._lock = threading.Lock()
        self._polling = False

    @property
    def closed(self) -> bool:
        return self._stop.is_set()

    def poll(self, timeout: float = 0.0) -> list[RecordedEvent]:
        """Events after the last one seen; wait up to `timeout` seconds if there are none."""
        with self._lock:
            if self._stop.is_set():
                return []
            self._polling = True
        try:
            return self._poll(timeout)
        finally:
            with self._lock:
                self._polling = False
                if self._stop.is_set():
                    self._release_waiter()

    def _poll(self, timeout: float) -> list[RecordedEvent]:
        batch = self._fetch()
        if batch or timeout <= 0:
            return batch
        if self._waiter is None:
            self._waiter = self._store._waiter(self._stop, self._poll_interval)
            # Look again now that the waiter listens: nothing committed meanwhile is missed.
            batch = self._fetch()
            if batch:
                return batch
        deadline = time.monotonic() + timeout
        while not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._waiter.wait(remaining)
            batch = self._fetch()
            if batch:
                return batch
        return []

    def _fetch(self) -> list[RecordedEvent]:
        events = self._store.read_all_batch(self.position)
        if events:
            self.position = events[-1].position
        return events

    def __iter__(self) -> Iterator[RecordedEvent]:
        while not self._stop.is_set():
            yield from self.poll(timeout=self._poll_interval)

    def close(self) -> None:
        """Stop the subscription, from any thread; a blocked iteration ends within one poll."""
        with self._lock:
            self._stop.set()
            if not self._polling:
                self._release_waiter()

    def _release_waiter(self) -> None:
        if self._waiter is not None:
            self._waiter.close()
            self._waiter = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
