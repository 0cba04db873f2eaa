"""Lists of what a plan holds, filtered the way people ask ("my visits to report this week").

Each list is plain data (one dict per row, the shape of `--json` and of the API), read from
the plan as it stands now: from the read model's view of the plan, judged by the same facts
as `plan show` (`pacflow.view_facts`), without loading the plan's state; indicators, whose
typed values and derivations the view does not hold, from the state.
Filters are conjunctive; a filter naming a key the plan does not have is an error rather
than an empty list, so a typo never looks like "nothing to do".
Occurrence keys (`S08@2026-01-13`) are what `visit done|move|cancel` take.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date
from typing import TYPE_CHECKING, Any

from pacflow.domain.localtime import SECOND, split_suffix
from pacflow.errors import InvalidInputError, NotFoundError, dropped_plan
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    from pacflow.app.root import App
    from pacflow.domain import PlanState

VISIT_STATUSES = ("planned", "done", "cancelled", "to-report")
"""`to-report`: planned (or moved) and dated today or earlier: held or not, not reported yet."""

STEP_STATUSES = ("planned", "in_progress", "done", "blocked", "cancelled", "open", "late")
"""`open`: neither done nor cancelled; `late`: open and past its end
(`pacflow.domain.progress`: its due date, or its last visit, plus the plan's grace days);
`done` includes a step whose visits were all held."""


@frozen_record
class Listing(FrozenValue):
    """The rows of a list and the plan's date today (what `to-report` and `late` used)."""

    plan: str
    today: date
    rows: list[dict[str, Any]]

    def as_json(self) -> list[dict[str, Any]]:
        return self.rows


def _state(app: App, plan: str) -> tuple[PlanState, date]:
    from pacflow.app.moments import local_date

    state = app.service().latest(plan)
    return state, local_date(app.now(), state.timezone)


def _require(plan: str, kind: str, key: str | None, known: Container[str]) -> None:
    if key is not None and key not in known:
        raise NotFoundError(
            f"{kind} {key}: unknown {kind} in plan {plan}", subject=key, code="not-found"
        )


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"{option} {text!r}: expected a date such as 2026-05-04", subject=option
        ) from None


def _view(app: App, plan: str) -> tuple[dict[str, Any], date]:
    """The plan as it stands, from the read model with the facts of today (`plan_now`), and
    that day: what the step and visit lists read, without loading the plan's state."""
    from pacflow.app.plans import plan_now

    view = plan_now(app, plan)
    if "dropped_at" in view:
        raise dropped_plan(plan)
    return view, date.fromisoformat(view["today"])


def _require_in(view: dict[str, Any], kind: str, key: str | None, entities: str) -> None:
    _require(view["key"], kind, key, {entity["key"] for entity in _all(view, entities)})


def _all(view: dict[str, Any], entities: str) -> list[dict[str, Any]]:
    if entities == "steps":
        return [step for track in view["tracks"] for step in track["steps"]]
    found: list[dict[str, Any]] = view[entities]
    return found


def _involves_in(step: dict[str, Any], person: str | None) -> bool:
    return person is None or step["responsible"] == person or person in step["participants"]


def _minutes(start: str) -> str:
    """A visit's local start to the minute, `~2` kept (the view has it to the second)."""
    body, fold = split_suffix(start)
    return body[:16] + (SECOND if fold else "")


def visit_list(
    app: App,
    plan: str,
    *,
    person: str | None = None,
    step: str | None = None,
    first: str | None = None,
    last: str | None = None,
    status: str | None = None,
) -> Listing:
    """Occurrences of visit series and session lists, by date: for a person (responsible
    or participant), a step, a date range (local dates, inclusive) and a status."""
    view, today = _view(app, plan)
    _require_in(view, "person", person, "people")
    _require_in(view, "step", step, "steps")
    if status is not None and status not in VISIT_STATUSES:
        raise InvalidInputError(
            f"--status {status!r}: expected one of {', '.join(VISIT_STATUSES)}", subject="status"
        )
    start, end = _day(first, "--from"), _day(last, "--to")
    found = [
        (occurrence, owner, track["key"])
        for track in view["tracks"]
        for owner in track["steps"]
        for occurrence in owner["occurrences"]
    ]
    # By local start (a repeated time's second pass as its first: by key then), then key.
    found.sort(key=lambda item: (item[0]["start"][:19], item[0]["key"]))
    rows: list[dict[str, Any]] = []
    for occurrence, owner, track_key in found:
        day = date.fromisoformat(occurrence["start"][:10])
        wanted = (
            (step is None or owner["key"] == step)
            and _involves_in(owner, person)
            and (start is None or day >= start)
            and (end is None or day <= end)
        )
        if not wanted:
            continue
        current = occurrence["status"]
        if status == "to-report":
            if current not in ("planned", "moved") or day > today:
                continue
        elif status is not None and current != status:
            continue
        rows.append(
            {
                "key": occurrence["key"],
                "step": owner["key"],
                "title": owner["title"],
                "track": track_key,
                "responsible": owner["responsible"],
                "participants": list(owner["participants"]),
                "start": _minutes(occurrence["start"]),
                "all_day": occurrence["all_day"],
                "status": current,
                "done_on": occurrence["done_on"],
                "location": owner["location"],
            }
        )
    return Listing(view["key"], today, rows)


