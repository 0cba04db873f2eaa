"""Words and marks every text renderer shares: headings, glyphs, objective sentences."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from pacflow.reports.labels import Labels
from pacflow.reports.model import (
    Appointment,
    Booking,
    ObjectiveLine,
    Report,
    StepLine,
    StepState,
)

GLYPHS: dict[StepState, str] = {
    StepState.DONE: "■",
    StepState.LATE: "!",
    StepState.CANCELLED: "\u00d7",
    StepState.IN_PROGRESS: "▶",
    StepState.BLOCKED: "‖",
    StepState.PLANNED: "□",
}
"""One mark per step state, distinct without colour (terminals, Markdown, print)."""

NOTHING = "\u2013"
"""What a cell shows when there is nothing to count (an en dash)."""

LEGEND_STATES = (
    StepState.DONE,
    StepState.IN_PROGRESS,
    StepState.PLANNED,
    StepState.LATE,
    StepState.BLOCKED,
    StepState.CANCELLED,
)


def heading_key(report: Report) -> str:
    """The label naming how the report presents the plan: `by.theme`, or `for.marketing`."""
    return f"for.{report.audience}" if report.audience else f"by.{report.kind}"


def report_heading(report: Report, labels: Labels) -> str:
    """`PAC-2025 — Plan d'action commerciale 2025 — by theme` (or `— for marketing`)."""
    return f"{report.plan} — {report.title} — {labels[heading_key(report)]}"


def means_text(step: StepLine, labels: Labels) -> str:
    """A step's means, and its budget when it has one."""
    parts = [step.means] if step.means else []
    if step.budget is not None:
        parts.append(f"{labels['budget']} {number(step.budget)}")
    return " · ".join(parts)


def month_of(day: date) -> str:
    """The month key `2025-03` of a day."""
    return f"{day:%Y-%m}"


def month_marks(step: StepLine, months: Sequence[str]) -> list[str]:
    """One cell per month: the step's glyph in the months it spans, blank elsewhere."""
    if step.end is None:
        return ["" for _ in months]
    first = month_of(step.start or step.end)
    last = month_of(step.end)
    glyph = GLYPHS[step.state]
    return [glyph if first <= month <= last else "" for month in months]


def number(value: Decimal) -> str:
    """A decimal without trailing zeros: `600`, `2.5`."""
    return format(value.normalize(), "f")


def money(value: Decimal | None) -> str:
    """A budget, or a dash when there is none."""
    return NOTHING if value is None else number(value)


def objective_text(objective: ObjectiveLine, labels: Labels) -> str:
    """`T1 main: 180 → 400 kEUR by 2025-12-31 (I1) — Porter les prises…`."""
    start = f"{number(objective.baseline)} → " if objective.baseline is not None else ""
    indicator = f" ({objective.indicator})" if objective.indicator else ""
    return (
        f"{objective.target} {objective.key}: {start}{number(objective.value)} {objective.unit}, "
        f"{labels['due']} {labels.date(objective.due)}{indicator} — {objective.statement}"
    )


def team_text(report: Report) -> str:
    """`hg Hélène Garnier, cd Claire Dubois, …`: who the keys in the tables are."""
    return ", ".join(f"{key} {name}" for key, name in report.people.items())


def booking_text(appointment: Appointment, labels: Labels) -> str:
    """Where a visit stands: `booked`, `to book`, `overdue…`, and `moved from <day>`."""
    text = labels["booking." + appointment.booking]
    moved = appointment.visit.moved_from
    if moved is not None:
        text += f" · {labels['moved_from']} {labels.date(moved)}"
    return text


def booking_counts(appointments: Sequence[Appointment], labels: Labels) -> str:
    """`booked 12 (moved 3) · to book 40 · overdue 2`, each only when there are some."""
    parts = []
    for booking in Booking:
        count = sum(a.booking is booking for a in appointments)
        if not count:
            continue
        part = f"{labels['count.' + booking]} {count}"
        moved = sum(a.booking is booking and a.visit.moved_from is not None for a in appointments)
        if moved:
            part += f" ({labels['count.moved']} {moved})"
        parts.append(part)
    return " · ".join(parts)


def budget_total(steps: Iterable[StepLine]) -> Decimal | None:
    """What the steps' budgets add up to, cancelled steps left out (None: no budget)."""
    budgets = [
        step.budget
        for step in steps
        if step.budget is not None and step.state is not StepState.CANCELLED
    ]
    return sum(budgets, Decimal(0)) if budgets else None
