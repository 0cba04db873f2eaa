"""Output formats for the CLI: aligned text tables and JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import click


def _json_default(value: object) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, UUID | Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(value: object) -> str:
    """Pretty, stable JSON (UTF-8 kept readable)."""
    return json.dumps(value, default=_json_default, ensure_ascii=False, indent=2)


def echo_json(value: object) -> None:
    click.echo(to_json(value))


def echo_json_array(items: Iterable[object]) -> None:
    """Write a JSON array item by item, so a long listing needs no memory."""
    first = True
    click.echo("[", nl=False)
    for item in items:
        text = json.dumps(item, default=_json_default, ensure_ascii=False)
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
