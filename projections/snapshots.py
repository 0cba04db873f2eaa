"""Plan snapshots: a plan's folded state every N events of its stream, kept outside the
log in `rm_snapshots` (written, and rebuilt, with the plan read model) so that "the plan as
of T" and "the plan now" on a long stream fold a few events from the nearest snapshot, not
the whole stream.

Each snapshot carries the hash of the event it stops at; a snapshot whose event no longer
has that hash is ignored, so a tampered snapshot cannot change what a reader sees.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from events import EventStore
from pacflow.domain import PlanState, fold, from_payload
from projections.plans import snapshots
from projections.state_json import load_state


def load_as_of(
    store: EventStore, database: sa.Engine, plan: str, until: datetime
) -> PlanState | None:
    """The plan as recorded at `until`, from the nearest snapshot at or before it."""
    until = until.astimezone(UTC)
    with database.connect() as connection:
        row = connection.execute(
            sa.select(snapshots.c.version, snapshots.c.hash, snapshots.c.state)
            .where(snapshots.c.plan == plan, snapshots.c.recorded_at <= until)
            .order_by(snapshots.c.version.desc())
            .limit(1)
        ).first()
    state: PlanState | None = None
    start = 1
    if row is not None:
        at = list(store.read_stream(plan, from_version=row.version, to_version=row.version))
        if at and at[0].hash == row.hash:
            state = load_state(row.state)
            start = row.version + 1
    events = store.read_stream(plan, from_version=start, until=until)
    return fold((from_payload(e.type, e.schema_version, e.data) for e in events), state)


def latest_snapshot(database: sa.Engine, plan: str) -> tuple[PlanState, str] | None:
    """The plan's newest snapshot, as a new state, and the hash of the event at its version
    (`state.version`); None when it has none, or when the read models' tables do not exist
    yet (a store no read command caught up). The hash is not checked here: the caller reads
    the log from that version on anyway (see `pacflow.service.Snapshots`)."""
    try:
        with database.connect() as connection:
            row = connection.execute(
                sa.select(snapshots.c.hash, snapshots.c.state)
                .where(snapshots.c.plan == plan)
                .order_by(snapshots.c.version.desc())
                .limit(1)
            ).first()
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):
        # No table yet (SQLite says OperationalError, PostgreSQL ProgrammingError). A
        # snapshot is only a shortcut: the caller folds the log instead, and a database
        # that is really unavailable fails there, with the store's own error.
        return None
    if row is None:
        return None
    return load_state(row.state), row.hash
