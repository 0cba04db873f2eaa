"""Building a report from a plan state and a reference day (pure: no clock, no I/O).

"Done", "late", "held" and "overdue" are the domain's facts (`pacflow.domain.facts`), judged
against `today`, which the caller gives: the current day in the plan's time zone (from the
injected clock), or the day of an as-of date.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime

from pacflow.describe import schedule_summary
from pacflow.domain import PlanState
from pacflow.domain.facts import fact_of
from pacflow.domain.localtime import instant, local
from pacflow.domain.progress import visit_state
from pacflow.domain.schedule import Recurrence, SessionList
from pacflow.domain.state import Step, Track
from pacflow.domain.values import OccurrenceStatus, Per, periods_between
from pacflow.reports.model import (
    Assignment,
    FindingView,
    MonthVisits,
    ObjectiveLine,
    PersonInfo,
    PersonSection,
    Progress,
    Reason,
    Report,
    ReportKind,
    Section,
    SectorSection,
    StepLine,
    StepState,
    TargetSection,
    TargetSummary,
    ThemeSection,
    TrackBlock,
    Visit,
    VisitState,
)

THEMES = (
    "information",
    "internal",
    "sales-notoriety",
    "sales-hunting",
    "sales-farming",
    "sales",
    "steering",
)
"""Theme keys in the order the method presents them; a sales theme per approach."""


def theme_of(track: Track) -> str:
    """The theme key of a track: its domain, or `sales-<approach>` for an approached sale."""
    if track.approach is not None:
        return f"{track.domain}-{track.approach}"
    return str(track.domain)


def build_report(
    state: PlanState, kind: ReportKind, *, today: date, as_of: datetime | None = None
) -> Report:
    """The plan grouped as `kind` asks, with late steps and overdue visits as of `today`."""
    builder = _Builder(state, today)
    sections: tuple[Section, ...]
    plan_tracks: tuple[TrackBlock, ...] = ()
    if kind is ReportKind.THEME:
        sections = builder.themes()
    elif kind is ReportKind.REP:
        sections = builder.people()
    elif kind is ReportKind.SECTOR:
        sections = builder.sectors()
        plan_tracks = builder.plan_tracks()
    else:
        sections = tuple(builder.target(key) for key in state.targets)
        plan_tracks = builder.plan_tracks()
    return Report(
        kind=kind,
        plan=state.key,
        title=state.title,
        scope=state.scope,
        start=state.start,
        end=state.end,
        timezone=state.timezone,
        status=str(state.status),
        revision=state.revision,
        today=today,
        as_of=as_of,
        months=tuple(periods_between(state.start, state.end, Per.MONTH)),
        people={key: person.name for key, person in state.people.items()},
        sections=sections,
        plan_tracks=plan_tracks,
        progress=progress_of(builder.line(key) for key in state.steps),
        targets=tuple(builder.summary(key) for key in state.targets),
        findings=finding_views(state),
    )


def finding_views(state: PlanState) -> tuple[FindingView, ...]:
    """Each finding of the plan's diagnostic with the decisions citing it and the live
    targets implementing those decisions."""
    live = [t for t in state.targets.values() if not t.dropped]
    views = []
    for finding in state.findings.values():
        decisions = tuple(
            (d.key, d.statement, tuple(t.key for t in live if d.key in t.decisions))
            for d in state.decisions.values()
            if finding.key in d.findings
        )
        cited = {key for _, _, targets in decisions for key in targets}
        views.append(
            FindingView(
                key=finding.key,
                title=finding.title,
                period=finding.period,
                figures=finding.figures,
                decisions=decisions,
                targets=tuple((t.key, t.title) for t in live if t.key in cited),
            )
        )
    return tuple(views)


def person_section(state: PlanState, person: str, *, today: date) -> PersonSection:
    """One person's section of the report by rep, built alone (a person's page shows no
    one else's: the other sections are not computed)."""
    return _Builder(state, today)._person_section(person)


def progress_of(steps: Iterable[StepLine]) -> Progress:
    """Steps done and late, visits held and overdue, over `steps` (each counted once)."""
    counts = dict.fromkeys(Progress.__dataclass_fields__, 0)
    seen: set[str] = set()
    for step in steps:
        if step.key in seen:
            continue
        seen.add(step.key)
        if step.state is StepState.CANCELLED:
            counts["cancelled"] += 1
        else:
            counts["steps"] += 1
            counts["done"] += step.state is StepState.DONE
            counts["late"] += step.state is StepState.LATE
        for visit in step.visits:
            if visit.state is VisitState.CANCELLED:
                counts["visits_cancelled"] += 1
                continue
            counts["visits"] += 1
            counts["held"] += visit.state is VisitState.HELD
            counts["overdue"] += visit.state is VisitState.OVERDUE
    return Progress(**counts)


def _role(responsible: str | None, participants: tuple[str, ...], key: str) -> str | None:
    if responsible == key:
        return "responsible"
    return "participant" if key in participants else None