def step_list(
    app: App,
    plan: str,
    *,
    person: str | None = None,
    track: str | None = None,
    target: str | None = None,
    status: str | None = None,
) -> Listing:
    """Steps in track order: for a person (responsible or participant), a track, a target
    and a status (or `open`, or `late`)."""
    from pacflow.schedule_text import schedule_text

    view, today = _view(app, plan)
    _require_in(view, "person", person, "people")
    _require_in(view, "track", track, "tracks")
    _require_in(view, "target", target, "targets")
    if status is not None and status not in STEP_STATUSES:
        raise InvalidInputError(
            f"--status {status!r}: expected one of {', '.join(STEP_STATUSES)}", subject="status"
        )
    rows: list[dict[str, Any]] = []
    for owner in view["tracks"]:
        if (track is not None and owner["key"] != track) or (
            target is not None and owner["target"] != target
        ):
            continue
        for item in owner["steps"]:
            fact = item["state"]  # done and late as every view says them (`with_facts`)
            current = "done" if fact == "done" else item["status"]
            is_open = fact not in ("done", "cancelled")
            schedule = item["schedule"]
            late = fact == "late"
            if not _involves_in(item, person):
                continue
            if status == "open" and not is_open:
                continue
            if status == "late" and not late:
                continue
            if status not in (None, "open", "late") and current != status:
                continue
            occurrences = item["occurrences"]
            rows.append(
                {
                    "key": item["key"],
                    "track": owner["key"],
                    "target": owner["target"],
                    "title": item["title"],
                    "status": current,
                    "late": late,
                    "responsible": item["responsible"],
                    "participants": list(item["participants"]),
                    "schedule": schedule_text(schedule),
                    "due": schedule["due"] if schedule["kind"] == "due" else None,
                    "predecessor": item["predecessor"],
                    "parallel": item["parallel"],
                    "indicators": list(item["indicators"]),
                    "occurrences": len(occurrences),
                    "occurrences_done": sum(1 for o in occurrences if o["status"] == "done"),
                    "done_on": item["done_on"] if fact == "done" else None,
                }
            )
    return Listing(view["key"], today, rows)


def person_list(app: App, plan: str, *, kind: str | None = None) -> Listing:
    """The team, in the order people joined, with the steps each is responsible for."""
    view, today = _view(app, plan)
    open_steps: dict[str, int] = {}
    for item in _all(view, "steps"):
        if item["status"] not in ("done", "cancelled"):
            open_steps[item["responsible"]] = open_steps.get(item["responsible"], 0) + 1
    rows = [
        {**person, "open_steps": open_steps.get(person["key"], 0)}
        for person in view["people"]
        if kind is None or person["kind"] == kind
    ]
    return Listing(view["key"], today, rows)


def target_list(app: App, plan: str, *, person: str | None = None) -> Listing:
    """The targets (cibles), their main objective and their tracks."""
    view, today = _view(app, plan)
    _require_in(view, "person", person, "people")
    rows = []
    for t in view["targets"]:
        if person is not None and t["responsible"] != person:
            continue
        main = next((o for o in t["objectives"] if o["key"] == "main"), None)
        rows.append(
            {
                "key": t["key"],
                "kind": t["kind"],
                "title": t["title"],
                "responsible": t["responsible"],
                "dropped": t["dropped"],
                "objective": (
                    {"value": main["value"], "unit": main["unit"], "due": main["due"]}
                    if main is not None
                    else None
                ),
                "tracks": [track["key"] for track in view["tracks"] if track["target"] == t["key"]],
            }
        )
    return Listing(view["key"], today, rows)


def indicator_list(app: App, plan: str, *, person: str | None = None) -> Listing:
    """The indicators, how they are fed (typed in, or derived from events), and the last
    period with a typed value."""
    state, today = _state(app, plan)
    _require(state.key, "person", person, state.people)
    rows = []
    for i in state.indicators.values():
        if person is not None and i.owner != person:
            continue
        linked = [s.key for s in state.steps.values() if i.key in s.indicators]
        rows.append(
            {
                "key": i.key,
                "name": i.name,
                "kind": str(i.kind),
                "unit": i.unit,
                "per": str(i.per),
                "aggregation": str(i.aggregation),
                "direction": str(i.direction),
                "owner": i.owner,
                "serves": list(i.serves),
                "fed_by": i.derived.describe() if i.derived is not None else "typed",
                "steps": linked,
                "last_recorded": max(i.actuals) if i.actuals else None,
            }
        )
    return Listing(state.key, today, rows)
