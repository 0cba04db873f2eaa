"""Progress bars for long work, on stderr and only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from projections.engine import Progress, ProjectionEngine

SHOW_AFTER = 20_000
"""Catch-ups shorter than this many events finish before a bar would help."""


def say_waiting() -> None:
    """Say on stderr why a command waits: another process is updating the read models."""
    click.echo("waiting for another pacflow process to finish updating the read models…", err=True)


def catch_up_with_progress(
    engine: ProjectionEngine, lag: int, names: Sequence[str] | None = None, rebuild: bool = False
) -> int:
    """Catch up (or rebuild) the projections, with a bar when it is long and interactive,
    and one line saying why the wait when it is long and stderr is not a terminal. `lag`
    is the number of log events the pass reads (every projector takes them in one pass).
    A wait for another process's catch-up is said on stderr, whatever its length."""
    label = "rebuilding read models" if rebuild else "updating read models"

    def run(progress: Progress | None = None) -> int:
        if rebuild:
            return engine.rebuild(names, progress=progress, waiting=say_waiting)
        return engine.catch_up(progress=progress, waiting=say_waiting)

    if lag < SHOW_AFTER:
        return run()
    if not sys.stderr.isatty():
        click.echo(f"{label}: {lag:,} events to read first…", err=True)
        return run()
    with click.progressbar(length=lag, label=f"{label} ({lag:,} events)", file=sys.stderr) as bar:
        shown = 0

        def advance(name: str, position: int, head: int) -> None:
            # Every projector reports the same window: the bar follows the log position
            # reached (from the oldest checkpoint), not the sum of the projectors' reports.
            nonlocal shown
            done = min(lag, max(0, position - (head - lag)))
            if done > shown:
                bar.update(done - shown)
                shown = done

        return run(advance)
