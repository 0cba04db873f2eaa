"""Next year's plan started from this one: what carries over, and from where.

`rollover` writes the commands that create the new plan as a draft and copy into it what
the user picks, each with a reason citing the source plan (`carried over from PAC-2025`),
so the new plan's history says where everything came from; nothing else is copied.

- the team: the people still in the team (always: targets and steps name them);
- `targets`: the live targets (all, or those named), their objectives with due dates moved
  into the new period and, where the objective's indicator has actuals, last year's
  achievement as the new baseline. Not their decisions: the new diagnostic justifies them
  (`check` flags them unexplained until then);
- `tracks`: the tracks of the carried targets, and the plan's steering tracks;
- `steps`: the recurring steps of those tracks (visit series, cadences, series of
  sessions), their dates moved by whole weeks (a second Tuesday stays a Tuesday) or, for
  cadences, by periods; one-off steps are not carried (they were done or given up);
- `indicators`: the indicators serving the carried targets, without their targets (the
  new year's are to be set).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pacflow.errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from pacflow.app.root import App
    from pacflow.domain import Command
    from pacflow.domain.schedule import Schedule
    from pacflow.domain.state import PlanState
    from pacflow.service import Outcome

PARTS = ("targets", "tracks", "steps", "indicators")


@dataclass(frozen=True)
class Shift:
    """How dates move from the old period to the new one."""

    days: int
    months: int

    @property
    def weeks(self) -> timedelta:
        """The whole number of weeks closest to the shift (weekdays stay what they were)."""
        return timedelta(weeks=round(self.days / 7))

    def day(self, value: date) -> date:
        """The same day of the month, `months` later (the month's last day if shorter)."""
        return add_months(value, self.months)

    def period(self, key: str) -> str:
        """A period key (`2025-08`, `2025-Q3`, `2025-W32`) in the new year."""
        year, rest = key.split("-", 1)
        return f"{int(year) + self.months // 12}-{rest}"


def add_months(value: date, months: int) -> date:
    """`value` moved by whole months, its day kept or clamped to the month's last day."""
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(value.day, (following - timedelta(days=1)).day))


def _first_occurrence(dtstart: date | datetime, rule: str, shift: Shift) -> str:
    """The rule's first occurrence from the start of the month `dtstart` moves to: the
    second Tuesday of January stays the second Tuesday of January."""
    from dateutil.rrule import rrulestr  # type: ignore[import-untyped]

    day = dtstart.date() if isinstance(dtstart, datetime) else dtstart
    moved = add_months(day, shift.months).replace(day=1)
    at = datetime.combine(moved, dtstart.time() if isinstance(dtstart, datetime) else time())
    open_ended = ";".join(
        part for part in rule.split(";") if part.split("=")[0].upper() not in ("COUNT", "UNTIL")
    )
    first: datetime | None = next(iter(rrulestr(open_ended, dtstart=at)), None)
    if first is None:  # a rule no month can hold was refused when it was recorded
        raise InvalidInputError(f"RRULE {rule!r} has no occurrence after {at:%Y-%m-%d}")
    return (first if isinstance(dtstart, datetime) else first.date()).isoformat()


def _schedule(schedule: Schedule, shift: Shift) -> dict[str, Any] | None:
    """The schedule moved into the new period, or None for a one-off step."""
    from pacflow.domain.schedule import Cadence, Recurrence, SessionList

    def moved(value: date | datetime) -> str:
        return (value + shift.weeks).isoformat()

    if isinstance(schedule, Recurrence):
        return {
            "kind": "recurrence",
            "rules": [
                {"dtstart": _first_occurrence(r.dtstart, r.rrule, shift), "rrule": r.rrule}
                for r in schedule.rules
            ],
            "duration": schedule.duration,
        }
    if isinstance(schedule, Cadence):
        return {
            "kind": "cadence",
            "count": schedule.count,
            "per": schedule.per,
            "exceptions": {shift.period(k): v for k, v in schedule.exceptions.items()},
            "first": shift.period(schedule.first) if schedule.first else None,
            "last": shift.period(schedule.last) if schedule.last else None,
        }
    if isinstance(schedule, SessionList) and len(schedule.sessions) > 1:
        return {
            "kind": "sessions",
            "sessions": [
                {"start": moved(s.start), "duration": s.duration} for s in schedule.sessions
            ],
        }
    return None


