"""Reports as one self-contained HTML page: summary, timeline, then the detail to hand out.

The page carries its style sheet inline and references nothing outside itself (no
network, fonts, images or scripts). Printed (A4 landscape), each person, sector or target
starts on a new page, so that the by-rep report can be handed out one sheet per person.
"""

from __future__ import annotations

from collections.abc import Sequence

from pacflow.reports.diagnostic import Words
from pacflow.reports.diagnostic_html import (
    DIAGNOSTIC_CSS,
    diagnostic_section,
    finding_link,
    target_anchor,
)
from pacflow.reports.html_parts import (
    VISIT_LABELS,
    Timeline,
    chip,
    esc,
    meter,
    progress_meters,
)
from pacflow.reports.html_style import CSS
from pacflow.reports.labels import Labels
from pacflow.reports.model import (
    Appointment,
    ObjectiveLine,
    PersonSection,
    Report,
    ReportKind,
    SectorSection,
    StepLine,
    TargetSection,
    ThemeSection,
    TrackBlock,
    VisitState,
)
from pacflow.reports.text import (
    NOTHING,
    booking_counts,
    booking_text,
    budget_total,
    heading_key,
    means_text,
    number,
    report_heading,
    team_text,
)


def render_html(report: Report, labels: Labels) -> str:
    """The whole report as an HTML document."""
    return _Page(report, labels).document()