class _Builder:
    """Turns the state's entities into report lines, each step line computed once."""

    def __init__(self, state: PlanState, today: date) -> None:
        self._state = state
        self._today = today
        self._lines: dict[str, StepLine] = {}

    # -- steps and tracks ---------------------------------------------------------------

    def line(self, key: str) -> StepLine:
        """The report line of step `key`."""
        if key not in self._lines:
            self._lines[key] = self._step_line(self._state.steps[key])
        return self._lines[key]

    def _step_line(self, step: Step) -> StepLine:
        track = self._state.tracks[step.track]
        visits = tuple(self._visits(step))
        fact = fact_of(self._state, step, self._today)
        return StepLine(
            key=step.key,
            title=step.title,
            track=step.track,
            target=track.target,
            theme=theme_of(track),
            responsible=step.responsible,
            participants=step.participants,
            means=step.means,
            schedule=self._schedule(step),
            start=fact.start,
            end=fact.end,
            status=str(step.status),
            state=fact.state,
            done_on=fact.done_on,
            visits=visits,
            budget=step.budget,
        )

    def _schedule(self, step: Step) -> str:
        """The step's schedule in a few words; its times are the plan's, so they name the
        plan's zone when its responsible person lives in another one."""
        summary = schedule_summary(step.schedule)
        timed = isinstance(step.schedule, SessionList | Recurrence)
        if timed and self._state.own_zone(step.responsible) is not None:
            summary += f" ({self._state.timezone})"
        return summary

    def _visits(self, step: Step) -> list[Visit]:
        visits = []
        days_off = self._state.days_off(step.responsible)
        person = self._state.people.get(step.responsible)
        zone = person.timezone if person is not None and person.timezone else None
        for key in step.occurrences:
            occurrence = self._state.occurrences[key]
            start = occurrence.start
            if zone is not None and zone != occurrence.timezone and not occurrence.all_day:
                # The rep's own day and time (a New York rep's 09:00, not Paris's 15:00).
                start = local(instant(start, occurrence.timezone), zone)
            day = start.date()
            state = visit_state(occurrence.status, day, self._today)
            at = None if occurrence.all_day else f"{start:%H:%M}"
            if at is not None and start is not occurrence.start:
                at += f" {zone}"
            to_hold = state in (VisitState.PLANNED, VisitState.OVERDUE)
            holiday = days_off.holiday(occurrence.start.date()) if to_hold else None
            moved = occurrence.status is OccurrenceStatus.MOVED
            visits.append(
                Visit(
                    key=key,
                    day=day,
                    at=at,
                    state=state,
                    held_by=occurrence.held_by,
                    held_with=occurrence.held_with,
                    holiday=holiday,
                    moved_from=occurrence.scheduled_start.date() if moved else None,
                )
            )
        return sorted(visits, key=lambda visit: (visit.day, visit.at or ""))

    def block(self, track: Track) -> TrackBlock:
        """A track with its step lines."""
        return TrackBlock(
            key=track.key,
            title=track.title,
            target=track.target,
            theme=theme_of(track),
            steps=tuple(self.line(key) for key in track.steps),
        )

    def plan_tracks(self) -> tuple[TrackBlock, ...]:
        """Tracks that belong to no target (the plan's steering)."""
        return tuple(self.block(t) for t in self._state.tracks.values() if t.target is None)

    # -- sections -----------------------------------------------------------------------

    def themes(self) -> tuple[ThemeSection, ...]:
        """One section per theme that has tracks, in the method's order."""
        sections = []
        for theme in THEMES:
            blocks = tuple(
                self.block(track)
                for track in self._state.tracks.values()
                if theme_of(track) == theme
            )
            if blocks:
                steps = [step for block in blocks for step in block.steps]
                sections.append(ThemeSection(key=theme, tracks=blocks, progress=progress_of(steps)))
        return tuple(sections)

    def objectives(self, target: str) -> list[ObjectiveLine]:
        """The objectives of `target`, the main one first."""
        found = [
            ObjectiveLine(
                target=o.target,
                key=o.key,
                statement=o.statement,
                value=o.value,
                unit=o.unit,
                due=o.due,
                baseline=o.baseline,
                indicator=o.indicator,
            )
            for o in self._state.objectives.values()
            if o.target == target
        ]
        return sorted(found, key=lambda o: o.key != "main")

    def target(self, key: str) -> TargetSection:
        """A target with its objectives, tracks and progress."""
        target = self._state.targets[key]
        blocks = tuple(self.block(t) for t in self._state.tracks.values() if t.target == key)
        return TargetSection(
            key=target.key,
            title=target.title,
            kind=str(target.kind),
            responsible=target.responsible,
            ref=target.ref,
            segments=target.segments,
            rationale=target.rationale,
            dropped=target.dropped,
            objectives=tuple(self.objectives(key)),
            tracks=blocks,
            progress=progress_of(step for block in blocks for step in block.steps),
            why=self.why(key),
        )

    def why(self, key: str) -> tuple[Reason, ...]:
        """The decisions target `key` implements, each with the findings it rests on."""
        state = self._state
        reasons = []
        for decision_key in state.targets[key].decisions:
            decision = state.decisions.get(decision_key)
            if decision is None:
                continue
            findings = tuple(
                (f, state.findings[f].title) for f in decision.findings if f in state.findings
            )
            reasons.append(
                Reason(decision=decision.key, statement=decision.statement, findings=findings)
            )
        return tuple(reasons)

    def summary(self, key: str) -> TargetSummary:
        """A target's objectives and progress, for the summary at the top of a report."""
        section = self.target(key)
        return TargetSummary(
            key=section.key,
            title=section.title,
            responsible=section.responsible,
            dropped=section.dropped,
            objectives=section.objectives,
            progress=section.progress,
            why=section.why,
        )

    def person(self, key: str) -> PersonInfo:
        """Who `key` is (a bare key for someone the team does not know)."""
        person = self._state.people.get(key)
        if person is None:
            return PersonInfo(key=key, name=key, kind="", role=None, sector=None, left_on=None)
        return PersonInfo(
            key=person.key,
            name=person.name,
            kind=str(person.kind),
            role=person.role,
            sector=person.sector,
            left_on=person.left_on,
        )

    def people(self) -> tuple[PersonSection, ...]:
        """One section per person with anything to do (or done), in team order."""
        keys = list(self._state.people)
        for step in self._state.steps.values():
            for key in (step.responsible, *step.participants):
                if key not in keys:
                    keys.append(key)
        for occurrence in self._state.occurrences.values():
            if occurrence.held_by is not None:
                for key in (occurrence.held_by, *occurrence.held_with):
                    if key not in keys:
                        keys.append(key)
        sections = []
        for key in keys:
            section = self._person_section(key)
            if section.assignments or section.targets or section.indicators:
                sections.append(section)
        return tuple(sections)

    def _person_section(self, key: str) -> PersonSection:
        assignments = []
        for step in self._state.steps.values():
            role = _role(step.responsible, step.participants, key)
            line = self.line(step.key)
            if not line.visits:
                if role is not None:
                    assignments.append(Assignment(role=role, step=line))
                continue
            # Visits held are credited to who held them then; the rest to who has them now.
            visits = tuple(
                visit
                for visit in line.visits
                if (
                    _role(visit.held_by, visit.held_with, key)
                    if visit.state is VisitState.HELD and visit.held_by is not None
                    else role
                )
                is not None
            )
            if role is None and visits:
                before = _role(visits[0].held_by, visits[0].held_with, key)
                role = f"{before} before"
            if role is not None:
                mine = line if visits == line.visits else dataclasses.replace(line, visits=visits)
                assignments.append(Assignment(role=role, step=mine))
        assignments.sort(key=lambda a: (a.step.start or a.step.end or date.max, a.step.key))
        steps = [a.step for a in assignments]
        return PersonSection(
            person=self.person(key),
            targets=tuple(
                (t.key, t.title) for t in self._state.targets.values() if t.responsible == key
            ),
            indicators=tuple(
                (i.key, i.name) for i in self._state.indicators.values() if i.owner == key
            ),
            assignments=tuple(assignments),
            months=self._months(steps),
            progress=progress_of(steps),
        )

    def _months(self, steps: list[StepLine]) -> tuple[MonthVisits, ...]:
        counts: dict[str, dict[VisitState, int]] = {}
        for step in steps:
            for visit in step.visits:
                month = f"{visit.day:%Y-%m}"
                per_state = counts.setdefault(month, dict.fromkeys(VisitState, 0))
                per_state[visit.state] += 1
        if not counts:
            return ()
        months = periods_between(self._state.start, self._state.end, Per.MONTH)
        return tuple(
            MonthVisits(
                month=month,
                held=counts.get(month, {}).get(VisitState.HELD, 0),
                planned=counts.get(month, {}).get(VisitState.PLANNED, 0),
                overdue=counts.get(month, {}).get(VisitState.OVERDUE, 0),
                cancelled=counts.get(month, {}).get(VisitState.CANCELLED, 0),
            )
            for month in months
        )

    def sectors(self) -> tuple[SectorSection, ...]:
        """Targets grouped by their responsible's sector; sectorless targets come last."""
        order: list[str | None] = []
        for person in self._state.people.values():
            if person.sector is not None and person.sector not in order:
                order.append(person.sector)
        grouped: dict[str | None, list[TargetSection]] = {}
        for key, target in self._state.targets.items():
            sector = self.person(target.responsible).sector
            if sector not in order:
                order.append(sector)
            grouped.setdefault(sector, []).append(self.target(key))
        sections = []
        for sector in sorted(order, key=lambda s: s is None):
            targets = tuple(grouped.get(sector, ()))
            team = tuple(
                self.person(p.key) for p in self._state.people.values() if p.sector == sector
            )
            if sector is None:
                team = ()
            steps = [s for t in targets for b in t.tracks for s in b.steps]
            sections.append(
                SectorSection(key=sector, people=team, targets=targets, progress=progress_of(steps))
            )
        return tuple(s for s in sections if s.targets or s.people)
