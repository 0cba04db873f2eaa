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

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pacflow.describe import schedule_summary
from pacflow.errors import InvalidInputError, NotFoundError
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    from pacflow.app.root import App
    from pacflow.domain import Command
    from pacflow.domain.schedule import Schedule
    from pacflow.domain.state import PlanState
    from pacflow.service import Outcome

PARTS = ("targets", "tracks", "steps", "indicators")


@frozen_record
class Shift(FrozenValue):
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


@frozen_record
class Carried(FrozenValue):
    """The commands creating the new plan, and what the user should know about them."""

    commands: list[Command]
    notes: list[str]


def year_words(source: PlanState, start: date) -> dict[str, str]:
    """Each year of `source`'s period, and the year it becomes in a plan starting `start`."""
    delta = start.year - source.start.year
    return {str(y): str(y + delta) for y in range(source.start.year, source.end.year + 1)}


def _years_in(text: str, years: Mapping[str, str]) -> list[str]:
    return [year for year in years if re.search(rf"(?<!\d){year}(?!\d)", text)]


def _rename(text: str, years: Mapping[str, str]) -> str:
    """`text` with each old year written as the new one (`PAC 2025` → `PAC 2026`)."""
    if not years:
        return text
    pattern = "|".join(re.escape(year) for year in years)
    return re.sub(rf"(?<!\d)(?:{pattern})(?!\d)", lambda m: years[m.group(0)], text)


def _rationale(rationale: str | None, lesson: str | None) -> str | None:
    """The target's rationale without an earlier year's lessons, then this year's."""
    from pacflow.reports.review import LESSON_HEADS

    kept = [
        paragraph
        for paragraph in (rationale or "").split("\n\n")
        if paragraph.strip() and not paragraph.startswith(LESSON_HEADS)
    ]
    if lesson:
        kept.append(lesson)
    return "\n\n".join(kept) or None


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
    lessons: Mapping[str, str] | None = None,
    first: PlanState | None = None,
    rename_years: bool = False,
    actor: str,
) -> Carried:
    """The commands creating plan `key` from `source` (see the module docstring).

    `lessons` is a note per target, added to its rationale; `first` is `source` as first
    published: a recurring step whose schedule changed since carries the schedule of then
    (the rule in force when the year started), and says so. Objective statements and
    indicator names naming the old year get the new one with `rename_years`; without it, a
    note lists them."""
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
    years = year_words(source, start)
    notes: list[str] = []
    mentions: list[str] = []

    def text(value: str, where: str) -> str:
        found = _years_in(value, years)
        if not found:
            return value
        if rename_years:
            return _rename(value, years)
        mentions.append(f"{where} ({', '.join(found)})")
        return value

    shift = Shift(
        days=(start - source.start).days,
        months=(start.year - source.start.year) * 12 + start.month - source.start.month,
    )
    out: list[Command] = []

    def add(command_type: type[Command], *, why: str = reason, **fields: Any) -> None:
        data = {k: v for k, v in fields.items() if v is not None}
        out.append(
            build_command(command_type, {"plan": key, "actor": actor, "reason": why, **data})
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
        return Carried(out, notes)
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
            rationale=_rationale(target.rationale, (lessons or {}).get(target.key)),
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
    at_start: set[str] = set()
    if "steps" in chosen_parts:
        for track in tracks:
            for step_key in track.steps:
                step = source.steps[step_key]
                then = first.steps.get(step_key) if first is not None else None
                in_force = step.schedule
                if then is not None and then.schedule != step.schedule:
                    in_force = then.schedule
                schedule = _schedule(in_force, shift)
                if schedule is not None and str(step.status) != "cancelled":
                    steps.append((track.key, step, schedule))
                    if in_force is not step.schedule:
                        at_start.add(step.key)
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
            why=(
                f"{reason}, with the schedule in force when its year started"
                if step.key in at_start
                else reason
            ),
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
        if step.key in at_start:
            added = out[-1]
            assert isinstance(added, c.AddStep)
            carried_schedule = added.schedule
            notes.append(
                f"step {step.key}: its schedule changed during {source.key} (`plan history "
                f"{source.key} --step {step.key}` says when and why); the one in force when "
                f"the year started is carried: {schedule_summary(carried_schedule)}"
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
            name=text(indicator.name, f"indicator {indicator.key} name"),
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
            statement=text(
                objective.statement, f"objective {objective_key} of {target_key} statement"
            ),
            value=objective.value,
            unit=objective.unit,
            due=min(max(shift.day(objective.due), start), end),
            indicator=measured,
            baseline=baseline,
        )
    if mentions:
        renamed = ", ".join(f"{old} → {new}" for old, new in years.items())
        notes.append(
            f"the year of {source.key} is named in {'; '.join(mentions)}: --rename-year "
            f"writes {renamed} there"
        )
    return Carried(out, notes)


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
    rename_years: bool = False,
    lang: str = "en",
    actor: str,
    dry_run: bool = False,
) -> Outcome:
    """Create plan `key` from plan `source` (nothing written on any error, nor in a dry run).

    Each carried target's rationale ends with what the year taught (`lang` words): its
    objective against what was achieved, steps and visits, from the year-end review."""
    from pacflow.app.documents import first_published, year_review
    from pacflow.reports.review import lesson_note

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
    review = year_review(app, source)
    lessons = {target.key: lesson_note(target, source, lang) for target in review.targets}
    first = first_published(event for _recorded, event in service.history(source))
    carried = rollover_commands(
        state,
        key=key,
        start=start,
        end=end,
        title=title,
        parts=parts,
        targets=targets,
        achieved=review.achieved,
        lessons=lessons,
        first=first,
        rename_years=rename_years,
        actor=actor,
    )
    outcome = service.execute_all(key, carried.commands, dry_run=dry_run)
    outcome.warnings.extend(carried.notes)
    return outcome
