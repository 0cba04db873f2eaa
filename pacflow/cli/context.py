"""What every command shares: the store URL, the actor, and the store once opened."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from events import Clock, EventStore
    from pacflow.domain import PlanState
    from pacflow.service import PlanService
    from projections.engine import ProjectionEngine


def data_file(name: str) -> Path:
    """A file in the user's data directory (the directory is created on first use)."""
    import platformdirs

    directory = platformdirs.user_data_path("pacflow", appauthor=False)
    directory.mkdir(parents=True, exist_ok=True)
    return directory / name


def default_db_url() -> str:
    """A SQLite file in the user's data directory (created on first use)."""
    return f"sqlite:///{data_file('pacflow.db')}"


@dataclass
class AppContext:
    """Global options, and the store opened lazily by the first command that needs it."""

    db_url: str | None
    actor: str
    clock: Clock | None = None
    _store: EventStore | None = field(default=None, repr=False)
    _read_models: ProjectionEngine | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        if self.db_url is None:
            self.db_url = default_db_url()
        return self.db_url

    def store(self) -> EventStore:
        if self._store is None:
            from pacflow.storage import open_store

            self._store = open_store(self.url, clock=self.clock)
        return self._store

    def read_models(self) -> ProjectionEngine:
        """The projections, caught up with the log first, so a command reads its own writes.

        Long catch-ups (a first run on a big store) show a progress bar on a terminal.
        """
        if self._read_models is None:
            from pacflow.read_models import read_models

            self._read_models = read_models(self.store())
        from pacflow.cli.progress import catch_up_with_progress

        lag = max((status.lag for status in self._read_models.status()), default=0)
        catch_up_with_progress(self._read_models, lag)  # also creates missing tables
        return self._read_models

    def service(self) -> PlanService:
        from pacflow.service import PlanService

        def as_of(plan: str, until: datetime) -> PlanState | None:
            from projections.snapshots import load_as_of

            return load_as_of(self.store(), self.read_models().database, plan, until)

        return PlanService(self.store(), as_of=as_of)

    def now(self) -> datetime:
        """The current instant, from the injected clock (the system clock by default)."""
        from events import system_clock

        return (self.clock or system_clock)()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
