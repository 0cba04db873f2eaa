"""Reading a plan file: YAML syntax errors and invalid values both name their line.

The file is read through `guard` first (size, depth, aliases), then validated by the
models, then checked for values no backend or view could take (`pacflow.domain.storable`);
every error is one line, `FILE:LINE: field: what is wrong`.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pydantic import ValidationError

from pacflow.domain.commands import describe_validation_error
from pacflow.domain.localtime import zone
from pacflow.domain.storable import check_storable
from pacflow.errors import InvalidInputError, PacflowError
from pacflow.planfile.guard import PlanFileLoader, check_shape, read_plan_text
from pacflow.planfile.model import PlanFile
from pacflow.planfile.zones import with_plan_times

Location = tuple[str | int, ...]


class LoadedPlanFile(NamedTuple):
    """A validated plan file, and the line where each key is defined (for later errors)."""

    plan: PlanFile
    key_lines: dict[str, int]

    def locate(self, name: str, error: PacflowError) -> PacflowError:
        """The same error, prefixed `FILE:LINE:` at the first key of the file it names."""
        words = (word.strip(".,:;()'\"") for word in error.message.split())
        line = next((self.key_lines[w] for w in words if w in self.key_lines), None)
        where = f"{name}:{line}" if line else name
        return error.prefixed(where)


def read_plan_file(path: Path) -> LoadedPlanFile:
    """Read and validate a plan file, keeping where its keys are (see load_plan_file)."""
    text = read_plan_text(path)
    return LoadedPlanFile(parse_plan_file(text, str(path)), _key_lines(text))


def _key_lines(text: str) -> dict[str, int]:
    """Line of each `key:` value in the file (the first time a key appears)."""
    found: dict[str, int] = {}
    pending = [yaml.compose(text, Loader=yaml.SafeLoader)]
    while pending:
        node = pending.pop()
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == "key" and isinstance(value_node, yaml.ScalarNode):
                    found.setdefault(str(value_node.value), value_node.start_mark.line + 1)
                pending.append(value_node)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
    return found


def load_plan_file(path: Path) -> PlanFile:
    """Read and validate a plan file; errors are one line: `FILE:LINE: what is wrong`."""
    return parse_plan_file(read_plan_text(path), str(path))


def parse_plan_file(text: str, name: str = "plan file") -> PlanFile:
    """Validate plan-file text (see load_plan_file)."""
    check_shape(text, name)
    try:
        data = yaml.load(text, Loader=PlanFileLoader)
        lines = _lines(yaml.compose(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise InvalidInputError(f"{where}: YAML syntax error: {error.problem}") from None
    except yaml.YAMLError as error:
        raise InvalidInputError(f"{name}: YAML syntax error: {error}") from None
    if not isinstance(data, dict):
        raise InvalidInputError(f"{name}: expected a mapping with `plan:` at the top")
    header = data.get("plan")
    timezone = header.get("timezone") if isinstance(header, dict) else None
    # Local times are read as typed, in the plan's zone (docs/time.md); an unknown zone is
    # left for the header's own check to name.
    context = {"timezone": timezone} if _known_zone(timezone) else None
    if context is not None:
        try:  # times a step gives in a rep's zone (`in:`), as the plan's
            data = with_plan_times(data, str(timezone))
        except InvalidInputError as error:
            line = _closest_line(lines, _location(error.subject or ""))
            raise error.prefixed(f"{name}:{line}" if line else name) from None
    try:
        plan_file = PlanFile.model_validate(data, context=context)
    except ValidationError as error:
        location: Location = tuple(error.errors()[0]["loc"])
        line = _closest_line(lines, location)
        where = f"{name}:{line}" if line else name
        raise InvalidInputError(f"{where}: {describe_validation_error(error)}") from None
    try:
        check_storable(plan_file, "")
    except InvalidInputError as error:
        line = _closest_line(lines, _location(error.subject or ""))
        raise error.prefixed(f"{name}:{line}" if line else name) from None
    return plan_file


def _location(path: str) -> Location:
    """`targets[0].tracks[1].title` as ("targets", 0, "tracks", 1, "title")."""
    parts: list[str | int] = []
    for name in path.replace("[", ".[").split("."):
        if name.startswith("[") and name.endswith("]") and name[1:-1].isdecimal():
            parts.append(int(name[1:-1]))
        elif name:
            parts.append(name)
    return tuple(parts)


def _known_zone(name: object) -> bool:
    try:
        return isinstance(name, str) and zone(name) is not None
    except InvalidInputError:
        return False


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


class _Dumper(yaml.SafeDumper):
    """The safe dumper, writing subclasses of date and datetime (a test clock's) as dates."""


_Dumper.add_multi_representer(datetime, yaml.SafeDumper.represent_datetime)
_Dumper.add_multi_representer(date, yaml.SafeDumper.represent_date)


def dump_yaml(data: Any) -> str:
    """YAML as people write it: block style, keys in the given order, unicode kept."""
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return text
