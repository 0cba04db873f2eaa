"""Building blocks of the HTML report: escaped text, state chips, meters, the timeline.

Every piece of text from the plan goes through `esc` (titles hold quotes, «», `&`, `>`);
inline styles only ever carry numbers computed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from pacflow.reports.labels import Labels
from pacflow.reports.model import Progress, Report, StepLine, StepState, Visit, VisitState
from pacflow.reports.text import GLYPHS, LEGEND_STATES, NOTHING
from pacflow.reports.timeline import Scale, pct

VISIT_LABELS = {
    VisitState.HELD: "visit.held",
    VisitState.PLANNED: "visit.planned",
    VisitState.OVERDUE: "visit.overdue",
    VisitState.CANCELLED: "visit.cancelled",
}


def esc(text: object) -> str:
    """Text (and attribute values) safe to put into HTML."""
    return escape(str(text), quote=True)


def chip(state: StepState, labels: Labels) -> str:
    """A state as glyph and word, in the state's colour and border style."""
    return f'<span class="chip s-{state}">{GLYPHS[state]} {esc(labels["state." + state])}</span>'


def meter(done: int, total: int, labels: Labels, elapsed: float | None = None) -> str:
    """A progress bar with its figures written next to it (and the time elapsed as a tick)."""
    share = done / total if total else None
    fill = f'<span style="width:{pct(100 * (share or 0))}"></span>'
    tick = ""
    if elapsed is not None:
        title = esc(f"{labels.percent(elapsed)} {labels['period_elapsed']}")
        tick = f'<i style="left:{pct(100 * elapsed)}" title="{title}"></i>'
    figures = f"{done}/{total} · {labels.percent(share)}" if total else NOTHING
    return f'<span class="meter">{fill}{tick}</span><span class="meter-text">{figures}</span>'


def progress_meters(progress: Progress, labels: Labels, elapsed: float) -> str:
    """Steps done and visits held as meters, late steps and overdue visits as words."""
    parts = [
        f"<span>{esc(labels['steps_done'])} "
        f"{meter(progress.done, progress.steps, labels, elapsed)}</span>"
    ]
    if progress.visits:
        parts.append(
            f"<span>{esc(labels['visits_held'])} "
            f"{meter(progress.held, progress.visits, labels, elapsed)}</span>"
        )
    alerts = [f"{labels['late_steps']} {progress.late}"]
    if progress.visits:
        alerts.append(f"{labels['overdue_visits']} {progress.overdue}")
    late = progress.late or progress.overdue
    parts.append(
        f'<span class="{"chip s-late" if late else "muted"}">{esc(" · ".join(alerts))}</span>'
    )
    return '<p class="progress">' + " &nbsp; ".join(parts) + "</p>"


def step_title(step: StepLine) -> str:
    """Tooltip text for a step's mark on the timeline."""
    return f"{step.key} — {step.title}"


