"""One PlanService shared by threads that read and write at once, over a SQLite file: no
command is lost or recorded twice, every state read is what a sequential fold of the log
gives at its version, and no state handed out changes under its reader."""

from __future__ import annotations

import copy
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from events import EventStore
from pacflow.domain import PlanEvent, PlanState, fold
from pacflow.domain import events as ev
from pacflow.errors import ConflictError
from pacflow.service import PlanService, decode

from .service_support import create_plan, market_change, record_value

PLANS = ("PAC-A", "PAC-B", "PAC-C")
WRITERS = 4
READERS = 4
WRITES = 15  # per writer


def test_threads_reading_and_writing_through_one_service(tmp_path: Path) -> None:
    store = EventStore.from_url(f"sqlite:///{tmp_path}/s.db")
    service = PlanService(store)
    for plan in PLANS:
        create_plan(service, plan)
    start = threading.Barrier(WRITERS + READERS)
    writing = threading.Event()
    writing.set()

    def write(writer: int) -> tuple[list[str], list[str]]:
        """Market changes named after this writer, and one value per plan; returns the
        summaries recorded and those refused because the plan kept changing."""
        recorded: list[str] = []
        refused: list[str] = []
        start.wait()
        for number in range(WRITES):
            plan = PLANS[(writer + number) % len(PLANS)]
            command = market_change(plan, writer * 1000 + number)
            if number < len(PLANS):  # the writer's own month: never recorded twice
                command = record_value(plan, f"2025-{writer + 1:02d}", writer * 10 + number)
            name = f"{plan} {getattr(command, 'summary', getattr(command, 'period', ''))}"
            try:
                outcome = service.execute(command)
            except ConflictError:
                refused.append(name)
                continue
            assert outcome.recorded
            recorded.append(name)
        return recorded, refused

    def read(reader: int) -> list[tuple[PlanState, PlanState]]:
        """States read while the writers write, each with a deep copy taken when read."""
        seen: list[tuple[PlanState, PlanState]] = []
        start.wait()
        turn = 0
        while writing.is_set() or turn < 3:
            plan = PLANS[(reader + turn) % len(PLANS)]
            state = service.load(plan) if turn % 2 else service.require(plan)
            assert state is not None
            seen.append((state, copy.deepcopy(state)))
            versions = [recorded.stream_version for recorded, _event in service.history(plan)]
            assert versions == list(range(1, len(versions) + 1))
            assert len(versions) >= state.version
            turn += 1
        return seen

    with ThreadPoolExecutor(max_workers=WRITERS + READERS) as pool:
        readers = [pool.submit(read, number) for number in range(READERS)]
        writers = [pool.submit(write, number) for number in range(WRITERS)]
        results = [future.result(timeout=60) for future in writers]
        writing.clear()
        seen = [pair for future in readers for pair in future.result(timeout=60)]

    logs = {plan: [decode(r) for r in store.read_stream(plan)] for plan in PLANS}
    in_log = Counter(
        f"{plan} {_name(event)}"
        for plan, events in logs.items()
        for event in events
        if isinstance(event, ev.MarketChangeRecorded | ev.IndicatorValueRecorded)
    )
    accepted = [name for recorded, _refused in results for name in recorded]
    refused = [name for _recorded, refused in results for name in refused]
    assert len(accepted) + len(refused) == WRITERS * WRITES
    assert sorted(in_log.elements()) == sorted(accepted)  # none lost, none twice
    assert not set(refused) & set(in_log)
    for plan, events in logs.items():
        assert service.require(plan) == fold(events)
        assert service.require(plan).version == len(events)
    assert seen
    for state, as_read in seen:
        assert state == as_read  # nothing changed it after it was handed out
        assert state == fold(logs[state.key][: state.version])


def _name(event: PlanEvent) -> str:
    if isinstance(event, ev.MarketChangeRecorded):
        return event.summary
    assert isinstance(event, ev.IndicatorValueRecorded)
    return event.period
