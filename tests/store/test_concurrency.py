"""Concurrent writers (and a concurrent reader): nothing lost, nothing doubled, no gaps."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, cast

import pytest

from events import ANY, NO_STREAM, ConcurrencyError, EventStore, NewEvent

WRITERS = 8
APPENDS_PER_WRITER = 500


def _run_threads(targets: list[Callable[[], None]], timeout: float) -> list[BaseException]:
    """Run each target in its own thread; return what they raised (all must finish)."""
    errors: list[BaseException] = []
    lock = threading.Lock()

    def guarded(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as error:
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=guarded, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0.1))
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"threads still running after {timeout} s: {stuck}"
    return errors


@pytest.mark.parametrize(
    "store_url",
    [
        "memory",
        "sqlite",
        pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.slow], id="postgres"),
    ],
    indirect=True,
)
def test_writers_racing_on_one_stream_with_retries_lose_and_double_nothing(
    store: EventStore,
) -> None:
    written: list[list[uuid.UUID]] = [[] for _ in range(WRITERS)]
    conflicts = [0] * WRITERS

    def writer(index: int) -> Callable[[], None]:
        def run() -> None:
            rng = random.Random(index)
            for n in range(APPENDS_PER_WRITER):
                event = NewEvent("Counted", {"writer": index, "n": n})
                attempt = 0
                while True:
                    version = store.stream_version("counter")
                    try:
                        store.append("counter", [event], expected_version=version)
                        break
                    except ConcurrencyError:
                        conflicts[index] += 1
                        attempt += 1
                        # Jittered backoff, as a real client would do: keeps the run short.
                        time.sleep(rng.uniform(0, 0.005 * 2 ** min(attempt, 5)))
                written[index].append(event.event_id)

        return run

    errors = _run_threads([writer(i) for i in range(WRITERS)], timeout=120)
    assert errors == []

    total = WRITERS * APPENDS_PER_WRITER
    events = list(store.read_stream("counter"))
    assert [e.stream_version for e in events] == list(range(1, total + 1))
    assert [e.position for e in events] == list(range(1, total + 1))
    stored_ids = [e.event_id for e in events]
    assert len(set(stored_ids)) == total, "an event was stored twice"
    assert set(stored_ids) == {i for ids in written for i in ids}, "an event was lost"
    for index in range(WRITERS):
        mine = [e.data["n"] for e in events if e.data["writer"] == index]
        assert mine == list(range(APPENDS_PER_WRITER)), f"writer {index} out of order"
    assert store.stream_version("counter") == total
    assert store.head_position() == total
    assert store.verify().ok
    if not store.url.startswith("memory"):
        # The race was real: writers did collide and had to retry. (In memory, appends are
        # too quick to be sure the GIL ever switches between a read and its append.)
        assert sum(conflicts) > 0


@pytest.mark.postgres
def test_a_reader_following_positions_sees_every_event_once_without_gaps(
    postgres_store_url: str,
) -> None:
    writers, appends, streams = 6, 300, 50
    with EventStore.from_url(postgres_store_url) as store:
        written: list[uuid.UUID] = []
        written_lock = threading.Lock()
        writers_done = threading.Event()
        seen: list[uuid.UUID] = []
        gaps: list[str] = []

        def writer(index: int) -> Callable[[], None]:
            def run() -> None:
                rng = random.Random(1000 + index)
                for _ in range(appends):
                    batch = [NewEvent("Tick", {"writer": index}) for _ in range(rng.randint(1, 5))]
                    store.append(f"stream-{rng.randrange(streams)}", batch, expected_version=ANY)
                    with written_lock:
                        written.extend(e.event_id for e in batch)

            return run

        def reader() -> None:
            last = 0
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                done = writers_done.is_set()
                for event in store.read_all(after_position=last):
                    if event.position != last + 1:
                        gaps.append(f"after {last} came {event.position}")
                    last = event.position
                    seen.append(event.event_id)
                if done and last == store.head_position():
                    return
            raise AssertionError(f"reader stopped at {last} of {store.head_position()}")

        def writers_then_signal() -> None:
            try:
                errors = _run_threads([writer(i) for i in range(writers)], timeout=80)
                assert errors == []
            finally:
                writers_done.set()

        errors = _run_threads([writers_then_signal, reader], timeout=100)
        assert errors == []
        assert gaps == []
        assert len(seen) == len(set(seen)), "the reader saw an event twice"
        assert set(seen) == set(written), "the reader missed events"
        assert len(seen) == store.head_position()
        for stream in {e.stream_id for e in store.read_all()}:
            versions = [e.stream_version for e in store.read_stream(stream)]
            assert versions == list(range(1, len(versions) + 1))
        assert store.verify().ok


def test_the_same_batch_retried_from_several_threads_at_once_is_stored_once(
    store: EventStore,
) -> None:
    batch = [NewEvent("Sent", {"n": n}) for n in range(5)]
    store.append("elsewhere", [NewEvent("Before", {})])
    barrier = threading.Barrier(4)
    results: list[list[uuid.UUID | int | str]] = []
    lock = threading.Lock()

    def send(expected: object) -> Callable[[], None]:
        def run() -> None:
            barrier.wait(10)
            records = store.append("outbox", batch, expected_version=cast(Any, expected))
            with lock:
                results.append([x for r in records for x in (r.event_id, r.position, r.hash)])

        return run

    errors = _run_threads([send(e) for e in (NO_STREAM, ANY, 0, NO_STREAM)], timeout=30)
    assert errors == []
    assert len(results) == 4
    assert all(result == results[0] for result in results)
    assert [e.position for e in store.read_all()] == [1, 2, 3, 4, 5, 6]
    assert store.stream_version("outbox") == 5
    assert store.verify().ok
