"""Opening the event store for pacflow, and turning store errors into pacflow errors."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pacflow.errors import ConflictError, IntegrityError, PacflowError, StoreError, Suggestion

if TYPE_CHECKING:
    from events import Clock, EventStore, EventStoreError


def open_store(
    url: str,
    *,
    clock: Clock | None = None,
    migrate: bool = True,
    create: bool = True,
    environ: Mapping[str, str] | None = None,
) -> EventStore:
    """Open the store at `url` (creating or upgrading its schema on first use); with
    `create=False`, a store that does not exist yet is a StoreError and nothing is made.

    Checkpoint keys come from `environ` (the process environment by default): with one,
    every append is anchored by a signed checkpoint (`pacflow.anchoring`).
    """
    from events import EventStore, EventStoreError
    from pacflow.anchoring import checkpoint_keys

    keys = checkpoint_keys(os.environ if environ is None else environ)
    try:
        return EventStore.from_url(
            url, clock=clock, migrate=migrate, create=create, checkpoint_keys=keys
        )
    except EventStoreError as error:
        raise translate_store_error(error) from error


def translate_store_error(error: EventStoreError) -> PacflowError:
    """The pacflow error (and so the exit code) for an event-store error."""
    from events import ConcurrencyError, CorruptStoreError, StoreNotFoundError

    if isinstance(error, ConcurrencyError):
        return ConflictError(str(error))
    if isinstance(error, CorruptStoreError):
        return IntegrityError(str(error))
    if isinstance(error, StoreNotFoundError):
        return StoreError(
            str(error),
            code="no-store",
            suggestion=Suggestion(("init",), note="or record a first change"),
        )
    return StoreError(str(error))
