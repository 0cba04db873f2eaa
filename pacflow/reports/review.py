"""The year-end review: what the plan set out to do, what it did, and how it changed.

"The PAC is drawn up after the diagnostic … obtained by analysing the results of the
previous period": the review is those results. Per target: its main objective as first
published and as it ended, what its indicator achieved, steps done, cancelled and late,
visits held against those planned, and the decisions it implemented; then every revision
with why it was opened. Built from plain data (two plan states, the indicators' histories,
the revisions), written as Markdown, JSON or one self-contained HTML page, in en or fr.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pacflow.domain.state import Objective, PlanState
from pacflow.domain.values import Aggregation
from pacflow.errors import InvalidInputError
from pacflow.reports.build import build_report
from pacflow.reports.model import Progress, Reason, ReportKind, TargetSection
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    from projections.history import Revision
    from projections.indicators import IndicatorHistory

_WORDS = {
    "en": {
        "title": "year-end review",
        "period": "period",
        "target": "Target",
        "objective": "Objective",
        "first": "first version",
        "final": "final",
        "achieved": "achieved",
        "attainment": "attainment",
        "steps": "steps done / cancelled / late (of all)",
        "visits": "visits held / planned",
        "why": "why",
        "added": "added during the year",
        "dropped": "dropped",
        "revisions": "Revisions",
        "opened": "opened",
        "published": "published",
        "by": "by",
        "changes": "changes",
        "none": "none",
    },
    "fr": {
        "title": "bilan de fin d'année",
        "period": "période",
        "target": "Cible",
        "objective": "Objectif",
        "first": "première version",
        "final": "final",
        "achieved": "atteint",
        "attainment": "taux d'atteinte",
        "steps": "étapes faites / annulées / en retard (sur le total)",
        "visits": "visites tenues / prévues",
        "why": "pourquoi",
        "added": "ajoutée en cours d'année",
        "dropped": "abandonnée",
        "revisions": "Révisions",
        "opened": "ouverte",
        "published": "publiée",
        "by": "par",
        "changes": "changements",
        "none": "aucune",
    },
}
FORMATS = ("md", "html", "json")


@frozen_record
class ObjectiveFigures(FrozenValue):
    """An objective's value, unit and statement at one moment."""

    value: Decimal
    unit: str
    statement: str
    indicator: str | None

    @classmethod
    def of(cls, objective: Objective | None) -> ObjectiveFigures | None:
        if objective is None:
            return None
        return cls(objective.value, objective.unit, objective.statement, objective.indicator)


@frozen_record
class TargetReview(FrozenValue):
    """One target over the year."""

    key: str
    title: str
    responsible: str
    dropped: bool
    added_later: bool
    first: ObjectiveFigures | None
    final: ObjectiveFigures | None
    achieved: Decimal | None
    progress: Progress
    why: tuple[Reason, ...]

    @property
    def attainment(self) -> Decimal | None:
        """Achieved over the final objective, in percent (one decimal)."""
        if self.achieved is None or self.final is None or not self.final.value:
            return None
        return (self.achieved * 100 / self.final.value).quantize(Decimal("0.1"))

    def as_json(self) -> dict[str, Any]:
        def objective(figures: ObjectiveFigures | None) -> dict[str, Any] | None:
            if figures is None:
                return None
            return {
                "value": str(figures.value),
                "unit": figures.unit,
                "statement": figures.statement,
                "indicator": figures.indicator,
            }

        progress = self.progress
        return {
            "target": self.key,
            "title": self.title,
            "responsible": self.responsible,
            "dropped": self.dropped,
            "added_during_the_year": self.added_later,
            "first_objective": objective(self.first),
            "final_objective": objective(self.final),
            "achieved": str(self.achieved) if self.achieved is not None else None,
            "attainment_pct": str(self.attainment) if self.attainment is not None else None,
            "steps": {
                "total": progress.steps + progress.cancelled,
                "done": progress.done,
                "cancelled": progress.cancelled,
                "late": progress.late,
            },
            "visits": {
                "planned": progress.visits,
                "held": progress.held,
                "overdue": progress.overdue,
                "cancelled": progress.visits_cancelled,
            },
            "why": [
                {
                    "decision": r.decision,
                    "statement": r.statement,
                    "findings": [k for k, _ in r.findings],
                }
                for r in self.why
            ],
        }


