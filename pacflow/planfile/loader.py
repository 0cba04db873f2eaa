"""Reading a plan file: YAML syntax errors and invalid values both name their line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pacflow.domain.commands import describe_validation_error
from pacflow.errors import InvalidInputError
from pacflow.planfile.model import PlanFile

Location = tuple[str | int, ...]


def load_plan_file(path: Path) -> PlanFile:
    """Read and validate a plan file; errors are one line: `FILE:LINE: what is wrong`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"{path}: cannot read it ({error})") from None
    return parse_plan_file(text, str(path))


def parse_plan_file(text: str, name: str = "plan file") -> PlanFile:
    """Validate plan-file text (see load_plan_file)."""
    try:
        data = yaml.safe_load(text)
        lines = _lines(yaml.compose(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise InvalidInputError(f"{where}: YAML syntax error: {error.problem}") from None
    except yaml.YAMLError as error:
        raise InvalidInputError(f"{name}: YAML syntax error: {error}") from None
    if not isinstance(data, dict):
        raise InvalidInputError(f"{name}: expected a mapping with `plan:` at the top")
    try:
        return PlanFile.model_validate(data)
    except ValidationError as error:
        location: Location = tuple(error.errors()[0]["loc"])
        line = _closest_line(lines, location)
        where = f"{name}:{line}" if line else name
        raise InvalidInputError(f"{where}: {describe_validation_error(error)}") from None


def _lines(node: yaml.Node | None, path: Location = ()) -> dict[Location, int]:
    """The line (1-based) where each mapping value or sequence item starts."""
    found: dict[Location, int] = {}
    if node is None:
        return found
    found[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            found.update(_lines(value_node, (*path, str(key_node.value))))
            found[(*path, str(key_node.value))] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found.update(_lines(item, (*path, index)))
    return found


def _closest_line(lines: dict[Location, int], location: Location) -> int | None:
    """The line of the deepest part of `location` the file has (pydantic adds union tags)."""
    parts = [
        part for part in location if isinstance(part, int) or not str(part).startswith("function-")
    ]
    while parts:
        line = lines.get(tuple(parts))
        if line is not None:
            return line
        parts.pop()
    return None


def dump_yaml(data: Any) -> str:
    """YAML as people write it: block style, keys in the given order, unicode kept."""
    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return text
