"""Read queries about a plan itself: now, as of a moment, its history, diffs and revisions.

Each query takes the `App` and what the user typed, resolves moments in the plan's own
time zone (`PlanOrigin`), and returns plain data: an answer object with `as_json()` (the
shape of `--json` and of the JSON API) and the fields a text renderer needs. Option names
in error messages are the CLI's by default; another front end passes its own (`labels`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pacflow.app.moments import PlanOrigin, local_date
from pacflow.errors import IntegrityError, InvalidInputError, NotFoundError, no_such_plan
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    from pacflow.app.root import App
    from pacflow.domain import PlanState
    from projections.driver_rows import DriverRows
    from projections.history import HistoryEntry, Revision
    from projections.obsolescence import Answered


def origin(app: App, plan: str) -> PlanOrigin:
    """When `plan` was first created, and the time zone of its current life (a draft
    dropped and created again is a new plan in the same stream: the state says where its
    life starts). Reads the first event and, from the read models when they are at the
    head of the log (`origin_in`), the zone; else the plan's state (cached, or its latest
    snapshot and the events after it)."""
    with app.current_rows() as rows:
        if rows is not None:
            return origin_in(app, rows, plan)
    state = app.service().load(plan)
    if state is None:
        raise no_such_plan(plan)
    return _origin(app, plan, state.timezone)


def origin_in(app: App, rows: DriverRows, plan: str) -> PlanOrigin:
    """`origin`, the time zone of the plan's current life read from the read models
    (`rows`, caught up): for a read answered from them, no state is loaded and no event
    decoded."""
    from projections.queries import plan_timezone

    timezone = plan_timezone(rows, plan)
    if timezone is None:
        raise no_such_plan(plan)
    return _origin(app, plan, timezone)


def _origin(app: App, plan: str, timezone: str) -> PlanOrigin:
    for recorded in app.store().read_stream(plan, to_version=1):
        if recorded.type != "PlanCreated":
            raise IntegrityError(f"plan {plan}: its log does not start with PlanCreated")
        return PlanOrigin(plan, recorded.recorded_at, ZoneInfo(timezone))
    raise no_such_plan(plan)


def dropped(app: App, plan: str, state: PlanState) -> dict[str, Any] | None:
    """When, by whom and why a dropped plan was dropped (its last event); None if it was
    not."""
    return _dropped(app, plan, state.status, state.version, state.timezone)


def _dropped(
    app: App, plan: str, status: str, version: int, timezone: str
) -> dict[str, Any] | None:
    if status != "dropped":  # a StrEnum or its value: the domain's package stays unimported
        return None
    for recorded in app.store().read_stream(plan, version, version):
        zone = ZoneInfo(timezone)
        return {
            "key": plan,
            "status": "dropped",
            "dropped_at": recorded.recorded_at.astimezone(zone),
            "dropped_by": recorded.metadata.get("actor"),
            "reason": recorded.metadata.get("reason"),
        }
    raise IntegrityError(f"plan {plan}: its last event is missing")


def today(app: App, plan: str) -> date:
    """Today in the plan's time zone, from the injected clock."""
    return origin(app, plan).today(app.now())


def person_today(app: App, plan: str, person: str) -> date:
    """Today in `person`'s own time zone when they are in the plan's team with one, else in
    the plan's (a New York rep's 31 December lasts until 05:00 in Paris)."""
    created = origin(app, plan)  # a one-line error when there is no such plan
    state = app.service().load(plan)
    member = state.people.get(person) if state is not None else None
    if member is None or not member.timezone:
        return created.today(app.now())
    return local_date(app.now(), member.timezone)


def plan_list(app: App) -> list[dict[str, Any]]:
    """Every plan in the store with its status, period and title."""
    from projections.queries import plan_summaries

    with app.read_model_rows() as rows:
        return [plan for plan in plan_summaries(rows) if plan["status"] != "dropped"]


def plan_now(app: App, plan: str) -> dict[str, Any]:
    """The plan as it stands, from the read model (the shape of `pacflow.views.plan_view`),
    with the facts of today (`pacflow.view_facts.with_facts`: done, late, held): the domain's
    models are not needed, nor the plan's state."""
    from pacflow.view_facts import with_facts
    from projections.queries import plan_view_and_grace_days

    with app.read_model_rows() as rows:
        found = plan_view_and_grace_days(rows, plan)
    if found is None:
        raise no_such_plan(plan)
    view, grace_days = found
    # A dropped draft's key is free: left to say are when, who and why (its last event).
    gone = _dropped(app, plan, view["status"], view["version"], view["timezone"])
    if gone is not None:
        return gone
    from pacflow.app.moments import local_date

    return with_facts(view, local_date(app.now(), view["timezone"]), grace_days)


