"""A writer killed with SIGKILL in the middle of a large append leaves no partial batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from events import EventStore, NewEvent

from .support import backend_of, raw_connection

BATCH = 100_000
REPO = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import sys
    from events import EventStore, NewEvent

    url, count = sys.argv[1], int(sys.argv[2])
    store = EventStore.from_url(url, migrate=False)
    batch = [NewEvent("Bulk", {"i": i, "pad": "crash-test"}) for i in range(count)]
    print("appending", flush=True)
    store.append("bulk", batch)
    print("appended", flush=True)
    store.close()
    """
)


def _sqlite_insert_under_way(url: str) -> bool:
    # Uncommitted pages spill into the WAL as the batch outgrows SQLite's page cache.
    wal = Path(f"{sa.make_url(url).database}-wal")
    return wal.exists() and wal.stat().st_size > 2_000_000


def _postgres_insert_under_way(connection: sa.Connection) -> bool:
    # Only an INSERT takes ROW EXCLUSIVE on this schema's events table (other runs may be
    # writing to tables of the same name in other schemas of the same database).
    found = connection.execute(
        sa.text(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.relation = 'events'::regclass AND l.mode = 'RowExclusiveLock' "
            "AND l.granted AND a.backend_xid IS NOT NULL AND l.pid <> pg_backend_pid()"
        )
    ).scalar_one()
    connection.rollback()  # statistics views are a snapshot per transaction
    return bool(found)


def _kill_mid_append(url: str) -> str:
    """Start a child appending BATCH events, SIGKILL it while the rows go in; its output."""
    with (
        raw_connection(url) as watcher,
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url, str(BATCH)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as child,
    ):
        assert child.stdout is not None
        assert child.stderr is not None
        try:
            line = child.stdout.readline()
            assert line == "appending\n", f"child failed to start: {child.stderr.read()}"
            deadline = time.monotonic() + 60
            while True:
                if backend_of(url) == "sqlite":
                    under_way = _sqlite_insert_under_way(url)
                else:
                    under_way = _postgres_insert_under_way(watcher)
                if under_way:
                    break
                assert child.poll() is None, f"child ended early: {child.stderr.read()}"
                assert time.monotonic() < deadline, "the child never started inserting"
                time.sleep(0.02)
            time.sleep(0.3)
            # The batch takes seconds to insert: the kill must land before it commits.
            assert child.poll() is None, "the append finished before the kill: make BATCH bigger"
            os.kill(child.pid, signal.SIGKILL)
            child.wait(30)
        finally:
            if child.poll() is None:
                child.kill()
        assert child.returncode == -signal.SIGKILL
        return child.stdout.read()


@pytest.mark.parametrize(
    "sql_store_url",
    ["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres], id="postgres")],
    indirect=True,
)
def test_a_writer_killed_mid_append_leaves_no_partial_batch(sql_store_url: str) -> None:
    with EventStore.from_url(sql_store_url) as store:
        store.append("before", [NewEvent("Before", {})])

    rest = _kill_mid_append(sql_store_url)
    assert "appended" not in rest

    with EventStore.from_url(sql_store_url) as store:
        head = store.head_position()
        assert head in (1, 1 + BATCH), f"a partial batch survived: head is {head}"
        assert len(list(store.read_stream("bulk"))) in (0, BATCH)
        assert store.verify().ok
        # Locks died with the writer: the next append goes straight in.
        (after,) = store.append("after", [NewEvent("After", {})])
        assert after.position == head + 1
        assert store.verify().ok
