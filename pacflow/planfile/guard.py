"""Reading a plan file without trusting it: bounded in size, depth and alias expansion.

A plan file comes from anyone's editor (or anyone's attack). Before the YAML is built:

- the file must be a regular file of at most `MAX_FILE_BYTES` (not `/dev/zero`, not a pipe
  that never ends);
- its nesting is at most `MAX_DEPTH` deep (PyYAML builds nodes recursively: ten thousand
  `[` exhaust Python's stack);
- aliases never refer to the node that holds them (a recursive anchor makes a cycle that
  validation would follow forever) and expand to at most `MAX_ALIAS_VALUES` values (the
  342-byte "billion laughs" expands nine aliases nine times over, 387 million strings).

One pass over PyYAML's event stream (not recursive, no node built) checks all three. Then
`PlanFileLoader` builds the data with dates and times kept as text, so that an impossible
date (`2026-02-30`) is reported by validation with its line, not raised by the loader, and
with whole numbers too long to be meant kept as text too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from pacflow.errors import InvalidInputError
from slotted import MutableRecord, mutable_record

MAX_FILE_BYTES = 8 * 1024 * 1024
"""A plan file of a thousand steps is about 300 KB; 8 MB leaves room for any real plan."""

MAX_DEPTH = 64
"""A plan file nests about eight levels deep (targets, tracks, steps, schedules)."""

MAX_ALIAS_VALUES = 100_000
"""How many values aliases may add to a file, all together."""

_LONGEST_WHOLE_NUMBER = 40
"""Digits of a YAML integer kept as a number; longer ones stay text for validation to refuse
(Python refuses to read an integer of more than 4,300 digits)."""


def read_plan_text(path: Path) -> str:
    """The text of the plan file at `path`, or an InvalidInputError naming it: missing, not
    a regular file, larger than MAX_FILE_BYTES, or not UTF-8."""
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            raise InvalidInputError(
                f"{path}: not a regular file; give the path of a plan file (YAML)"
            )
        if status.st_size > MAX_FILE_BYTES:
            raise InvalidInputError(f"{path}: {_too_large()}")
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file") from None
    except OSError as error:
        raise InvalidInputError(f"{path}: cannot read it ({error.strerror or error})") from None
    if len(data) > MAX_FILE_BYTES:  # it grew while we read it
        raise InvalidInputError(f"{path}: {_too_large()}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            f"{path}: not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None


def _too_large() -> str:
    return f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, more than any plan needs"


@mutable_record
class _Open(MutableRecord):
    """A mapping or sequence being read, with its anchor and how many values it holds."""

    anchor: str | None
    values: int = 1


def check_shape(text: str, name: str) -> None:
    """Refuse YAML nested deeper than MAX_DEPTH, with a recursive alias, or whose aliases
    expand past MAX_ALIAS_VALUES; errors are `NAME:LINE: ...`."""
    open_nodes: list[_Open] = []
    anchored: dict[str, int] = {}
    added = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            if isinstance(event, yaml.CollectionStartEvent):
                if len(open_nodes) >= MAX_DEPTH:
                    raise _refused(
                        name, line, f"nested more than {MAX_DEPTH} levels deep; flatten it"
                    )
                open_nodes.append(_Open(event.anchor))
            elif isinstance(event, yaml.CollectionEndEvent):
                closed = open_nodes.pop()
                if closed.anchor is not None:
                    anchored[closed.anchor] = closed.values
                if open_nodes:
                    open_nodes[-1].values += closed.values
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor is not None:
                    anchored[event.anchor] = 1
                if open_nodes:
                    open_nodes[-1].values += 1
            elif isinstance(event, yaml.AliasEvent):
                if any(node.anchor == event.anchor for node in open_nodes):
                    raise _refused(
                        name, line, f"alias *{event.anchor} refers to a node that holds it"
                    )
                values = anchored.get(str(event.anchor), 1)
                added += values
                if added > MAX_ALIAS_VALUES:
                    raise _refused(
                        name, line, f"aliases expand to more than {MAX_ALIAS_VALUES:,} values"
                    )
                if open_nodes:
                    open_nodes[-1].values += values
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise InvalidInputError(f"{where}: YAML syntax error: {error.problem}") from None
    except yaml.YAMLError as error:
        raise InvalidInputError(f"{name}: YAML syntax error: {error}") from None


def _refused(name: str, line: int | None, problem: str) -> InvalidInputError:
    where = f"{name}:{line}" if line is not None else name
    return InvalidInputError(f"{where}: {problem}", code="plan-file-shape")


class PlanFileLoader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping dates, times and overlong integers as text."""


def _as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _whole_number(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    text = loader.construct_scalar(node)  # type: ignore[arg-type]
    if isinstance(text, str) and len(text) > _LONGEST_WHOLE_NUMBER:
        return text
    return loader.construct_yaml_int(node)  # type: ignore[arg-type]


PlanFileLoader.add_constructor("tag:yaml.org,2002:timestamp", _as_text)
PlanFileLoader.add_constructor("tag:yaml.org,2002:int", _whole_number)
