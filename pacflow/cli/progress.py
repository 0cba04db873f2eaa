"""Progress bars for long work, on stderr and only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from projections.engine import ProjectionEngine

SHOW_AFTER = 20_000
"""Catch-ups shorter than this many events finish before a bar would help."""


def catch_up_with_progress(
    engine: ProjectionEngine, lag: int, names: Sequence[str] | None = None, rebuild: bool = False
) -> int:
    """Catch up (or rebuild) the projections, with a bar when it is long and interactive,
    and one line saying why the wait when it is long and stderr is not a terminal."""
    label = "rebuilding read models" if rebuild else "updating read models"
    if lag < SHOW_AFTER:
        return engine.rebuild(names) if rebuild else engine.catch_up()
    if not sys.stderr.isatty():
        click.echo(f"{label}: {lag:,} events to read first…", err=True)
        return engine.rebuild(names) if rebuild else engine.catch_up()
    with click.progressbar(length=lag, label=label, file=sys.stderr) as bar:
        reached: dict[str, int] = {}

        def advance(name: str, position: int, head: int) -> None:
            bar.update(position - reached.get(name, 0))
            reached[name] = position

        if rebuild:
            return engine.rebuild(names, progress=advance)
        return engine.catch_up(progress=advance)