@frozen_record
class Review(FrozenValue):
    """The year of one plan, target by target, and its revisions."""

    plan: str
    title: str
    start: date
    end: date
    timezone: str
    status: str
    revision: int
    today: date
    targets: tuple[TargetReview, ...]
    revisions: tuple[Revision, ...]
    achieved: dict[str, Decimal]
    """What each indicator achieved over the plan (those with actuals)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "title": self.title,
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "timezone": self.timezone,
            "status": self.status,
            "revision": self.revision,
            "today": self.today.isoformat(),
            "targets": [target.as_json() for target in self.targets],
            "indicators": {key: str(value) for key, value in self.achieved.items()},
            "revisions": [revision.as_json() for revision in self.revisions],
        }


def achieved(history: IndicatorHistory) -> Decimal | None:
    """What an indicator achieved over the plan: the sum of its periods for a per-period
    count, else its latest actual (a year-to-date total, a rate)."""
    actuals = [p.actual for p in history.periods if p.actual is not None]
    if not actuals:
        return None
    if history.indicator.aggregation is Aggregation.PER_PERIOD:
        return sum(actuals, Decimal(0))
    return actuals[-1]


def build_review(
    first: PlanState | None,
    final: PlanState,
    histories: Sequence[IndicatorHistory],
    revisions: Sequence[Revision],
    *,
    today: date,
) -> Review:
    """The review of `final` (the plan now), against `first` (as first published; None if
    it never was: then the first version is the final one)."""
    origin = first or final
    by_indicator = {history.indicator.key: history for history in histories}
    report = build_report(final, ReportKind.TARGET, today=today)
    sections = {s.key: s for s in report.sections if isinstance(s, TargetSection)}
    targets = []
    for key, target in final.targets.items():
        section = sections[key]
        final_objective = final.objectives.get((key, "main"))
        indicator = final_objective.indicator if final_objective else None
        history = by_indicator.get(indicator) if indicator else None
        targets.append(
            TargetReview(
                key=key,
                title=target.title,
                responsible=target.responsible,
                dropped=target.dropped,
                added_later=key not in origin.targets,
                first=ObjectiveFigures.of(origin.objectives.get((key, "main"))),
                final=ObjectiveFigures.of(final_objective),
                achieved=achieved(history) if history is not None else None,
                progress=section.progress,
                why=section.why,
            )
        )
    return Review(
        plan=final.key,
        title=final.title,
        start=final.start,
        end=final.end,
        timezone=final.timezone,
        status=str(final.status),
        revision=final.revision,
        today=today,
        targets=tuple(targets),
        revisions=tuple(revisions),
        achieved={
            key: value
            for key, value in ((k, achieved(h)) for k, h in by_indicator.items())
            if value is not None
        },
    )


# --- the lessons a target carries into next year's plan -----------------------------------

_LESSONS = {
    "en": {
        "head": "Lessons learned from {plan}:",
        "objective": "objective {value}",
        "first": " (first version {value})",
        "achieved": "achieved {value}",
        "attainment": " ({pct}%)",
        "not_measured": "achievement not measured",
        "steps": "steps: {done} done, {cancelled} cancelled, {late} late of {total}",
        "visits": "visits: {held} held of {planned}",
    },
    "fr": {
        "head": "Retour d'expérience {plan} :",
        "objective": "objectif {value}",
        "first": " (première version {value})",
        "achieved": "atteint {value}",
        "attainment": " ({pct} %)",
        "not_measured": "atteinte non mesurée",
        "steps": "étapes : {done} faites, {cancelled} annulées, {late} en retard sur {total}",
        "visits": "visites : {held} tenues sur {planned}",
    },
}
LESSON_HEADS = tuple(words["head"].split("{")[0] for words in _LESSONS.values())
"""How a lessons-learned paragraph starts, in every language (an earlier year's is not
carried again)."""


def lesson_note(target: TargetReview, plan: str, lang: str) -> str:
    """What the year taught about `target`, in one paragraph: its objective (and first
    version), what was achieved and the share of the objective, steps and visits."""
    if lang not in _LESSONS:
        raise InvalidInputError(f"language {lang!r}: expected one of {', '.join(_LESSONS)}")
    w = _LESSONS[lang]
    parts = []
    if target.final is not None:
        objective = w["objective"].format(value=_objective(target.final, lang))
        if target.first is not None and target.first.value != target.final.value:
            objective += w["first"].format(value=_objective(target.first, lang))
        parts.append(objective)
    if target.achieved is not None:
        unit = f" {target.final.unit}" if target.final is not None else ""
        achieved = w["achieved"].format(value=_number(target.achieved, lang) + unit)
        if target.attainment is not None:
            achieved += w["attainment"].format(pct=_number(target.attainment, lang))
        parts.append(achieved)
    elif target.final is not None:
        parts.append(w["not_measured"])
    progress = target.progress
    parts.append(
        w["steps"].format(
            done=progress.done,
            cancelled=progress.cancelled,
            late=progress.late,
            total=progress.steps + progress.cancelled,
        )
    )
    if progress.visits:
        parts.append(w["visits"].format(held=progress.held, planned=progress.visits))
    separator = " ; " if lang == "fr" else "; "
    return f"{w['head'].format(plan=plan)} {separator.join(parts)}."


# --- writing it out ----------------------------------------------------------------------


def render_review(review: Review, fmt: str, lang: str) -> str:
    """The review as `fmt` (md, html, json) in `lang` (en, fr)."""
    if lang not in _WORDS:
        raise InvalidInputError(
            f"language {lang!r}: expected one of {', '.join(_WORDS)}",
            code="invalid-value",
            subject="language",
        )
    value = fmt.strip().lower()
    value = "md" if value == "markdown" else value
    if value == "json":
        data = review.as_json()
        return json.dumps(data, ensure_ascii=False, indent=2, default=_iso) + "\n"
    if value == "md":
        return "\n".join(_markdown(review, _WORDS[lang], lang)) + "\n"
    if value == "html":
        return _html(review, _WORDS[lang], lang)
    raise InvalidInputError(f"review format {fmt!r}: expected one of {', '.join(FORMATS)}")


def _iso(value: object) -> str:
    """Times in JSON: ISO 8601 in UTC (`2025-01-06T16:05:00Z`)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    raise TypeError(type(value).__name__)


