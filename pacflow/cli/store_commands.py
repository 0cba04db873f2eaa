"""`pacflow init`, `pacflow info` and `pacflow store verify|log`."""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from pacflow.cli.common import creates_store, json_option, pass_app
from pacflow.cli.context import AppContext
from pacflow.cli.render import echo_fields, echo_json, echo_json_array
from pacflow.errors import IntegrityError

if TYPE_CHECKING:
    from events import RecordedEvent


@click.command()
@json_option
@creates_store
@pass_app
def init(app: AppContext, as_json: bool) -> None:
    """Create the event store (or upgrade its schema); safe to run again.

    \b
    Examples:
      pacflow init
      pacflow --db sqlite:///team-plans.db init
    """
    store = app.store()
    facts = {"store": store.url, "schema": store.schema_version()}
    if as_json:
        echo_json(facts)
    else:
        click.echo(f"Store ready at {facts['store']} (schema {facts['schema']}).")


@click.command()
@json_option
@pass_app
def info(app: AppContext, as_json: bool) -> None:
    """Show the store: URL (password hidden), schema version, events and head position.

    \b
    Examples:
      pacflow info
      pacflow info --json
    """
    store = app.store()
    head = store.head_position()
    facts = {
        "store": store.url,
        "schema": store.schema_version(),
        "events": head,
        "head_position": head,
        "actor": app.actor,
    }
    if as_json:
        echo_json(facts)
    else:
        echo_fields(
            {
                "store": facts["store"],
                "schema": facts["schema"],
                "events": facts["events"],
                "head position": facts["head_position"],
                "you are": facts["actor"],
            }
        )


@click.group()
def store() -> None:
    """Inspect the event log itself: verify its hash chain, list raw events."""


@store.command()
@json_option
@pass_app
def verify(app: AppContext, as_json: bool) -> None:
    """Recompute the hash chain over every event; exit 5 if the log was tampered with.

    \b
    Examples:
      pacflow store verify
      pacflow store verify --json
    """
    event_store = app.store()
    total = event_store.head_position()
    show_bar = not as_json and sys.stderr.isatty() and total > 50_000
    if show_bar:
        with click.progressbar(length=total, label="verifying", file=sys.stderr) as bar:
            done = 0

            def advance(checked: int) -> None:
                nonlocal done
                bar.update(checked - done)
                done = checked

            result = event_store.verify(progress=advance)
    else:
        result = event_store.verify()
    if as_json:
        echo_json(
            {
                "ok": result.ok,
                "events_checked": result.events_checked,
                "first_broken_position": result.first_broken_position,
                "problem": result.problem,
            }
        )
    elif result.ok:
        click.echo(f"ok: {result.events_checked} events, hash chain intact")
    if not result.ok:
        raise IntegrityError(
            f"hash chain broken at position {result.first_broken_position}: {result.problem}"
        )


def _event_json(event: RecordedEvent) -> dict[str, Any]:
    return {
        "position": event.position,
        "stream_id": event.stream_id,
        "stream_version": event.stream_version,
        "event_id": str(event.event_id),
        "type": event.type,
        "schema_version": event.schema_version,
        "recorded_at": event.recorded_at,
        "data": event.data,
        "metadata": event.metadata,
        "hash": event.hash,
    }


def _event_line(event: RecordedEvent) -> str:
    stamp = event.recorded_at.strftime("%Y-%m-%d %H:%M:%SZ")
    actor = event.metadata.get("actor", "-")
    reason = event.metadata.get("reason")
    line = f"{event.position:>8}  {stamp}  {event.stream_id}@{event.stream_version}  {event.type}"
    line += f"  by {actor}"
    return line + (f"  — {reason}" if reason else "")


LAST_POSITION = 2**63 - 1
"""The largest position a store can hold (a signed 64-bit integer, on every backend)."""


def _printable(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.isprintable():
        raise click.BadParameter("holds a control character; no stream is named so")
    return value


@store.command()
@click.option(
    "--stream",
    "stream_id",
    metavar="STREAM",
    callback=_printable,
    help="Only this stream (e.g. a plan).",
)
@click.option(
    "--after",
    type=click.IntRange(min=0, max=LAST_POSITION),
    default=0,
    show_default=True,
    metavar="P",
    help="Only events after global position P.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1, max=LAST_POSITION),
    metavar="N",
    help="Only the newest N events that match, oldest first (default: all).",
)
@json_option
@pass_app
def log(
    app: AppContext, stream_id: str | None, after: int, limit: int | None, as_json: bool
) -> None:
    """List raw events in commit order: position, time (UTC), stream@version, type, actor.

    --limit N shows the newest N (as `plan history --limit` does), still oldest first.

    \b
    Examples:
      pacflow store log --limit 20
      pacflow store log --stream PAC-2025 --json
      pacflow store log --after 1200
    """
    event_store = app.store()

    def selected() -> Iterator[RecordedEvent]:
        if stream_id is None:
            start = after
            if limit is not None:  # positions have no gaps: the newest N start there
                start = max(after, event_store.head_position() - limit)
            yield from event_store.read_all(after_position=start)
            return
        events = (e for e in event_store.read_stream(stream_id) if e.position > after)
        if limit is None:
            yield from events
        else:
            yield from deque(events, maxlen=limit)

    if as_json:
        echo_json_array(_event_json(event) for event in selected())
        return
    empty = True
    for event in selected():
        click.echo(_event_line(event))
        empty = False
    if empty:
        click.echo("no events" + (f" in stream {stream_id}" if stream_id else ""), err=True)


def register(group: click.Group) -> None:
    """Attach these commands to the top-level group."""
    group.add_command(init)
    group.add_command(info)
    group.add_command(store)
