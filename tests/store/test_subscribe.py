"""Subscriptions: catch up on the backlog, then receive new events as they commit."""

from __future__ import annotations

import threading
import time

from events import EventStore, RecordedEvent

from .support import backend_of, numbered


def test_a_subscription_catches_up_on_existing_events(store: EventStore) -> None:
    store.append("s", numbered(3))
    store.append("t", numbered(2))
    with store.subscribe() as subscription:
        caught_up = subscription.poll()
        assert [e.position for e in caught_up] == [1, 2, 3, 4, 5]
        assert subscription.position == 5
        assert subscription.poll() == []
        assert subscription.poll(timeout=0.05) == []
    with store.subscribe(after_position=3) as later:
        assert [e.position for e in later.poll()] == [4, 5]


def test_a_subscription_catches_up_in_batches_over_a_long_backlog(store: EventStore) -> None:
    store.append("s", numbered(4_100))
    seen: list[int] = []
    with store.subscribe() as subscription:
        while batch := subscription.poll():
            seen.extend(e.position for e in batch)
    assert seen == list(range(1, 4_101))


def test_an_append_from_another_thread_is_delivered_promptly(store: EventStore) -> None:
    store.append("s", numbered(2))
    # On PostgreSQL and in memory a long poll interval leaves only the wake-up (LISTEN/NOTIFY,
    # a condition) to deliver the event in time; SQLite has nothing but short polling.
    poll_interval = 0.05 if backend_of(store.url) == "sqlite" else 30.0
    with store.subscribe(poll_interval=poll_interval) as subscription:
        assert len(subscription.poll()) == 2

        def append_later() -> None:
            time.sleep(0.3)
            store.append("s", numbered(1, "Live"))

        writer = threading.Thread(target=append_later)
        started = time.monotonic()
        writer.start()
        try:
            delivered = subscription.poll(timeout=10)
            elapsed = time.monotonic() - started
        finally:
            writer.join(10)

    assert [(e.position, e.type) for e in delivered] == [(3, "Live")]
    assert 0.25 <= elapsed < 2.0, f"delivered after {elapsed:.2f} s"


def test_every_event_is_delivered_once_and_in_order_while_writers_append(
    store: EventStore,
) -> None:
    store.append("s", numbered(5))
    total = 5 + 4 * 10

    def writer(stream: str) -> None:
        for _ in range(10):
            store.append(stream, numbered(1))
            time.sleep(0.005)

    writers = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(4)]
    delivered: list[RecordedEvent] = []
    with store.subscribe(poll_interval=0.05) as subscription:
        for thread in writers:
            thread.start()
        deadline = time.monotonic() + 20
        while len(delivered) < total and time.monotonic() < deadline:
            delivered.extend(subscription.poll(timeout=1))
        for thread in writers:
            thread.join(10)
    assert [e.position for e in delivered] == list(range(1, total + 1))


def test_close_from_another_thread_ends_an_iterating_subscriber(store: EventStore) -> None:
    store.append("s", numbered(1))
    received: list[int] = []
    first_seen = threading.Event()
    subscription = store.subscribe()

    def follow() -> None:
        for event in subscription:
            received.append(event.position)
            first_seen.set()

    follower = threading.Thread(target=follow)
    follower.start()
    try:
        assert first_seen.wait(5), "the backlog was not delivered"
        store.append("s", numbered(1, "Live"))
        deadline = time.monotonic() + 5
        while received != [1, 2] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert received == [1, 2]
    finally:
        closed_at = time.monotonic()
        subscription.close()
        follower.join(5)
    assert not follower.is_alive(), "close() did not end the iteration"
    assert time.monotonic() - closed_at < 2.0
    assert subscription.closed
    store.append("s", numbered(1, "AfterClose"))
    assert subscription.poll(timeout=0.1) == []
    assert received == [1, 2]
