"""Plan snapshots: a plan's folded state every N events of its stream, kept outside the
log in `rm_snapshots` (written, and rebuilt, with the plan read model) so that "the plan as
of T" and "the plan now" on a long stream fold a few events from the nearest snapshot, not
the whole stream.

Each snapshot carries the hash of the event it stops at; a snapshot whose event no longer
has that hash is ignored, so a tampered snapshot cannot change what a reader sees.

Read with plain SQL through the driver (`projections.driver_rows`): a write or a read that
starts from a snapshot needs neither SQLAlchemy nor the projectors.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from events import EventStore
from pacflow.domain import PlanState, fold
from projections.driver_rows import DriverRows, driver_rows
from projections.plan_events import plan_event
from projections.state_json import load_state

if TYPE_CHECKING:
    import sqlalchemy as sa

_SQLITE_MOMENT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy keeps a DateTime in SQLite


def load_as_of(
    store: EventStore, database: DriverRows | sa.Engine, plan: str, until: datetime
) -> PlanState | None:
    """The plan as recorded at `until`, from the nearest snapshot at or before it."""
    until = until.astimezone(UTC)
    with driver_rows(database) as rows:
        moment: object = until if rows.postgres else until.strftime(_SQLITE_MOMENT)
        row = _newest(
            rows,
            "SELECT version, hash, state FROM rm_snapshots WHERE plan = ? AND recorded_at <= ? "
            "ORDER BY version DESC LIMIT 1",
            (plan, moment),
        )
    state, start = _verified(store, plan, row)
    events = store.read_stream(plan, from_version=start, until=until)
    return fold(map(plan_event, events), state)


def load_at_version(
    store: EventStore, database: DriverRows | sa.Engine, plan: str, version: int
) -> PlanState | None:
    """The plan right after its event `version`, from the nearest snapshot at or before it."""
    with driver_rows(database) as rows:
        row = _newest(
            rows,
            "SELECT version, hash, state FROM rm_snapshots WHERE plan = ? AND version <= ? "
            "ORDER BY version DESC LIMIT 1",
            (plan, version),
        )
    state, start = _verified(store, plan, row)
    events = store.read_stream(plan, from_version=start, to_version=version)
    return fold(map(plan_event, events), state)


def _verified(store: EventStore, plan: str, row: Any) -> tuple[PlanState | None, int]:
    """The snapshot `row` (None: none found) as a state, if the log's event at its version
    still has the hash it was taken at, and the stream version to fold from on top of it."""
    if row is not None:
        at = list(store.read_stream(plan, from_version=row.version, to_version=row.version))
        if at and at[0].hash == row.hash:
            return load_state(bytes(row.state)), row.version + 1
    return None, 1


def latest_snapshot(database: DriverRows | sa.Engine, plan: str) -> tuple[PlanState, str] | None:
    """The plan's newest snapshot, as a new state, and the hash of the event at its version
    (`state.version`); None when it has none, or when the read models' tables do not exist
    yet (a store no read command caught up). The hash is not checked here: the caller reads
    the log from that version on anyway (see `pacflow.service.Snapshots`)."""
    with driver_rows(database) as rows:
        row = _newest(
            rows,
            "SELECT hash, state FROM rm_snapshots WHERE plan = ? ORDER BY version DESC LIMIT 1",
            (plan,),
        )
    if row is None:
        return None
    return load_state(bytes(row.state)), row.hash


def _newest(rows: DriverRows, statement: str, params: tuple[object, ...]) -> Any | None:
    try:
        return rows.first(statement, params)
    except Exception as error:
        if not _no_table(error):
            raise
        # A snapshot is only a shortcut: the caller folds the log instead, and a database
        # that is really unavailable fails there, with the store's own error.
        if rows.postgres:
            rows.connection.rollback()  # the failed statement aborted the transaction
        return None


def _no_table(error: Exception) -> bool:
    cause = getattr(error, "orig", None) or error  # SQLAlchemy wraps the driver's error
    return "no such table" in str(cause) or getattr(cause, "sqlstate", None) == "42P01"
