"""Which of a plan's events are about which step: what a view of one step reads instead of
the plan's whole log.

An event of a step or its visits changes that step only (`pacflow.domain.touches.
stored_step`); every other event (the team, the targets, the plan's lifecycle…) may matter
to any step. `plan history --step S08` on a plan of 200,000 events needs the plan-wide
events and S08's own, a few thousand, not the 200,000: this read model says which stream
versions those are, and the store reads them by version (`EventStore.read_stream_versions`).

One row per plan, subject and window of the engine: the versions of the window's events
about that subject, as text (`12,57,102`). The subject is the step's key, or `""` for the
plan-wide events. A window rewrites its rows whole (keyed by their first version), so a
window applied again after a crash leaves one row; a window cut differently the second
time may leave a row whose versions another row repeats, which readers take once
(`projections.queries.step_event_versions`). The subject is read from the stored payload.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa

from pacflow.domain import EVENT_TYPES, PlanEvent
from pacflow.domain.touches import stored_step
from projections.engine import Projected, Projector
from projections.plan_events import plan_event
from projections.rows import RowWriter
from projections.versions import STEP_EVENTS_VERSION

metadata = sa.MetaData()

PLAN_WIDE = ""
"""The subject of the events that are not about one step."""

step_events = sa.Table(
    "rm_step_events",
    metadata,
    sa.Column("plan", sa.String(200), nullable=False),
    sa.Column("subject", sa.String(40), nullable=False),
    sa.Column("first_version", sa.Integer, nullable=False),
    sa.Column("versions", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("plan", "subject", "first_version"),
)


class StepEvents(Projector[PlanEvent]):
    """Keeps rm_step_events: the stream versions of each plan's events, by step."""

    name = "step_events"
    version = STEP_EVENTS_VERSION
    handles = frozenset(EVENT_TYPES)
    metadata = metadata
    # Only the stored event is read, but the plans read model decodes every event alike:
    # the same decoding shares its work (one `Projected` an event for both).
    decode = staticmethod(plan_event)

    def __init__(self) -> None:
        self._pending: defaultdict[tuple[str, str], list[int]] = defaultdict(list)

    def apply(self, connection: sa.Connection, events: Sequence[Projected[PlanEvent]]) -> None:
        pending = self._pending
        for recorded, _ in events:
            subject = stored_step(recorded.type, recorded.data) or PLAN_WIDE
            pending[(recorded.stream_id, subject)].append(recorded.stream_version)

    def flush(self, connection: sa.Connection) -> None:
        if not self._pending:
            return
        rows = [
            {
                "plan": plan,
                "subject": subject,
                "first_version": versions[0],
                "versions": ",".join(map(str, versions)),
            }
            for (plan, subject), versions in self._pending.items()
        ]
        self._pending.clear()
        RowWriter(connection).insert(step_events, rows, replace_existing=True)

    def reset(self) -> None:
        self._pending.clear()
