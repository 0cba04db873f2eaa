"""The commercial dashboard as one self-contained HTML page, charts included.

Header (plan, period, the moment the figures were known, in the plan's time zone), the
status rule and the chart legend, then one card per indicator, activity indicators apart
from result indicators: its figures for the period, its status, a chart of every period
(`dashboard_chart`) and the same figures as a plain table. No script, no external file;
the same dashboard and moment always give the same bytes.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pacflow.domain.values import Aggregation, IndicatorKind
from pacflow.reports.dashboard_chart import (
    chart,
    correction_lines,
    figure,
    percent,
    period_label,
    shown_index,
    status_class,
    status_word,
)
from pacflow.reports.html_parts import esc
from pacflow.reports.html_style import CSS, DASHBOARD_CSS
from pacflow.reports.labels import Labels
from pacflow.reports.text import NOTHING
from projections.dashboard import AT_RISK_PCT, ON_TRACK_PCT, Dashboard, DashboardRow, Status
from projections.dashboard import status_of as status_for

_GLYPHS = {
    Status.ON_TRACK: "●",
    Status.AT_RISK: "◐",
    Status.OFF_TRACK: "○",
    Status.NO_DATA: NOTHING,
}
"""Status marks that differ in shape as well as colour (solid, half, hollow, none)."""


_NUM = ' class="num"'


def render_dashboard_html(board: Dashboard, labels: Labels, known_at: datetime) -> str:
    """The dashboard as an HTML document; `known_at` is the moment its figures were known
    (the --as-of moment, or now), shown in the plan's time zone."""
    return _Page(board, labels, known_at).document()


