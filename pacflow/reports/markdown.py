"""Reports as Markdown: headings, readable pipe tables, a month-by-month text timeline.

The document title is a setext heading (underlined with `=`), so the first line of the
output is the plain title, as the terminal shows it after `pacflow demo`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pacflow.reports.labels import Labels
from pacflow.reports.model import (
    Appointment,
    ObjectiveLine,
    PersonSection,
    Progress,
    Report,
    ReportKind,
    SectorSection,
    StepLine,
    StepState,
    TargetSection,
    ThemeSection,
    TrackBlock,
    VisitState,
)
from pacflow.reports.text import (
    GLYPHS,
    LEGEND_STATES,
    booking_counts,
    booking_text,
    budget_total,
    means_text,
    money,
    month_marks,
    number,
    objective_text,
    report_heading,
    team_text,
)

_SPECIAL = re.compile(r"([\\`*_\[\]<|])")
_LEADING = re.compile(r"^(?:[#>+=-]|\d+[.)])")


def md_escape(text: str) -> str:
    """Text safe in Markdown prose and table cells: no markup, no broken table, and no
    block syntax (heading, quote, list) at the start of a line."""
    escaped = _SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _LEADING.sub(lambda match: f"{match[0][:-1]}\\{match[0][-1]}", escaped)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A pipe table, columns padded so that it reads well as plain text too."""
    cells = [list(headers), *[list(row) for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    return [line(cells[0]), line(["-" * w for w in widths]), *[line(r) for r in cells[1:]]]


def render_markdown(report: Report, labels: Labels) -> str:
    """The whole report as one Markdown document."""
    writer = _Writer(report, labels)
    return writer.document()


class _Writer:
    def __init__(self, report: Report, labels: Labels) -> None:
        self.report = report
        self.t = labels
        self.lines: list[str] = []

    def document(self) -> str:
        """The report as Markdown: title, facts, progress, sections, then the timeline."""
        report, t = self.report, self.t
        title = md_escape(report_heading(report, t))
        self.lines += [title, "=" * len(title), ""]
        self.lines += [md_escape(" · ".join(self._facts())), ""]
        if report.people:
            self.lines += [f"{t['team'].capitalize()}: {md_escape(team_text(report))}", ""]
        self.lines += [f"**{t['progress']}**: {md_escape(self._progress(report.progress))}", ""]
        if report.audience == "marketing":
            self._budgets()
        self._why()
        if not report.steps():
            self.lines += [t["nothing"], ""]
        for section in report.sections:
            if isinstance(section, ThemeSection):
                self._theme(section)
            elif isinstance(section, PersonSection):
                self._person(section)
            elif isinstance(section, SectorSection):
                self._sector(section)
            else:
                self._target(section, level=2)
        if report.plan_tracks:
            self.lines += [f"## {t['whole_plan']}", ""]
            for block in report.plan_tracks:
                self._track(block, level=3)
        if report.steps():
            self._timeline(report.steps(), t["timeline"], level=2)
        return "\n".join(self.lines).rstrip() + "\n"

    def _why(self) -> None:
        """Each target and the decisions it implements (with their findings), once the plan
        records its diagnostic: anyone can trace a step back to its target's findings."""
        report, t = self.report, self.t
        if not any(target.why for target in report.targets):
            return
        self.lines += [f"## {t['why_targets']}", ""]
        for target in report.targets:
            reasons = "; ".join(
                f"{r.decision} {r.statement} ({', '.join(key for key, _ in r.findings)})"
                for r in target.why
            )
            self.lines.append(
                f"- **{md_escape(target.key)}** {md_escape(target.title)}: "
                f"{md_escape(reasons or t['unexplained'])}"
            )
        self.lines.append("")

    def _facts(self) -> list[str]:
        report, t = self.report, self.t
        facts = [report.scope] if report.scope else []
        facts += [
            f"{t['period']} {t.span(report.start, report.end)}",
            report.timezone,
            f"{t['plan_status.' + report.status]}, {t['revision']} {report.revision}",
        ]
        if report.as_of is not None:
            facts.append(f"{t['as_recorded']} {t.moment(report.as_of)}")
        facts.append(f"{t['situation']} {t.date(report.today)}")
        return facts

    def _progress(self, progress: Progress) -> str:
        t = self.t
        parts = [
            f"{t['steps_done']} {progress.done}/{progress.steps} "
            f"({t.percent(progress.step_share)})",
            f"{t['late_steps']} {progress.late}",
        ]
        if progress.visits:
            parts += [
                f"{t['visits_held']} {progress.held}/{progress.visits} "
                f"({t.percent(progress.visit_share)})",
                f"{t['overdue_visits']} {progress.overdue}",
            ]
        return " · ".join(parts)

    # -- sections -----------------------------------------------------------------------

    def _budgets(self) -> None:
        """The marketing synthesis' budget: per theme, and the total."""
        t = self.t
        themes = [s for s in self.report.sections if isinstance(s, ThemeSection)]
        rows = []
        for theme in themes:
            budget = budget_total(s for b in theme.tracks for s in b.steps)
            rows.append([md_escape(t["theme." + theme.key]), money(budget)])
        total = budget_total(self.report.steps())
        rows.append([f"**{t['total']}**", f"**{money(total)}**"])
        self.lines += [f"## {t['budget_by_theme']}", "", f"{t['budget_note']}.", ""]
        self.lines += [*_table([t["theme"], t["budget"]], rows), ""]

    def _theme(self, section: ThemeSection) -> None:
        self.lines += [f"## {md_escape(self.t['theme.' + section.key])}", ""]
        progress = self._progress(section.progress)
        budget = budget_total(s for b in section.tracks for s in b.steps)
        if budget is not None:
            progress += f" · {self.t['budget_total']} {number(budget)}"
        self.lines += [md_escape(progress), ""]
        for block in section.tracks:
            self._track(block, level=3)

    def _track(self, block: TrackBlock, level: int) -> None:
        t = self.t
        heading = f"{t['track.short']} {block.key} — {block.title}"
        if self.report.kind is ReportKind.THEME:
            heading += f" · {t['target.word']} {block.target}" if block.target else ""
        else:
            heading += f" · {t['theme.' + block.theme]}"
        self.lines += [f"{'#' * level} {md_escape(heading)}", ""]
        rows = [
            [
                step.key,
                md_escape(step.title),
                step.responsible,
                md_escape(", ".join(step.participants)),
                md_escape(t.span(step.start, step.end)),
                md_escape(means_text(step, t)),
                self._state(step),
            ]
            for step in block.steps
        ]
        headers = ["step", "action", "responsible", "participants", "dates", "means", "status"]
        self.lines += [*_table([t[h] for h in headers], rows), ""]

    def _state(self, step: StepLine) -> str:
        text = self.t["state." + step.state]
        if step.state is StepState.DONE and step.done_on is not None:
            text += f" {self.t.date(step.done_on)}"
        late = sum(v.state is VisitState.OVERDUE for v in step.visits)
        if late and step.state is not StepState.LATE:
            text += f" ({self.t['overdue_visits']} {late})"
        for visit in step.visits:
            if visit.holiday is not None:
                text += f" ⚠ {visit.key} {self.t['on_holiday']} ({visit.holiday})"
        return md_escape(f"{GLYPHS[step.state]} {text}")

    def _objectives(self, objectives: Sequence[ObjectiveLine]) -> None:
        for objective in objectives:
            text = md_escape(objective_text(objective, self.t))
            self.lines.append(f"- **{self.t['objective']}**: {text}")
        if objectives:
            self.lines.append("")

    def _target(self, section: TargetSection, level: int) -> None:
        t = self.t
        dropped = f" ({t['dropped']})" if section.dropped else ""
        heading = f"{t['target'].capitalize()} {section.key} — {section.title}{dropped}"
        self.lines += [f"{'#' * level} {md_escape(heading)}", ""]
        facts = [t["target." + section.kind], f"{t['responsible']} {section.responsible}"]
        facts += [section.ref] if section.ref else []
        facts += [", ".join(section.segments)] if section.segments else []
        self.lines += [md_escape(" · ".join(facts)), ""]
        if section.rationale:
            self.lines += [f"*{md_escape(section.rationale)}*", ""]
        for reason in section.why:
            findings = "; ".join(f"{key} {title}" for key, title in reason.findings)
            self.lines.append(
                f"- **{t['why']}**: {md_escape(reason.decision)} {md_escape(reason.statement)} "
                f"({md_escape(findings)})"
            )
        if section.why:
            self.lines.append("")
        self._objectives(section.objectives)
        self.lines += [md_escape(self._progress(section.progress)), ""]
        for block in section.tracks:
            self._track(block, level=level + 1)

    def _sector(self, section: SectorSection) -> None:
        t = self.t
        title = f"{t['sector'].capitalize()} {section.key}" if section.key else t["no_sector"]
        self.lines += [f"## {md_escape(title)}", ""]
        if section.people:
            team = ", ".join(f"{p.key} ({p.name})" for p in section.people)
            self.lines += [f"{t['team']}: {md_escape(team)}", ""]
        self.lines += [md_escape(self._progress(section.progress)), ""]
        for target in section.targets:
            self._target(target, level=3)

    def _person(self, section: PersonSection) -> None:
        t, person = self.t, section.person
        self.lines += [f"## {md_escape(f'{person.key} — {person.name}')}", ""]
        facts = [t["person." + person.kind]] if person.kind else []
        facts += [person.role] if person.role else []
        facts += [f"{t['sector']} {person.sector}"] if person.sector else []
        if person.left_on:
            facts.append(f"{t['left_on']} {t.date(person.left_on)}")
        self.lines += [md_escape(" · ".join(facts)), ""]
        if section.targets:
            owned = ", ".join(f"{key} {title}" for key, title in section.targets)
            self.lines += [f"{t['also_responsible_for']}: {md_escape(owned)}", ""]
        if section.indicators:
            owned = ", ".join(f"{key} {name}" for key, name in section.indicators)
            self.lines += [f"{t['owns_indicators']}: {md_escape(owned)}", ""]
        self.lines += [md_escape(self._progress(section.progress)), ""]
        rows = [
            [
                md_escape(t.span(a.step.start, a.step.end)),
                a.step.key,
                t["role." + a.role],
                md_escape(a.step.title),
                md_escape(f"{a.step.track}" + (f" ({a.step.target})" if a.step.target else "")),
                self._state(a.step),
            ]
            for a in section.assignments
        ]
        headers = [t["dates"], t["step"], t["role"], t["action"], t["track"], t["status"]]
        self.lines += [*_table(headers, rows), ""]
        if section.months:
            self._months(section)
        if self.report.audience == "appointments":
            self._appointments(section.appointments)

    def _appointments(self, appointments: Sequence[Appointment]) -> None:
        """The visits still to hold, month by month: booked, to book or overdue."""
        t = self.t
        self.lines += [f"### {t['appointments']}", ""]
        if not appointments:
            self.lines += [t["appointments.none"], ""]
            return
        self.lines += [md_escape(booking_counts(appointments, t)), ""]
        headers = [t["day"], t["time"], t["step"], t["customer"], t["status"]]
        rows = [
            [
                t.date(a.visit.day),
                a.visit.at or "",
                a.step,
                md_escape(f"{a.target} {a.customer}"),
                md_escape(booking_text(a, t)),
            ]
            for a in appointments
        ]
        self.lines += [*_table(headers, rows), ""]

    def _months(self, section: PersonSection) -> None:
        t = self.t
        self.lines += [f"### {t['visits_per_month']}", ""]
        months = [m.month for m in section.months]
        headers = ["", *[t.month(m) for m in months], t["total"]]
        rows = []
        for state, key in (
            (VisitState.HELD, "visit.held"),
            (VisitState.PLANNED, "visit.planned"),
            (VisitState.OVERDUE, "visit.overdue"),
            (VisitState.CANCELLED, "visit.cancelled"),
        ):
            counts = [getattr(m, state.value) for m in section.months]
            if any(counts):
                rows.append([t[key], *[str(c or "") for c in counts], str(sum(counts))])
        self.lines += [*_table(headers, rows), ""]

    def _timeline(self, steps: Sequence[StepLine], title: str, level: int) -> None:
        t, months = self.t, self.report.months
        self.lines += [f"{'#' * level} {title}", ""]
        legend = " · ".join(f"{GLYPHS[state]} {t['state.' + state]}" for state in LEGEND_STATES)
        self.lines += [f"{t['legend']}: {legend}", ""]
        headers = [t["step"], t["responsible"], *[t.month(m) for m in months]]
        rows = [[s.key, s.responsible, *month_marks(s, months)] for s in steps]
        self.lines += [*_table(headers, rows), ""]
