"""Reports: the plan as the method presents it, by theme, person, sector or target.

`build_report(state, kind, today=...)` makes a pure report model from a plan state;
`render(report, format, lang)` writes it as Markdown, JSON or one self-contained HTML page.
Nothing here reads a clock, a file or the store: the caller gives the state and the day.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pacflow.errors import InvalidInputError
from pacflow.lazy import lazy_exports

if TYPE_CHECKING:
    from pacflow.reports.build import THEMES, build_report, progress_of, theme_of
    from pacflow.reports.jsondata import report_data
    from pacflow.reports.labels import LANGUAGES, Labels
    from pacflow.reports.markdown import md_escape
    from pacflow.reports.model import Report, ReportKind, StepState, VisitState

# Imported on first use: the dashboard and other commands that only need the labels or a
# drawing never pay for building reports (which judges a plan state with the domain).
_HOMES = {
    "THEMES": "build",
    "build_report": "build",
    "progress_of": "build",
    "theme_of": "build",
    "report_data": "jsondata",
    "LANGUAGES": "labels",
    "Labels": "labels",
    "md_escape": "markdown",
    "Report": "model",
    "ReportKind": "model",
    "StepState": "model",
    "VisitState": "model",
}

_RENDERERS = {
    "md": ("markdown", "render_markdown"),
    "html": ("html", "render_html"),
    "json": ("jsondata", "render_json"),
}
"""Each format's renderer: (module, function), imported when a report is rendered."""
FORMATS = tuple(_RENDERERS)


_exported = lazy_exports(__name__, _HOMES)


def __getattr__(name: str) -> Any:
    if name == "KINDS":  # the report kinds' values, from their one definition
        from pacflow.reports.model import ReportKind

        return tuple(kind.value for kind in ReportKind)
    return _exported(name)


def parse_kind(text: str) -> ReportKind:
    """A report kind from what a user typed (`person` is another word for `rep`)."""
    from pacflow.reports.model import ReportKind

    value = text.strip().lower()
    value = "rep" if value == "person" else value
    try:
        return ReportKind(value)
    except ValueError:
        kinds = ", ".join(kind.value for kind in ReportKind)
        raise InvalidInputError(
            f"report kind {text!r}: expected one of {kinds}",
            code="invalid-value",
            subject="report kind",
        ) from None


def check_format(text: str) -> str:
    """A report format (`md`, `html`, `json`), or a one-line error."""
    value = text.strip().lower()
    value = "md" if value == "markdown" else value
    if value not in FORMATS:
        raise InvalidInputError(f"report format {text!r}: expected one of {', '.join(FORMATS)}")
    return value


def render(report: Report, fmt: str, lang: str = "en") -> str:
    """The report written out as `fmt` (md, html, json), its words in `lang` (en, fr)."""
    from pacflow.reports.labels import Labels

    fmt = check_format(fmt)
    home, name = _RENDERERS[fmt]
    renderer = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    text: str = renderer(report, Labels(lang))
    return text


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