class _Page:
    def __init__(self, board: Dashboard, labels: Labels, known_at: datetime) -> None:
        self.board = board
        self.t = labels
        self.zone = ZoneInfo(board.timezone)
        self.known_at = known_at.astimezone(self.zone)
        self.charts = 0

    def document(self) -> str:
        board, t = self.board, self.t
        parts = [
            "<!doctype html>",
            f'<html lang="{esc(t.lang)}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(self._heading())}</title>",
            f"<style>{CSS}{DASHBOARD_CSS}</style></head><body>",
            self._header(),
            self._summary(),
        ]
        if not board.rows:
            parts.append(f"<p>{esc(t['dash.no_indicator'])}</p>")
        for kind in IndicatorKind:
            rows = board.group(kind)
            if rows:
                parts.append(
                    f'<section class="group" id="{kind.value}">'
                    f"<h2>{esc(t['dash.group.' + kind.value])}</h2>"
                )
                parts += [self._card(row) for row in rows]
                parts.append("</section>")
        parts += [f"<footer>pacflow · {esc(self._heading())}</footer>", "</body></html>"]
        return "\n".join(parts) + "\n"

    # -- head, summary and legends --------------------------------------------------------

    def _period(self) -> str:
        period = self.board.period
        return period_label(period, self.t) if period else self.t["dash.no_period"]

    def _moment(self) -> str:
        return f"{self.t['dash.as_known']} {self.t.moment(self.known_at)}"

    def _heading(self) -> str:
        return f"{self.board.plan} — {self.t['dash.title']} — {self._period()} ({self._moment()})"

    def _header(self) -> str:
        board, t = self.board, self.t
        facts = [f"{t['period']} {board.period or NOTHING}", f"{self._moment()} ({board.timezone})"]
        return (
            '<header class="doc-head">'
            f'<div class="kicker">{esc(board.plan)}</div>'
            f"<h1>{esc(t['dash.title'])} <small>— {esc(self._period())}</small></h1>"
            f'<p class="facts">{esc(" · ".join(facts))}</p></header>'
        )

    def _summary(self) -> str:
        t = self.t
        counts = {status: 0 for status in Status}
        for row in self.board.rows:
            counts[row.status] += 1
        kpis = "".join(
            f'<div class="kpi {status_class(status)}" data-status="{esc(status.value)}">'
            f"<b>{counts[status]}</b><span>{esc(_GLYPHS[status])} "
            f"{esc(status_word(status, t))}</span></div>"
            for status in Status
            if counts[status] or status is not Status.NO_DATA
        )
        return (
            f"<section><h2>{esc(t['summary'])}</h2>"
            f'<div class="kpis">{kpis}</div>{self._rule()}{self._legend()}</section>'
        )

    def _rule(self) -> str:
        t = self.t
        on, risk = percent(ON_TRACK_PCT, t), percent(AT_RISK_PCT, t)
        attainment = t["dash.attainment"]
        items = [
            (Status.ON_TRACK, f"{attainment} ≥ {on}"),
            (Status.AT_RISK, f"{attainment} ≥ {risk}"),
            (Status.OFF_TRACK, f"{t['dash.rule.below']} {risk}"),
            (Status.NO_DATA, t["dash.rule.no_data"]),
        ]
        chips = "".join(
            f'<span class="item">{self._chip(status)}&nbsp;{esc(text)}</span>'
            for status, text in items
        )
        return (
            f'<div class="legend rule"><b>{esc(t["dash.rule"])}</b>{chips}'
            f'<span class="item">{esc(t["dash.rule.direction"])}</span></div>'
        )

    def _legend(self) -> str:
        t = self.t
        items = [
            ("sw-target", t["dash.legend.target"]),
            ("sw-actual", t["dash.legend.actual"]),
            ("sw-corr", t["dash.legend.corrected"]),
            ("sw-shown", t["dash.legend.shown"]),
            ("sw-later", t["dash.legend.later"]),
        ]
        return (
            f'<div class="legend"><b>{esc(t["legend"])}</b>'
            + "".join(
                f'<span class="item"><i class="sw {css}"></i>{esc(text)}</span>'
                for css, text in items
            )
            + "</div>"
        )

    def _chip(self, status: Status) -> str:
        return (
            f'<span class="st {status_class(status)}">{esc(_GLYPHS[status])} '
            f"{esc(status_word(status, self.t))}</span>"
        )

    # -- one indicator ----------------------------------------------------------------------

    def _card(self, row: DashboardRow) -> str:
        t, definition = self.t, row.indicator
        self.charts += 1
        facts = [
            t["dash.kind." + definition.kind.value],
            definition.unit,
            t["dash.agg." + definition.aggregation.value],
            t["dash.dir." + definition.direction.value],
            f"{t['responsible']} {definition.owner}",
        ]
        return (
            f'<article class="card {status_class(row.status)}" id="ind-{esc(definition.key)}" '
            f'data-indicator="{esc(definition.key)}" data-status="{esc(row.status.value)}">'
            f'<header><h3><span class="key">{esc(definition.key)}</span> — '
            f"{esc(definition.name)}</h3>{self._chip(row.status)}</header>"
            f'<p class="facts small">{esc(" · ".join(facts))}</p>'
            f"{self._figures(row)}"
            f'<div class="card-body"><figure>{chart(row, self.charts, t, self.zone)}</figure>'
            f"{self._table(row)}</div></article>"
        )

    def _figures(self, row: DashboardRow) -> str:
        t, figures = self.t, row.figures
        period = figures.period if figures else NOTHING
        corrected = figures is not None and figures.corrected
        actual = figure(figures.actual if figures else None, t)
        if corrected and figures is not None:
            note = "\n".join(correction_lines(figures, row.indicator.unit, t, self.zone))
            actual = f'{esc(actual)}<sup class="corr-mark" title="{esc(note)}">*</sup>'
        else:
            actual = esc(actual)
        cumulative = figure(figures.cumulative if figures else None, t)
        if (
            figures is not None
            and figures.cumulative_target is not None
            and row.indicator.aggregation is not Aggregation.CUMULATIVE_YTD
        ):
            cumulative += f" / {figure(figures.cumulative_target, t)}"
        cells = [
            ("period", t["period"], esc(period)),
            ("target", t["dash.target"], esc(figure(figures.target if figures else None, t))),
            ("actual", t["dash.actual"], actual),
            ("gap", t["dash.gap"], esc(figure(figures.gap if figures else None, t))),
            ("cumulative", t["dash.cumulative"], esc(cumulative)),
            (
                "attainment",
                t["dash.attainment"],
                esc(percent(figures.attainment if figures else None, t)),
            ),
        ]
        items = "".join(
            f'<div><dt>{esc(name)}</dt><dd data-figure="{key}">{value}</dd></div>'
            for key, name, value in cells
        )
        return f'<dl class="figs">{items}</dl>'

    def _table(self, row: DashboardRow) -> str:
        t, unit = self.t, row.indicator.unit
        cut = shown_index(row)
        head = "".join(
            f"<th{_NUM if key not in ('period', 'status') else ''}>{esc(name)}</th>"
            for key, name in (
                ("period", t["period"]),
                ("target", t["dash.target"]),
                ("actual", t["dash.actual"]),
                ("gap", t["dash.gap"]),
                ("cumulative", t["dash.cumulative"]),
                ("attainment", t["dash.attainment"]),
                ("status", t["status"]),
            )
        )
        body = []
        notes = []
        for index, figures in enumerate(row.periods):
            later = cut is not None and index > cut
            if later and figures.target is None:
                continue  # nothing known or expected yet: the chart shows the period
            css = ' class="shown"' if index == cut else ' class="later"' if later else ""
            if later:
                cells = [figure(figures.target, t), NOTHING, NOTHING, NOTHING, NOTHING, ""]
            else:
                status = status_for(figures.attainment)
                actual = figure(figures.actual, t) + ("*" if figures.corrected else "")
                cells = [
                    figure(figures.target, t),
                    actual,
                    figure(figures.gap, t),
                    figure(figures.cumulative, t),
                    percent(figures.attainment, t),
                    status_word(status, t) if status is not Status.NO_DATA else "",
                ]
                notes += correction_lines(figures, unit, t, self.zone)
            numbers = "".join(f'<td class="num">{esc(cell)}</td>' for cell in cells[:-1])
            body.append(
                f"<tr{css}><td>{esc(figures.period)}</td>{numbers}<td>{esc(cells[-1])}</td></tr>"
            )
        caption = f"{row.indicator.key} — {t['dash.figures']} ({unit})"
        table = (
            f'<div class="card-table"><table class="figtable"><caption>{esc(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
        if notes:
            table += "".join(f'<p class="corr-note small">* {esc(note)}</p>' for note in notes)
        return table + "</div>"


__all__ = ["render_dashboard_html"]
