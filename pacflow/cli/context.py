"""What every command shares: the application (`pacflow.app.App`) and who is acting.

The CLI adds only what belongs to a terminal: the actor from `--actor`, and a progress bar
while read models catch up on a long log.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from typing import TYPE_CHECKING

import click

from pacflow.app.root import App, data_file, default_db_url
from slotted import MutableRecord, mutable_record

if TYPE_CHECKING:
    from events import Clock, EventStore
    from pacflow.service import PlanService
    from projections.engine import ProjectionEngine

__all__ = ["GLOBAL_LANG", "AppContext", "data_file", "default_db_url", "language"]


def _catch_up(engine: ProjectionEngine, lag: int) -> object:
    from pacflow.cli.progress import catch_up_with_progress

    return catch_up_with_progress(engine, lag)


@mutable_record
class AppContext(MutableRecord):
    """Global options, and the application opened lazily by the first command that needs it."""

    db_url: str | None
    actor: str
    lang: str = "en"
    """The language errors are worded in (`--lang`, PACFLOW_LANG), and documents' default."""
    clock: Clock | None = None
    creates_store: bool = False
    """Whether the command may create the store: only those that record (and `init`) do;
    a read command on a store that does not exist says so and creates nothing."""
    _app: App | None = field(default=None, repr=False)

    @property
    def app(self) -> App:
        if self._app is None:
            self._app = App(
                self.db_url, clock=self.clock, catch_up=_catch_up, create=self.creates_store
            )
        return self._app

    @property
    def url(self) -> str:
        return self.app.url

    def store(self) -> EventStore:
        return self.app.store()

    def read_models(self) -> ProjectionEngine:
        return self.app.read_models()

    def service(self) -> PlanService:
        return self.app.service()

    def now(self) -> datetime:
        return self.app.now()

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


GLOBAL_LANG = "as the global --lang"


def language(ctx: click.Context | None = None) -> str:
    """The language chosen with the global `--lang` (or PACFLOW_LANG): `en` until parsed."""
    ctx = ctx or click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    return str(getattr(root.obj, "lang", "en")) if root is not None else "en"
