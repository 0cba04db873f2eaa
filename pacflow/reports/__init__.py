"""Reports: the plan as the method presents it, by theme, person, sector or target.

`build_report(state, kind, today=...)` makes a pure report model from a plan state;
`render(report, format, lang)` writes it as Markdown, JSON or one self-contained HTML page.
Nothing here reads a clock, a file or the store: the caller gives the state and the day.
"""

from __future__ import annotations

from collections.abc import Callable

from pacflow.errors import InvalidInputError
from pacflow.reports.build import THEMES, build_report, progress_of, theme_of
from pacflow.reports.html import render_html
from pacflow.reports.jsondata import render_json, report_data
from pacflow.reports.labels import LANGUAGES, Labels
from pacflow.reports.markdown import md_escape, render_markdown
from pacflow.reports.model import Report, ReportKind, StepState, VisitState

_RENDERERS: dict[str, Callable[[Report, Labels], str]] = {
    "md": render_markdown,
    "html": render_html,
    "json": render_json,
}
FORMATS = tuple(_RENDERERS)
KINDS = tuple(kind.value for kind in ReportKind)


def parse_kind(text: str) -> ReportKind:
    """A report kind from what a user typed (`person` is another word for `rep`)."""
    value = text.strip().lower()
    value = "rep" if value == "person" else value
    try:
        return ReportKind(value)
    except ValueError:
        raise InvalidInputError(
            f"report kind {text!r}: expected one of {', '.join(KINDS)}",
            code="invalid-value",
            subject="report kind",
        ) from None


def check_format(text: str) -> str:
    """A report format (`md`, `html`, `json`), or a one-line error."""
    value = text.strip().lower()
    value = "md" if value == "markdown" else value
    if value not in _RENDERERS:
        raise InvalidInputError(f"report format {text!r}: expected one of {', '.join(FORMATS)}")
    return value


def render(report: Report, fmt: str, lang: str = "en") -> str:
    """The report written out as `fmt` (md, html, json), its words in `lang` (en, fr)."""
    return _RENDERERS[check_format(fmt)](report, Labels(lang))


__all__ = [
    "FORMATS",
    "KINDS",
    "LANGUAGES",
    "THEMES",
    "Labels",
    "Report",
    "ReportKind",
    "StepState",
    "VisitState",
    "build_report",
    "check_format",
    "md_escape",
    "parse_kind",
    "progress_of",
    "render",
    "report_data",
    "theme_of",
]
