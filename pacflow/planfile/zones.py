"""Times a plan file gives in someone else's zone (`in:`), read as the CLI's `--in` reads them.

A step (or one of its sessions) may say `in: America/New_York`, or `in: ny` for a person of
the file who has a `timezone:`: its session starts and recurrence DTSTARTs are then local
times of that zone. They are read with the one policy for local times (docs/time.md) in that
zone (a time its clocks skip is refused, a time they repeat needs an offset or `~1`/`~2`)
and converted to the plan's zone before the file is validated, so the plan stores what it
would store had the file been written in its own zone; `export yaml` writes the plan's
times. A recurrence keeps recurring in the plan's zone from its converted DTSTART.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pacflow.domain.localtime import (
    FIRST,
    SECOND,
    instant,
    kind_of,
    local,
    read_typed,
    split_suffix,
    zone,
)
from pacflow.errors import InvalidInputError

_KEY = "in"


def with_plan_times(data: dict[str, Any], plan_zone: str) -> dict[str, Any]:
    """`data` (a parsed plan file) with every `in:` time converted to `plan_zone`, and the
    `in:` keys taken out; an InvalidInputError's subject is the path of the value at fault."""
    people = {
        person.get("key"): person.get("timezone")
        for person in data.get("people") or []
        if isinstance(person, dict)
    }
    converted = dict(data)
    for group in ("targets", "steering"):
        items = data.get(group)
        if not isinstance(items, list):
            continue
        converted[group] = [
            _holder(item, f"{group}[{index}]", plan_zone, people, group == "steering")
            for index, item in enumerate(items)
        ]
    return converted


def _holder(item: Any, path: str, plan_zone: str, people: dict[Any, Any], is_track: bool) -> Any:
    """A target (with tracks) or a steering track, its steps' times converted."""
    if not isinstance(item, dict):
        return item
    if is_track:
        return _track(item, path, plan_zone, people)
    tracks = item.get("tracks")
    if not isinstance(tracks, list):
        return item
    return {
        **item,
        "tracks": [
            _track(track, f"{path}.tracks[{index}]", plan_zone, people)
            for index, track in enumerate(tracks)
        ],
    }


def _track(track: Any, path: str, plan_zone: str, people: dict[Any, Any]) -> Any:
    steps = track.get("steps") if isinstance(track, dict) else None
    if not isinstance(steps, list):
        return track
    return {
        **track,
        "steps": [
            _step(step, f"{path}.steps[{index}]", plan_zone, people)
            for index, step in enumerate(steps)
        ],
    }


def _step(step: Any, path: str, plan_zone: str, people: dict[Any, Any]) -> Any:
    if not isinstance(step, dict):
        return step
    own = _zone_of(step, path, people)
    result = {key: value for key, value in step.items() if key != _KEY}
    sessions = step.get("sessions")
    if isinstance(sessions, list):
        converted = []
        for index, session in enumerate(sessions):
            where = f"{path}.sessions[{index}]"
            typed_in = _zone_of(session, where, people) if isinstance(session, dict) else None
            typed_in = typed_in or own
            if isinstance(session, dict) and typed_in is not None:
                session = {key: value for key, value in session.items() if key != _KEY}
                if "start" in session:
                    start = _convert(session["start"], typed_in, plan_zone, f"{where}.start")
                    session = {**session, "start": start}
            converted.append(session)
        result["sessions"] = converted
    recurrence = step.get("recurrence")
    rules = recurrence.get("rules") if isinstance(recurrence, dict) else None
    if own is not None and isinstance(recurrence, dict) and isinstance(rules, list):
        result["recurrence"] = {
            **recurrence,
            "rules": [
                {
                    **rule,
                    "dtstart": _convert(
                        rule["dtstart"], own, plan_zone, f"{path}.recurrence.rules[{index}].dtstart"
                    ),
                }
                if isinstance(rule, dict) and "dtstart" in rule
                else rule
                for index, rule in enumerate(rules)
            ],
        }
    return result


def _zone_of(holder: dict[str, Any], path: str, people: dict[Any, Any]) -> str | None:
    """The zone `holder`'s `in:` names (an IANA zone, or a person of the file with one)."""
    if _KEY not in holder:
        return None
    name = holder[_KEY]
    where = f"{path}.{_KEY}"
    if isinstance(name, str) and name in people:
        own = people[name]
        if not isinstance(own, str):
            raise InvalidInputError(
                f"{where} {name!r}: that person has no timezone of their own; give them "
                "one, or name an IANA zone such as America/New_York",
                code="unknown-zone",
                subject=where,
            )
        name = own
    if not isinstance(name, str):
        raise InvalidInputError(
            f"{where}: expected an IANA time zone (America/New_York) or a person's key",
            code="unknown-zone",
            subject=where,
        )
    try:
        return zone(name).key
    except InvalidInputError as error:
        raise InvalidInputError(
            f"{where} {name!r}: neither an IANA time zone (such as America/New_York) nor a "
            "person of the file",
            code="unknown-zone",
            subject=where,
        ) from error


def _convert(value: Any, typed_in: str, plan_zone: str, path: str) -> Any:
    """A local date-time typed in `typed_in`, as the plan's local time (text, with `~1`/`~2`
    where the plan's clock shows it twice); dates (all day) and other values unchanged."""
    if not isinstance(value, str) or ("T" not in value and " " not in value.strip()):
        return value
    body, fold = split_suffix(value.strip())
    try:
        typed = datetime.fromisoformat(body)
    except ValueError:
        return value  # the schedule's own check names what is wrong with it
    moment = local(instant(read_typed(typed, fold, typed_in, path), typed_in), plan_zone)
    text = moment.isoformat()
    if kind_of(moment, plan_zone) == "repeated":
        text += SECOND if moment.fold else FIRST
    return text