@frozen_record
class PlanAsOf(FrozenValue):
    """The plan exactly as recorded at a moment."""

    origin: PlanOrigin
    moment: datetime
    state: PlanState
    dropped: dict[str, Any] | None = None
    """When, by whom and why, if the plan was a dropped draft at that moment."""

    def view(self) -> dict[str, Any]:
        from pacflow.view_facts import with_facts
        from pacflow.views import plan_view

        if self.dropped is not None:
            return self.dropped
        today = self.origin.today(self.moment)
        return with_facts(plan_view(self.state), today, self.state.checks.overdue_grace_days)

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.moment, **self.view()}


def plan_as_of(app: App, plan: str, text: str, option: str = "--as-of") -> PlanAsOf:
    """The plan as recorded at moment `text` (refused before the plan existed)."""
    found = origin(app, plan)
    moment = found.existing_at(text, option)
    state = app.service().load(plan, until=moment)
    assert state is not None  # the plan existed at `moment`: its first event is in
    return PlanAsOf(found, moment, state, dropped(app, plan, state))


def state_at(app: App, plan: str, as_of: str | None, option: str = "--as-of") -> PlanAsOf:
    """The plan now (latest snapshot and tail) or as recorded at `as_of`."""
    if as_of is not None:
        return plan_as_of(app, plan, as_of, option)
    found = origin(app, plan)
    return PlanAsOf(found, app.now(), app.service().latest(plan))


# --- history -----------------------------------------------------------------------------


@frozen_record
class HistoryAnswer(FrozenValue):
    """The changes that match a history query, oldest first."""

    origin: PlanOrigin
    entries: list[HistoryEntry]

    def as_json(self) -> list[dict[str, Any]]:
        return [entry.as_json(self.origin.zone) for entry in self.entries]

    def lines(self) -> list[str]:
        return [entry.line(self.origin.zone) for entry in self.entries]


def plan_history(
    app: App,
    plan: str,
    *,
    since: str | None = None,
    until: str | None = None,
    actor: str | None = None,
    target: str | None = None,
    step: str | None = None,
    limit: int | None = None,
    labels: Mapping[str, str] | None = None,
) -> HistoryAnswer:
    """Who changed the plan, when and why, filtered by moment, actor, target or step;
    with `limit`, only the newest that many changes (still oldest first).

    The log is streamed and only the entries kept are held; asked about a step, the events
    about other steps are not even read (`projections.step_events` says which are its)."""
    from projections.history import HistoryFilter, PlanHistory

    name = _labels(
        labels,
        since="--since",
        until="--until",
        target="--target",
        step="--step",
        limit="--limit",
    )
    versions: list[int] | None = None
    if step is not None and target is None:
        # One look at the read models (caught up) for both the plan's zone and the
        # versions of the events a view of the step reads (`projections.step_events`).
        from projections.queries import step_event_versions

        with app.read_model_rows() as rows:
            found = origin_in(app, rows, plan)
            versions = step_event_versions(rows, plan, step)
    else:
        found = origin(app, plan)
    start = found.moment(since, name["since"], day_start=True) if since else None
    end = found.existing_at(until, name["until"]) if until else None
    if start is not None and end is not None and start > end:
        raise InvalidInputError(f"{name['since']} {since} is after {name['until']} {until}")
    if limit is not None and limit < 1:
        raise InvalidInputError(f"{name['limit']} {limit}: expected a number of changes (1, 2, …)")
    wanted = HistoryFilter(start, end, actor, target, step)
    folder = PlanHistory()
    service = app.service()
    records = service.stream(plan) if versions is None else service.stream_versions(plan, versions)
    entries = list(folder.entries_of_records(records, wanted, limit=limit, newest=True))
    state = folder.state
    assert state is not None  # the plan exists: `origin` found its first event
    for option, kind, key, known in (
        (name["target"], "target", target, state.targets),
        (name["step"], "step", step, state.steps),
    ):
        # A key removed from a draft is no longer in the plan, but its history is.
        if key is not None and key not in known and not entries:
            raise NotFoundError(f"{option} {key}: no such {kind} in plan {plan}", subject=key)
    return HistoryAnswer(found, entries)


