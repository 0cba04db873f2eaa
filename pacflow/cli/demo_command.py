"""`pacflow demo`: the worked example, recorded into a store, then shown by theme."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

from pacflow.cli.common import json_option, pass_app
from pacflow.cli.context import AppContext, data_file
from pacflow.cli.render import echo_json

if TYPE_CHECKING:
    from events import EventStore
    from pacflow.demo import SettableClock
    from pacflow.domain import PlanState


def render_by_theme(state: PlanState, today: date) -> str:
    """The plan by theme, as the `report` command writes it in Markdown."""
    from pacflow.reports import ReportKind, build_report, render

    return render(build_report(state, ReportKind.THEME, today=today), "md")


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[object]:
    if not enabled:
        yield None
        return
    with click.progressbar(length=1, label="recording the year 2025", file=sys.stderr) as bar:
        yield bar


def _local_moment(text: str) -> datetime:
    """`--until` read like every `--as-of` (the demo plan's zone; offsets and `~2` too), as
    the demo's local time its history is dated in."""
    from pacflow.app.moments import parse_moment
    from pacflow.demo import DEMO_TIMEZONE

    zone = ZoneInfo(DEMO_TIMEZONE)
    return parse_moment(text, zone, "--until").astimezone(zone).replace(tzinfo=None)


def _refuse_other_plans(url: str, demo_plan: str) -> None:
    """Refuse to rebuild the demo's own store when it holds any plan but the demo's."""
    from pathlib import Path

    from pacflow.errors import RuleViolationError, Suggestion
    from pacflow.service import PlanService
    from pacflow.storage import open_store

    if not Path(url.removeprefix("sqlite:///")).exists():
        return
    store = open_store(url)
    try:
        others = [key for key in PlanService(store).plan_keys() if key != demo_plan]
    finally:
        store.close()
    if others:
        raise RuleViolationError(
            f"the demo store {url} also holds {', '.join(others)}; it is kept as it is: "
            "record the demo into another store with --db",
            code="demo-store-in-use",
            subject=url,
            suggestion=Suggestion(("--db", "sqlite:///pac-2025-demo.db", "demo")),
        )


@click.command()
@click.option(
    "--until",
    metavar="DATETIME",
    help="Only what was entered before this moment (the plan as it stood then): a date (its "
    "end), a local date-time, or one with an offset, as --as-of takes.",
)
@json_option
@pass_app
def demo(app: AppContext, as_json: bool, until: str | None) -> None:
    """Record the worked example (PAC-2025 of Numéria Services) and its year 2025.

    The plan as validated in January, then every change as it was entered: steps done,
    visits held, moved or cancelled, the March adjustments, the mid-year
    re-actualisation after the BRC merger, and each month's indicator actuals with the
    late correction of I7 for March, and the BRC merger as a market change, each recorded
    at its historical time.

    Without --db (or PACFLOW_DB) it rebuilds its own store, demo.db in your user data
    directory, so it can be run again, unless plans of yours were recorded there (then it
    refuses and deletes nothing: give --db); with --db, it refuses a store that already
    holds PAC-2025.

    \b
    Examples:
      pacflow demo
      pacflow --db sqlite:///demo.db demo
      pacflow --db sqlite:///june.db demo --until 2025-06-30T17:00
      pacflow --db sqlite:///june.db demo --until 2025-06-30T15:00Z
    """
    from pacflow.demo import DEMO_PLAN, build_demo
    from pacflow.storage import open_store

    stop = _local_moment(until) if until is not None else None

    if app.db_url is None:
        demo_file = data_file("demo.db")
        _refuse_other_plans(f"sqlite:///{demo_file}", DEMO_PLAN)
        for suffix in ("", "-wal", "-shm"):
            demo_file.with_name(demo_file.name + suffix).unlink(missing_ok=True)
        app.db_url = f"sqlite:///{demo_file}"
    url = app.db_url

    opened: list[EventStore] = []

    def opener(clock: SettableClock) -> EventStore:
        opened.append(open_store(url, clock=clock))
        return opened[-1]

    show_bar = not as_json and sys.stderr.isatty()
    with _progress_bar(show_bar) as bar:

        def advance(done: int, total: int) -> None:
            if bar is not None:
                bar.length = total  # type: ignore[attr-defined]
                bar.update(1)  # type: ignore[attr-defined]

        try:
            result = build_demo(
                opener, progress=advance, until=None if stop is None else stop.isoformat()
            )
        finally:
            # build_demo leaves the store it opens to whoever handed it the opener: close
            # it, or its PostgreSQL connections stay open as long as the process runs.
            for store in opened:
                store.close()
    if as_json:
        echo_json(
            {
                "plan": DEMO_PLAN,
                "store": url,
                "commands": result.commands,
                "events": result.events,
                "status": str(result.plan.status),
                "revision": result.plan.revision,
            }
        )
        return
    today = app.now().astimezone(ZoneInfo(result.plan.timezone)).date()
    click.echo(render_by_theme(result.plan, today).rstrip())
    db = f"--db {url} "
    click.echo(
        f"\nRecorded {result.events} events ({result.commands} commands) into {url}.\n"
        "Try next:\n"
        f"  pacflow {db}plan show {DEMO_PLAN}\n"
        f"  pacflow {db}store log --stream {DEMO_PLAN} --limit 30\n"
        f"  pacflow {db}export yaml {DEMO_PLAN}\n"
        f"  pacflow {db}report {DEMO_PLAN} --by rep --format html -o pac-2025.html\n"
        f"  pacflow {db}indicator history {DEMO_PLAN} I7 --as-of 2025-05-01\n"
        f"  pacflow {db}dashboard {DEMO_PLAN} --as-of 2025-06-05\n"
        f"  pacflow {db}dashboard {DEMO_PLAN} --as-of 2025-06-05 -o dashboard-2025-05.html\n"
        f"  pacflow {db}check {DEMO_PLAN} --as-of 2025-06-20\n"
        f"  pacflow {db}store verify"
    )