class Timeline:
    """Draws steps across the months of the plan period (a Gantt chart as an HTML table)."""

    def __init__(self, report: Report, labels: Labels) -> None:
        self.t = labels
        self.scale = Scale(report.start, report.end)
        self.months = self.scale.months(report.months)
        self.today = report.today

    def _grid(self) -> str:
        lines = "".join(f'<i class="m" style="left:{pct(left)}"></i>' for _, left, _ in self.months)
        if self.scale.holds(self.today):
            lines += f'<i class="now" style="left:{pct(self.scale.middle(self.today))}"></i>'
        return lines

    def _head(self) -> str:
        t = self.t
        labels = "".join(
            f'<span class="mlabel" style="left:{pct(left)};width:{pct(width)}">'
            f"{esc(t.month(key))}</span>"
            for key, left, width in self.months
        )
        grid = "".join(f'<i class="m" style="left:{pct(left)}"></i>' for _, left, _ in self.months)
        return (
            "<thead><tr>"
            f'<th class="g-key">{esc(t["step"])}</th><th class="g-title">{esc(t["action"])}</th>'
            f'<th class="g-who" title="{esc(t["responsible"])}">{esc(t["responsible.short"])}</th>'
            f'<th class="g-state">{esc(t["status"])}</th>'
            f'<th class="g-lane months"><div class="lane">{grid}{labels}</div></th>'
            "</tr></thead>"
        )

    def marks(self, step: StepLine) -> str:
        """The step's bar (a span), diamond (a single date) or run of visits."""
        if step.end is None:
            return ""
        title = esc(f"{step_title(step)} — {self.t.span(step.start, step.end)}")
        days = {visit.day for visit in step.visits}
        if len(days) > 1:
            left, width = self.scale.span(step.start or step.end, step.end)
            run = (
                f'<i class="run s-{step.state}" style="left:{pct(left)};width:{pct(width)}" '
                f'title="{title}"></i>'
            )
            return run + "".join(self._dot(step, visit) for visit in step.visits)
        if step.milestone:
            left = self.scale.middle(step.end)
            return f'<i class="ms s-{step.state}" style="left:{pct(left)}" title="{title}"></i>'
        left, width = self.scale.span(step.start or step.end, step.end)
        style = f"left:{pct(left)};width:{pct(width)}"
        return f'<i class="bar s-{step.state}" style="{style}" title="{title}"></i>'

    def _dot(self, step: StepLine, visit: Visit) -> str:
        when = self.t.date(visit.day) + (f" {visit.at}" if visit.at else "")
        text = f"{step.key} {when} — {self.t[VISIT_LABELS[visit.state]]}"
        if visit.holiday is not None:
            text += f" — {self.t['on_holiday']}: {visit.holiday}"
        title = esc(text)
        left = pct(self.scale.middle(visit.day))
        holiday = " holiday" if visit.holiday is not None else ""
        return f'<i class="dot v-{visit.state}{holiday}" style="left:{left}" title="{title}"></i>'

    def table(
        self, groups: Sequence[tuple[str | None, Sequence[tuple[StepLine, str | None]]]]
    ) -> str:
        """A timeline of steps in groups (a heading row each, unless None); a step may carry
        a role (`participant` rows are shown lighter)."""
        rows = [self._head(), "<tbody>"]
        grid = self._grid()
        for heading, steps in groups:
            if heading is not None:
                rows.append(f'<tr class="group"><th colspan="5">{esc(heading)}</th></tr>')
            for step, role in steps:
                css = ' class="participant"' if role == "participant" else ""
                role_text = (
                    f' <span class="muted">({esc(self.t["role." + role])})</span>'
                    if role == "participant"
                    else ""
                )
                rows.append(
                    f"<tr{css}>"
                    f'<td class="g-key key">{esc(step.key)}</td>'
                    f'<td class="g-title">{esc(step.title)}{role_text}</td>'
                    f'<td class="g-who">{esc(step.responsible)}</td>'
                    f'<td class="g-state">{chip(step.state, self.t)}</td>'
                    f'<td class="g-lane"><div class="lane">{grid}{self.marks(step)}</div></td>'
                    "</tr>"
                )
        rows.append("</tbody>")
        return '<table class="gantt">' + "".join(rows) + "</table>"

    def legend(self) -> str:
        """What each mark means: step states, deadlines, visits and today's line."""
        t = self.t
        items = [(f'<i class="bar s-{state}"></i>', t["state." + state]) for state in LEGEND_STATES]
        items.append(('<i class="ms s-planned"></i>', t["milestone"]))
        items += [
            (f'<i class="dot v-{state}"></i>', f"{t['visits']}: {t[key]}")
            for state, key in VISIT_LABELS.items()
        ]
        if self.scale.holds(self.today):
            items.append(('<i class="now"></i>', f"{t['today']} {t.date(self.today)}"))
        return (
            f'<div class="legend"><b>{esc(t["legend"])}</b>'
            + "".join(
                f'<span class="item"><span class="lane">{mark}</span>{esc(text)}</span>'
                for mark, text in items
            )
            + "</div>"
        )
