"""`pacflow sync`: the plan into each connected person's calendar, and their changes back.

Exit codes: 0 when every calendar synced, 6 (CalendarError) when at least one failed (one
`error: ...` line per failed calendar on stderr; the others still synced), 1 for an
unknown plan or person or when no calendar is connected.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

import click

from pacflow.cli.common import creates_store, json_option, pass_app, plan_argument
from pacflow.cli.context import AppContext
from pacflow.cli.render import echo_json

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

    from integrations.sync import CalendarReport, Progress

SHOW_AFTER = 50
"""Calendars with fewer writes than this finish before a bar would help."""


MAX_TIMEOUT = 3600.0
"""An hour per request: past that a server is not slow, it is gone."""
MAX_RETRIES = 20


def _finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    # FloatRange lets NaN through (every comparison with it is false).
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds")
    return value


@click.command()
@plan_argument
@click.option(
    "--person",
    "people",
    multiple=True,
    metavar="KEY",
    help="Only this person's calendar; repeat for several [every connected calendar].",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Read the calendars and show the writes a sync would make; change nothing.",
)
@json_option
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=MAX_TIMEOUT),
    callback=_finite,
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help=f"How long to wait for the server on each request (at most {MAX_TIMEOUT:.0f}).",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0, max=MAX_RETRIES),
    default=3,
    show_default=True,
    metavar="N",
    help="Retries (with backoff) when the server is down, slow or failing (5xx).",
)
@creates_store
@pass_app
def sync(
    app: AppContext,
    plan: str,
    people: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
    timeout: float,
    retries: int,
) -> None:
    """Sync the plan with each connected person's calendar (CalDAV), both ways.

    Their steps (tasks) and visits (events) go into their calendar: new ones are
    created, changed ones updated, cancelled ones kept as cancelled, and items
    reassigned to someone else move to that person's calendar. Tasks they complete come
    back as steps done, and visits they move or cancel as moved or cancelled
    occurrences, recorded with them as actor and `calendar` as source. The plan owns
    what and when; when both sides changed an item, the plan's version is kept and
    the calendar change is recorded in the plan's history (see docs/calendars.md).

    \b
    Examples:
      pacflow sync PAC-2025
      pacflow sync PAC-2025 --person cd --dry-run
      pacflow sync PAC-2025 --json --timeout 10 --retries 1
    """
    from integrations.sync import SyncOptions
    from pacflow.app.calendars import sync_calendars
    from pacflow.app.words import error_text
    from pacflow.cli.context import language
    from pacflow.errors import CalendarError

    options = SyncOptions(dry_run=dry_run, timeout=timeout, retries=retries)
    with _ProgressBars(enabled=not as_json and sys.stderr.isatty()) as bars:
        report = sync_calendars(
            app.app, plan, people=people, options=options, progress=bars.advance
        )
    if as_json:
        echo_json(report.as_json())
    else:
        for calendar in report.calendars:
            if calendar.ok:
                click.echo(_summary(calendar, dry_run))
            if dry_run:  # the exact writes, so that they can be checked before they happen
                for write in calendar.writes:
                    click.echo(f"  {write.method} {write.href} [{write.precondition}] {write.uid}")
    failed = [
        CalendarError(
            calendar.error or f"calendar of {calendar.person} failed",
            subject=calendar.person,
            suggestion=calendar.suggestion,
        )
        for calendar in report.calendars
        if not calendar.ok
    ]
    for error in failed[:-1]:
        click.echo(f"error: {error_text(error, language())}", err=True)
    if failed:
        raise failed[-1]


def _summary(calendar: CalendarReport, dry_run: bool) -> str:
    counts = [
        (calendar.created, "created"),
        (calendar.updated, "updated"),
        (calendar.cancelled, "cancelled"),
        (calendar.removed, "removed"),
        (calendar.pulled_back, "brought back"),
        (calendar.conflicts, "not taken (see plan history)"),
    ]
    done = ", ".join(f"{count} {label}" for count, label in counts if count) or "nothing to do"
    lead = "would sync" if dry_run else "synced"
    requests = f"{calendar.requests} request{'s' if calendar.requests != 1 else ''}"
    return f"{calendar.person}: {lead} ({done}; {requests})"


class _ProgressBars:
    """A bar per calendar, on a terminal, once a calendar has many writes to make."""

    def __init__(self, *, enabled: bool) -> None:
        self._enabled = enabled
        self._bar: ProgressBar[int] | None = None
        self._person: str | None = None
        self._shown = 0

    def __enter__(self) -> _ProgressBars:
        return self

    def __exit__(self, *exc: object) -> None:
        self._finish()

    @property
    def advance(self) -> Progress:
        def advance(person: str, done: int, total: int) -> None:
            if not self._enabled or total < SHOW_AFTER:
                return
            if person != self._person:
                self._finish()
                self._person = person
                self._bar = click.progressbar(
                    length=total, label=f"calendar of {person}", file=sys.stderr
                )
                self._bar.__enter__()
                self._shown = 0
            assert self._bar is not None
            self._bar.update(done - self._shown)
            self._shown = done

        return advance

    def _finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
            self._person = None
