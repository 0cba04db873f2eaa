"""Opening the event store for pacflow, and turning store errors into pacflow errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pacflow.errors import ConflictError, IntegrityError, PacflowError, StoreError, Suggestion

if TYPE_CHECKING:
    from events import Clock, EventStore, EventStoreError


def open_store(
    url: str, *, clock: Clock | None = None, migrate: bool = True, create: bool = True
) -> EventStore:
    """Open the store at `url` (creating or upgrading its schema on first use); with
    `create=False`, a store that does not exist yet is a StoreError and nothing is made."""
    from events import EventStore, EventStoreError

    try:
        return EventStore.from_url(url, clock=clock, migrate=migrate, create=create)
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