def rollover_commands(
    source: PlanState,
    *,
    key: str,
    start: date,
    end: date,
    title: str,
    parts: Iterable[str],
    targets: Iterable[str] = (),
    achieved: dict[str, Decimal] | None = None,
    actor: str,
) -> list[Command]:
    """The commands creating plan `key` from `source` (see the module docstring)."""
    from pacflow.domain import build_command
    from pacflow.domain import commands as c

    chosen_parts = set(parts)
    unknown = chosen_parts - set(PARTS)
    if unknown:
        raise InvalidInputError(
            f"--carry {', '.join(sorted(unknown))}: expected some of {', '.join(PARTS)}"
        )
    for part, needs in (("tracks", "targets"), ("steps", "tracks"), ("indicators", "targets")):
        if part in chosen_parts and needs not in chosen_parts:
            raise InvalidInputError(f"--carry {part} needs --carry {needs}")
    named = list(targets)
    for target_key in named:
        if target_key not in source.targets or source.targets[target_key].dropped:
            raise NotFoundError(
                f"target {target_key}: no live target of plan {source.key} has this key",
                subject=target_key,
            )
    reason = f"carried over from {source.key}"
    shift = Shift(
        days=(start - source.start).days,
        months=(start.year - source.start.year) * 12 + start.month - source.start.month,
    )
    out: list[Command] = []

    def add(command_type: type[Command], **fields: Any) -> None:
        data = {k: v for k, v in fields.items() if v is not None}
        out.append(
            build_command(command_type, {"plan": key, "actor": actor, "reason": reason, **data})
        )

    add(
        c.CreatePlan,
        title=title,
        start=start,
        end=end,
        timezone=source.timezone,
        owner=source.owner,
        scope=source.scope,
        max_targets_per_rep=source.max_targets_per_rep,
        max_targets_total=source.max_targets_total,
    )
    for person in source.people.values():
        if person.left_on is None or person.left_on >= start:
            add(
                c.AddPerson,
                key=person.key,
                name=person.name,
                kind=person.kind,
                email=person.email,
                role=person.role,
                sector=person.sector,
                timezone=person.timezone,
            )
    if "targets" not in chosen_parts:
        return out
    carried = [
        t for t in source.targets.values() if not t.dropped and (not named or t.key in named)
    ]
    carried_keys = {t.key for t in carried}
    for target in carried:
        add(
            c.AddTarget,
            key=target.key,
            kind=target.kind,
            title=target.title,
            responsible=target.responsible,
            ref=target.ref,
            segments=target.segments,
            rationale=target.rationale,
        )
    tracks = (
        [t for t in source.tracks.values() if t.target is None or t.target in carried_keys]
        if "tracks" in chosen_parts
        else []
    )
    for track in tracks:
        add(
            c.AddTrack,
            key=track.key,
            target=track.target,
            domain=track.domain,
            approach=track.approach,
            title=track.title,
        )
    steps = []
    if "steps" in chosen_parts:
        for track in tracks:
            for step_key in track.steps:
                step = source.steps[step_key]
                schedule = _schedule(step.schedule, shift)
                if schedule is not None and str(step.status) != "cancelled":
                    steps.append((track.key, step, schedule))
    carried_steps = {step.key for _, step, _ in steps}
    carried_tracks = {track.key for track in tracks}
    # Indicators come after the steps: a derived one names the steps it counts.
    indicators = [
        i
        for i in source.indicators.values()
        if "indicators" in chosen_parts and carried_keys & set(i.serves)
    ]
    defined = {i.key for i in indicators}
    for track_key, step, schedule in steps:
        add(
            c.AddStep,
            key=step.key,
            track=track_key,
            title=step.title,
            responsible=step.responsible,
            participants=step.participants,
            schedule=schedule,
            parallel=True,  # its one-off predecessors are not carried
            means=step.means,
            budget=step.budget,
            days=step.days,
            location=step.location,
        )
    for indicator in indicators:
        derived = indicator.derived
        if derived is not None and not (
            set(derived.steps) <= carried_steps
            and (derived.track is None or derived.track in carried_tracks)
            and (derived.target is None or derived.target in carried_keys)
            and (derived.steps or derived.track or derived.target in carried_keys)
        ):
            derived = None  # what it counted is not carried: its values will be typed in
        add(
            c.DefineIndicator,
            key=indicator.key,
            name=indicator.name,
            kind=indicator.kind,
            unit=indicator.unit,
            owner=indicator.owner,
            aggregation=indicator.aggregation,
            direction=indicator.direction,
            per=indicator.per,
            serves=tuple(t for t in indicator.serves if t in carried_keys),
            derived=derived,
        )
    for _track_key, step, _schedule_data in steps:
        kept = tuple(i for i in step.indicators if i in defined)
        if kept:
            add(c.EditStep, step=step.key, indicators=kept)
    for (target_key, objective_key), objective in source.objectives.items():
        if target_key not in carried_keys:
            continue
        measured = objective.indicator if objective.indicator in defined else None
        baseline = (achieved or {}).get(objective.indicator or "", objective.baseline)
        add(
            c.SetObjective,
            target=target_key,
            objective=objective_key,
            statement=objective.statement,
            value=objective.value,
            unit=objective.unit,
            due=min(max(shift.day(objective.due), start), end),
            indicator=measured,
            baseline=baseline,
        )
    return out


def rollover(
    app: App,
    source: str,
    key: str,
    *,
    start: date | None,
    end: date | None,
    title: str | None,
    parts: Iterable[str] = PARTS,
    targets: Iterable[str] = (),
    actor: str,
    dry_run: bool = False,
) -> Outcome:
    """Create plan `key` from plan `source` (nothing written on any error, nor in a dry run)."""
    from pacflow.app.documents import year_review

    service = app.service()
    state = service.require(source)
    if start is None:
        start = add_months(state.start, 12)
    if end is None:
        end = add_months(state.end, 12 * (start.year - state.start.year))
    if title is None:
        old_year, new_year = str(state.start.year), str(start.year)
        title = state.title.replace(old_year, new_year) if old_year in state.title else None
        if title is None:
            raise InvalidInputError(
                f"plan {key}: give --title (the title of {source} names no year to move on)"
            )
    achieved = year_review(app, source).achieved
    commands = rollover_commands(
        state,
        key=key,
        start=start,
        end=end,
        title=title,
        parts=parts,
        targets=targets,
        achieved=achieved,
        actor=actor,
    )
    return service.execute_all(key, commands, dry_run=dry_run)
