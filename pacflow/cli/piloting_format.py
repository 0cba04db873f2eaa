"""How `dashboard` prints: aligned tables and Markdown (`check`: `check_format`).

Times are shown in the plan's time zone; `-` is a figure not known.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal

from pacflow.cli.indicator_format import DERIVED_MARK
from pacflow.cli.render import table
from pacflow.domain.kinds import IndicatorKind
from projections.dashboard import AT_RISK_PCT, ON_TRACK_PCT, Dashboard, DashboardRow

_NAME_WIDTH = 36
_HEADERS = (
    "indicator",
    "name",
    "unit",
    "target",
    "actual",
    "gap",
    "cumulative",
    "attainment",
    "trend",
    "status",
)
_GROUPS = {IndicatorKind.ACTIVITY: "Activity indicators", IndicatorKind.RESULT: "Result indicators"}


def _cell(value: Decimal | None, suffix: str = "") -> str:
    return "-" if value is None else f"{value}{suffix}"


def _cells(row: DashboardRow) -> list[str]:
    figures = row.figures
    marks = "*" if figures is not None and figures.corrected else ""
    if figures is not None and figures.derived:
        marks += DERIVED_MARK
    return [
        row.indicator.key,
        _short(row.indicator.name),
        row.indicator.unit,
        _cell(figures.target if figures else None),
        _cell(figures.actual if figures else None) + marks,
        _cell(figures.gap if figures else None),
        _cell(figures.cumulative if figures else None),
        _cell(figures.attainment if figures else None, "%"),
        row.trend,
        row.status.value,
    ]


def _short(name: str) -> str:
    return name if len(name) <= _NAME_WIDTH else name[: _NAME_WIDTH - 1].rstrip() + "…"


def _moment(as_of: datetime | None, zone: tzinfo) -> str:
    if as_of is None:
        return "now"
    return f"at {as_of.astimezone(zone).strftime('%Y-%m-%d %H:%M')}"


def _rule(board: Dashboard) -> str:
    derived = any(row.indicator.derived is not None for row in board.rows)
    return (
        f"status: on track ≥ {ON_TRACK_PCT}% attainment, at risk ≥ {AT_RISK_PCT}%, else off "
        "track; * value corrected" + (f"; {DERIVED_MARK} counted from events" if derived else "")
    )


def render_dashboard(board: Dashboard, zone: tzinfo) -> str:
    """The plan's indicators for the period, activity then result, with the status rule."""
    lines = [
        f"{board.plan} dashboard — {board.period or 'no period with actuals yet'} "
        f"(as known {_moment(board.as_of, zone)} {board.timezone})"
    ]
    for kind, title in _GROUPS.items():
        rows = board.group(kind)
        if rows:
            lines += ["", title, table([_cells(row) for row in rows], _HEADERS)]
    lines += ["", _rule(board)]
    return "\n".join(lines)


def render_dashboard_markdown(board: Dashboard, zone: tzinfo) -> str:
    """The dashboard as Markdown: a heading, one table per kind of indicator."""
    lines = [
        f"# {board.plan} dashboard — {board.period or 'no period with actuals yet'}",
        "",
        f"As known {_moment(board.as_of, zone)} ({board.timezone}).",
    ]
    for kind, title in _GROUPS.items():
        rows = board.group(kind)
        if not rows:
            continue
        lines += ["", f"## {title}", "", "| " + " | ".join(_HEADERS) + " |"]
        lines.append("|" + "|".join("---" for _ in _HEADERS) + "|")
        lines += ["| " + " | ".join(_md(cell) for cell in _cells(row)) + " |" for row in rows]
    lines += ["", _rule(board)]
    return "\n".join(lines)


def _md(cell: str) -> str:
    return cell.replace("|", "\\|").replace("*", "\\*") or " "