def _labels(given: Mapping[str, str] | None, **defaults: str) -> dict[str, str]:
    return {**defaults, **(given or {})}


# --- diff --------------------------------------------------------------------------------


@frozen_record
class DiffSide(FrozenValue):
    """One side of a diff: how the user named it, and the plan then."""

    label: str
    option: str
    moment: datetime | None
    revision: int | None
    state: PlanState

    def as_json(self) -> dict[str, Any]:
        return {"at": self.moment, "revision_asked": self.revision}

    def title(self) -> str:
        if self.revision is not None:
            return f"{self.label} ({self.state.status})"
        return f"{self.label} (revision {self.state.revision}, {self.state.status})"


@frozen_record
class DiffAnswer(FrozenValue):
    """What changed in the plan between two sides."""

    plan: str
    before: DiffSide
    after: DiffSide
    changes: Any  # projections.diff.PlanDiff

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.changes.as_json()
        data["from"].update(self.before.as_json())
        data["to"].update(self.after.as_json())
        return data

    def lines(self) -> list[str]:
        head = f"{self.plan}: changes from {self.before.title()} to {self.after.title()}"
        return [head, *self.changes.lines()]


def plan_diff(
    app: App,
    plan: str,
    *,
    from_: str | None = None,
    to: str | None = None,
    from_revision: str | None = None,
    to_revision: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> DiffAnswer:
    """The changes between two moments or two published revisions (the second: now)."""
    from projections.diff import diff

    name = _labels(
        labels,
        from_="--from",
        to="--to",
        from_revision="--from-revision",
        to_revision="--to-revision",
    )
    found = origin(app, plan)
    before = _side(
        app, found, from_, from_revision, (name["from_"], name["from_revision"]), required=True
    )
    after = _side(app, found, to, to_revision, (name["to"], name["to_revision"]), required=False)
    later = (
        before.moment > after.moment
        if before.moment is not None and after.moment is not None
        else before.state.version > after.state.version
    )
    if later:
        raise InvalidInputError(f"{before.option} is after {after.option}")
    return DiffAnswer(plan, before, after, diff(before.state, after.state))


def _side(
    app: App,
    plan: PlanOrigin,
    moment: str | None,
    revision: str | None,
    names: tuple[str, str],
    *,
    required: bool,
) -> DiffSide:
    from projections.history import revision_state

    if moment is not None and revision is not None:
        raise InvalidInputError(
            f"give {names[0]} or {names[1]}, not both", code="conflicting-options"
        )
    if moment is not None:
        at = plan.existing_at(moment, names[0])
        state = app.service().load(plan.key, until=at)
        assert state is not None  # the plan existed at `at`
        return DiffSide(moment, f"{names[0]} {moment}", at, None, state)
    if revision is not None:
        if not revision.strip().isdigit():
            raise InvalidInputError(
                f"{names[1]} {revision!r}: expected a revision number (1, 2, …)"
            )
        number = int(revision)
        state = revision_state(app.service().history(plan.key), number)
        return DiffSide(f"revision {number}", f"{names[1]} {number}", None, number, state)
    if required:
        raise InvalidInputError(f"give {names[0]} DATETIME or {names[1]} N", code="missing-option")
    return DiffSide("now", "now", None, None, app.service().latest(plan.key))


# --- revisions ---------------------------------------------------------------------------


@frozen_record
class RevisionsAnswer(FrozenValue):
    """The plan's revisions, and the check findings each one answered."""

    origin: PlanOrigin
    revisions: list[Revision]
    answered: dict[int, list[Answered]] = field(default_factory=dict)

    def answered_by(self, number: int) -> list[Answered]:
        return self.answered.get(number, [])

    def as_json(self) -> list[dict[str, Any]]:
        return [
            {
                **revision.as_json(),
                "answered": [a.as_json() for a in self.answered_by(revision.number)],
            }
            for revision in self.revisions
        ]


def plan_revisions(app: App, plan: str) -> RevisionsAnswer:
    """When and by whom each revision was opened and published, and what it answered."""
    from projections.history import revisions
    from projections.obsolescence import answered_by_revisions

    found = origin(app, plan)
    records = app.service().records(plan)
    answered: dict[int, list[Answered]] = {}
    for answer in answered_by_revisions(records):
        answered.setdefault(answer.revision, []).append(answer)
    return RevisionsAnswer(found, revisions(records), answered)
