"""The plan for each audience: the same report, a different selection.

Fiche 07 asks the PAC to be "communicated to the sales team, but also to everyone in
contact with customers (back office, after-sales…)", then: "gather in one summary document
the marketing and communication actions, to work with the marketing team", "present the
PAC to the engineers and technicians to motivate them", "plan the appointments to take
with customers". Each audience is one of the report's presentations (by person, by target,
by theme) with only what concerns it kept; every renderer (Markdown, HTML, JSON) writes it
as it writes any report, and each keeps the summary of targets with why each is one. The
documents presenting the PAC to the sales team and to the engineers also draw the
diagnostic's schemas, as the method asks; the others leave them out.

- `sales`: one section per rep and manager, everything they answer for or take part in;
- `back-office`: one section per back-office member (everyone else in contact with
  customers), the same way;
- `engineers`: by target, with its objectives and why it is one, and of its action plan
  only the steps that ask something of the back office and technical staff;
- `marketing`: the notoriety and information-gathering tracks (trade fairs, events,
  references, publications, surveys), with means, budgets and dates;
- `appointments`: per rep, only the targets' steps made of visits or sessions, with the
  visits per month (held, to hold, overdue), and the list of visits still to hold, each
  with its customer (its target) and where it stands: booked (it has a time, set by the
  plan or by the rep moving it, in their calendar or with `visit move`), to book (a
  cadence slot: a day pacflow chose, no time yet) or overdue.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from datetime import date, datetime

from pacflow.domain.state import PlanState
from pacflow.domain.values import PersonKind
from pacflow.errors import InvalidInputError
from pacflow.reports.build import build_report, progress_of
from pacflow.reports.model import (
    Appointment,
    PersonSection,
    Report,
    ReportKind,
    Section,
    StepLine,
    TargetSection,
    ThemeSection,
    TrackBlock,
    VisitState,
)


class Audience(enum.StrEnum):
    """Who a report is made for."""

    SALES = "sales"
    BACK_OFFICE = "back-office"
    ENGINEERS = "engineers"
    MARKETING = "marketing"
    APPOINTMENTS = "appointments"


AUDIENCES = tuple(audience.value for audience in Audience)

_KIND = {
    Audience.SALES: ReportKind.REP,
    Audience.BACK_OFFICE: ReportKind.REP,
    Audience.ENGINEERS: ReportKind.TARGET,
    Audience.MARKETING: ReportKind.THEME,
    Audience.APPOINTMENTS: ReportKind.REP,
}
_MARKETING_THEMES = ("sales-notoriety", "information")
_SALES_PEOPLE = (PersonKind.REP, PersonKind.MANAGER)
_EXPLAINED = (Audience.SALES, Audience.ENGINEERS)
"""The audiences the plan is presented to "with the schemas of the tools" (the HTML page
draws the diagnostic for them)."""


def parse_audience(text: str) -> Audience:
    """An audience from what a user typed (`back_office` and `backoffice` too)."""
    value = text.strip().lower().replace("_", "-")
    value = "back-office" if value == "backoffice" else value
    try:
        return Audience(value)
    except ValueError:
        raise InvalidInputError(
            f"audience {text!r}: expected one of {', '.join(AUDIENCES)}"
        ) from None


def kind_for(audience: Audience) -> ReportKind:
    """How the plan is presented to `audience`."""
    return _KIND[audience]


def audience_report(
    state: PlanState, audience: Audience, *, today: date, as_of: datetime | None = None
) -> Report:
    """The report made for `audience` (see the module docstring)."""
    report = build_report(state, _KIND[audience], today=today, as_of=as_of)
    staff = {key for key, person in state.people.items() if person.kind is PersonKind.BACK_OFFICE}
    sections: tuple[Section, ...]
    plan_tracks = report.plan_tracks
    if audience is Audience.SALES or audience is Audience.BACK_OFFICE:
        wanted = _SALES_PEOPLE if audience is Audience.SALES else (PersonKind.BACK_OFFICE,)
        kinds = {str(kind) for kind in wanted}
        sections = tuple(
            s for s in report.sections if isinstance(s, PersonSection) and s.person.kind in kinds
        )
    elif audience is Audience.ENGINEERS:

        def asks_staff(step: StepLine) -> bool:
            return step.responsible in staff or any(p in staff for p in step.participants)

        sections = tuple(
            _target_with(s, asks_staff) for s in report.sections if isinstance(s, TargetSection)
        )
        plan_tracks = _blocks_with(plan_tracks, asks_staff)
    elif audience is Audience.MARKETING:
        sections = tuple(
            s for s in report.sections if isinstance(s, ThemeSection) and s.key in _MARKETING_THEMES
        )
    else:
        reps = {str(kind) for kind in _SALES_PEOPLE}
        customers = {target.key: target.title for target in report.targets}
        sections = tuple(
            section
            for section in (
                _visits_only(s, customers)
                for s in report.sections
                if isinstance(s, PersonSection) and s.person.kind in reps
            )
            if section.assignments
        )
    selected = dataclasses.replace(
        report,
        sections=sections,
        plan_tracks=plan_tracks,
        audience=audience.value,
        findings=report.findings if audience in _EXPLAINED else (),
    )
    return dataclasses.replace(selected, progress=progress_of(selected.steps()))


def _blocks_with(
    blocks: tuple[TrackBlock, ...], keep: Callable[[StepLine], bool]
) -> tuple[TrackBlock, ...]:
    kept = []
    for block in blocks:
        steps = tuple(step for step in block.steps if keep(step))
        if steps:
            kept.append(dataclasses.replace(block, steps=steps))
    return tuple(kept)


def _target_with(section: TargetSection, keep: Callable[[StepLine], bool]) -> TargetSection:
    tracks = _blocks_with(section.tracks, keep)
    steps = [step for block in tracks for step in block.steps]
    return dataclasses.replace(section, tracks=tracks, progress=progress_of(steps))


def _visits_only(section: PersonSection, customers: dict[str, str]) -> PersonSection:
    # Customer appointments: visits and sessions of the targets' tracks (a steering
    # meeting is no appointment with a customer).
    assignments = tuple(
        a for a in section.assignments if a.step.visits and a.step.target is not None
    )
    to_hold = (VisitState.PLANNED, VisitState.OVERDUE)
    appointments = sorted(
        (
            Appointment(
                visit=visit,
                step=a.step.key,
                title=a.step.title,
                target=a.step.target or "",
                customer=customers.get(a.step.target or "", ""),
                role=a.role,
            )
            for a in assignments
            for visit in a.step.visits
            if visit.state in to_hold
        ),
        key=lambda appointment: (
            appointment.visit.day,
            appointment.visit.at or "",
            appointment.step,
        ),
    )
    return dataclasses.replace(
        section,
        assignments=assignments,
        progress=progress_of(a.step for a in assignments),
        appointments=tuple(appointments),
    )