def _number(value: Decimal | None, lang: str) -> str:
    if value is None:
        return "\u2013"
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "fr" else text


def _objective(figures: ObjectiveFigures | None, lang: str) -> str:
    return "\u2013" if figures is None else f"{_number(figures.value, lang)} {figures.unit}"


def _moment(moment: datetime | None, zone: str) -> str:
    """A recorded moment in the plan's time zone, to the minute."""
    if moment is None:
        return "\u2013"
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _rows(review: Review, w: dict[str, str], lang: str) -> list[list[str]]:
    rows = []
    for target in review.targets:
        p = target.progress
        notes = [w["dropped"]] if target.dropped else []
        notes += [w["added"]] if target.added_later else []
        rows.append(
            [
                f"{target.key} {target.title}" + (f" ({', '.join(notes)})" if notes else ""),
                _objective(target.first, lang),
                _objective(target.final, lang),
                _number(target.achieved, lang)
                + (f" ({_number(target.attainment, lang)} %)" if target.attainment else ""),
                f"{p.done} / {p.cancelled} / {p.late} ({p.steps + p.cancelled})",
                f"{p.held} / {p.visits}" if p.visits else "\u2013",
                "; ".join(f"{r.decision} {r.statement}" for r in target.why) or "\u2013",
            ]
        )
    return rows


def _headers(w: dict[str, str]) -> list[str]:
    return [
        w["target"],
        f"{w['objective']} ({w['first']})",
        f"{w['objective']} ({w['final']})",
        w["achieved"],
        w["steps"],
        w["visits"],
        w["why"],
    ]


def _revision_line(revision: Revision, w: dict[str, str], zone: str) -> str:
    published = (
        f"; {w['published']} {_moment(revision.published_at, zone)} {w['by']} "
        f"{revision.published_by}"
        if revision.published_at
        else ""
    )
    return (
        f"{revision.number}: {w['opened']} {_moment(revision.opened_at, zone)} {w['by']} "
        f"{revision.opened_by} — {revision.reason or w['none']}{published} "
        f"({w['changes']}: {revision.changes})"
    )


def _markdown(review: Review, w: dict[str, str], lang: str) -> list[str]:
    from pacflow.reports.markdown import _table, md_escape

    title = md_escape(f"{review.plan} — {review.title} — {w['title']}")
    lines = [title, "=" * len(title), ""]
    lines += [
        f"{w['period']} {review.start} → {review.end} · {review.timezone} · {review.status}",
        "",
    ]
    cells = [[md_escape(cell) for cell in row] for row in _rows(review, w, lang)]
    lines += [*_table(_headers(w), cells), ""]
    lines += [f"## {w['revisions']}", ""]
    lines += [f"- {md_escape(_revision_line(r, w, review.timezone))}" for r in review.revisions]
    return lines


def _html(review: Review, w: dict[str, str], lang: str) -> str:
    from pacflow.reports.html_parts import esc
    from pacflow.reports.html_style import CSS

    title = f"{review.plan} — {review.title} — {w['title']}"
    head = "".join(f"<th>{esc(h)}</th>" for h in _headers(w))
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>"
        for row in _rows(review, w, lang)
    )
    revisions = "".join(
        f"<li>{esc(_revision_line(r, w, review.timezone))}</li>" for r in review.revisions
    )
    return (
        "<!doctype html>"
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f'<header class="doc-head"><h1>{esc(title)}</h1>'
        f'<p class="facts">{esc(w["period"])} {review.start} → {review.end} · '
        f"{esc(review.status)}</p></header>"
        f'<section><table class="objectives"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></section>"
        f"<section><h2>{esc(w['revisions'])}</h2><ul>{revisions}</ul></section>"
        "</body></html>\n"
    )
