"""Output formats for the CLI: aligned text tables and JSON."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import click

from pacflow.app.encoding import to_json

__all__ = ["echo_fields", "echo_json", "echo_json_array", "table", "to_json"]


def echo_json(value: object) -> None:
    click.echo(to_json(value))


def echo_json_array(items: Iterable[object]) -> None:
    """Write a JSON array item by item, so a long listing needs no memory."""
    first = True
    click.echo("[", nl=False)
    for item in items:
        text = to_json(item, indent=None)
        click.echo(("\n  " if first else ",\n  ") + text, nl=False)
        first = False
    click.echo("\n]" if not first else "]")


def echo_fields(fields: Mapping[str, object]) -> None:
    """`name:  value` lines, names aligned."""
    width = max(len(name) for name in fields) + 1
    for name, value in fields.items():
        click.echo(f"{name + ':':<{width}} {value}")


def table(rows: Sequence[Sequence[object]], headers: Sequence[str]) -> str:
    """A plain aligned text table."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
