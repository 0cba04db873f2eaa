"""`pacflow init`, `pacflow info` and `pacflow store verify|log|checkpoint`."""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pacflow.anchoring import CANNOT_DETECT, KEY_FILE_VARIABLE, KEY_VARIABLE
from pacflow.cli.common import creates_store, json_option, pass_app
from pacflow.cli.context import AppContext
from pacflow.cli.render import echo_fields, echo_json, echo_json_array
from pacflow.errors import IntegrityError, InvalidInputError

if TYPE_CHECKING:
    from events import EventStore, RecordedEvent
    from events.anchors import Checkpoint


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
    """Inspect the event log itself: verify its hash chain and checkpoints, list raw events."""


@store.command()
@click.option(
    "--against",
    "archives",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also check the checkpoints of this export (`store checkpoint export`); repeatable.",
)
@json_option
@pass_app
def verify(app: AppContext, archives: tuple[Path, ...], as_json: bool) -> None:
    """Recompute the hash chain and check the signed checkpoints; exit 5 on tampering.

    With a checkpoint key (PACFLOW_CHECKPOINT_KEY or PACFLOW_CHECKPOINT_KEY_FILE), the log
    is also checked against its signed checkpoints: the newest events deleted, a rewrite
    whose hash chain was recomputed, or an event appended without the key are reported,
    with the positions concerned. Checkpoints deleted together with the events are caught
    with --against an export kept elsewhere.

    \b
    Examples:
      pacflow store verify
      pacflow store verify --json
      PACFLOW_CHECKPOINT_KEY_FILE=~/.pacflow-key pacflow store verify --against anchors.jsonl
    """
    event_store = app.store()
    if archives and event_store.checkpoint_keys is None:
        raise InvalidInputError(
            "--against needs the checkpoint key that signed them: set "
            f"{KEY_VARIABLE} or {KEY_FILE_VARIABLE}",
            subject="--against",
        )
    archived = _archived(archives)
    total = event_store.head_position()
    show_bar = not as_json and sys.stderr.isatty() and total > 50_000
    if show_bar:
        with click.progressbar(length=total, label="verifying", file=sys.stderr) as bar:
            done = 0

            def advance(checked: int) -> None:
                nonlocal done
                bar.update(checked - done)
                done = checked

            result = event_store.verify(progress=advance, archived=archived)
    else:
        result = event_store.verify(archived=archived)
    cannot = [] if result.anchored else list(CANNOT_DETECT)
    if as_json:
        echo_json(
            {
                "ok": result.ok,
                "events_checked": result.events_checked,
                "first_broken_position": result.first_broken_position,
                "problem": result.problem,
                "anchored": result.anchored,
                "checkpoints_checked": result.checkpoints_checked,
                "problems": list(result.problems),
                "unknown_keys": list(result.unknown_keys),
                "cannot_detect": cannot,
            }
        )
    elif result.ok and result.anchored:
        click.echo(
            f"ok: {result.events_checked} events, hash chain intact, "
            f"{result.checkpoints_checked} signed checkpoints agree"
        )
    elif result.ok:
        click.echo(f"ok: {result.events_checked} events, hash chain intact")
    if cannot and result.ok and not as_json:
        click.echo(
            f"note: no checkpoint key ({KEY_VARIABLE} or {KEY_FILE_VARIABLE}): "
            f"{', '.join(cannot[:-1])} or {cannot[-1]} cannot be detected",
            err=True,
        )
    if result.unknown_keys and not as_json:
        click.echo(
            f"note: checkpoints signed with key(s) {', '.join(result.unknown_keys)} were not "
            "checked: add those keys after the current one in the key file",
            err=True,
        )
    if not result.ok:
        if not result.anchored or result.problem is None or not result.problems:
            raise IntegrityError(
                f"hash chain broken at position {result.first_broken_position}: {result.problem}"
            )
        more = len(result.problems) - 1
        raise IntegrityError(
            f"the log does not match its signed checkpoints: {result.problem}"
            + (f" (and {more} more problem(s): see --json)" if more else "")
        )


def _archived(paths: tuple[Path, ...]) -> list[Checkpoint]:
    from events.anchors import read_export

    found: list[Checkpoint] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise InvalidInputError(
                f"--against {path}: cannot read it ({reason})", subject="--against"
            ) from None
        try:
            found += read_export(text, str(path))
        except ValueError as error:
            raise InvalidInputError(f"--against {error}", subject="--against") from None
    return found


@store.group()
def checkpoint() -> None:
    """Signed checkpoints of the log's head: make one now, export them for the archive.

    Checkpoints are signed with the key in PACFLOW_CHECKPOINT_KEY (or the first of the file
    named by PACFLOW_CHECKPOINT_KEY_FILE); every append makes one when a key is set.
    """


def _keys_needed(app: AppContext) -> EventStore:
    event_store = app.store()
    if event_store.checkpoint_keys is None:
        raise InvalidInputError(
            f"no checkpoint key: set {KEY_VARIABLE} or {KEY_FILE_VARIABLE} "
            "(see docs/integrity.md)",
            subject=KEY_VARIABLE,
        )
    return event_store


@checkpoint.command("create")
@json_option
@pass_app
def checkpoint_create(app: AppContext, as_json: bool) -> None:
    """Sign the log's head now (once after configuring a key; appends do it afterwards).

    \b
    Example:
      PACFLOW_CHECKPOINT_KEY_FILE=~/.pacflow-key pacflow store checkpoint create
    """
    made = _keys_needed(app).checkpoint()
    if as_json:
        echo_json(made.as_json())
    else:
        click.echo(
            f"checkpoint of position {made.position} signed "
            f"{made.signed_at:%Y-%m-%d %H:%M:%SZ} with key {made.key_id}"
        )


@checkpoint.command("export")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write to FILE (replaced atomically) instead of stdout.",
)
@pass_app
def checkpoint_export(app: AppContext, output: Path | None) -> None:
    """Every signed checkpoint as JSON lines, for an archive kept outside the database.

    Keep the file somewhere the database's users cannot write (a team archive, another
    machine); `store verify --against FILE` then also catches checkpoints deleted with
    the events they vouched for.

    \b
    Examples:
      pacflow store checkpoint export -o anchors-2026-12.jsonl
      pacflow store checkpoint export > anchors.jsonl
    """
    from events.anchors import export_lines

    lines = "".join(export_lines(app.store().checkpoints()))
    if output is None:
        click.echo(lines, nl=False)
        return
    from pacflow.files import write_atomically

    write_atomically(output, lines, "the checkpoints")
    count = lines.count("\n")
    click.echo(f"{count} checkpoints written to {output}", err=True)


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
