"""What a sync reads from the event log: the events recorded since the stored calendar view,
and nothing at all when nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from events import EventStore, RecordedEvent
from events.store import RawRow
from integrations.items import calendar_items
from pacflow.demo import DEMO_PLAN
from pacflow.domain import commands as c
from tests.integrations.conftest import CalDavAccount
from tests.integrations.test_sync import Pacflow, _calendar


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """(stream, version) of every event decoded in this process from now on."""
    seen: list[tuple[str, int]] = []
    original = EventStore._decode

    def counting(self: EventStore, row: RawRow) -> RecordedEvent:
        seen.append((row.stream_id, row.stream_version))
        return original(self, row)

    monkeypatch.setattr(EventStore, "_decode", counting)
    return seen


def test_a_no_change_sync_reads_no_event_older_than_its_last_sync(
    demo_copy_url: str,
    tmp_path: Path,
    caldav_account: CalDavAccount,
    reads: list[tuple[str, int]],
) -> None:
    pacflow = Pacflow(demo_copy_url, tmp_path)
    pacflow.connect("cd", caldav_account)
    pacflow.sync()
    with EventStore.from_url(demo_copy_url) as store:
        synced_at = store.stream_version(DEMO_PLAN)
    reads.clear()

    again = _calendar(pacflow.sync(), "cd")
    dry = _calendar(pacflow.sync("--dry-run"), "cd")

    assert (again["writes"], dry["writes"]) == ([], [])
    assert reads == []  # not one event: the stored calendar view is the plan as it stands
    state = pacflow.state()
    step = next(item.step for item in calendar_items(state, person="cd"))
    pacflow.run(
        c.RevisePlan(plan=DEMO_PLAN, actor="hg", reason="new wording"),
        c.EditStep(plan=DEMO_PLAN, actor="hg", reason="new wording", step=step, title="New"),
    )
    reads.clear()

    changed = _calendar(pacflow.sync(), "cd")

    assert changed["updated"] >= 1
    versions = sorted({version for stream, version in reads if stream == DEMO_PLAN})
    # The event the stored view stopped at (to check its hash), then the new ones.
    assert versions == [synced_at, synced_at + 1, synced_at + 2]
