"""`pacflow plan history|diff|revisions`, and the moment `plan show --as-of` takes.

Moments are transaction time (when a change was recorded), typed in the plan's time zone:
a bare date means the end of that day ("as it stood on 1 June"), except for `--since`,
where it means its start; a date-time without an offset is local; one with an offset or
`Z` is taken as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from pacflow.cli.common import json_option, pass_app, plan_argument
from pacflow.cli.context import AppContext
from pacflow.cli.render import echo_json, echo_json_array
from pacflow.errors import IntegrityError, InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from pacflow.domain import PlanState

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def register(plan: click.Group) -> None:
    """Attach history, diff and revisions to the `plan` group."""
    for command in (history, diff, revisions):
        plan.add_command(command)


# --- moments -----------------------------------------------------------------------------


def parse_moment(text: str, zone: ZoneInfo, option: str, *, day_start: bool = False) -> datetime:
    """The UTC instant `text` names in `zone`; a bare date is the end of that day (its start
    with `day_start`)."""
    value = text.strip()
    try:
        if _DATE.fullmatch(value):
            day = date.fromisoformat(value)
            if day_start:
                return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
            next_day = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
            return next_day.astimezone(UTC) - timedelta(microseconds=1)
        if _DATE_TIME.match(value):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
            return moment.astimezone(UTC)
    except ValueError:
        pass
    raise InvalidInputError(
        f"{option} {text!r}: expected a date (2025-06-01), a local date-time "
        "(2025-06-30T17:00) or one with an offset (2025-06-30T15:00Z)"
    )


@dataclass(frozen=True)
class _Plan:
    """A plan's key, when it was created and its time zone: what reading moments needs."""

    key: str
    created_at: datetime
    zone: ZoneInfo

    def local(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def existing_at(self, text: str, option: str) -> datetime:
        """`text` as a moment at which the plan existed."""
        moment = parse_moment(text, self.zone, option)
        if moment < self.created_at:
            raise NotFoundError(
                f"plan {self.key} did not exist yet on {text} "
                f"(created {self.local(self.created_at)})"
            )
        return moment


def plan_origin(app: AppContext, key: str) -> _Plan:
    """When and in which time zone plan `key` was created (its first event only)."""
    from pacflow.domain import events as ev
    from pacflow.service import decode

    for recorded in app.store().read_stream(key, to_version=1):
        event = decode(recorded)
        if not isinstance(event, ev.PlanCreated):
            raise IntegrityError(f"plan {key}: its log does not start with PlanCreated")
        return _Plan(key, recorded.recorded_at, ZoneInfo(event.timezone))
    raise NotFoundError(f"plan {key}: no such plan (see `pacflow plan list`, or create it)")


def show_as_of(app: AppContext, key: str, text: str, *, as_json: bool) -> None:
    """`plan show --as-of`: the plan as recorded at moment `text`, as text or JSON."""
    from pacflow.cli.plan_commands import render_plan
    from pacflow.views import plan_view

    plan = plan_origin(app, key)
    moment = plan.existing_at(text, "--as-of")
    state = app.service().load(key, until=moment)
    assert state is not None  # the plan existed at `moment`: its first event is in
    if as_json:
        echo_json({"as_of": moment, **plan_view(state)})
        return
    local = moment.astimezone(plan.zone).strftime("%Y-%m-%d %H:%M:%S")
    click.echo(
        f"As recorded at {local} {plan.zone.key}: revision {state.revision} "
        f"({state.status}), {state.version} events"
    )
    click.echo(render_plan(plan_view(state)))


# --- history -----------------------------------------------------------------------------


@click.command()
@plan_argument
@click.option("--since", metavar="DATETIME", help="Changes recorded from then (a date: its start).")
@click.option("--until", metavar="DATETIME", help="Changes recorded until then (a date: its end).")
@click.option("--actor", metavar="PERSON", help="Changes made by that actor only.")
@click.option("--target", metavar="TARGET", help="Changes touching that target only.")
@click.option("--step", metavar="STEP", help="Changes touching that step (or its visits).")
@json_option
@pass_app
def history(
    app: AppContext,
    plan: str,
    since: str | None,
    until: str | None,
    actor: str | None,
    target: str | None,
    step: str | None,
    as_json: bool,
) -> None:
    """Show who changed the plan, when, why, one line per change.

    Times are when changes were recorded, in the plan's time zone; each line ends with the
    revision it belongs to and where it came from (cli, plan-file, calendar).

    \b
    Examples:
      pacflow plan history PAC-2025 --since 2025-03-10 --until 2025-03-11
      pacflow plan history PAC-2025 --step S08 --actor cd
      pacflow plan history PAC-2025 --target T1 --json
    """
    from projections.history import HistoryFilter, PlanHistory

    origin = plan_origin(app, plan)
    start = parse_moment(since, origin.zone, "--since", day_start=True) if since else None
    end = origin.existing_at(until, "--until") if until else None
    if start is not None and end is not None and start > end:
        raise InvalidInputError(f"--since {since} is after --until {until}")
    wanted = HistoryFilter(start, end, actor, target, step)
    folder = PlanHistory()
    entries = [e for e in folder.entries(app.service().history(plan)) if wanted.keeps(e)]
    state = folder.state
    assert state is not None  # the plan exists: `plan_origin` found its first event
    for option, key, known in (("--target", target, state.targets), ("--step", step, state.steps)):
        if key is not None and key not in known:
            raise NotFoundError(f"{option} {key}: no such {option[2:]} in plan {plan}")
    if as_json:
        echo_json_array(entry.as_json(origin.zone) for entry in entries)
    elif not entries:
        click.echo("no change matches")
    else:
        for entry in entries:
            click.echo(entry.line(origin.zone))


# --- diff --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Side:
    """One side of a diff: how the user named it, and the plan then."""

    label: str
    option: str
    moment: datetime | None
    revision: int | None
    state: PlanState

    def as_json(self) -> dict[str, Any]:
        return {"at": self.moment, "revision_asked": self.revision}


def _revision_number(text: str, option: str) -> int:
    if not text.strip().isdigit():
        raise InvalidInputError(f"{option} {text!r}: expected a revision number (1, 2, …)")
    return int(text)


def _side(
    app: AppContext,
    plan: _Plan,
    moment: str | None,
    revision: str | None,
    names: tuple[str, str],
    *,
    required: bool,
) -> _Side:
    from projections.history import revision_state

    if moment is not None and revision is not None:
        raise InvalidInputError(f"give {names[0]} or {names[1]}, not both")
    if moment is not None:
        at = plan.existing_at(moment, names[0])
        state = app.service().load(plan.key, until=at)
        assert state is not None  # the plan existed at `at`
        return _Side(moment, f"{names[0]} {moment}", at, None, state)
    if revision is not None:
        number = _revision_number(revision, names[1])
        state = revision_state(app.service().history(plan.key), number)
        return _Side(f"revision {number}", f"{names[1]} {number}", None, number, state)
    if required:
        raise InvalidInputError(f"give {names[0]} DATETIME or {names[1]} N")
    return _Side("now", "now", None, None, app.service().require(plan.key))


@click.command(name="diff")
@plan_argument
@click.option("--from", "from_", metavar="DATETIME", help="Compare the plan as it was then…")
@click.option("--to", metavar="DATETIME", help="…with the plan as it was then [default: now].")
@click.option("--from-revision", metavar="N", help="Compare revision N as published…")
@click.option("--to-revision", metavar="N", help="…with revision N as published.")
@json_option
@pass_app
def diff(
    app: AppContext,
    plan: str,
    from_: str | None,
    to: str | None,
    from_revision: str | None,
    to_revision: str | None,
    as_json: bool,
) -> None:
    """Show what changed in the plan between two moments or two revisions.

    Targets, objectives, steps added, moved, reassigned, edited or cancelled, visits added,
    removed, moved or cancelled, team and indicator targets; progress (steps done, visits
    held) is not a change to the plan and is left out. A revision is the plan right after
    it was published (an open revision: as it is now).

    \b
    Examples:
      pacflow plan diff PAC-2025 --from 2025-06-01 --to 2025-07-01
      pacflow plan diff PAC-2025 --from-revision 1 --to-revision 2 --json
    """
    from projections.diff import diff as plan_diff

    origin = plan_origin(app, plan)
    before = _side(app, origin, from_, from_revision, ("--from", "--from-revision"), required=True)
    after = _side(app, origin, to, to_revision, ("--to", "--to-revision"), required=False)
    later = (
        before.moment > after.moment
        if before.moment is not None and after.moment is not None
        else before.state.version > after.state.version
    )
    if later:
        raise InvalidInputError(f"{before.option} is after {after.option}")
    changes = plan_diff(before.state, after.state)
    if as_json:
        data = changes.as_json()
        data["from"].update(before.as_json())
        data["to"].update(after.as_json())
        echo_json(data)
        return

    def side(s: _Side) -> str:
        if s.revision is not None:
            return f"{s.label} ({s.state.status})"
        return f"{s.label} (revision {s.state.revision}, {s.state.status})"

    click.echo(f"{plan}: changes from {side(before)} to {side(after)}")
    for line in changes.lines():
        click.echo(line)


# --- revisions ---------------------------------------------------------------------------


@click.command()
@plan_argument
@json_option
@pass_app
def revisions(app: AppContext, plan: str, as_json: bool) -> None:
    """List the plan's revisions: when and by whom each was opened and published, why, and
    which `pacflow check` findings each answered (open just before it was opened, gone once
    it was published; thresholds as they were then).

    Revision 1 is the plan as first drafted, approved and published; each later one was
    opened with `plan revise` and closed with `plan publish`.

    \b
    Examples:
      pacflow plan revisions PAC-2025
      pacflow plan revisions PAC-2025 --json
    """
    from projections.history import revisions as plan_revisions
    from projections.obsolescence import answered_by_revisions

    origin = plan_origin(app, plan)
    records = app.service().records(plan)
    found = plan_revisions(records)
    answered: dict[int, list[Any]] = {}
    for answer in answered_by_revisions(records):
        answered.setdefault(answer.revision, []).append(answer)
    if as_json:
        echo_json(
            [
                {
                    **revision.as_json(),
                    "answered": [a.as_json() for a in answered.get(revision.number, [])],
                }
                for revision in found
            ]
        )
        return

    def when(moment: datetime, actor: str | None, reason: str | None) -> str:
        return f"{origin.local(moment)} by {actor}" + (f" — {reason}" if reason else "")

    for revision in found:
        click.echo(f"revision {revision.number}  {revision.status}")
        click.echo(f"  opened     {when(revision.opened_at, revision.opened_by, revision.reason)}")
        if revision.approved_at is not None:
            approved = when(revision.approved_at, revision.approved_by, revision.approve_reason)
            click.echo(f"  approved   {approved}")
        if revision.published_at is not None:
            published = when(revision.published_at, revision.published_by, revision.publish_reason)
            click.echo(f"  published  {published}")
        noun = "change" if revision.changes == 1 else "changes"
        click.echo(f"  {revision.changes} {noun} while open")
        for answer in answered.get(revision.number, []):
            finding = answer.finding
            click.echo(f"  answered   [{finding.rule} {finding.subject}] {finding.message}")