class _Page:
    def __init__(self, report: Report, labels: Labels) -> None:
        self.report = report
        self.t = labels
        self.timeline = Timeline(report, labels)
        self.elapsed = report.elapsed()

    def document(self) -> str:
        """The page: head, summary, the sections of the report's kind, the footer."""
        report, t = self.report, self.t
        parts = [
            "<!doctype html>",
            f'<html lang="{esc(t.lang)}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(report_heading(report, t))}</title>",
            f"<style>{CSS}{DIAGNOSTIC_CSS if report.findings else ''}</style></head><body>",
            self._header(),
            self._summary(),
            diagnostic_section(report.findings, Words(t.lang)),
        ]
        if not report.steps():
            parts.append(f"<p>{esc(t['nothing'])}</p>")
        elif report.sections and isinstance(report.sections[0], ThemeSection):
            parts.append(self._themes())
        else:
            for section in report.sections:
                if isinstance(section, PersonSection):
                    parts.append(self._person(section))
                elif isinstance(section, SectorSection):
                    parts.append(self._sector(section))
                elif isinstance(section, TargetSection):
                    parts.append(self._unit_target(section))
        if report.plan_tracks:
            parts.append(self._plan_tracks())
        parts += [self._footer(), "</body></html>"]
        return "\n".join(parts) + "\n"

    # -- head and summary ---------------------------------------------------------------

    def _header(self) -> str:
        report, t = self.report, self.t
        kicker = " · ".join(x for x in (report.plan, report.scope) if x)
        facts = [
            f"{t['period']} {t.span(report.start, report.end)}",
            report.timezone,
            f"{t['plan_status.' + report.status]}, {t['revision']} {report.revision}",
        ]
        if report.as_of is not None:
            facts.append(f"{t['as_recorded']} {t.moment(report.as_of)}")
        facts.append(f"{t['situation']} {t.date(report.today)}")
        team = (
            f'<p class="team">{esc(t["team"].capitalize())}: {esc(team_text(report))}</p>'
            if report.people
            else ""
        )
        return (
            '<header class="doc-head">'
            f'<div class="kicker">{esc(kicker)}</div>'
            f"<h1>{esc(report.title)} <small>— {esc(t[heading_key(report)])}</small></h1>"
            f'<p class="facts">{esc(" · ".join(facts))}</p>{team}</header>'
        )

    def _summary(self) -> str:
        report, t = self.report, self.t
        progress = report.progress
        cards = [
            (f"{progress.done}/{progress.steps}", t["steps_done"], False),
            (str(progress.late), t["late_steps"], progress.late > 0),
        ]
        if progress.visits:
            cards += [
                (f"{progress.held}/{progress.visits}", t["visits_held"], False),
                (str(progress.overdue), t["overdue_visits"], progress.overdue > 0),
            ]
        cards.append((t.percent(self.elapsed), t["period_elapsed"], False))
        budget = budget_total(report.steps())
        if report.audience == "marketing" and budget is not None:
            cards.append((number(budget), t["budget_total"], False))
        kpis = "".join(
            f'<div class="kpi{" alert" if alert else ""}"><b>{esc(value)}</b>'
            f"<span>{esc(text)}</span></div>"
            for value, text, alert in cards
        )
        return (
            f"<section><h2>{esc(t['summary'])}</h2>"
            f'<div class="kpis">{kpis}</div>{self._objectives()}</section>'
        )

    def _objectives(self) -> str:
        t = self.t
        if not self.report.targets:
            return ""
        rows = []
        for target in self.report.targets:
            dropped = (
                f" <span class=\"muted\">({esc(t['dropped'])})</span>" if target.dropped else ""
            )
            objectives = "".join(
                f"<p><b>{esc(o.key)}</b> · {esc(self._objective_figures(o))}<br>"
                f'<span class="small">{esc(o.statement)}</span></p>'
                for o in target.objectives
            )
            progress = target.progress
            visits = (
                meter(progress.held, progress.visits, t, self.elapsed)
                if progress.visits
                else NOTHING
            )
            late = f'<span class="chip s-late">{progress.late}</span>' if progress.late else "0"
            why = "".join(
                f'<br><span class="small why"><b>{esc(r.decision)}</b> {esc(r.statement)} '
                f'<span class="muted">({self._findings(r.findings, titles=False)})</span>'
                "</span>"
                for r in target.why
            )
            rows.append(
                f'<tr id="{esc(target_anchor(target.key))}">'
                f'<td><span class="key">{esc(target.key)}</span> {esc(target.title)}{dropped}'
                f'<br><span class="muted small">{esc(t["responsible"])} '
                f"{esc(target.responsible)}</span>{why}</td>"
                f"<td>{objectives}</td>"
                f"<td>{meter(progress.done, progress.steps, t, self.elapsed)}</td>"
                f"<td>{visits}</td><td class=\"num\">{late}</td></tr>"
            )
        head = "".join(
            f"<th>{esc(h)}</th>"
            for h in (t["target"], t["objectives"], t["steps_done"], t["visits_held"])
        )
        head += f'<th class="num">{esc(t["late_steps"])}</th>'
        return (
            f'<table class="objectives"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
            f'<p class="muted small">{esc(t["elapsed_mark"])} '
            f"({esc(t.percent(self.elapsed))}).</p>"
        )

    def _findings(self, findings: Sequence[tuple[str, str]], *, titles: bool) -> str:
        """Findings' keys (with their titles), each linking to its schema when the page
        draws the diagnostic."""
        drawn = {view.key for view in self.report.findings}
        parts = []
        for key, title in findings:
            text = finding_link(key) if key in drawn else esc(key)
            parts.append(f"{text} {esc(title)}" if titles else text)
        return ("; " if titles else ", ").join(parts)

    def _objective_figures(self, objective: ObjectiveLine) -> str:
        start = f"{number(objective.baseline)} → " if objective.baseline is not None else ""
        indicator = f" · {objective.indicator}" if objective.indicator else ""
        return (
            f"{start}{number(objective.value)} {objective.unit} · {self.t['due']} "
            f"{self.t.date(objective.due)}{indicator}"
        )

    def _footer(self) -> str:
        report, t = self.report, self.t
        return (
            f"<footer>pacflow · {esc(report_heading(report, t))} · "
            f"{esc(t['situation'])} {esc(t.date(report.today))}</footer>"
        )

    # -- steps ---------------------------------------------------------------------------

    def _steps_table(self, steps: Sequence[StepLine], where: bool = False) -> str:
        """Steps with their people, dates and state; `where` adds each one's track."""
        t = self.t
        head = "".join(
            f"<th>{esc(t[h])}</th>"
            for h in ("step", "action", "responsible", "participants", "dates", "status")
        )
        rows = []
        for step in steps:
            action = esc(step.title)
            if step.means or step.budget is not None:
                means = means_text(step, t)
                action += f'<span class="means">{esc(t["means"])}: {esc(means)}</span>'
            if where:
                action += self._where(step)
            rows.append(
                f'<tr><td class="key">{esc(step.key)}</td><td>{action}</td>'
                f"<td>{esc(step.responsible)}</td><td>{esc(', '.join(step.participants))}</td>"
                f"<td>{esc(t.span(step.start, step.end))}{self._visit_note(step)}</td>"
                f"<td>{chip(step.state, t)}{self._done_note(step)}</td></tr>"
            )
        body = "".join(rows)
        return f'<table class="steps"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    def _where(self, step: StepLine) -> str:
        t = self.t
        place = f"{t['track.word']} {step.track}"
        if step.target:
            place += f" · {t['target.word']} {step.target}"
        return f'<span class="means">{esc(place)} · {esc(t["theme." + step.theme])}</span>'

    def _visit_note(self, step: StepLine) -> str:
        if not step.visits:
            return ""
        held = sum(v.state is VisitState.HELD for v in step.visits)
        live = sum(v.state is not VisitState.CANCELLED for v in step.visits)
        overdue = sum(v.state is VisitState.OVERDUE for v in step.visits)
        note = f"{self.t['visits_held']} {held}/{live}"
        if overdue:
            note += f" · {self.t['overdue_visits']} {overdue}"
        return f'<span class="means">{esc(note)}</span>'

    def _done_note(self, step: StepLine) -> str:
        if step.done_on is None:
            return ""
        return f'<span class="means">{esc(self.t.date(step.done_on))}</span>'

    def _track(self, block: TrackBlock, tag: str) -> str:
        t = self.t
        if self.report.kind is ReportKind.THEME:
            notes = [f"{t['target.word']} {block.target}"] if block.target else []
        else:
            notes = [t["theme." + block.theme]]
        return (
            f'<{tag}>{esc(t["track.short"])} <span class="key">{esc(block.key)}</span> '
            f"— {esc(block.title)}"
            f' <span class="muted small">{esc(" · ".join(notes))}</span>'
            f"</{tag}>{self._steps_table(block.steps)}"
        )

    def _timeline(self, blocks: Sequence[TrackBlock]) -> str:
        groups = [
            (f"{block.key} — {block.title}", [(step, None) for step in block.steps])
            for block in blocks
        ]
        return self.timeline.legend() + self.timeline.table(groups)

    # -- by theme ------------------------------------------------------------------------

    def _themes(self) -> str:
        t = self.t
        themes = [s for s in self.report.sections if isinstance(s, ThemeSection)]
        groups = [
            (t["theme." + theme.key], [(step, None) for b in theme.tracks for step in b.steps])
            for theme in themes
        ]
        parts = [
            f"<section><h2>{esc(t['timeline'])}</h2>",
            self.timeline.legend(),
            self.timeline.table(groups),
            "</section>",
        ]
        for theme in themes:
            parts.append(f'<section class="theme"><h2>{esc(t["theme." + theme.key])}</h2>')
            parts.append(progress_meters(theme.progress, t, self.elapsed))
            budget = budget_total(step for block in theme.tracks for step in block.steps)
            if budget is not None:
                parts.append(f'<p class="facts">{esc(t["budget_total"])} {number(budget)}</p>')
            parts += [self._track(block, "h3") for block in theme.tracks]
            parts.append("</section>")
        return "\n".join(parts)

    # -- by person -----------------------------------------------------------------------

    def _person(self, section: PersonSection) -> str:
        t, person = self.t, section.person
        facts = [t["person." + person.kind]] if person.kind else []
        facts += [person.role] if person.role else []
        facts += [f"{t['sector']} {person.sector}"] if person.sector else []
        if person.left_on:
            facts.append(f"{t['left_on']} {t.date(person.left_on)}")
        parts = [
            '<section class="person">',
            f'<h2><span class="key">{esc(person.key)}</span> — {esc(person.name)}</h2>',
            f'<p class="facts">{esc(" · ".join(facts))}</p>',
        ]
        if section.targets:
            owned = ", ".join(f"{key} {title}" for key, title in section.targets)
            parts.append(f"<p>{esc(t['also_responsible_for'])}: {esc(owned)}</p>")
        if section.indicators:
            owned = ", ".join(f"{key} {name}" for key, name in section.indicators)
            parts.append(f"<p>{esc(t['owns_indicators'])}: {esc(owned)}</p>")
        parts.append(progress_meters(section.progress, t, self.elapsed))
        rows = [(a.step, a.role) for a in section.assignments]
        parts += [
            f"<h3>{esc(t['timeline.short'])}</h3>",
            self.timeline.legend(),
            self.timeline.table([(None, rows)]),
        ]
        if section.months:
            parts += [f"<h3>{esc(t['visits_per_month'])}</h3>", self._visit_chart(section)]
        if self.report.audience == "appointments":
            parts.append(self._appointments(section.appointments))
        parts += [
            f"<h3>{esc(t['steps'])}</h3>",
            self._steps_table([a.step for a in section.assignments], where=True),
            "</section>",
        ]
        return "\n".join(parts)

    def _appointments(self, appointments: Sequence[Appointment]) -> str:
        """The visits still to hold, in day order: booked ones (with a time) solid, those
        still to book dashed, overdue ones marked late."""
        t = self.t
        heading = f"<h3>{esc(t['appointments'])}</h3>"
        if not appointments:
            return f'{heading}<p class="muted">{esc(t["appointments.none"])}</p>'
        head = "".join(
            f"<th>{esc(t[h])}</th>" for h in ("day", "time", "step", "customer", "status")
        )
        rows = []
        month = None
        for a in appointments:
            this = a.visit.day.strftime("%Y-%m")
            if this != month:
                month = this
                rows.append(
                    f'<tr class="group"><th colspan="5">{esc(t.month(this))} {this[:4]}</th></tr>'
                )
            rows.append(
                f'<tr class="b-{a.booking}"><td>{esc(t.date(a.visit.day))}</td>'
                f"<td>{esc(a.visit.at or NOTHING)}</td>"
                f'<td><span class="key">{esc(a.step)}</span> {esc(a.title)}</td>'
                f'<td><span class="key">{esc(a.target)}</span> {esc(a.customer)}</td>'
                f'<td><span class="booking">{esc(booking_text(a, t))}</span></td></tr>'
            )
        return (
            f'{heading}<p class="facts">{esc(booking_counts(appointments, t))}</p>'
            f'<table class="appointments"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def _visit_chart(self, section: PersonSection) -> str:
        t = self.t
        peak = max(m.total for m in section.months) or 1
        order = (VisitState.HELD, VisitState.OVERDUE, VisitState.PLANNED, VisitState.CANCELLED)
        cells = []
        for month in section.months:
            segments = "".join(
                f'<span class="seg v-{state}" style="height:{100 * count / peak:.1f}%" '
                f'title="{esc(t[VISIT_LABELS[state]])}: {count}"></span>'
                for state in order
                if (count := getattr(month, state.value))
            )
            cells.append(
                f'<td><span class="n">{month.total - month.cancelled or ""}</span>'
                f'<div class="col">{segments}</div>'
                f'<div class="mname">{esc(t.month(month.month))}</div></td>'
            )
        legend = " · ".join(
            f"{t[VISIT_LABELS[state]]} {sum(getattr(m, state.value) for m in section.months)}"
            for state in order
        )
        return (
            f'<table class="vchart"><tr>{"".join(cells)}</tr></table>'
            f'<p class="muted small">{esc(t["visits"])}: {esc(legend)}</p>'
        )

    # -- by sector and by target -----------------------------------------------------------

    def _target_body(self, section: TargetSection, heading: str) -> str:
        t = self.t
        dropped = f" ({t['dropped']})" if section.dropped else ""
        facts = [t["target." + section.kind], f"{t['responsible']} {section.responsible}"]
        facts += [section.ref] if section.ref else []
        facts += [", ".join(section.segments)] if section.segments else []
        parts = [
            f'<{heading} class="target-head">{esc(t["target"].capitalize())} '
            f'<span class="key">{esc(section.key)}'
            f"</span> — {esc(section.title)}{esc(dropped)}</{heading}>",
            f'<p class="facts">{esc(" · ".join(facts))}</p>',
        ]
        if section.rationale:
            paragraphs = "<br>".join(esc(p) for p in section.rationale.split("\n\n"))
            parts.append(f'<p class="rationale">{paragraphs}</p>')
        for reason in section.why:
            parts.append(
                f'<p class="why small"><b>{esc(t["why"].capitalize())}</b>: '
                f"<b>{esc(reason.decision)}</b> {esc(reason.statement)} "
                f'<span class="muted">({self._findings(reason.findings, titles=True)})</span></p>'
            )
        for objective in section.objectives:
            parts.append(
                f"<p><b>{esc(t['objective'].capitalize())} {esc(objective.key)}</b>: "
                f"{esc(objective.statement)} "
                f'<span class="muted">({esc(self._objective_figures(objective))})</span></p>'
            )
        parts.append(progress_meters(section.progress, t, self.elapsed))
        if section.tracks:
            parts.append(self._timeline(section.tracks))
            sub = "h4" if heading == "h3" else "h3"
            parts += [self._track(block, sub) for block in section.tracks]
        return "\n".join(parts)

    def _unit_target(self, section: TargetSection) -> str:
        return f'<section class="unit">{self._target_body(section, "h2")}</section>'

    def _sector(self, section: SectorSection) -> str:
        t = self.t
        title = f"{t['sector'].capitalize()} {section.key}" if section.key else t["no_sector"]
        parts = ['<section class="unit">', f"<h2>{esc(title)}</h2>"]
        if section.people:
            team = ", ".join(f"{p.key} {p.name}" for p in section.people)
            parts.append(f'<p class="facts">{esc(t["team"].capitalize())}: {esc(team)}</p>')
        parts.append(progress_meters(section.progress, t, self.elapsed))
        parts += [self._target_body(target, "h3") for target in section.targets]
        parts.append("</section>")
        return "\n".join(parts)

    def _plan_tracks(self) -> str:
        t = self.t
        parts = [f'<section class="unit"><h2>{esc(t["whole_plan"])}</h2>']
        parts.append(self._timeline(self.report.plan_tracks))
        parts += [self._track(block, "h3") for block in self.report.plan_tracks]
        parts.append("</section>")
        return "\n".join(parts)
